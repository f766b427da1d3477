// Lineage, both ways. Downstream, per appropriation and per source: where each yuan is held, in flight or
// paid. Upstream, per payment, household and account: which appropriations and sources funded it. Every lot
// of a money event names its appropriation, so following lots is enough; nothing here is summed across
// source types, and integrated money is counted once, under its appropriation, with the plan noted beside it.
// The payments an appropriation funded are kept in pages of bounded size: one appropriation can fund tens of
// thousands of wage payments a year, and copying one growing list on every payment would be quadratic.
import type { Lot } from '../domain/events.js';
import { intern, Memo, remember, type Projection, type ProjectedEvent, type Views } from './types.js';

export type Fens = Record<string, number>;

export interface PaidTo {
  eventId: string;
  accountId: string;
  payee: { kind: string; id: string };
  purpose: string;
  amountFen: number;
}

export interface AppropriationLineage {
  view: 'appropriation';
  appropriationId: string;
  sourceId: string;
  sourceType: string;
  fiscalYear: number;
  purpose: string;
  /** What was appropriated, net of reversed appropriations: held + in flight + paid always add up to it. */
  amountFen: number;
  reversedFen: number;
  held: Fens;
  /** Sent and not yet received, per transfer (`{fromAccount}:{transferId}`). */
  inFlight: Fens;
  /** Payments are kept in pages of PAID_PAGE_SIZE (read them with `paidTo`): one list copied per payment would be quadratic. */
  paidPages: number;
  paidFen: number;
  integratedInto?: Fens;
}

/** One page of the payments an appropriation funded, oldest first. */
export interface PaidPage {
  view: 'paid';
  appropriationId: string;
  page: number;
  entries: PaidTo[];
}

export interface LotSource {
  appropriationId: string;
  sourceId: string;
  sourceType: string;
  fiscalYear: number;
  purpose: string;
  originalPurpose?: string;
  planId?: string;
  amountFen: number;
}

export interface PaymentLineage {
  view: 'payment';
  eventId: string;
  paymentId: string;
  accountId: string;
  payee: { kind: string; id: string };
  householdId?: string;
  purpose: string;
  amountFen: number;
  sources: LotSource[];
}

export interface HouseholdLineage {
  view: 'household';
  householdId: string;
  byAppropriation: Fens;
  bySource: Fens;
  bySourceType: Fens;
}

/** Money of one appropriation or source in an account: received in, paid out from it, and held now. */
export interface Flow {
  receivedFen: number;
  paidFen: number;
  heldFen: number;
}

export interface AccountLineage {
  view: 'account';
  accountId: string;
  kind: string;
  byAppropriation: Record<string, Flow>;
  bySource: Record<string, Flow>;
}

export interface SourceLineage {
  view: 'source';
  sourceId: string;
  sourceType: string;
  name?: string;
  category?: string;
  appropriatedFen: number;
  paidFen: number;
  inFlightFen: number;
  heldByAccount: Fens;
  paidByPurpose: Fens;
  paidByPayeeKind: Fens;
  integratedInto: Fens;
}

interface TransferLineage {
  view: 'transfer';
  fromAccount: string;
  toAccount: string;
  lots: Lot[];
  state: 'in_flight' | 'received' | 'cancelled';
}

export type LineageView = AppropriationLineage | PaidPage | HouseholdLineage | AccountLineage | SourceLineage | TransferLineage;

export const appropriationKey = (id: string): string => `appropriation:${id}`;
export const householdKey = (id: string): string => `household:${id}`;
export const accountKey = (id: string): string => `account:${id}`;
export const sourceKey = (id: string): string => `source:${id}`;
/** The page number is last and has no colon, so the key stays unambiguous for ids that contain colons. */
export const paidPageKey = (appropriationId: string, page: number): string => `paid:${appropriationId}:${page}`;
export const PAID_PAGE_SIZE = 1000;
const transferKey = (fromAccount: string, transferId: string): string => `${fromAccount}:${transferId}`;

