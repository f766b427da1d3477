// Micro-loans (扶贫小额信贷) and the risk compensation fund (风险补偿金). A loan is the bank's money, not the
// county's, so it never enters an account: its view follows the loan stream (principal, repayments,
// interest, 贴息, default). The county's money around it does: 贴息 and risk-fund payouts are payments,
// and a reversal of such a payment undoes what it credited to the loan and the fund.
import type { Projection, ProjectedEvent, Views } from './types.js';

export interface LoanWindow {
  from: string;
  to: string;
  interestFen?: number;
  subsidyFen?: number;
}

export interface LoanView {
  view: 'loan';
  loanId: string;
  householdId: string;
  villageCode: string;
  bank: string;
  principalFen: number;
  termMonths: number;
  annualRateBp: number;
  issuedOn: string;
  repaidFen: number;
  outstandingFen: number;
  interestAccruedFen: number;
  subsidyPaidFen: number;
  /** Paid to the bank out of the risk fund for this loan. */
  compensatedFen: number;
  /** Accrual and subsidy windows, by start then end; a subsidy window may span several accrual windows. */
  windows: LoanWindow[];
  defaultedOn: string | null;
  misuseFlaggedOn: string | null;
}

export interface RiskFundView {
  view: 'riskfund';
  countyCode: string;
  /** By party; a contribution that names no party is under `unspecified` rather than guessed. */
  contributedFen: Record<string, number>;
  paidOutFen: number;
  heldFen: number;
  /** Principal of the micro-loans issued in the county: the base of the ≈3% ratio. */
  loansIssuedFen: number;
}

/** What a later reversal of a payment or contribution must undo. */
type Entry =
  | { view: 'entry'; kind: 'contribution'; countyCode: string; party: string; amountFen: number; reversed: boolean }
  | { view: 'entry'; kind: 'payout'; countyCode: string; loanId?: string; amountFen: number; reversed: boolean }
  | { view: 'entry'; kind: 'subsidy'; loanId: string; paymentId: string; reversed: boolean };

interface Grant {
  view: 'grant';
  from: string;
  to: string;
  amountFen: number;
}

export type LoansView = LoanView | RiskFundView | Entry | Grant;

export const loanKey = (loanId: string): string => `loan:${loanId}`;
export const riskFundKey = (countyCode: string): string => `riskfund:${countyCode}`;
const entryKey = (eventId: string): string => `entry:${eventId}`;
const grantKey = (loanId: string, paymentId: string): string => `grant:${loanId}:${paymentId}`;

const countyOf = (areaCode: string): string => `${areaCode.slice(0, 6)}000000`;

/** A loan seen before its issue (disordered imports) starts empty, so nothing recorded about it is lost. */
function startLoan(loanId: string): LoanView {
  return {
    view: 'loan', loanId, householdId: '', villageCode: '', bank: '', principalFen: 0, termMonths: 0, annualRateBp: 0, issuedOn: '',
    repaidFen: 0, outstandingFen: 0, interestAccruedFen: 0, subsidyPaidFen: 0, compensatedFen: 0, windows: [], defaultedOn: null, misuseFlaggedOn: null,
  };
}

function startFund(countyCode: string): RiskFundView {
  return { view: 'riskfund', countyCode, contributedFen: { government: 0, bank: 0, donor: 0 }, paidOutFen: 0, heldFen: 0, loansIssuedFen: 0 };
}

/** Outstanding is derived from principal and repayments after every change, so it cannot drift. */
function changeLoan(views: Views<LoansView>, loanId: string, fn: (loan: LoanView) => LoanView): void {
  const next = fn((views.get(loanKey(loanId)) as LoanView | undefined) ?? startLoan(loanId));
  views.put(loanKey(loanId), { ...next, outstandingFen: next.principalFen - next.repaidFen });
}

