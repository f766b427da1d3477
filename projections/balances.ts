// Balances per account and rollups per area (county → township → village). Every amount is kept per source
// type (grant, loan, guarantee, donation) and never summed across them: adding grants to loans would be
// double counting by construction. In-flight money (sent, not yet received) stays with the sender's areas.
import type { Lot } from '../domain/events.js';
import type { Projection, ProjectedEvent, Views } from './types.js';

export type BySourceType = Record<string, number>;

export interface AccountBalance {
  view: 'account';
  accountId: string;
  accountKind: string;
  areaCode: string;
  /** What the account holds now, by source type, by source and by purpose. */
  heldBySourceType: BySourceType;
  heldBySource: Record<string, number>;
  heldByPurpose: Record<string, number>;
  receivedBySourceType: BySourceType;
  paidBySourceType: BySourceType;
  /** Sent from this account and not yet received (or cancelled). */
  inFlightBySourceType: BySourceType;
  allocatedFen: number;
  lastMovement: string | null;
}

export interface AreaBalance {
  view: 'area';
  areaCode: string;
  level: 'county' | 'township' | 'village';
  heldBySourceType: BySourceType;
  inFlightBySourceType: BySourceType;
  appropriatedBySourceType: BySourceType;
  paidBySourceType: BySourceType;
}

interface TransferInFlight {
  view: 'transfer';
  fromAccount: string;
  bySourceType: BySourceType;
  settled: boolean;
}

export type BalanceView = AccountBalance | AreaBalance | TransferInFlight;

export const accountKey = (accountId: string): string => `account:${accountId}`;
export const areaKey = (code: string): string => `area:${code}`;
const transferKey = (fromAccount: string, transferId: string): string => `transfer:${fromAccount}:${transferId}`;

/** The area and its ancestors: a village rolls up into its township and county. */
export function areaChain(code: string): string[] {
  const county = `${code.slice(0, 6)}000000`;
  if (code === county) return [code];
  const township = `${code.slice(0, 9)}000`;
  return code === township ? [code, county] : [code, township, county];
}

function levelOf(code: string): AreaBalance['level'] {
  if (code.endsWith('000000')) return 'county';
  return code.endsWith('000') ? 'township' : 'village';
}

function add(into: Record<string, number>, key: string, fen: number): void {
  const next = (into[key] ?? 0) + fen;
  if (next === 0) delete into[key];
  else into[key] = next;
}

function byType(lots: Lot[]): BySourceType {
  const out: BySourceType = {};
  for (const lot of lots) add(out, lot.sourceType, lot.amountFen);
  return out;
}

type Bucket = 'heldBySourceType' | 'inFlightBySourceType' | 'appropriatedBySourceType' | 'paidBySourceType';

function updateAreas(views: Views<BalanceView>, areaCode: string, bucket: Bucket, amounts: BySourceType, sign: 1 | -1): void {
  for (const code of areaChain(areaCode)) {
    const area = (views.get(areaKey(code)) as AreaBalance | undefined) ?? emptyArea(code);
    const next = { ...area, [bucket]: { ...area[bucket] } };
    for (const [type, fen] of Object.entries(amounts)) add(next[bucket], type, sign * fen);
    views.put(areaKey(code), next);
  }
}

function emptyArea(code: string): AreaBalance {
  return { view: 'area', areaCode: code, level: levelOf(code), heldBySourceType: {}, inFlightBySourceType: {}, appropriatedBySourceType: {}, paidBySourceType: {} };
}

/** Moves lots into (sign 1) or out of (sign -1) an account and its areas' holdings. */
function hold(views: Views<BalanceView>, accountId: string, lots: Lot[], sign: 1 | -1, date: string | undefined): AccountBalance | undefined {
  const account = views.get(accountKey(accountId)) as AccountBalance | undefined;
  if (!account) return undefined;
  const next: AccountBalance = { ...account, heldBySourceType: { ...account.heldBySourceType }, heldBySource: { ...account.heldBySource }, heldByPurpose: { ...account.heldByPurpose }, lastMovement: date ?? account.lastMovement };
  for (const lot of lots) {
    add(next.heldBySourceType, lot.sourceType, sign * lot.amountFen);
    add(next.heldBySource, lot.sourceId, sign * lot.amountFen);
    add(next.heldByPurpose, lot.purpose, sign * lot.amountFen);
  }
  views.put(accountKey(accountId), next);
  updateAreas(views, account.areaCode, 'heldBySourceType', byType(lots), sign);
  return next;
}

function bump(views: Views<BalanceView>, accountId: string, field: 'receivedBySourceType' | 'paidBySourceType' | 'inFlightBySourceType', amounts: BySourceType, sign: 1 | -1): void {
  const account = views.get(accountKey(accountId)) as AccountBalance | undefined;
  if (!account) return;
  const next = { ...account, [field]: { ...account[field] } };
  for (const [type, fen] of Object.entries(amounts)) add(next[field], type, sign * fen);
  views.put(accountKey(accountId), next);
}