/**
 * Adds fen under a key, dropping keys that reach zero so equal histories give equal views. Updates in place
 * (views belong to the fold): copying a map of every account an appropriation reached, per payment, was
 * most of a rebuild's time.
 */
function add(into: Fens, key: string, fen: number): Fens {
  const total = (into[key] ?? 0) + fen;
  if (total === 0) delete into[key];
  else into[key] = total;
  return into;
}

/** Reads a view, or starts it, applies a pure change and puts the copy back. */
function update<T extends LineageView>(views: Views<LineageView>, key: string, start: () => T, change: (view: T) => T): void {
  views.put(key, change((views.get(key) as T | undefined) ?? start()));
}

/** Lots merged per group (appropriation or source), so each view is updated once per event. */
function groupBy(lots: Lot[], by: (lot: Lot) => string): Lot[] {
  // Most money events carry one lot: nothing to merge.
  if (lots.length === 1) return lots;
  const out = new Map<string, Lot>();
  for (const lot of lots) {
    const seen = out.get(by(lot));
    out.set(by(lot), seen ? { ...seen, amountFen: seen.amountFen + lot.amountFen } : lot);
  }
  return [...out.values()];
}

const byAppropriation = (lots: Lot[]): Lot[] => groupBy(lots, (lot) => lot.appropriationId);
const bySource = (lots: Lot[]): Lot[] => groupBy(lots, (lot) => lot.sourceId);

// ------------------------------------------------------------------ starting views

/** An appropriation first seen in a lot (an overdrawn import, or history out of order) starts at zero. */
function startAppropriation(lot: Lot): AppropriationLineage {
  return {
    view: 'appropriation', appropriationId: lot.appropriationId, sourceId: lot.sourceId, sourceType: lot.sourceType, fiscalYear: lot.fiscalYear,
    purpose: lot.originalPurpose ?? lot.purpose, amountFen: 0, reversedFen: 0, held: {}, inFlight: {}, paidPages: 0, paidFen: 0,
  };
}

function startSource(sourceId: string, sourceType: string): SourceLineage {
  return { view: 'source', sourceId, sourceType, appropriatedFen: 0, paidFen: 0, inFlightFen: 0, heldByAccount: {}, paidByPurpose: {}, paidByPayeeKind: {}, integratedInto: {} };
}

function startAccount(accountId: string): AccountLineage {
  return { view: 'account', accountId, kind: accountId.split(':')[0] ?? accountId, byAppropriation: {}, bySource: {} };
}

function startHousehold(householdId: string): HouseholdLineage {
  return { view: 'household', householdId, byAppropriation: {}, bySource: {}, bySourceType: {} };
}

// ------------------------------------------------------------------ per-view changes

function onAppropriations(views: Views<LineageView>, lots: Lot[], change: (view: AppropriationLineage, lot: Lot) => AppropriationLineage): void {
  for (const lot of byAppropriation(lots)) update(views, appropriationKey(lot.appropriationId), () => startAppropriation(lot), (view) => change(view, lot));
}

function onSources(views: Views<LineageView>, lots: Lot[], change: (view: SourceLineage, lot: Lot) => SourceLineage): void {
  for (const lot of bySource(lots)) update(views, sourceKey(lot.sourceId), () => startSource(lot.sourceId, lot.sourceType), (view) => change(view, lot));
}

/** Adds signed amounts to an account's flows, per appropriation and per source. */
function onAccount(views: Views<LineageView>, accountId: string, lots: Lot[], delta: Partial<Flow>): void {
  update(views, accountKey(accountId), () => startAccount(accountId), (view) => {
    flows(view.byAppropriation, byAppropriation(lots), (lot) => lot.appropriationId, delta);
    flows(view.bySource, bySource(lots), (lot) => lot.sourceId, delta);
    return view;
  });
}

