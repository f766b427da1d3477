// Money: appropriations in, allocations, transfers sent and received, integration, payments, reversals.
// Each account is its own stream, so a payment checks only the account it draws on.
import { yuan } from '../errors.js';
import type { DomainEvent, Lot } from '../events.js';
import { must } from '../guard.js';
import { drawLots, sumLots } from '../lots.js';
import type { AccountState } from '../state.js';
import { parseAccount, poolAccount, streams } from '../streams.js';
import type { Handler, View } from './types.js';

/** Streams that say where an account is: the area registry, and its project or plan. */
export function accountReads(accountId: string): string[] {
  const ref = parseAccount(accountId);
  if (ref.kind === 'project') return [streams.areas, streams.project(ref.projectId)];
  if (ref.kind === 'integration') return [streams.areas, streams.plan(ref.planId)];
  return [streams.areas];
}

/** The area an account belongs to; refuses an account whose area, project or plan is unknown. */
export function accountArea(view: View, accountId: string): string {
  const ref = parseAccount(accountId);
  const areas = view.get(streams.areas, 'areas').areas;
  if (ref.kind === 'project') {
    const project = view.get(streams.project(ref.projectId), 'project').project;
    must(project !== undefined, 'unknown_project', () => `project ${ref.projectId} is not registered`);
    return project!.villageCode;
  }
  if (ref.kind === 'integration') {
    const plan = view.get(streams.plan(ref.planId), 'plan').plan;
    must(plan !== undefined, 'unknown_plan', () => `integration plan ${ref.planId} is not approved`);
    return plan!.countyCode;
  }
  const code = ref.kind === 'pool' ? ref.county : ref.code;
  const level = ref.kind === 'township' || ref.kind === 'village' ? ref.kind : 'county';
  const area = areas.get(code);
  must(area !== undefined && area.level === level, 'unknown_area', () => `account ${accountId} needs a registered ${level} ${code}`);
  return code;
}

/** An account stream starts with AccountOpened, written with its first movement. */
export function opening(state: AccountState, accountId: string, areaCode: string): DomainEvent[] {
  if (state.opened) return [];
  return [{ type: 'AccountOpened', data: { accountId, kind: parseAccount(accountId).kind, areaCode } }];
}

function requireMoney(state: AccountState, accountId: string): void {
  must(state.opened !== undefined, 'unknown_account', () => `account ${accountId} has never received money`);
}

/** The account money leaves from: it must hold money, and the destination must be another, known account. */
function sendingAccount(view: View, fromAccount: string, toAccount: string, what: string): { stream: string; state: AccountState } {
  const stream = streams.account(fromAccount);
  const state = view.get(stream, 'account');
  requireMoney(state, fromAccount);
  must(fromAccount !== toAccount, 'transfer_to_same_account', () => `${what} must go to another account`);
  accountArea(view, toAccount);
  return { stream, state };
}

export const recordAppropriation: Handler<'RecordAppropriation'> = {
  writes: (c) => [streams.account(c.toAccount ?? poolAccount(c.countyCode, c.sourceId, c.fiscalYear))],
  reads: (c) => [streams.sources, ...accountReads(c.toAccount ?? poolAccount(c.countyCode, c.sourceId, c.fiscalYear))],
  decide(c, view) {
    const accountId = c.toAccount ?? poolAccount(c.countyCode, c.sourceId, c.fiscalYear);
    const source = view.get(streams.sources, 'sources').sources.get(c.sourceId);
    must(source !== undefined, 'unknown_source', () => `fund source ${c.sourceId} is not registered`);
    const ref = parseAccount(accountId);
    must(ref.kind === 'pool' || ref.kind === 'riskfund' || ref.kind === 'subsidy', 'invalid_command', () => `appropriations enter a county pool, subsidy or risk fund account, not ${accountId}`);
    if (ref.kind === 'pool') {
      must(ref.sourceId === c.sourceId && ref.fiscalYear === c.fiscalYear, 'invalid_command', () => `pool ${accountId} holds ${ref.sourceId} of ${ref.fiscalYear}, not ${c.sourceId} of ${c.fiscalYear}`);
    }
    const areaCode = accountArea(view, accountId);
    must(areaCode === c.countyCode, 'account_area_mismatch', () => `account ${accountId} is not in county ${c.countyCode}`);
    const stream = streams.account(accountId);
    const state = view.get(stream, 'account');
    const data = { appropriationId: c.appropriationId, sourceId: c.sourceId, sourceType: source!.sourceType, fiscalYear: c.fiscalYear, purpose: c.purpose, amountFen: c.amountFen, ...(c.party ? { party: c.party } : {}) };
    return [{ stream, events: [...opening(state, accountId, areaCode), { type: 'AppropriationReceived', data }] }];
  },
};

