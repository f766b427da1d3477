// Balances per account, and rollups per area (county → township → village) summed on read from the accounts
// an area holds. Every amount is kept per source type (grant, loan, guarantee, donation) and never summed
// across them: adding grants to loans would be double counting by construction. In-flight money (sent, not
// yet received) stays with the sender's account and areas. Rollups are not folded per event: updating three
// area views for every payment made a rebuild several times slower than summing ~200 accounts on a read.
// Like every projection, the fold updates the views it is given in place and marks them with put(): the
// views belong to the runner (or a test), and copying a view per event made a rebuild several times slower.
import type { Lot } from '../domain/events.js';
import { Memo, metadataEffectiveDate, type Projection, type ProjectedEvent, type Views } from './types.js';

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
  /** Appropriations recorded into this account (pools, subsidy and risk fund accounts). */
  appropriatedBySourceType: BySourceType;
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

/** The accounts of an area and of every area inside it, kept when an account opens. */
export interface AreaAccounts {
  view: 'area-accounts';
  accounts: string[];
}

export type BalanceView = AccountBalance | TransferInFlight | AreaAccounts;

export const accountKey = (accountId: string): string => `account:${accountId}`;
export const areaAccountsKey = (code: string): string => `area-accounts:${code}`;
const transferKey = (fromAccount: string, transferId: string): string => `transfer:${fromAccount}:${transferId}`;

/** The area and its ancestors: a village rolls up into its township and county. */
export function areaChain(code: string): string[] {
  const county = `${code.slice(0, 6)}000000`;
  if (code === county) return [code];
  const township = `${code.slice(0, 9)}000`;
  return code === township ? [code, county] : [code, township, county];
}