/** `delta` says, per field, the sign (1 or -1) each lot's amount is added with. */
function flows(current: Record<string, Flow>, lots: Lot[], keyOf: (lot: Lot) => string, delta: Partial<Flow>): Record<string, Flow> {
  const next = current;
  for (const lot of lots) {
    const key = keyOf(lot);
    const flow = next[key] ?? { receivedFen: 0, paidFen: 0, heldFen: 0 };
    flow.receivedFen += (delta.receivedFen ?? 0) * lot.amountFen;
    flow.paidFen += (delta.paidFen ?? 0) * lot.amountFen;
    flow.heldFen += (delta.heldFen ?? 0) * lot.amountFen;
    if (flow.receivedFen === 0 && flow.paidFen === 0 && flow.heldFen === 0) delete next[key];
    else next[key] = flow;
  }
  return next;
}

/** Moves lots into (1) or out of (-1) what an account holds, on its appropriations, sources and itself. */
function hold(views: Views<LineageView>, accountId: string, lots: Lot[], sign: 1 | -1): void {
  onAppropriations(views, lots, (view, lot) => (add(view.held, accountId, sign * lot.amountFen), view));
  onSources(views, lots, (view, lot) => (add(view.heldByAccount, accountId, sign * lot.amountFen), view));
  onAccount(views, accountId, lots, { heldFen: sign });
}

/** Puts lots in flight (1) or takes them out of flight (-1) for one transfer. */
function fly(views: Views<LineageView>, transfer: string, lots: Lot[], sign: 1 | -1): void {
  onAppropriations(views, lots, (view, lot) => ({ ...view, inFlight: add(view.inFlight, transfer, sign * lot.amountFen) }));
  onSources(views, lots, (view, lot) => ({ ...view, inFlightFen: view.inFlightFen + sign * lot.amountFen }));
}

function toSource(lot: Lot): LotSource {
  const { appropriationId, sourceId, sourceType, fiscalYear, purpose, originalPurpose, planId, amountFen } = lot;
  return { appropriationId, sourceId, sourceType, fiscalYear, purpose, ...(originalPurpose ? { originalPurpose } : {}), ...(planId ? { planId } : {}), amountFen };
}

/** The household a payment reaches: the payee itself, or the household of a paid member. */
function householdOf(payee: { kind: string; id: string; householdId?: string }): string | undefined {
  if (payee.kind === 'household') return payee.id;
  return payee.kind === 'person' ? payee.householdId : undefined;
}

/** Adds (1) or removes (-1) a payment's lots from the household it reached. */
function fundHousehold(views: Views<LineageView>, householdId: string, lots: Lot[], sign: 1 | -1): void {
  update(views, householdKey(householdId), () => startHousehold(householdId), (view) => {
    for (const lot of lots) {
      add(view.byAppropriation, lot.appropriationId, sign * lot.amountFen);
      add(view.bySource, lot.sourceId, sign * lot.amountFen);
      add(view.bySourceType, lot.sourceType, sign * lot.amountFen);
    }
    return view;
  });
}

// ------------------------------------------------------------------ events

const accountOf = (event: ProjectedEvent): string => event.stream.slice('account-'.length);

interface Payment {
  paymentId: string;
  payee: { kind: string; id: string; householdId?: string };
  purpose: string;
  amountFen: number;
  lots: Lot[];
}

type Handler = (views: Views<LineageView>, event: ProjectedEvent) => void;

/** Appropriated money enters its appropriation, its source and the receiving account. */
function appropriate(views: Views<LineageView>, accountId: string, lot: Lot, sign: 1 | -1): void {
  onAppropriations(views, [lot], (view) => ({ ...view, amountFen: view.amountFen + sign * lot.amountFen, reversedFen: view.reversedFen + (sign === -1 ? lot.amountFen : 0) }));
  onSources(views, [lot], (view) => ({ ...view, appropriatedFen: view.appropriatedFen + sign * lot.amountFen }));
  onAccount(views, accountId, [lot], { receivedFen: sign });
  hold(views, accountId, [lot], sign);
}

