// The household card (明白卡): everything a household received, by programme, period and channel. The card
// is read by the household and the bureau, so it carries the head's full name; the public notice masks it.
// A reversed payment stays on the card, marked, so the household can see what was corrected and why the
// totals changed; it no longer counts in the totals.
import type { DataOf } from '../domain/events.js';
import { effectiveDateOf, intern, Memo, type Projection, type ProjectedEvent, type Views } from './types.js';

/** One channel of a payment: the money of one source and fiscal year that reached the household. */
export interface CardChannel {
  sourceId: string;
  sourceType: string;
  fiscalYear: number;
  amountFen: number;
}

export interface CardPayment {
  eventId: string;
  paymentId: string;
  effectiveDate: string;
  programmeId?: string;
  period?: string;
  projectId?: string;
  purpose: string;
  voucherNo: string;
  amountFen: number;
  channels: CardChannel[];
  reversed: boolean;
}

export interface CardTotals {
  byProgramme: Record<string, number>;
  bySourceType: Record<string, number>;
  byPeriod: Record<string, number>;
}

export interface HouseholdCard {
  householdId: string;
  /** Null until the household's registration is folded: imported history may pay a household first. */
  villageCode: string | null;
  headName: string | null;
  payments: CardPayment[];
  totals: CardTotals;
}

/**
 * A payment as the card view keeps it: one flat row, `[eventId, paymentId, effectiveDate, purpose,
 * voucherNo, amountFen, reversed, programmeId, period, projectId]` (null where absent) followed by four
 * entries per channel (sourceId, sourceType, fiscalYear, amountFen). A county's million payments cost one
 * array each instead of a payment object, its optional fields and its channel objects; readCard renders
 * the rows as CardPayment objects.
 */
export type CardRow = (string | number | boolean | null)[];
const ROW = { eventId: 0, paymentId: 1, effectiveDate: 2, purpose: 3, voucherNo: 4, amountFen: 5, reversed: 6, programmeId: 7, period: 8, projectId: 9, channels: 10 } as const;

/** The card as the view keeps it: a HouseholdCard whose payments are rows (read it with readCard). */
export interface StoredCard {
  householdId: string;
  villageCode: string | null;
  headName: string | null;
  payments: CardRow[];
  totals: CardTotals;
}

export type CardView = StoredCard;

export const NONE = '(none)';
export const cardKey = (householdId: string): string => `household:${householdId}`;

function emptyCard(householdId: string): StoredCard {
  return { householdId, villageCode: null, headName: null, payments: [], totals: { byProgramme: {}, bySourceType: {}, byPeriod: {} } };
}

function getCard(views: Views<CardView>, householdId: string): StoredCard {
  return (views.get(cardKey(householdId)) as StoredCard | undefined) ?? emptyCard(householdId);
}

/** A household's card with its payments as CardPayment objects, or undefined when nothing is known of it. */
export function readCard(views: Pick<Views<CardView>, 'get'>, householdId: string): HouseholdCard | undefined {
  const card = views.get(cardKey(householdId)) as StoredCard | undefined;
  if (!card) return undefined;
  return { householdId: card.householdId, villageCode: card.villageCode, headName: card.headName, payments: card.payments.map(paymentOf), totals: card.totals };
}

function paymentOf(row: CardRow): CardPayment {
  const channels: CardChannel[] = [];
  for (let i = ROW.channels; i + 3 < row.length; i += 4) {
    channels.push({ sourceId: row[i] as string, sourceType: row[i + 1] as string, fiscalYear: row[i + 2] as number, amountFen: row[i + 3] as number });
  }
  const payment: CardPayment = {
    eventId: row[ROW.eventId] as string,
    paymentId: row[ROW.paymentId] as string,
    effectiveDate: row[ROW.effectiveDate] as string,
    purpose: row[ROW.purpose] as string,
    voucherNo: row[ROW.voucherNo] as string,
    amountFen: row[ROW.amountFen] as number,
    channels,
    reversed: row[ROW.reversed] as boolean,
  };
  // Optional fields are set only when present, as the payment recorded them.
  if (row[ROW.programmeId] !== null) payment.programmeId = row[ROW.programmeId] as string;
  if (row[ROW.period] !== null) payment.period = row[ROW.period] as string;
  if (row[ROW.projectId] !== null) payment.projectId = row[ROW.projectId] as string;
  return payment;
}