function changeFund(views: Views<LoansView>, countyCode: string, fn: (fund: RiskFundView) => RiskFundView): void {
  views.put(riskFundKey(countyCode), fn((views.get(riskFundKey(countyCode)) as RiskFundView | undefined) ?? startFund(countyCode)));
}

/** Adds to one window's interest or subsidy, opening the window if it is new; zeroed fields are dropped. */
function addToWindow(windows: LoanWindow[], from: string, to: string, field: 'interestFen' | 'subsidyFen', fen: number): LoanWindow[] {
  const found = windows.find((w) => w.from === from && w.to === to);
  const rest = windows.filter((w) => w !== found);
  const window: LoanWindow = { ...(found ?? { from, to }), [field]: (found?.[field] ?? 0) + fen };
  if (window[field] === 0) delete window[field];
  const kept = window.interestFen === undefined && window.subsidyFen === undefined ? rest : [...rest, window];
  return kept.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
}

/** The risk fund's county when the event is on a `riskfund:{county}` account stream. */
function riskFundAccount(event: ProjectedEvent): string | undefined {
  const prefix = 'account-riskfund:';
  return event.stream.startsWith(prefix) ? event.stream.slice(prefix.length) : undefined;
}

type Handler = (views: Views<LoansView>, event: ProjectedEvent) => void;

function grantSubsidy(views: Views<LoansView>, loanId: string, grant: Grant, sign: 1 | -1): void {
  changeLoan(views, loanId, (loan) => ({
    ...loan,
    subsidyPaidFen: loan.subsidyPaidFen + sign * grant.amountFen,
    windows: addToWindow(loan.windows, grant.from, grant.to, 'subsidyFen', sign * grant.amountFen),
  }));
}

function payOut(views: Views<LoansView>, countyCode: string, loanId: string | undefined, amountFen: number, sign: 1 | -1): void {
  changeFund(views, countyCode, (fund) => ({ ...fund, paidOutFen: fund.paidOutFen + sign * amountFen, heldFen: fund.heldFen - sign * amountFen }));
  if (loanId) changeLoan(views, loanId, (loan) => ({ ...loan, compensatedFen: loan.compensatedFen + sign * amountFen }));
}

function contribute(views: Views<LoansView>, countyCode: string, party: string, amountFen: number, sign: 1 | -1): void {
  changeFund(views, countyCode, (fund) => ({
    ...fund,
    contributedFen: { ...fund.contributedFen, [party]: (fund.contributedFen[party] ?? 0) + sign * amountFen },
    heldFen: fund.heldFen + sign * amountFen,
  }));
}

/** Undoes a reversed payment or contribution by what was remembered about it, once. */
function undo(views: Views<LoansView>, eventId: string): void {
  const entry = views.get(entryKey(eventId)) as Entry | undefined;
  if (!entry || entry.reversed) return;
  views.put(entryKey(eventId), { ...entry, reversed: true });
  if (entry.kind === 'contribution') contribute(views, entry.countyCode, entry.party, entry.amountFen, -1);
  if (entry.kind === 'payout') payOut(views, entry.countyCode, entry.loanId, entry.amountFen, -1);
  if (entry.kind !== 'subsidy') return;
  const grant = views.get(grantKey(entry.loanId, entry.paymentId)) as Grant | undefined;
  if (grant) grantSubsidy(views, entry.loanId, grant, -1);
}

