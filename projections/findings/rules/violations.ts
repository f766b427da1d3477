// Imported history records what happened even where a preventive control would have refused it, and names
// the controls it broke (metadata.violations). Each broken control raises its matching finding, keyed by the
// event, so a rule that finds the same event on its own adds to that finding instead of a second one.
import { accountOfStream, effectiveDate } from '../facts.js';
import type { FindingCode, Rule, Severity } from '../types.js';

/** The finding each refusal code of a preventive control becomes on imported history. */
export const VIOLATION_FINDINGS: Record<string, { code: FindingCode; severity: Severity }> = {
  amount_exceeds_balance: { code: 'overspend', severity: 'severe' },
  amount_exceeds_balance_for_purpose: { code: 'overspend', severity: 'severe' },
  amount_exceeds_unallocated_balance: { code: 'overspend', severity: 'severe' },
  lot_not_in_account: { code: 'overspend', severity: 'severe' },
  purpose_not_allowed_for_source: { code: 'purpose_mismatch', severity: 'severe' },
  purpose_outside_plan_scope: { code: 'purpose_mismatch', severity: 'severe' },
  source_not_in_plan: { code: 'purpose_mismatch', severity: 'severe' },
  amount_exceeds_plan_source_limit: { code: 'purpose_mismatch', severity: 'warning' },
  amount_exceeds_plan_total: { code: 'purpose_mismatch', severity: 'warning' },
  transfer_already_received: { code: 'duplicate_payment', severity: 'severe' },
  transfer_received_with_different_amount: { code: 'unreceived_transfer', severity: 'severe' },
  payee_not_registered_in_village: { code: 'ineligible_payee', severity: 'severe' },
  payee_removed_from_registry: { code: 'ineligible_payee', severity: 'severe' },
  payee_exited_beyond_policy_window: { code: 'ineligible_payee', severity: 'warning' },
  payee_deceased: { code: 'ineligible_payee', severity: 'severe' },
  payee_not_project_beneficiary: { code: 'ineligible_payee', severity: 'warning' },
  final_payment_before_acceptance: { code: 'project_overfunded', severity: 'warning' },
  loan_exceeds_cap: { code: 'ineligible_loan', severity: 'severe' },
  loan_term_exceeds_limit: { code: 'ineligible_loan', severity: 'warning' },
  loan_rate_above_benchmark: { code: 'ineligible_loan', severity: 'warning' },
  borrower_not_eligible: { code: 'ineligible_loan', severity: 'severe' },
  subsidy_window_overlaps: { code: 'subsidy_exceeds_interest', severity: 'severe' },
  accrual_window_overlaps: { code: 'subsidy_exceeds_interest', severity: 'warning' },
  subsidy_exceeds_interest: { code: 'subsidy_exceeds_interest', severity: 'severe' },
  subsidy_on_defaulted_loan: { code: 'subsidy_on_defaulted_loan', severity: 'severe' },
  loan_not_active: { code: 'subsidy_on_defaulted_loan', severity: 'warning' },
  period_sealed: { code: 'late_posting', severity: 'severe' },
};

/** Where an event happened, as well as its data says: the account's area, or a village or household named. */
function areaOf(facts: Parameters<Rule['evolve']>[2]['facts'], stream: string, data: Record<string, unknown>): string | null {
  const account = accountOfStream(stream);
  if (account) return facts.areaOfAccount(account);
  for (const key of ['villageCode', 'countyCode', 'code']) if (typeof data[key] === 'string') return data[key] as string;
  if (typeof data.householdId === 'string') return facts.households.get(data.householdId)?.villageCode ?? null;
  return null;
}

export const violationsRule: Rule<null> = {
  name: 'broken controls on imported history',
  codes: [...new Set(Object.values(VIOLATION_FINDINGS).map((v) => v.code))],
  // Every type: any imported event may carry violations.
  handles: [
    'AreaRegistered', 'FundSourceRegistered', 'RuleParametersSet', 'PeriodSealed', 'HouseholdRegistered', 'HouseholdStatusChanged', 'HouseholdMemberAdded',
    'PersonDied', 'VillageOfficialRegistered', 'RelativeDeclared', 'ProjectRegistered', 'ProjectAccepted', 'ProgrammeRegistered', 'IntegrationPlanApproved',
    'IntegrationPlanAmended', 'PlanFundsUsed', 'AccountOpened', 'AppropriationReceived', 'AllocationMade', 'TransferSent', 'TransferReceived',
    'TransferCancelled', 'FundsIntegratedOut', 'FundsIntegratedIn', 'PaymentMade', 'EntryReversed', 'MicroLoanIssued', 'LoanRepaid', 'LoanDefaulted',
    'LoanMisuseFlagged', 'InterestAccrued', 'InterestSubsidyGranted',
  ],
  initial: () => null,
  evolve(_state, event, ctx) {
    const violations = event.metadata.violations;
    if (!violations || violations.length === 0) return;
    const data = (event.data ?? {}) as Record<string, unknown>;
    const account = accountOfStream(event.stream);
    const amount = typeof data.amountFen === 'number' ? data.amountFen : typeof data.principalFen === 'number' ? data.principalFen : 0;
    for (const violation of violations) {
      const mapped = VIOLATION_FINDINGS[violation.code];
      if (!mapped) continue;
      ctx.raise({
        code: mapped.code,
        key: event.id,
        severity: mapped.severity,
        areaCode: areaOf(ctx.facts, event.stream, data),
        accounts: account ? [account] : [],
        amountFen: amount,
        eventIds: [event.id],
        parameters: { control: violation.code, ruleVersion: event.metadata.ruleVersion ?? 0 },
        effectiveDate: effectiveDate(event),
        explanation: {
          zh: `导入的历史记录违反了事前控制（${violation.code}）：${violation.message}`,
          en: `Imported history broke a preventive control (${violation.code}): ${violation.message}`,
        },
      });
    }
  },
};