/**
 * A payment, the hottest event of a rebuild: each view it changes (appropriation, source, account, household)
 * is looked up once and updated in place, for what leaves the account and what is paid together.
 */
function pay(views: Views<LineageView>, event: ProjectedEvent, d: Payment): void {
  const account = ACCOUNTS.find(views, event.stream);
  const flowsOf = (account.view ??= startAccount(accountOf(event)));
  // Every entry of this account's payments shares the account's id string, and every entry of a household's
  // payments one payee object: a county's million entries otherwise kept a million copies of each.
  const accountId = flowsOf.accountId;
  const householdId = householdOf(d.payee);
  const household = householdId ? HOUSEHOLDS.find(views, householdId) : undefined;
  const funded = household ? (household.view ??= startHousehold(householdId!)) : undefined;
  const payee = funded && d.payee.kind === 'household' ? householdPayee(funded) : { kind: d.payee.kind, id: d.payee.id };
  for (const lot of byAppropriation(d.lots)) {
    const found = APPROPRIATIONS.find(views, lot.appropriationId);
    const view = (found.view ??= startAppropriation(lot));
    add(view.held, accountId, -lot.amountFen);
    appendPaid(views, view, { eventId: event.id, accountId, payee, purpose: intern(d.purpose), amountFen: lot.amountFen });
    views.put(found.key, view);
  }
  for (const lot of bySource(d.lots)) {
    const found = SOURCES.find(views, lot.sourceId);
    const view = (found.view ??= startSource(lot.sourceId, lot.sourceType));
    add(view.heldByAccount, accountId, -lot.amountFen);
    views.put(found.key, paidFromSource(view, d.purpose, payee.kind, lot.amountFen));
  }
  flows(flowsOf.byAppropriation, byAppropriation(d.lots), (lot) => lot.appropriationId, PAID_OUT);
  flows(flowsOf.bySource, bySource(d.lots), (lot) => lot.sourceId, PAID_OUT);
  views.put(account.key, flowsOf);
  if (!household || !funded) return;
  for (const lot of d.lots) {
    add(funded.byAppropriation, lot.appropriationId, lot.amountFen);
    add(funded.bySource, lot.sourceId, lot.amountFen);
    add(funded.bySourceType, lot.sourceType, lot.amountFen);
  }
  views.put(household.key, funded);
}

/** The payee of a household's payments, one object per household (not saved: each entry saves its own copy). */
const PAYEE = Symbol('payee');
function householdPayee(view: HouseholdLineage & { [PAYEE]?: { kind: string; id: string } }): { kind: string; id: string } {
  return view[PAYEE] ?? remember(view, PAYEE, { kind: 'household', id: view.householdId });
}

/** What a payment does to its account's flows: out of what it holds, into what it paid. */
const PAID_OUT: Partial<Flow> = { heldFen: -1, paidFen: 1 };

/** The views a payment changes, found by ids its event carries (see Memo). */
const APPROPRIATIONS = new Memo<AppropriationLineage>(appropriationKey);
const SOURCES = new Memo<SourceLineage>(sourceKey);
const ACCOUNTS = new Memo<AccountLineage>((stream) => accountKey(stream.slice('account-'.length)));
const HOUSEHOLDS = new Memo<HouseholdLineage>(householdKey);

/**
 * A payment's lineage is in its own event: every lot names its appropriation, source, fiscal year and
 * purpose. Keeping a view per payment would copy the log into memory, a million views for a county.
 */
export function paymentLineage(event: ProjectedEvent): PaymentLineage | undefined {
  if (event.type !== 'PaymentMade') return undefined;
  const d = event.data as Payment;
  const householdId = householdOf(d.payee);
  return {
    view: 'payment', eventId: event.id, paymentId: d.paymentId, accountId: accountOf(event), payee: { kind: d.payee.kind, id: d.payee.id },
    ...(householdId ? { householdId } : {}), purpose: d.purpose, amountFen: d.amountFen, sources: d.lots.map(toSource),
  };
}