export function levelOf(code: string): AreaBalance['level'] {
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

/** Moves lots into (sign 1) or out of (sign -1) an account and its areas' holdings. */
function hold(views: Views<BalanceView>, accountId: string, lots: Lot[], sign: 1 | -1, date: string | undefined): AccountBalance | undefined {
  const account = views.get(accountKey(accountId)) as AccountBalance | undefined;
  if (!account) return undefined;
  account.lastMovement = date ?? account.lastMovement;
  for (const lot of lots) {
    add(account.heldBySourceType, lot.sourceType, sign * lot.amountFen);
    add(account.heldBySource, lot.sourceId, sign * lot.amountFen);
    add(account.heldByPurpose, lot.purpose, sign * lot.amountFen);
  }
  views.put(accountKey(accountId), account);
  return account;
}

function bump(views: Views<BalanceView>, accountId: string, field: 'receivedBySourceType' | 'paidBySourceType' | 'inFlightBySourceType' | 'appropriatedBySourceType', amounts: BySourceType, sign: 1 | -1): void {
  const account = views.get(accountKey(accountId)) as AccountBalance | undefined;
  if (!account) return;
  for (const type in amounts) add(account[field], type, sign * amounts[type]!);
  views.put(accountKey(accountId), account);
}

const accountOf = (event: ProjectedEvent): string => event.stream.slice('account-'.length);
/** Accounts by the stream an event is on. */
const ACCOUNTS = new Memo<BalanceView>((stream) => accountKey(stream.slice('account-'.length)));

type Handler = (views: Views<BalanceView>, event: ProjectedEvent) => void;

const handlers: Record<string, Handler> = {
  AccountOpened(views, event) {
    const d = event.data as { accountId: string; kind: string; areaCode: string };
    views.put(accountKey(d.accountId), {
      view: 'account', accountId: d.accountId, accountKind: d.kind, areaCode: d.areaCode,
      heldBySourceType: {}, heldBySource: {}, heldByPurpose: {}, receivedBySourceType: {}, paidBySourceType: {}, appropriatedBySourceType: {}, inFlightBySourceType: {}, allocatedFen: 0, lastMovement: null,
    });
    for (const code of areaChain(d.areaCode)) {
      const index = (views.get(areaAccountsKey(code)) as AreaAccounts | undefined) ?? { view: 'area-accounts', accounts: [] };
      if (!index.accounts.includes(d.accountId)) index.accounts.push(d.accountId);
      views.put(areaAccountsKey(code), index);
    }
  },
  AppropriationReceived(views, event) {
    const d = event.data as Lot;
    hold(views, accountOf(event), [d], 1, metadataEffectiveDate(event));
    bump(views, accountOf(event), 'receivedBySourceType', { [d.sourceType]: d.amountFen }, 1);
    bump(views, accountOf(event), 'appropriatedBySourceType', { [d.sourceType]: d.amountFen }, 1);
  },
  AllocationMade(views, event) {
    const account = views.get(accountKey(accountOf(event))) as AccountBalance | undefined;
    if (!account) return;
    account.allocatedFen += (event.data as { amountFen: number }).amountFen;
    views.put(accountKey(account.accountId), account);
  },
  TransferSent(views, event) {
    const d = event.data as { transferId: string; lots: Lot[] };
    const from = accountOf(event);
    const account = hold(views, from, d.lots, -1, metadataEffectiveDate(event));
    if (!account) return;
    bump(views, from, 'inFlightBySourceType', byType(d.lots), 1);
    views.put(transferKey(from, d.transferId), { view: 'transfer', fromAccount: from, bySourceType: byType(d.lots), settled: false });
  },
  TransferReceived(views, event) {
    const d = event.data as { transferId: string; fromAccount: string; lots: Lot[] };
    // Only what arrived leaves flight: a short receipt (imported history) leaves the rest in flight, visible.
    settle(views, d.fromAccount, d.transferId, byType(d.lots));
    hold(views, accountOf(event), d.lots, 1, metadataEffectiveDate(event));
    bump(views, accountOf(event), 'receivedBySourceType', byType(d.lots), 1);
  },
  TransferCancelled(views, event) {
    const d = event.data as { transferId: string; fromAccount: string };
    settle(views, d.fromAccount, d.transferId);
  },
  FundsIntegratedOut(views, event) {
    hold(views, accountOf(event), (event.data as { lots: Lot[] }).lots, -1, metadataEffectiveDate(event));
  },
  FundsIntegratedIn(views, event) {
    hold(views, accountOf(event), (event.data as { lots: Lot[] }).lots, 1, metadataEffectiveDate(event));
  },
  PaymentMade(views, event) {
    // The hottest event of a rebuild: the account found through the memo, and updated in place lot by lot.
    const found = ACCOUNTS.find(views, event.stream);
    const account = found.view as AccountBalance | undefined;
    if (account?.view !== 'account') return;
    account.lastMovement = metadataEffectiveDate(event) ?? account.lastMovement;
    for (const lot of (event.data as { lots: Lot[] }).lots) {
      add(account.heldBySourceType, lot.sourceType, -lot.amountFen);
      add(account.heldBySource, lot.sourceId, -lot.amountFen);
      add(account.heldByPurpose, lot.purpose, -lot.amountFen);
      add(account.paidBySourceType, lot.sourceType, lot.amountFen);
    }
    views.put(found.key, account);
  },
  EntryReversed(views, event) {
    const d = event.data as { reversedType: string; lots: Lot[] };
    const incoming = d.reversedType === 'AppropriationReceived';
    const account = hold(views, accountOf(event), d.lots, incoming ? -1 : 1, metadataEffectiveDate(event));
    if (!account) return;
    if (incoming) {
      bump(views, account.accountId, 'receivedBySourceType', byType(d.lots), -1);
      bump(views, account.accountId, 'appropriatedBySourceType', byType(d.lots), -1);
    }
    if (d.reversedType === 'PaymentMade') bump(views, account.accountId, 'paidBySourceType', byType(d.lots), -1);
  },
};

/** A transfer stops being in flight once received or cancelled (the reversal returns the money itself). */
/** Takes a transfer out of flight: what arrived (a receipt), or all that is still in flight (a cancellation). */
function settle(views: Views<BalanceView>, fromAccount: string, transferId: string, arrived?: BySourceType): void {
  const transfer = views.get(transferKey(fromAccount, transferId)) as TransferInFlight | undefined;
  if (!transfer || transfer.settled) return;
  const leaving = arrived ?? { ...transfer.bySourceType };
  for (const type in leaving) add(transfer.bySourceType, type, -leaving[type]!);
  transfer.settled = true;
  views.put(transferKey(fromAccount, transferId), transfer);
  bump(views, fromAccount, 'inFlightBySourceType', leaving, -1);
}

/** An area's rollup: the sum of its accounts and of those of every area inside it, per source type. */
export function areaBalance(views: Views<BalanceView>, code: string): AreaBalance {
  const area: AreaBalance = { view: 'area', areaCode: code, level: levelOf(code), heldBySourceType: {}, inFlightBySourceType: {}, appropriatedBySourceType: {}, paidBySourceType: {} };
  const index = views.get(areaAccountsKey(code)) as AreaAccounts | undefined;
  for (const accountId of index?.accounts ?? []) {
    const account = views.get(accountKey(accountId)) as AccountBalance | undefined;
    if (!account) continue;
    for (const [from, to] of [['heldBySourceType', 'heldBySourceType'], ['inFlightBySourceType', 'inFlightBySourceType'], ['appropriatedBySourceType', 'appropriatedBySourceType'], ['paidBySourceType', 'paidBySourceType']] as const) {
      for (const type in account[from]) add(area[to], type, account[from][type]!);
    }
  }
  return area;
}

/** Every area that has accounts, for summaries. */
export function areasWithAccounts(views: { map: Map<string, unknown> }): string[] {
  return [...views.map.keys()].filter((key) => key.startsWith('area-accounts:')).map((key) => key.slice('area-accounts:'.length));
}

export const balances: Projection<BalanceView> = {
  name: 'balances',
  version: 2,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
