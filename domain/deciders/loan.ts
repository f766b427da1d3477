// Micro-credit (扶贫小额信贷): issue within the product's limits, repayments, defaults, interest and 贴息.
import { yuan } from '../errors.js';
import { must } from '../guard.js';
import { drawLots } from '../lots.js';
import { subsidyRatioFor } from '../rules.js';
import { householdStatusOn, type LoanState } from '../state.js';
import { streams } from '../streams.js';
import type { DecideContext, Emit, Handler, View } from './types.js';
import { checkPurpose } from './spending.js';

function loanOf(view: View, loanId: string): LoanState {
  const state = view.get(streams.loan(loanId), 'loan');
  must(state.loan !== undefined, 'unknown_loan', () => `micro-loan ${loanId} is not recorded`);
  return state;
}

export const issueMicroLoan: Handler<'IssueMicroLoan'> = {
  writes: (c) => [streams.loan(c.loanId)],
  reads: (c) => [streams.household(c.householdId)],
  decide(c, view, { guard, rules }) {
    const stream = streams.loan(c.loanId);
    must(view.get(stream, 'loan').loan === undefined, 'loan_already_issued', () => `micro-loan ${c.loanId} is already recorded`);
    const household = view.get(streams.household(c.householdId), 'household');
    const status = household.household ? householdStatusOn(household, c.issuedOn)?.status : undefined;
    guard.control(status === 'registered' || status === 'returned', 'borrower_not_eligible', () => `household ${c.householdId} is ${status ?? 'not registered'} on ${c.issuedOn}; micro-loans go to registered households`);
    guard.control(c.principalFen <= rules.microLoanCapFen, 'loan_exceeds_cap', () => `${yuan(c.principalFen)} is over the ${yuan(rules.microLoanCapFen)} micro-loan cap`);
    guard.control(c.termMonths <= rules.microLoanMaxTermMonths, 'loan_term_exceeds_limit', () => `${c.termMonths} months is over the ${rules.microLoanMaxTermMonths}-month limit`);
    guard.control(c.annualRateBp <= rules.benchmarkRateBp, 'loan_rate_above_benchmark', () => `rate ${c.annualRateBp} bp is above the benchmark ${rules.benchmarkRateBp} bp`);
    const data = { loanId: c.loanId, householdId: c.householdId, villageCode: household.household?.villageCode ?? '000000000000', bank: c.bank, principalFen: c.principalFen, termMonths: c.termMonths, annualRateBp: c.annualRateBp, issuedOn: c.issuedOn };
    return [{ stream, events: [{ type: 'MicroLoanIssued', data }] }];
  },
};

export const recordLoanRepayment: Handler<'RecordLoanRepayment'> = {
  writes: (c) => [streams.loan(c.loanId)],
  reads: () => [],
  decide(c, view, { guard }) {
    const state = loanOf(view, c.loanId);
    const outstanding = state.loan!.principalFen - state.repaidFen;
    guard.control(c.amountFen <= outstanding, 'amount_exceeds_balance', () => `${yuan(outstanding)} of micro-loan ${c.loanId} is outstanding, less than ${yuan(c.amountFen)}`);
    return [{ stream: streams.loan(c.loanId), events: [{ type: 'LoanRepaid', data: { loanId: c.loanId, amountFen: c.amountFen, on: c.on } }] }];
  },
};

export const recordLoanDefault: Handler<'RecordLoanDefault'> = {
  writes: (c) => [streams.loan(c.loanId)],
  reads: () => [],
  decide(c, view) {
    const state = loanOf(view, c.loanId);
    must(state.defaultedOn === undefined, 'loan_not_active', () => `micro-loan ${c.loanId} already defaulted on ${state.defaultedOn}`);
    must(state.repaidFen < state.loan!.principalFen, 'loan_not_active', () => `micro-loan ${c.loanId} is fully repaid`);
    return [{ stream: streams.loan(c.loanId), events: [{ type: 'LoanDefaulted', data: { loanId: c.loanId, on: c.on, reason: c.reason } }] }];
  },
};

export const flagLoanMisuse: Handler<'FlagLoanMisuse'> = {
  writes: (c) => [streams.loan(c.loanId)],
  reads: () => [],
  decide(c, view) {
    loanOf(view, c.loanId);
    return [{ stream: streams.loan(c.loanId), events: [{ type: 'LoanMisuseFlagged', data: { loanId: c.loanId, on: c.on, reason: c.reason } }] }];
  },
};

