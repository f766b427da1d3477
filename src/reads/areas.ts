// Area reads: the register of areas (names, levels, children), an area's balance with its breakdown by source
// type, source and purpose, the accounts inside it, and the same as of a past date. Current reads come from
// the caught-up balances projection; a past date is answered by folding the area's own account streams
// through the same projection, keeping only what had happened (or had been recorded) by then.
import type { EventStore } from '../store/types.js';
import { accountKey, areaAccountsKey, balances, levelOf, type AccountBalance, type AreaAccounts, type AreaBalance, type BalanceView } from '../../projections/balances.js';
import { MemoryViews, type ProjectedEvent, type Views } from '../../projections/types.js';
import { includes, type AsOf } from '../projections/replay.js';
import { mergeStreams } from './streams.js';

export interface AreaEntry {
  code: string;
  level: 'county' | 'township' | 'village';
  name: string;
  parentCode: string | null;
}

/** The areas registered so far, read from the `areas` stream and refreshed from where it was last read. */
export class AreaDirectory {
  private readonly byCode = new Map<string, AreaEntry>();
  private readonly children = new Map<string, string[]>();
  private nextRevision = 0;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly store: EventStore) {}

  /** Reads any areas registered since the last refresh; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async read(): Promise<void> {
    for (;;) {
      const page = await this.store.readStream('areas', { fromRevision: this.nextRevision, maxCount: 1000 });
      for (const event of page) {
        this.nextRevision = event.revision + 1;
        if (event.type !== 'AreaRegistered') continue;
        const d = event.data as unknown as AreaEntry;
        if (this.byCode.has(d.code)) continue;
        this.byCode.set(d.code, { code: d.code, level: d.level, name: d.name, parentCode: d.parentCode });
        if (d.parentCode) this.children.set(d.parentCode, [...(this.children.get(d.parentCode) ?? []), d.code].sort());
      }
      if (page.length < 1000) return;
    }
  }

  get(code: string): AreaEntry | undefined {
    return this.byCode.get(code);
  }

  childrenOf(code: string): AreaEntry[] {
    return (this.children.get(code) ?? []).map((child) => this.byCode.get(child)!);
  }
}

/** An area's rollup with its breakdown: what is held by source type, by source and by purpose. */
export interface AreaBreakdown extends AreaBalance {
  receivedBySourceType: Record<string, number>;
  heldBySource: Record<string, number>;
  heldByPurpose: Record<string, number>;
  allocatedFen: number;
  accounts: number;
}

function addAll(into: Record<string, number>, from: Record<string, number>): void {
  for (const key in from) {
    const next = (into[key] ?? 0) + from[key]!;
    if (next === 0) delete into[key];
    else into[key] = next;
  }
}

/** Every account held in an area or an area inside it, as the balances projection keeps them. */
export function accountsIn(views: Views<BalanceView>, code: string): AccountBalance[] {
  const out: AccountBalance[] = [];
  for (const id of accountIdsIn(views, code)) {
    const account = views.get(accountKey(id)) as AccountBalance | undefined;
    if (account) out.push(account);
  }
  return out;
}

export function areaBreakdown(views: Views<BalanceView>, code: string): AreaBreakdown {
  const accounts = accountsIn(views, code);
  const out: AreaBreakdown = {
    view: 'area', areaCode: code, level: levelOf(code), heldBySourceType: {}, inFlightBySourceType: {}, appropriatedBySourceType: {}, receivedBySourceType: {}, paidBySourceType: {},
    heldBySource: {}, heldByPurpose: {}, allocatedFen: 0, accounts: accounts.length,
  };
  // One pass over the accounts (this is the hottest read): the same sums as areaBalance, and the breakdown.
  for (const account of accounts) {
    addAll(out.heldBySourceType, account.heldBySourceType);
    addAll(out.inFlightBySourceType, account.inFlightBySourceType);
    addAll(out.appropriatedBySourceType, account.appropriatedBySourceType);
    addAll(out.receivedBySourceType, account.receivedBySourceType);
    addAll(out.paidBySourceType, account.paidBySourceType);
    addAll(out.heldBySource, account.heldBySource);
    addAll(out.heldByPurpose, account.heldByPurpose);
    out.allocatedFen += account.allocatedFen;
  }
  return out;
}

/** The account ids of an area (and of the areas inside it) as the caught-up projection knows them. */
export function accountIdsIn(views: Views<BalanceView>, code: string): string[] {
  return (views.get(areaAccountsKey(code)) as AreaAccounts | undefined)?.accounts ?? [];
}

/**
 * The balances projection folded over the given accounts' streams, keeping only the events `asOf` admits.
 * Transfers sent to accounts outside the set are settled from the receivers' streams afterwards, so money
 * that left the area is in flight only until it arrived (as of the date asked).
 */
export async function balancesAsOf(store: EventStore, accountIds: string[], asOf: AsOf): Promise<MemoryViews<BalanceView>> {
  const views = new MemoryViews<BalanceView>(false);
  const inside = new Set(accountIds);
  const handled = new Set(balances.handles);
  const outside = new Map<string, Set<string>>();
  read: for await (const batch of mergeStreams(store, accountIds.map((id) => `account-${id}`))) {
    for (const recorded of batch) {
      const event = recorded as unknown as ProjectedEvent;
      if (asOf.position !== undefined && event.position > asOf.position) break read;
      if (!handled.has(event.type) || !includes(asOf, event)) continue;
      balances.evolve(views, event);
      if (event.type === 'TransferSent') {
        const d = event.data as { toAccount: string; transferId: string };
        if (!inside.has(d.toAccount)) outside.set(d.toAccount, (outside.get(d.toAccount) ?? new Set()).add(d.transferId));
      }
    }
  }
  for (const [to, transfers] of outside) {
    for await (const batch of mergeStreams(store, [`account-${to}`])) {
      for (const recorded of batch) {
        const event = recorded as unknown as ProjectedEvent;
        if (event.type !== 'TransferReceived' && event.type !== 'TransferCancelled') continue;
        const d = event.data as { transferId: string; fromAccount: string };
        if (!inside.has(d.fromAccount) || !transfers.has(d.transferId) || !includes(asOf, event)) continue;
        // The receiving account is not in these views, so only the sender's side of the receipt is folded.
        balances.evolve(views, event);
      }
    }
  }
  return views;
}
