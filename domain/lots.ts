// Lots: an account's money held by lineage. Drawing is explicit (the caller names lots) or follows one
// deterministic rule: oldest fiscal year first, then appropriation id, then purpose.
import { yuan, type RefusalCode } from './errors.js';
import type { Lot } from './events.js';
import type { Guard } from './guard.js';
import type { Purpose } from './values.js';

export type LotBook = Map<string, Lot>;

export function lotKey(lot: Pick<Lot, 'appropriationId' | 'purpose'>): string {
  return `${lot.appropriationId}/${lot.purpose}`;
}

/** Adds (or, with sign -1, removes) lots. Amounts may go negative only for overdrawn imported history. */
export function applyLots(book: LotBook, lots: Lot[], sign: 1 | -1): void {
  for (const lot of lots) {
    const key = lotKey(lot);
    const held = book.get(key);
    const amountFen = (held?.amountFen ?? 0) + sign * lot.amountFen;
    if (amountFen === 0) book.delete(key);
    else book.set(key, { ...(held ?? lot), amountFen });
  }
}

export function bookTotal(book: LotBook): number {
  let total = 0;
  for (const lot of book.values()) total += lot.amountFen;
  return total;
}

function fifo(a: Lot, b: Lot): number {
  return a.fiscalYear - b.fiscalYear || (a.appropriationId < b.appropriationId ? -1 : a.appropriationId > b.appropriationId ? 1 : 0) || (a.purpose < b.purpose ? -1 : a.purpose > b.purpose ? 1 : 0);
}

export interface LotChoice {
  appropriationId: string;
  purpose: Purpose;
  amountFen: number;
}

/**
 * The lots an outflow of `amountFen` for `purpose` draws. Money keeps its purpose: only lots of that purpose
 * may pay for it (a change of purpose goes through an integration plan). Live postings are refused when the
 * account holds too little; imported history is flagged and drawn from other purposes, then overdrawn.
 */
export function drawLots(book: LotBook, amountFen: number, choices: LotChoice[] | undefined, guard: Guard, want: { fiscalYear: number; purpose: Purpose | undefined }): Lot[] {
  const held = [...book.values()].filter((lot) => lot.amountFen > 0).sort(fifo);
  const total = held.reduce((sum, lot) => sum + lot.amountFen, 0);
  guard.control(amountFen <= total, 'amount_exceeds_balance', () => `the account holds ${yuan(total)}, less than the ${yuan(amountFen)} asked for`, {
    availableFen: total,
    requestedFen: amountFen,
  });
  if (choices && choices.length > 0) return drawChosen(book, amountFen, choices, guard, want.purpose);
  const matching = want.purpose === undefined ? held : held.filter((lot) => lot.purpose === want.purpose);
  const forPurpose = matching.reduce((sum, lot) => sum + lot.amountFen, 0);
  if (amountFen <= total) {
    guard.control(amountFen <= forPurpose, 'amount_exceeds_balance_for_purpose', () => `the account holds ${yuan(forPurpose)} for ${want.purpose} (${yuan(total)} in all), less than the ${yuan(amountFen)} asked for; money changes purpose only through an integration plan`, {
      availableFen: forPurpose,
      requestedFen: amountFen,
    });
  }
  const order = want.purpose === undefined ? held : [...matching, ...held.filter((lot) => lot.purpose !== want.purpose)];
  const drawn: Lot[] = [];
  let left = amountFen;
  for (const lot of order) {
    if (left === 0) break;
    const take = Math.min(left, lot.amountFen);
    drawn.push({ ...lot, amountFen: take });
    left -= take;
  }
  if (left > 0) drawn.push(overdrawn(left, { fiscalYear: want.fiscalYear, purpose: want.purpose ?? 'administration' }));
  return drawn;
}

function drawChosen(book: LotBook, amountFen: number, choices: LotChoice[], guard: Guard, purpose: Purpose | undefined): Lot[] {
  const total = choices.reduce((sum, choice) => sum + choice.amountFen, 0);
  const code: RefusalCode = 'lot_not_in_account';
  if (total !== amountFen) guard.control(false, code, () => `the named lots add up to ${yuan(total)}, not the ${yuan(amountFen)} asked for`);
  return choices.map((choice) => {
    const lot = book.get(lotKey(choice));
    guard.control(lot !== undefined, code, () => `the account holds no lot of appropriation ${choice.appropriationId} for ${choice.purpose}`);
    guard.control(purpose === undefined || choice.purpose === purpose, 'amount_exceeds_balance_for_purpose', () => `lot ${lotKey(choice)} is for ${choice.purpose}, not ${purpose}`);
    guard.control(!lot || lot.amountFen >= choice.amountFen, 'amount_exceeds_balance', () => `lot ${lotKey(choice)} holds ${yuan(lot?.amountFen ?? 0)}, less than ${yuan(choice.amountFen)}`);
    return lot ? { ...lot, amountFen: choice.amountFen } : overdrawn(choice.amountFen, { fiscalYear: 2000, purpose: choice.purpose });
  });
}

/** Money paid out that the account never held: only ever recorded for imported history, and flagged. */
function overdrawn(amountFen: number, fallback: { fiscalYear: number; purpose: Purpose }): Lot {
  return { appropriationId: 'overdrawn', sourceId: 'overdrawn', sourceType: 'grant', fiscalYear: fallback.fiscalYear, purpose: fallback.purpose, amountFen };
}

export function sumLots(lots: Lot[]): number {
  return lots.reduce((sum, lot) => sum + lot.amountFen, 0);
}