export const allocateFunds: Handler<'AllocateFunds'> = {
  writes: (c) => [streams.account(c.fromAccount)],
  reads: (c) => accountReads(c.toAccount),
  decide(c, view, ctx) {
    const { stream, state } = sendingAccount(view, c.fromAccount, c.toAccount, 'an allocation');
    const open = [...state.allocations.values()].reduce((sum, fen) => sum + fen, 0);
    const free = state.balanceFen - open;
    ctx.guard.control(c.amountFen <= free, 'amount_exceeds_unallocated_balance', () => `${yuan(free)} of the account is not yet allocated, less than ${yuan(c.amountFen)}`, {
      availableFen: free,
      requestedFen: c.amountFen,
    });
    return [{ stream, events: [{ type: 'AllocationMade', data: { allocationId: c.allocationId, toAccount: c.toAccount, amountFen: c.amountFen, factors: c.factors } }] }];
  },
};

export const sendTransfer: Handler<'SendTransfer'> = {
  writes: (c) => [streams.account(c.fromAccount)],
  reads: (c) => accountReads(c.toAccount),
  decide(c, view, ctx) {
    const { stream, state } = sendingAccount(view, c.fromAccount, c.toAccount, 'a transfer');
    must(!state.sent.has(c.transferId), 'invalid_command', () => `transfer ${c.transferId} was already sent from ${c.fromAccount}`);
    const lots = drawLots(state.lots, c.amountFen, c.lots, ctx.guard, { fiscalYear: Number(c.effectiveDate.slice(0, 4)), purpose: undefined });
    return [{ stream, events: [{ type: 'TransferSent', data: { transferId: c.transferId, toAccount: c.toAccount, amountFen: c.amountFen, lots } }] }];
  },
};

export const receiveTransfer: Handler<'ReceiveTransfer'> = {
  writes: (c) => [streams.account(c.toAccount)],
  reads: (c) => [streams.account(c.fromAccount), ...accountReads(c.toAccount)],
  decide(c, view, ctx) {
    const sent = view.get(streams.account(c.fromAccount), 'account').sent.get(c.transferId);
    must(sent !== undefined, 'unknown_transfer', () => `no transfer ${c.transferId} was sent from ${c.fromAccount}`);
    must(sent!.toAccount === c.toAccount, 'transfer_not_addressed_to_account', () => `transfer ${c.transferId} was sent to ${sent!.toAccount}, not ${c.toAccount}`);
    const stream = streams.account(c.toAccount);
    const state = view.get(stream, 'account');
    must(!state.cancelled.has(c.transferId), 'unknown_transfer', () => `transfer ${c.transferId} was reversed by its sender before it arrived`);
    const earlier = state.received.get(c.transferId);
    ctx.guard.control(earlier === undefined, 'transfer_already_received', () => `transfer ${c.transferId} was already received (${yuan(earlier?.amountFen ?? 0)})`);
    ctx.guard.control(c.amountFen === sent!.amountFen, 'transfer_received_with_different_amount', () => `transfer ${c.transferId} sent ${yuan(sent!.amountFen)} but ${yuan(c.amountFen)} is confirmed received`, {
      sentFen: sent!.amountFen,
      receivedFen: c.amountFen,
    });
    const lots = c.amountFen === sent!.amountFen ? sent!.lots : scaleLots(sent!.lots, c.amountFen);
    const data = { transferId: c.transferId, fromAccount: c.fromAccount, amountFen: c.amountFen, lots };
    return [{ stream, events: [...opening(state, c.toAccount, accountArea(view, c.toAccount)), { type: 'TransferReceived', data }] }];
  },
};

