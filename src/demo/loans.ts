// 扶贫小额信贷: loans issued by the cooperating banks to registered households, interest settled quarterly
// on the 20th of March, June, September and December, 贴息 paid by the county from its subsidy account for
// each settled window, repayments, a few defaults with a risk-compensation payout split 7:3, and the risk
// compensation fund topped up each January to stay above 3% of the principal outstanding.
import { addDays, addMonths, at, daysBetween, ymd } from './calendar.js';
import { mayBorrow, type County, type Household } from './model.js';
import type { Case, Schedule } from './ops.js';
import type { Vouchers } from './ops.js';
import type { Rng } from './random.js';

export interface Bank {
  id: string;
  name: string;
}

export const BANKS: Bank[] = [
  { id: 'bank-rcc', name: '甘肃省农村信用社' },
  { id: 'bank-psbc', name: '中国邮政储蓄银行' },
  { id: 'bank-abc', name: '中国农业银行' },
];

export interface Loan {
  id: string;
  household: Household;
  bank: Bank;
  principalFen: number;
  termMonths: number;
  rateBp: number;
  issuedOn: string;
  repaidOn?: string;
  defaultOn?: string;
  /** Risk compensation paid to the bank after a default. */
  payout?: { on: string; fen: number };
  /** Planted: imported history, or a loan the generator must not subsidise normally. */
  historical?: boolean;
  noSchedule?: boolean;
  /** Case marks for the issue. */
  cases?: Case[];
  /** Changes to the 贴息 of one window (ending on `to`): another amount, or paid a second time. */
  tweaks?: { to: string; amountFen?: number; historical?: boolean; cases?: Case[]; again?: { on: string; historical: boolean; cases: Case[] } }[];
  /** Near-misses among the normal 贴息 of this loan. */
  nearCases?: { exactSubsidy?: Case; subsidyBeforeDefault?: Case };
  /** 贴息 for a window paid after the loan defaulted (imported history). */
  lateSubsidy?: { to: string; paidOn: string; historical: boolean; cases: Case[] };
  /** Flagged as misused by the bank: 贴息 paid after this is imported history. */
  misuseOn?: string;
  misuseCases?: Case[];
}

export interface SubsidyWindow {
  from: string;
  to: string;
  interestFen: number;
  paidOn?: string;
}

const SETTLE_MONTHS = [3, 6, 9, 12];

/** Settlement windows of a loan from `from` to `end` (inclusive), each ending on a settlement day (the 20th). */
export function windows(loan: Loan, end: string): SubsidyWindow[] {
  const out: SubsidyWindow[] = [];
  let from = loan.issuedOn;
  for (let y = Number(from.slice(0, 4)); from <= end; y++) {
    for (const m of SETTLE_MONTHS) {
      const settle = ymd(y, m, 20);
      if (settle < from) continue;
      const to = settle < end ? settle : end;
      out.push({ from, to, interestFen: interest(loan.principalFen, loan.rateBp, from, to) });
      from = addDays(to, 1);
      if (to === end) return out;
    }
  }
  return out;
}

export function interest(principalFen: number, rateBp: number, from: string, to: string): number {
  const days = daysBetween(from, to) + 1;
  return Math.round((principalFen * rateBp * days) / 10_000 / 365);
}

const PRINCIPALS = [1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000];

/** Normal loans: about 3% of households borrow each spring. */
export function normalLoans(county: County, years: number[], lastDate: string, rng: Rng): Loan[] {
  const loans: Loan[] = [];
  const active = new Map<string, string>();
  let n = 0;
  for (const y of years) {
    for (const h of county.households) {
      if (h.special || !rng.chance(0.03)) continue;
      const issuedOn = ymd(y, rng.int(3, 6), rng.int(1, 28));
      if ((active.get(h.id) ?? '') >= issuedOn || !mayBorrow(h, issuedOn)) continue;
      const termMonths = [12, 24, 36][rng.weighted([1, 2, 5])]!;
      const loan: Loan = {
        id: `loan-${h.village.code}-${String(++n).padStart(5, '0')}`,
        household: h,
        bank: rng.pick(BANKS),
        principalFen: PRINCIPALS[rng.weighted([1, 2, 3, 1, 4])]!,
        termMonths,
        rateBp: rng.chance(0.8) ? 435 : 400,
        issuedOn,
      };
      const maturity = addMonths(issuedOn, termMonths);
      if (rng.chance(0.1)) {
        const early = addMonths(issuedOn, rng.int(6, Math.max(6, termMonths - 3)));
        if (early <= lastDate) loan.repaidOn = early;
      } else if (maturity <= lastDate) loan.repaidOn = maturity;
      if (!loan.repaidOn && rng.chance(0.02)) {
        const d = addMonths(issuedOn, rng.int(8, 20));
        if (d < addDays(lastDate, -40)) loan.defaultOn = ymd(Number(d.slice(0, 4)), Number(d.slice(5, 7)), rng.int(1, 28));
      }
      active.set(h.id, loan.repaidOn ?? loan.defaultOn ?? '9999-12-31');
      loans.push(loan);
    }
  }
  return loans;
}

/** The end of a loan's interest schedule: repaid, the settlement before a default, or the demo's last date. */
export function scheduleEnd(loan: Loan, lastDate: string): string {
  if (loan.repaidOn) return loan.repaidOn;
  return lastDate;
}

export interface LoanPosting {
  /** 贴息 paid per fiscal year: the subsidy account's appropriation. */
  subsidyByYear: Map<number, number>;
}