/**
 * The appropriation's last page of payments, remembered on the view under a symbol (left out of the saved
 * view), so that a payment does not build and look up the page's key. Pages are only ever changed in place,
 * so the remembered page is the stored one.
 */
const LAST_PAGE = Symbol('last paid page');
type LiveAppropriation = AppropriationLineage & { [LAST_PAGE]?: { page: PaidPage; key: string } };

/** Adds a payment to the appropriation's last page, opening a new page when it is full. */
function appendPaid(views: Views<LineageView>, view: LiveAppropriation, entry: PaidTo): AppropriationLineage {
  let last = view[LAST_PAGE];
  if (last === undefined && view.paidPages > 0) {
    const key = paidPageKey(view.appropriationId, view.paidPages - 1);
    const page = views.get(key) as PaidPage | undefined;
    if (page) last = { page, key };
  }
  if (!last || last.page.entries.length >= PAID_PAGE_SIZE) {
    last = { page: { view: 'paid', appropriationId: view.appropriationId, page: view.paidPages, entries: [] }, key: paidPageKey(view.appropriationId, view.paidPages) };
    view.paidPages += 1;
  }
  if (view[LAST_PAGE] !== last) remember(view, LAST_PAGE, last);
  last.page.entries.push(entry);
  views.put(last.key, last.page);
  view.paidFen += entry.amountFen;
  return view;
}

/** Removes a reversed payment from its page (in place), searching from the newest page, where reversals usually fall. */
function removePaid(views: Views<LineageView>, view: AppropriationLineage, eventId: string): void {
  for (let n = view.paidPages - 1; n >= 0; n--) {
    const page = views.get(paidPageKey(view.appropriationId, n)) as PaidPage | undefined;
    const at = page ? page.entries.findIndex((p) => p.eventId === eventId) : -1;
    if (at < 0) continue;
    page!.entries.splice(at, 1);
    views.put(paidPageKey(view.appropriationId, n), page!);
    return;
  }
}

/** Every payment an appropriation funded and that stands, oldest first: the pages read as one list. */
export function paidTo(views: Pick<Views<LineageView>, 'get'>, appropriationId: string): PaidTo[] {
  return paidSlice(views, appropriationId, 0, Infinity);
}

/**
 * The same list from its `skip`-th payment, at most `limit` of them. Pages are counted as they stand: a
 * reversal takes its payment out of its page, so a page may hold fewer than PAID_PAGE_SIZE.
 */
export function paidSlice(views: Pick<Views<LineageView>, 'get'>, appropriationId: string, skip: number, limit: number): PaidTo[] {
  const view = views.get(appropriationKey(appropriationId)) as AppropriationLineage | undefined;
  const out: PaidTo[] = [];
  let seen = 0;
  for (let n = 0; n < (view?.paidPages ?? 0) && out.length < limit; n++) {
    const entries = (views.get(paidPageKey(appropriationId, n)) as PaidPage | undefined)?.entries ?? [];
    for (let i = Math.max(0, skip - seen); i < entries.length && out.length < limit; i++) out.push(entries[i]!);
    seen += entries.length;
  }
  return out;
}

function paidFromSource(view: SourceLineage, purpose: string, payeeKind: string, fen: number): SourceLineage {
  view.paidFen += fen;
  add(view.paidByPurpose, purpose, fen);
  add(view.paidByPayeeKind, payeeKind, fen);
  return view;
}

/** A reversed payment: its money is back in the account and no longer credited to its payee. */
function unpay(views: Views<LineageView>, accountId: string, reversesEventId: string, lots: Lot[], payee: Payment['payee'] | undefined, purpose: string | undefined): void {
  hold(views, accountId, lots, 1);
  onAccount(views, accountId, lots, { paidFen: -1 });
  onAppropriations(views, lots, (view, lot) => {
    removePaid(views, view, reversesEventId);
    return { ...view, paidFen: view.paidFen - lot.amountFen };
  });
  onSources(views, lots, (view, lot) => paidFromSource(view, purpose ?? lot.purpose, payee?.kind ?? 'unknown', -lot.amountFen));
  const householdId = payee ? householdOf(payee) : undefined;
  if (householdId) fundHousehold(views, householdId, lots, -1);
}

