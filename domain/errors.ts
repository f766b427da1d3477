// Refusals the caller can act on. Each has a stable snake_case code that says exactly what was wrong.

export const REFUSAL_CODES = [
  // 1. malformed or unknown references
  'invalid_command',
  'unknown_area',
  'unknown_source',
  'unknown_household',
  'unknown_person',
  'unknown_project',
  'unknown_programme',
  'unknown_plan',
  'unknown_loan',
  'unknown_official',
  'unknown_transfer',
  'unknown_account',
  'area_already_registered',
  'area_parent_invalid',
  'source_already_registered',
  'household_already_registered',
  'person_already_registered',
  'official_already_registered',
  'project_already_registered',
  'programme_already_registered',
  'plan_already_approved',
  'loan_already_issued',
  'account_area_mismatch',
  'status_change_not_allowed',
  'project_already_accepted',
  // 2. idempotency
  'command_id_reused_with_different_content',
  // 3. balances
  'amount_exceeds_balance',
  'amount_exceeds_balance_for_purpose',
  'amount_exceeds_unallocated_balance',
  'lot_not_in_account',
  // 4. purpose and integration
  'purpose_not_allowed_for_source',
  'purpose_outside_plan_scope',
  'source_not_in_plan',
  'amount_exceeds_plan_source_limit',
  'amount_exceeds_plan_total',
  // 5. transfers
  'transfer_already_received',
  'transfer_received_with_different_amount',
  'transfer_not_addressed_to_account',
  'transfer_to_same_account',
  // 6. beneficiaries and loans
  'payee_not_registered_in_village',
  'payee_removed_from_registry',
  'payee_exited_beyond_policy_window',
  'payee_deceased',
  'payee_not_project_beneficiary',
  'final_payment_before_acceptance',
  'loan_exceeds_cap',
  'loan_term_exceeds_limit',
  'loan_rate_above_benchmark',
  'borrower_not_eligible',
  'subsidy_window_overlaps',
  'accrual_window_overlaps',
  'subsidy_exceeds_interest',
  'subsidy_on_defaulted_loan',
  'loan_not_active',
  // 7. sealed periods
  'period_sealed',
  // findings
  'finding_resolution_unchanged',
  // corrections
  'reversal_target_not_found',
  'entry_already_reversed',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function refuse(code: RefusalCode, message: string, details: Record<string, unknown> = {}): never {
  throw new DomainError(code, message, details);
}

/** Yuan with two decimals, for messages people read. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  // Thousands separators by hand: toLocaleString is slow enough to show when thousands of findings are explained.
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}