/**
 * Posts a loan's life: issue, accruals and 贴息 per window, repayment, default and payout. A defaulted loan
 * accrues and is subsidised only for windows settled and paid before the default.
 */
export function postLoan(schedule: Schedule, loan: Loan, subsidyAccount: string, lastDate: string, vouchers: Vouchers, posting: LoanPosting): void {
  const near = loan.nearCases;
  const villageActor = { actor: `bank-${loan.bank.id}`, role: 'bank' };
  schedule.add({
    rec: at(loan.issuedOn, 9),
    date: loan.issuedOn,
    ...villageActor,
    ...(loan.historical ? { historical: true } : {}),
    ...(loan.cases ? { cases: loan.cases } : {}),
    body: { type: 'IssueMicroLoan', loanId: loan.id, householdId: loan.household.id, bank: loan.bank.name, principalFen: loan.principalFen, termMonths: loan.termMonths, annualRateBp: loan.rateBp, issuedOn: loan.issuedOn, documentNo: `贷${loan.issuedOn.slice(0, 4)}-${loan.id.slice(-5)}` },
  });
  if (loan.noSchedule) return;
  const end = scheduleEnd(loan, lastDate);
  const pay = (w: SubsidyWindow, paidOn: string, amountFen: number, historical: boolean, cases: Case[]): void => {
    const year = Number(paidOn.slice(0, 4));
    const v = vouchers.next(subsidyAccount, year, '贴');
    schedule.add({
      rec: at(paidOn, 14),
      date: paidOn,
      actor: historical ? 'import' : 'finance-subsidy',
      role: historical ? 'import' : 'finance',
      ...(historical ? { historical: true } : {}),
      ...(cases.length ? { cases } : {}),
      body: { type: 'PayInterestSubsidy', paymentId: v.paymentId, loanId: loan.id, fromAccount: subsidyAccount, windowFrom: w.from, windowTo: w.to, amountFen, voucherNo: v.voucherNo },
    });
    posting.subsidyByYear.set(year, (posting.subsidyByYear.get(year) ?? 0) + amountFen);
  };
  let markedExact = false;
  for (const w of windows(loan, end)) {
    if (loan.defaultOn && w.to >= loan.defaultOn) break;
    schedule.add({ rec: at(w.to, 9, 30), date: w.to, ...villageActor, body: { type: 'RecordInterestAccrual', loanId: loan.id, windowFrom: w.from, windowTo: w.to, interestFen: w.interestFen } });
    if (loan.lateSubsidy && loan.lateSubsidy.to === w.to) {
      pay(w, loan.lateSubsidy.paidOn, w.interestFen, loan.lateSubsidy.historical, loan.lateSubsidy.cases);
      continue;
    }
    const paidOn = addDays(w.to, 5);
    if (paidOn > lastDate || (loan.defaultOn && paidOn >= loan.defaultOn) || w.interestFen <= 0) continue;
    const tweak = loan.tweaks?.find((t) => t.to === w.to);
    const misused = loan.misuseOn !== undefined && paidOn >= loan.misuseOn;
    const cases: Case[] = [...(tweak?.cases ?? []), ...(misused ? loan.misuseCases ?? [] : [])];
    if (near?.exactSubsidy && !markedExact && !tweak && !misused) {
      cases.push(near.exactSubsidy);
      markedExact = true;
    }
    if (near?.subsidyBeforeDefault && loan.defaultOn) cases.push(near.subsidyBeforeDefault);
    pay(w, paidOn, tweak?.amountFen ?? w.interestFen, (tweak?.historical ?? false) || misused, cases);
    if (tweak?.again) pay(w, tweak.again.on, w.interestFen, tweak.again.historical, tweak.again.cases);
  }
  if (loan.misuseOn) {
    schedule.add({ rec: at(loan.misuseOn, 9, 45), date: loan.misuseOn, ...villageActor, body: { type: 'FlagLoanMisuse', loanId: loan.id, on: loan.misuseOn, reason: '贷款资金被用于购买小汽车，未用于生产经营' } });
  }
  if (loan.repaidOn && loan.repaidOn <= lastDate) {
    schedule.add({ rec: at(loan.repaidOn, 9, 45), date: loan.repaidOn, ...villageActor, body: { type: 'RecordLoanRepayment', loanId: loan.id, amountFen: loan.principalFen, on: loan.repaidOn } });
  }
  if (loan.defaultOn) {
    schedule.add({ rec: at(loan.defaultOn, 9, 45), date: loan.defaultOn, ...villageActor, body: { type: 'RecordLoanDefault', loanId: loan.id, on: loan.defaultOn, reason: '借款户经营失败，逾期90天以上未还' } });
  }
}

/** Risk compensation payouts after defaults: 70% of the principal, at least eight days apart per bank. */
export function planPayouts(loans: Loan[], lastDate: string): void {
  const lastByBank = new Map<string, string>();
  for (const loan of [...loans].filter((l) => l.defaultOn).sort((a, b) => (a.defaultOn! < b.defaultOn! ? -1 : a.defaultOn! > b.defaultOn! ? 1 : a.id < b.id ? -1 : 1))) {
    let on = addDays(loan.defaultOn!, 60);
    const last = lastByBank.get(loan.bank.id);
    if (last && daysBetween(last, on) < 8) on = addDays(last, 8);
    if (on > addDays(lastDate, -3)) continue;
    lastByBank.set(loan.bank.id, on);
    loan.payout = { on, fen: Math.round((loan.principalFen * 0.7) / 1_000) * 1_000 };
  }
}