const handlers: Record<string, Handler> = {
  FundSourceRegistered(views, event) {
    const d = event.data as { sourceId: string; name: string; category: string; sourceType: string };
    update(views, sourceKey(d.sourceId), () => startSource(d.sourceId, d.sourceType), (view) => ({ ...view, name: d.name, category: d.category }));
  },
  AppropriationReceived(views, event) {
    const { party: _party, ...lot } = event.data as Lot & { party?: string };
    appropriate(views, accountOf(event), lot, 1);
  },
  TransferSent(views, event) {
    const d = event.data as { transferId: string; toAccount: string; lots: Lot[] };
    const from = accountOf(event);
    hold(views, from, d.lots, -1);
    fly(views, transferKey(from, d.transferId), d.lots, 1);
    views.put(`transfer:${transferKey(from, d.transferId)}`, { view: 'transfer', fromAccount: from, toAccount: d.toAccount, lots: d.lots, state: 'in_flight' });
  },
  TransferReceived(views, event) {
    const d = event.data as { transferId: string; fromAccount: string; lots: Lot[] };
    const key = transferKey(d.fromAccount, d.transferId);
    // Only what arrived lands; a short receipt (imported history) leaves the rest in flight, where it is seen.
    fly(views, key, d.lots, -1);
    hold(views, accountOf(event), d.lots, 1);
    onAccount(views, accountOf(event), d.lots, { receivedFen: 1 });
    settle(views, key, 'received');
  },
  TransferCancelled(views, event) {
    const d = event.data as { transferId: string; fromAccount: string };
    const key = transferKey(d.fromAccount, d.transferId);
    const transfer = views.get(`transfer:${key}`) as TransferLineage | undefined;
    // The sender's reversal returns the money to it; the cancellation only ends its flight.
    if (transfer?.state === 'in_flight') fly(views, key, transfer.lots, -1);
    settle(views, key, 'cancelled');
  },
  FundsIntegratedOut(views, event) {
    hold(views, accountOf(event), (event.data as { lots: Lot[] }).lots, -1);
  },
  FundsIntegratedIn(views, event) {
    const d = event.data as { planId: string; lots: Lot[] };
    const to = accountOf(event);
    hold(views, to, d.lots, 1);
    onAccount(views, to, d.lots, { receivedFen: 1 });
    onAppropriations(views, d.lots, (view, lot) => ({ ...view, integratedInto: add(view.integratedInto ?? {}, d.planId, lot.amountFen) }));
    onSources(views, d.lots, (view, lot) => ({ ...view, integratedInto: add(view.integratedInto, d.planId, lot.amountFen) }));
  },
  PaymentMade(views, event) {
    pay(views, event, event.data as Payment);
  },
  EntryReversed(views, event) {
    const d = event.data as { reversesEventId: string; reversedType: string; lots: Lot[]; payee?: Payment['payee'] };
    const accountId = accountOf(event);
    if (d.reversedType === 'AppropriationReceived') for (const lot of d.lots) appropriate(views, accountId, lot, -1);
    else if (d.reversedType === 'TransferSent') hold(views, accountId, d.lots, 1);
    // The reversal names the payee; the purpose of each lot is the payment's, since money keeps its purpose.
    else if (d.reversedType === 'PaymentMade') unpay(views, accountId, d.reversesEventId, d.lots, d.payee, undefined);
  },
};

function settle(views: Views<LineageView>, key: string, state: TransferLineage['state']): void {
  const transfer = views.get(`transfer:${key}`) as TransferLineage | undefined;
  if (transfer) views.put(`transfer:${key}`, { ...transfer, state });
}

export const lineage: Projection<LineageView> = {
  name: 'lineage',
  version: 2,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