const handlers: Record<string, Handler> = {
  MicroLoanIssued(views, event) {
    const d = event.data as { loanId: string; householdId: string; villageCode: string; bank: string; principalFen: number; termMonths: number; annualRateBp: number; issuedOn: string };
    const { loanId, householdId, villageCode, bank, principalFen, termMonths, annualRateBp, issuedOn } = d;
    changeLoan(views, loanId, (loan) => ({ ...loan, householdId, villageCode, bank, principalFen, termMonths, annualRateBp, issuedOn }));
    changeFund(views, countyOf(villageCode), (fund) => ({ ...fund, loansIssuedFen: fund.loansIssuedFen + principalFen }));
  },
  LoanRepaid(views, event) {
    const d = event.data as { loanId: string; amountFen: number };
    changeLoan(views, d.loanId, (loan) => ({ ...loan, repaidFen: loan.repaidFen + d.amountFen }));
  },
  LoanDefaulted(views, event) {
    const d = event.data as { loanId: string; on: string };
    changeLoan(views, d.loanId, (loan) => ({ ...loan, defaultedOn: loan.defaultedOn ?? d.on }));
  },
  LoanMisuseFlagged(views, event) {
    // The first flag is when misuse was known; later flags do not move that date.
    const d = event.data as { loanId: string; on: string };
    changeLoan(views, d.loanId, (loan) => ({ ...loan, misuseFlaggedOn: loan.misuseFlaggedOn ?? d.on }));
  },
  InterestAccrued(views, event) {
    const d = event.data as { loanId: string; windowFrom: string; windowTo: string; interestFen: number };
    changeLoan(views, d.loanId, (loan) => ({
      ...loan,
      interestAccruedFen: loan.interestAccruedFen + d.interestFen,
      windows: addToWindow(loan.windows, d.windowFrom, d.windowTo, 'interestFen', d.interestFen),
    }));
  },
  InterestSubsidyGranted(views, event) {
    const d = event.data as { loanId: string; paymentId: string; windowFrom: string; windowTo: string; amountFen: number };
    const grant: Grant = { view: 'grant', from: d.windowFrom, to: d.windowTo, amountFen: d.amountFen };
    views.put(grantKey(d.loanId, d.paymentId), grant);
    grantSubsidy(views, d.loanId, grant, 1);
  },
  AppropriationReceived(views, event) {
    const countyCode = riskFundAccount(event);
    if (!countyCode) return;
    const d = event.data as { amountFen: number; party?: string };
    const party = d.party ?? 'unspecified';
    views.put(entryKey(event.id), { view: 'entry', kind: 'contribution', countyCode, party, amountFen: d.amountFen, reversed: false });
    contribute(views, countyCode, party, d.amountFen, 1);
  },
  TransferReceived(views, event) {
    const countyCode = riskFundAccount(event);
    if (countyCode) changeFund(views, countyCode, (fund) => ({ ...fund, heldFen: fund.heldFen + (event.data as { amountFen: number }).amountFen }));
  },
  TransferSent(views, event) {
    const countyCode = riskFundAccount(event);
    if (countyCode) changeFund(views, countyCode, (fund) => ({ ...fund, heldFen: fund.heldFen - (event.data as { amountFen: number }).amountFen }));
  },
  PaymentMade(views, event) {
    const d = event.data as { paymentId: string; amountFen: number; purpose: string; loanId?: string };
    const countyCode = riskFundAccount(event);
    if (countyCode) {
      views.put(entryKey(event.id), { view: 'entry', kind: 'payout', countyCode, ...(d.loanId ? { loanId: d.loanId } : {}), amountFen: d.amountFen, reversed: false });
      payOut(views, countyCode, d.loanId, d.amountFen, 1);
    } else if (d.loanId && d.purpose === 'interest_subsidy') {
      views.put(entryKey(event.id), { view: 'entry', kind: 'subsidy', loanId: d.loanId, paymentId: d.paymentId, reversed: false });
    }
  },
  EntryReversed(views, event) {
    const d = event.data as { reversesEventId: string; reversedType: string; amountFen: number };
    const countyCode = riskFundAccount(event);
    // A transfer sent out of the fund and reversed returns to it; payments and contributions are undone by what they credited.
    if (d.reversedType === 'TransferSent' && countyCode) changeFund(views, countyCode, (fund) => ({ ...fund, heldFen: fund.heldFen + d.amountFen }));
    else undo(views, d.reversesEventId);
  },
};

export const loans: Projection<LoansView> = {
  name: 'loans',
  version: 1,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