export const recordInterestAccrual: Handler<'RecordInterestAccrual'> = {
  writes: (c) => [streams.loan(c.loanId)],
  reads: () => [],
  decide(c, view) {
    const state = loanOf(view, c.loanId);
    must(c.windowFrom <= c.windowTo, 'invalid_command', () => `an accrual window must end on or after it starts (${c.windowFrom} to ${c.windowTo})`);
    // Interest counted twice would raise the 贴息 due, so accrual windows of one loan may not overlap.
    const overlap = state.accruals.find((a) => a.from <= c.windowTo && c.windowFrom <= a.to);
    must(overlap === undefined, 'accrual_window_overlaps', () => `micro-loan ${c.loanId} already has interest accrued for ${overlap?.from} to ${overlap?.to}`);
    const data = { loanId: c.loanId, windowFrom: c.windowFrom, windowTo: c.windowTo, interestFen: c.interestFen };
    return [{ stream: streams.loan(c.loanId), events: [{ type: 'InterestAccrued', data }] }];
  },
};

/** 贴息: the county pays the bank the subsidised share of interest accrued in a window, once per window. */
export const payInterestSubsidy: Handler<'PayInterestSubsidy'> = {
  writes: (c) => [streams.account(c.fromAccount), streams.loan(c.loanId)],
  reads: () => [streams.sources],
  decide(c, view, ctx) {
    const state = loanOf(view, c.loanId);
    must(c.windowFrom <= c.windowTo, 'invalid_command', () => `a subsidy window must end on or after it starts (${c.windowFrom} to ${c.windowTo})`);
    checkSubsidy(c.loanId, c.windowFrom, c.windowTo, c.amountFen, state, ctx);
    const accountStream = streams.account(c.fromAccount);
    const account = view.get(accountStream, 'account');
    must(account.opened !== undefined, 'unknown_account', () => `account ${c.fromAccount} has never received money`);
    must(!account.payments.has(c.paymentId), 'invalid_command', () => `payment ${c.paymentId} is already recorded on ${c.fromAccount}`);
    const lots = drawLots(account.lots, c.amountFen, undefined, ctx.guard, { fiscalYear: Number(c.effectiveDate.slice(0, 4)), purpose: 'interest_subsidy' });
    checkPurpose(view, lots, 'interest_subsidy', ctx);
    const ratioBp = subsidyRatioFor(ctx.rules, c.windowFrom, c.windowTo) ?? 0;
    const payee = { kind: 'bank' as const, id: 'bank', name: state.loan!.bank };
    const payment = { paymentId: c.paymentId, payee, amountFen: c.amountFen, voucherNo: c.voucherNo, purpose: 'interest_subsidy' as const, loanId: c.loanId, lots };
    const grant = { loanId: c.loanId, paymentId: c.paymentId, windowFrom: c.windowFrom, windowTo: c.windowTo, amountFen: c.amountFen, ratioBp, fromAccount: c.fromAccount };
    const emits: Emit[] = [
      { stream: accountStream, events: [{ type: 'PaymentMade', data: payment }] },
      { stream: streams.loan(c.loanId), events: [{ type: 'InterestSubsidyGranted', data: grant }] },
    ];
    return emits;
  },
};

function checkSubsidy(loanId: string, from: string, to: string, amountFen: number, state: LoanState, { guard, rules }: DecideContext): void {
  const overlap = state.subsidies.find((s) => s.from <= to && from <= s.to);
  guard.control(overlap === undefined, 'subsidy_window_overlaps', () => `micro-loan ${loanId} already has 贴息 for ${overlap?.from} to ${overlap?.to}`);
  guard.control(state.defaultedOn === undefined && state.misuseFlaggedOn === undefined, 'subsidy_on_defaulted_loan', () => `micro-loan ${loanId} is ${state.defaultedOn ? `in default since ${state.defaultedOn}` : `flagged as misused since ${state.misuseFlaggedOn}`}`);
  const accrued = state.accruals.filter((a) => from <= a.from && a.to <= to).reduce((sum, a) => sum + a.interestFen, 0);
  const ratio = subsidyRatioFor(rules, from, to);
  // Interest on the part of the principal above the cap is never subsidised.
  const cappedShare = Math.min(1, rules.microLoanCapFen / state.loan!.principalFen);
  const due = Math.floor((accrued * (ratio ?? 0) * cappedShare) / 10_000);
  guard.control(amountFen <= due, 'subsidy_exceeds_interest', () => `${yuan(amountFen)} of 贴息 is more than the ${yuan(due)} due for ${from} to ${to} (accrued ${yuan(accrued)}, ratio ${ratio ?? 0} bp)`, {
    dueFen: due,
    requestedFen: amountFen,
  });
}