/** A receipt of another amount than was sent (imported history only): the lots in proportion, rounding to the last. */
function scaleLots(lots: Lot[], amountFen: number): Lot[] {
  const sent = sumLots(lots);
  let left = amountFen;
  return lots.map((lot, i) => {
    const share = i === lots.length - 1 ? left : Math.floor((lot.amountFen * amountFen) / sent);
    left -= share;
    return { ...lot, amountFen: share };
  }).filter((lot) => lot.amountFen > 0);
}

export const reverseEntry: Handler<'ReverseEntry'> = {
  writes: (c) => [streams.account(c.account)],
  reads: () => [],
  /** Reversing a transfer sent also marks it on the receiving account, so it can no longer be received. */
  more(c, view) {
    const entry = view.get(streams.account(c.account), 'account').entries.get(c.reversesEventId);
    const sent = entry?.type === 'TransferSent' ? [...view.get(streams.account(c.account), 'account').sent.values()].find((t) => t.eventId === c.reversesEventId) : undefined;
    return sent ? [streams.account(sent.toAccount)] : [];
  },
  decide(c, view, ctx) {
    const stream = streams.account(c.account);
    const state = view.get(stream, 'account');
    const entry = state.entries.get(c.reversesEventId);
    must(entry !== undefined, 'reversal_target_not_found', () => `account ${c.account} has no money event ${c.reversesEventId}`);
    must(!entry!.reversed, 'entry_already_reversed', () => `event ${c.reversesEventId} is already reversed`);
    must(entry!.type !== 'TransferReceived' && entry!.type !== 'FundsIntegratedIn', 'invalid_command', () => `a ${entry!.type} is corrected on the sending side`);
    // Undoing one side of an integration would count the money twice; it is corrected by an amended plan and a transfer back.
    must(entry!.type !== 'FundsIntegratedOut', 'invalid_command', () => 'an integration is not reversed; amend the plan and transfer the money back');
    if (entry!.direction === 'in') {
      const held = entry!.lots.every((lot) => (state.lots.get(`${lot.appropriationId}/${lot.purpose}`)?.amountFen ?? 0) >= lot.amountFen);
      ctx.guard.control(held, 'amount_exceeds_balance', () => `the money of event ${c.reversesEventId} has already moved on; reverse those movements first`);
    }
    const data = { reversalId: c.reversalId, reversesEventId: c.reversesEventId, reversedType: entry!.type, amountFen: entry!.amountFen, lots: entry!.lots, reason: c.reason, ...(entry!.payee ? { payee: entry!.payee } : {}) };
    const emits = [{ stream, events: [{ type: 'EntryReversed' as const, data }] }];
    const sent = entry!.type === 'TransferSent' ? [...state.sent.entries()].find(([, t]) => t.eventId === c.reversesEventId) : undefined;
    if (sent) {
      const [transferId, transfer] = sent;
      const receiver = view.get(streams.account(transfer.toAccount), 'account');
      must(!receiver.received.has(transferId), 'transfer_already_received', () => `transfer ${transferId} has arrived at ${transfer.toAccount}; send it back instead of reversing it`);
      emits.push({ stream: streams.account(transfer.toAccount), events: [{ type: 'TransferCancelled', data: { transferId, fromAccount: c.account, reversalId: c.reversalId } }] } as never);
    }
    return emits;
  },
};
