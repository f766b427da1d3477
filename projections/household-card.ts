// The household card (明白卡): everything a household received, by programme, period and channel. The card
// is read by the household and the bureau, so it carries the head's full name; the public notice masks it.
// A reversed payment stays on the card, marked, so the household can see what was corrected and why the
// totals changed; it no longer counts in the totals.
import type { DataOf, Lot } from '../domain/events.js';
import { effectiveDateOf, Memo, type Projection, type ProjectedEvent, type Views } from './types.js';

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

export type CardView = HouseholdCard;

export const NONE = '(none)';
export const cardKey = (householdId: string): string => `household:${householdId}`;

function emptyCard(householdId: string): HouseholdCard {
  return { householdId, villageCode: null, headName: null, payments: [], totals: { byProgramme: {}, bySourceType: {}, byPeriod: {} } };
}

function getCard(views: Views<CardView>, householdId: string): HouseholdCard {
  return (views.get(cardKey(householdId)) as HouseholdCard | undefined) ?? emptyCard(householdId);
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

/** Lots merged per source and fiscal year: the household needs to see who paid, not each appropriation. */
function channelsOf(lots: Lot[]): CardChannel[] {
  // Most payments draw one lot: nothing to merge.
  if (lots.length === 1) {
    const lot = lots[0]!;
    return [{ sourceId: lot.sourceId, sourceType: lot.sourceType, fiscalYear: lot.fiscalYear, amountFen: lot.amountFen }];
  }
  const byKey = new Map<string, CardChannel>();
  for (const lot of lots) {
    const key = `${lot.sourceId}/${lot.sourceType}/${lot.fiscalYear}`;
    const seen = byKey.get(key);
    byKey.set(key, { sourceId: lot.sourceId, sourceType: lot.sourceType, fiscalYear: lot.fiscalYear, amountFen: (seen?.amountFen ?? 0) + lot.amountFen });
  }
  return [...byKey.values()];
}

/** Adds a payment to (sign 1) or takes it out of (sign -1) the totals, in place like every view update. */
function applyTotals(totals: CardTotals, payment: CardPayment, sign: 1 | -1): void {
  add(totals.byProgramme, payment.programmeId ?? NONE, sign * payment.amountFen);
  add(totals.byPeriod, payment.period ?? NONE, sign * payment.amountFen);
  for (const channel of payment.channels) add(totals.bySourceType, channel.sourceType, sign * channel.amountFen);
}


function toCardPayment(event: ProjectedEvent, d: DataOf<'PaymentMade'>): CardPayment {
  const payment: CardPayment = { eventId: event.id, paymentId: d.paymentId, effectiveDate: effectiveDateOf(event), purpose: d.purpose, voucherNo: d.voucherNo, amountFen: d.amountFen, channels: channelsOf(d.lots), reversed: false };
  // Optional fields are set only when present, so two folds of one log serialise identically.
  if (d.programmeId !== undefined) payment.programmeId = d.programmeId;
  if (d.period !== undefined) payment.period = d.period;
  if (d.projectId !== undefined) payment.projectId = d.projectId;
  return payment;
}

/** Cards by household id, the lookup every payment makes. */
const CARDS = new Memo<HouseholdCard>(cardKey);

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
    // Folding an event twice must not pay a household twice: the index already names it.
    if (!householdId) return;
    const found = CARDS.find(views, householdId);
    const card = (found.view ??= emptyCard(householdId));
    const payment = toCardPayment(event, d);
    card.payments.push(payment);
    applyTotals(card.totals, payment, 1);
    views.put(found.key, card);
  },
  EntryReversed(views, event) {
    const d = event.data as DataOf<'EntryReversed'>;
    if (d.reversedType !== 'PaymentMade') return;
    // The reversal names the payee, so the card is found without an index of every payment ever made.
    const householdId = d.payee ? payeeHousehold(d.payee) : undefined;
    if (householdId === undefined) return;
    const card = getCard(views, householdId);
    const target = card.payments.find((p) => p.eventId === d.reversesEventId);
    // A payment already marked reversed is not taken out of the totals a second time.
    if (!target || target.reversed) return;
    target.reversed = true;
    applyTotals(card.totals, target, -1);
    views.put(cardKey(householdId), card);
  },
};

export const householdCard: Projection<CardView> = {
  name: 'household-card',
  version: 1,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