const accountOf = (event: ProjectedEvent): string => event.stream.slice('account-'.length);

type Handler = (views: Views<BalanceView>, event: ProjectedEvent) => void;

const handlers: Record<string, Handler> = {
  AccountOpened(views, event) {
    const d = event.data as { accountId: string; kind: string; areaCode: string };
    views.put(accountKey(d.accountId), {
      view: 'account', accountId: d.accountId, accountKind: d.kind, areaCode: d.areaCode,
      heldBySourceType: {}, heldBySource: {}, heldByPurpose: {}, receivedBySourceType: {}, paidBySourceType: {}, inFlightBySourceType: {}, allocatedFen: 0, lastMovement: null,
    });
  },
  AppropriationReceived(views, event) {
    const d = event.data as Lot;
    const account = hold(views, accountOf(event), [d], 1, event.metadata.effectiveDate);
    bump(views, accountOf(event), 'receivedBySourceType', { [d.sourceType]: d.amountFen }, 1);
    if (account) updateAreas(views, account.areaCode, 'appropriatedBySourceType', { [d.sourceType]: d.amountFen }, 1);
  },
  AllocationMade(views, event) {
    const account = views.get(accountKey(accountOf(event))) as AccountBalance | undefined;
    if (account) views.put(accountKey(account.accountId), { ...account, allocatedFen: account.allocatedFen + (event.data as { amountFen: number }).amountFen });
  },
  TransferSent(views, event) {
    const d = event.data as { transferId: string; lots: Lot[] };
    const from = accountOf(event);
    const account = hold(views, from, d.lots, -1, event.metadata.effectiveDate);
    if (!account) return;
    bump(views, from, 'inFlightBySourceType', byType(d.lots), 1);
    updateAreas(views, account.areaCode, 'inFlightBySourceType', byType(d.lots), 1);
    views.put(transferKey(from, d.transferId), { view: 'transfer', fromAccount: from, bySourceType: byType(d.lots), settled: false });
  },
  TransferReceived(views, event) {
    const d = event.data as { transferId: string; fromAccount: string; lots: Lot[] };
    settle(views, d.fromAccount, d.transferId);
    hold(views, accountOf(event), d.lots, 1, event.metadata.effectiveDate);
    bump(views, accountOf(event), 'receivedBySourceType', byType(d.lots), 1);
  },
  TransferCancelled(views, event) {
    const d = event.data as { transferId: string; fromAccount: string };
    settle(views, d.fromAccount, d.transferId);
  },
  FundsIntegratedOut(views, event) {
    hold(views, accountOf(event), (event.data as { lots: Lot[] }).lots, -1, event.metadata.effectiveDate);
  },
  FundsIntegratedIn(views, event) {
    hold(views, accountOf(event), (event.data as { lots: Lot[] }).lots, 1, event.metadata.effectiveDate);
  },
  PaymentMade(views, event) {
    const lots = (event.data as { lots: Lot[] }).lots;
    const account = hold(views, accountOf(event), lots, -1, event.metadata.effectiveDate);
    bump(views, accountOf(event), 'paidBySourceType', byType(lots), 1);
    if (account) updateAreas(views, account.areaCode, 'paidBySourceType', byType(lots), 1);
  },
  EntryReversed(views, event) {
    const d = event.data as { reversedType: string; lots: Lot[] };
    const incoming = d.reversedType === 'AppropriationReceived';
    const account = hold(views, accountOf(event), d.lots, incoming ? -1 : 1, event.metadata.effectiveDate);
    if (!account) return;
    if (incoming) {
      bump(views, account.accountId, 'receivedBySourceType', byType(d.lots), -1);
      updateAreas(views, account.areaCode, 'appropriatedBySourceType', byType(d.lots), -1);
    }
    if (d.reversedType === 'PaymentMade') {
      bump(views, account.accountId, 'paidBySourceType', byType(d.lots), -1);
      updateAreas(views, account.areaCode, 'paidBySourceType', byType(d.lots), -1);
    }
  },
};

/** A transfer stops being in flight once received or cancelled (the reversal returns the money itself). */
function settle(views: Views<BalanceView>, fromAccount: string, transferId: string): void {
  const transfer = views.get(transferKey(fromAccount, transferId)) as TransferInFlight | undefined;
  if (!transfer || transfer.settled) return;
  views.put(transferKey(fromAccount, transferId), { ...transfer, settled: true });
  bump(views, fromAccount, 'inFlightBySourceType', transfer.bySourceType, -1);
  const account = views.get(accountKey(fromAccount)) as AccountBalance | undefined;
  if (account) updateAreas(views, account.areaCode, 'inFlightBySourceType', transfer.bySourceType, -1);
}

export const balances: Projection<BalanceView> = {
  name: 'balances',
  version: 1,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