/** Adds to a total and drops it at zero, so a fully reversed programme leaves no empty line on the card. */
function add(into: Record<string, number>, key: string, fen: number): void {
  const next = (into[key] ?? 0) + fen;
  if (next === 0) delete into[key];
  else into[key] = next;
}

/** The household a payment is for: the payee household, or the household a paid person belongs to. */
export function payeeHousehold(payee: DataOf<'PaymentMade'>['payee']): string | undefined {
  if (payee.kind === 'household') return payee.id;
  if (payee.kind === 'person') return payee.householdId;
  return undefined;
}

/** A payment's row: lots merged per source and fiscal year, since the household needs to see who paid, not each appropriation. */
function rowOf(event: ProjectedEvent, d: DataOf<'PaymentMade'>): CardRow {
  const lots = d.lots;
  const date = effectiveDateOf(event);
  // Rows are made at their final length: an array grown by push keeps spare room, a third of a card's memory.
  if (lots.length === 1) {
    const lot = lots[0]!;
    return [event.id, d.paymentId, date, intern(d.purpose), d.voucherNo, d.amountFen, false, d.programmeId ?? null, d.period ?? null, d.projectId ?? null, lot.sourceId, lot.sourceType, lot.fiscalYear, lot.amountFen];
  }
  const channels: (string | number)[] = [];
  for (const lot of lots) {
    let at = 0;
    while (at < channels.length && !(channels[at] === lot.sourceId && channels[at + 1] === lot.sourceType && channels[at + 2] === lot.fiscalYear)) at += 4;
    if (at < channels.length) channels[at + 3] = (channels[at + 3] as number) + lot.amountFen;
    else channels.push(lot.sourceId, lot.sourceType, lot.fiscalYear, lot.amountFen);
  }
  const row: CardRow = new Array(ROW.channels + channels.length);
  const head = [event.id, d.paymentId, date, intern(d.purpose), d.voucherNo, d.amountFen, false, d.programmeId ?? null, d.period ?? null, d.projectId ?? null];
  for (let i = 0; i < head.length; i++) row[i] = head[i]!;
  for (let i = 0; i < channels.length; i++) row[ROW.channels + i] = channels[i]!;
  return row;
}

/** Adds a payment to (sign 1) or takes it out of (sign -1) the totals, in place like every view update. */
function applyTotals(totals: CardTotals, row: CardRow, sign: 1 | -1): void {
  const amount = sign * (row[ROW.amountFen] as number);
  add(totals.byProgramme, (row[ROW.programmeId] as string | null) ?? NONE, amount);
  add(totals.byPeriod, (row[ROW.period] as string | null) ?? NONE, amount);
  for (let i = ROW.channels; i + 3 < row.length; i += 4) add(totals.bySourceType, row[i + 1] as string, sign * (row[i + 3] as number));
}

/** Cards by household id, the lookup every payment makes. */
const CARDS = new Memo<StoredCard>(cardKey);

type Handler = (views: Views<CardView>, event: ProjectedEvent) => void;

const handlers: Record<string, Handler> = {
  HouseholdRegistered(views, event) {
    const d = event.data as DataOf<'HouseholdRegistered'>;
    const card = getCard(views, d.householdId);
    card.villageCode = d.villageCode;
    card.headName = d.headName;
    views.put(cardKey(d.householdId), card);
  },
  PaymentMade(views, event) {
    const d = event.data as DataOf<'PaymentMade'>;
    const householdId = payeeHousehold(d.payee);
    if (!householdId) return;
    const found = CARDS.find(views, householdId);
    const card = (found.view ??= emptyCard(householdId));
    const row = rowOf(event, d);
    card.payments.push(row);
    applyTotals(card.totals, row, 1);
    views.put(found.key, card);
  },
  EntryReversed(views, event) {
    const d = event.data as DataOf<'EntryReversed'>;
    if (d.reversedType !== 'PaymentMade') return;
    // The reversal names the payee, so the card is found without an index of every payment ever made.
    const householdId = d.payee ? payeeHousehold(d.payee) : undefined;
    if (householdId === undefined) return;
    const card = getCard(views, householdId);
    const target = card.payments.find((row) => row[ROW.eventId] === d.reversesEventId);
    // A payment already marked reversed is not taken out of the totals a second time.
    if (!target || target[ROW.reversed] === true) return;
    target[ROW.reversed] = true;
    applyTotals(card.totals, target, -1);
    views.put(cardKey(householdId), card);
  },
};

export const householdCard: Projection<CardView> = {
  name: 'household-card',
  version: 2,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
