// Rules over accounts, transfers, projects and loans: overspending, money spent off purpose, projects funded
// beyond budget, 贴息 beyond the interest due or on loans in default, loans outside the product, idle money,
// transfers never confirmed, the risk compensation fund's 3% and 7:3, and the 20% growth of self-raised funds.
// Each rule is a pure fold with compact state (running totals and maps keyed by account, loan or project);
// rules that depend on time or on facts that may be recorded later decide in finish.
import type { DataOf, Lot } from '../../../domain/events.js';
import { subsidyRatioFor, type RuleParameters } from '../../../domain/rules.js';
import type { ProjectedEvent } from '../../types.js';
import { accountOfStream, effectiveDate, type Facts } from '../facts.js';
import { daysBetween, monthsBetween, yuan, type FinishContext, type ParameterValue, type RaisedFinding, type Rule, type RuleContext, type Severity } from '../types.js';

// ---------------------------------------------------------------- shared helpers

/** At most this many events are listed as proof; the explanation states how many there were in all. */
export const PROOF_LIMIT = 50;

/** The events that prove a finding, oldest first, bounded, with the full count. */
class Proof {
  ids: string[] = [];
  count = 0;
  add(id: string): void {
    this.count += 1;
    if (this.ids.length < PROOF_LIMIT) this.ids.push(id);
  }
  /** " (120 events in all; the first 50 listed)", or nothing when every event is listed. */
  note(): { zh: string; en: string } {
    if (this.count <= this.ids.length) return { zh: '', en: '' };
    return { zh: `（共${this.count}笔，列出前${this.ids.length}笔）`, en: ` (${this.count} events in all; the first ${this.ids.length} listed)` };
  }
}

const IN_TYPES = new Set(['AppropriationReceived', 'TransferReceived', 'FundsIntegratedIn']);
const OUT_TYPES = new Set(['TransferSent', 'FundsIntegratedOut', 'PaymentMade']);
const MONEY_TYPES = [...IN_TYPES, ...OUT_TYPES, 'EntryReversed'] as const;

interface Movement {
  account: string;
  /** +1 money in, -1 money out. */
  sign: 1 | -1;
  amountFen: number;
  lots: Lot[];
}

/** Several rules read the movement of the same event one after another: computed once per event. */
let lastEvent: ProjectedEvent | undefined;
let lastMovement: Movement | null = null;

/** What a money event does to the account of its stream; null for anything else. EntryReversed undoes its entry. */
function movementOf(event: ProjectedEvent): Movement | null {
  if (event !== lastEvent) {
    lastMovement = readMovement(event);
    lastEvent = event;
  }
  return lastMovement;
}

function readMovement(event: ProjectedEvent): Movement | null {
  const account = accountOfStream(event.stream);
  if (!account) return null;
  const d = event.data as { amountFen: number; lots?: Lot[] };
  if (event.type === 'AppropriationReceived') {
    const a = event.data as DataOf<'AppropriationReceived'>;
    const lot: Lot = { appropriationId: a.appropriationId, sourceId: a.sourceId, sourceType: a.sourceType, fiscalYear: a.fiscalYear, purpose: a.purpose, amountFen: a.amountFen };
    return { account, sign: 1, amountFen: a.amountFen, lots: [lot] };
  }
  if (IN_TYPES.has(event.type)) return { account, sign: 1, amountFen: d.amountFen, lots: d.lots ?? [] };
  if (OUT_TYPES.has(event.type)) return { account, sign: -1, amountFen: d.amountFen, lots: d.lots ?? [] };
  if (event.type === 'EntryReversed') {
    const r = event.data as DataOf<'EntryReversed'>;
    return { account, sign: IN_TYPES.has(r.reversedType) ? -1 : 1, amountFen: r.amountFen, lots: r.lots };
  }
  return null;
}

/** Money an imported payment paid without the account holding it (domain/lots.ts). */
const isOverdrawnLot = (lot: Lot): boolean => lot.appropriationId === 'overdrawn';

function kindOfAccount(facts: Facts, accountId: string): string {
  return facts.accounts.get(accountId)?.kind ?? accountId.slice(0, accountId.indexOf(':'));
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const bp = (value: number): string => `${(value / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

type Raise = Omit<RaisedFinding, 'parameters'> & { parameters: Record<string, ParameterValue> };
const raise = (ctx: RuleContext, finding: Raise): void => ctx.raise(finding);

// ---------------------------------------------------------------- overspend and idle funds

interface Episode {
  account: string;
  startId: string;
  startDate: string;
  worstFen: number;
  worstDate: string;
  endId?: string;
  endDate?: string;
  proof: Proof;
}

/** Money of one appropriation in one account, by arrival date, oldest first (flat arrays, head index). */
interface ArrivalQueue {
  sourceId: string;
  sourceType: string;
  dates: string[];
  amounts: number[];
  ids: string[];
  head: number;
}

interface AccountBook {
  balanceFen: number;
  episode: Episode | null;
  /** Held by purpose (lots carry purpose): what a payment for that purpose may draw. */
  byPurpose: Map<string, number>;
  queues: Map<string, ArrivalQueue>;
  lastInflow: string | null;
}

interface BalanceState {
  accounts: Map<string, AccountBook>;
  episodes: Episode[];
}

function bookOf(state: BalanceState, account: string): AccountBook {
  let book = state.accounts.get(account);
  if (!book) {
    book = { balanceFen: 0, episode: null, byPurpose: new Map(), queues: new Map(), lastInflow: null };
    state.accounts.set(account, book);
  }
  return book;
}

function arrive(book: AccountBook, lot: Lot, date: string, eventId: string): void {
  let queue = book.queues.get(lot.appropriationId);
  if (!queue) {
    queue = { sourceId: lot.sourceId, sourceType: lot.sourceType, dates: [], amounts: [], ids: [], head: 0 };
    book.queues.set(lot.appropriationId, queue);
  }
  // Same event, same date, same appropriation (one transfer carrying two purposes of it): one arrival.
  const last = queue.dates.length - 1;
  if (last >= queue.head && queue.ids[last] === eventId) {
    queue.amounts[last]! += lot.amountFen;
    return;
  }
  queue.dates.push(date);
  queue.amounts.push(lot.amountFen);
  queue.ids.push(eventId);
  // Imported history may arrive out of date order: keep the queue sorted by arrival date.
  for (let i = queue.dates.length - 1; i > queue.head && queue.dates[i - 1]! > queue.dates[i]!; i--) {
    [queue.dates[i - 1], queue.dates[i]] = [queue.dates[i]!, queue.dates[i - 1]!];
    [queue.amounts[i - 1], queue.amounts[i]] = [queue.amounts[i]!, queue.amounts[i - 1]!];
    [queue.ids[i - 1], queue.ids[i]] = [queue.ids[i]!, queue.ids[i - 1]!];
  }
}

/** Money leaving: from the oldest arrival of its appropriation (FIFO), or the newest when an arrival is undone. */
function depart(book: AccountBook, lot: Lot, newestFirst: boolean): void {
  const queue = book.queues.get(lot.appropriationId);
  if (!queue) return;
  let left = lot.amountFen;
  if (newestFirst) {
    for (let i = queue.dates.length - 1; left > 0 && i >= queue.head; i--) {
      const take = Math.min(left, queue.amounts[i]!);
      queue.amounts[i]! -= take;
      left -= take;
    }
    while (queue.dates.length > queue.head && queue.amounts[queue.dates.length - 1] === 0) {
      queue.dates.pop();
      queue.amounts.pop();
      queue.ids.pop();
    }
  } else {
    while (left > 0 && queue.head < queue.dates.length) {
      const take = Math.min(left, queue.amounts[queue.head]!);
      queue.amounts[queue.head]! -= take;
      left -= take;
      if (queue.amounts[queue.head] === 0) queue.head += 1;
    }
  }
  if (queue.head === queue.dates.length) {
    book.queues.delete(lot.appropriationId);
  } else if (queue.head > 64 && queue.head * 2 > queue.dates.length) {
    queue.dates.splice(0, queue.head);
    queue.amounts.splice(0, queue.head);
    queue.ids.splice(0, queue.head);
    queue.head = 0;
  }
}

const NO_IDLE_SOURCE_TYPES = new Set(['loan', 'guarantee']);
const NO_IDLE_CATEGORIES = new Set(['micro_credit', 'policy_loan', 'risk_fund']);

export const balancesRule: Rule<BalanceState> = {
  name: 'account balances: overspend and idle funds',
  codes: ['overspend', 'idle_funds'],
  handles: MONEY_TYPES,
  initial: () => ({ accounts: new Map(), episodes: [] }),
  evolve(state, event, ctx) {
    const move = movementOf(event);
    if (!move) return;
    const date = effectiveDate(event);
    const book = bookOf(state, move.account);

    // Per purpose: a payment for a purpose may draw only what the account holds for that purpose. A payment
    // that also takes the whole balance below zero is told as that (the episode below, under the same key).
    if (event.type === 'PaymentMade') {
      const p = event.data as DataOf<'PaymentMade'>;
      const held = book.byPurpose.get(p.purpose) ?? 0;
      if (p.amountFen > held && book.balanceFen - move.amountFen >= 0) {
        const short = p.amountFen - Math.max(0, held);
        raise(ctx, {
          code: 'overspend',
          key: event.id,
          severity: 'severe',
          areaCode: ctx.facts.areaOfAccount(move.account),
          accounts: [move.account],
          amountFen: short,
          eventIds: [event.id],
          parameters: { purpose: p.purpose, heldForPurposeFen: held, paidFen: p.amountFen },
          effectiveDate: date,
          explanation: {
            zh: `账户 ${move.account} 于 ${date} 支付 ${yuan(p.amountFen)} 用于 ${p.purpose}，但该账户仅持有该用途资金 ${yuan(Math.max(0, held))}，超支 ${yuan(short)}（挤占其他用途资金）。`,
            en: `Account ${move.account} paid ${yuan(p.amountFen)} for ${p.purpose} on ${date} while holding only ${yuan(Math.max(0, held))} for that purpose: ${yuan(short)} overspent, taken from money of other purposes.`,
          },
        });
      }
    }
    for (const lot of move.lots) book.byPurpose.set(lot.purpose, (book.byPurpose.get(lot.purpose) ?? 0) + move.sign * lot.amountFen);

    // Arrivals by appropriation, for idle funds.
    if (move.sign === 1) {
      for (const lot of move.lots) if (!isOverdrawnLot(lot)) arrive(book, lot, date, event.id);
      if (!book.lastInflow || date > book.lastInflow) book.lastInflow = date;
    } else {
      const undoingArrival = event.type === 'EntryReversed';
      for (const lot of move.lots) if (!isOverdrawnLot(lot)) depart(book, lot, undoingArrival);
    }

    // The running balance, in the order the log recorded it.
    const before = book.balanceFen;
    book.balanceFen += move.sign * move.amountFen;
    const after = book.balanceFen;
    if (after < 0) {
      if (!book.episode) {
        book.episode = { account: move.account, startId: event.id, startDate: date, worstFen: -after, worstDate: date, proof: new Proof() };
        book.episode.proof.add(event.id);
        state.episodes.push(book.episode);
      } else if (after < before) {
        book.episode.proof.add(event.id);
        if (-after > book.episode.worstFen) {
          book.episode.worstFen = -after;
          book.episode.worstDate = date;
        }
      }
    } else if (book.episode) {
      book.episode.endId = event.id;
      book.episode.endDate = date;
      book.episode = null;
    }
  },
  finish(state, ctx) {
    for (const e of state.episodes) raiseEpisode(e, ctx);
    raiseIdle(state, ctx);
  },
};

function raiseEpisode(e: Episode, ctx: FinishContext): void {
  const note = e.proof.note();
  const still = e.endDate === undefined;
  raise(ctx, {
    code: 'overspend',
    key: e.startId,
    severity: 'severe',
    areaCode: ctx.facts.areaOfAccount(e.account),
    accounts: [e.account],
    amountFen: e.worstFen,
    eventIds: e.proof.ids,
    parameters: { worstBalanceFen: -e.worstFen, worstOn: e.worstDate, from: e.startDate, until: e.endDate ?? null },
    effectiveDate: e.startDate,
    explanation: {
      zh: `账户 ${e.account} 自 ${e.startDate} 起支出超过收入，余额为负，最低至 ${yuan(-e.worstFen)}（${e.worstDate}）${still ? '，至今未补足' : `，至 ${e.endDate} 补足`}${note.zh}。`,
      en: `Account ${e.account} paid out more than it received from ${e.startDate}: its balance went below zero, to ${yuan(-e.worstFen)} at worst on ${e.worstDate}${still ? ', and has not recovered' : `, until ${e.endDate}`}${note.en}.`,
    },
  });
}

function raiseIdle(state: BalanceState, ctx: FinishContext): void {
  const rules = ctx.rulesOn(ctx.asOf).parameters;
  const warn = rules.idleWarningMonths;
  const severe = rules.idleSevereMonths;
  for (const [account, book] of state.accounts) {
    const kind = kindOfAccount(ctx.facts, account);
    // The risk fund is meant to sit until a loan defaults.
    if (kind === 'riskfund') continue;
    // A pool still receiving money is in use.
    if (kind === 'pool' && book.lastInflow && monthsBetween(book.lastInflow, ctx.asOf) < warn) continue;
    for (const [appropriationId, queue] of book.queues) {
      if (NO_IDLE_SOURCE_TYPES.has(queue.sourceType)) continue;
      const category = ctx.facts.sources.get(queue.sourceId)?.category;
      if (category && NO_IDLE_CATEGORIES.has(category)) continue;
      let idleFen = 0;
      let severeFen = 0;
      let since: string | undefined;
      const proof = new Proof();
      let lastDate = '';
      let months = 0;
      for (let i = queue.head; i < queue.dates.length; i++) {
        const date = queue.dates[i]!;
        if (date !== lastDate) {
          months = monthsBetween(date, ctx.asOf);
          lastDate = date;
        }
        if (months < warn) break;
        const amount = queue.amounts[i]!;
        if (amount <= 0) continue;
        since ??= date;
        idleFen += amount;
        if (months >= severe) severeFen += amount;
        proof.add(queue.ids[i]!);
      }
      if (idleFen === 0 || since === undefined) continue;
      const monthsIdle = monthsBetween(since, ctx.asOf);
      const note = proof.note();
      raise(ctx, {
        code: 'idle_funds',
        key: `${account}:${appropriationId}`,
        severity: severeFen > 0 ? 'severe' : 'warning',
        areaCode: ctx.facts.areaOfAccount(account),
        accounts: [account],
        amountFen: idleFen,
        eventIds: proof.ids,
        parameters: { idleWarningMonths: warn, idleSevereMonths: severe, appropriationId, sourceId: queue.sourceId, heldSince: since, monthsIdle, severeFen, asOf: ctx.asOf },
        effectiveDate: since,
        explanation: {
          zh: `账户 ${account} 中拨款 ${appropriationId}（来源 ${queue.sourceId}）的 ${yuan(idleFen)} 自 ${since} 到账后至 ${ctx.asOf} 已闲置 ${monthsIdle} 个月未拨付使用（预警 ${warn} 个月，严重 ${severe} 个月${severeFen > 0 ? `；其中 ${yuan(severeFen)} 已超过 ${severe} 个月` : ''}）${note.zh}。`,
          en: `${yuan(idleFen)} of appropriation ${appropriationId} (source ${queue.sourceId}) has sat unspent in account ${account} since ${since}: ${monthsIdle} months as of ${ctx.asOf} (warning at ${warn}, severe at ${severe} months${severeFen > 0 ? `; ${yuan(severeFen)} of it over ${severe} months` : ''})${note.en}.`,
        },
      });
    }
  }
}

// ---------------------------------------------------------------- purpose mismatch

interface PurposeState {
  /** `{planId}|{integrationId}` → the FundsIntegratedOut event, until its FundsIntegratedIn arrives. */
  integrationsOut: Map<string, string>;
}

export const purposeRule: Rule<PurposeState> = {
  name: 'money spent on a purpose its source or plan does not allow',
  codes: ['purpose_mismatch'],
  handles: ['PaymentMade', 'FundsIntegratedOut', 'FundsIntegratedIn'],
  initial: () => ({ integrationsOut: new Map() }),
  evolve(state, event, ctx) {
    const account = accountOfStream(event.stream);
    if (!account) return;
    if (event.type === 'FundsIntegratedOut') {
      const o = event.data as DataOf<'FundsIntegratedOut'>;
      state.integrationsOut.set(`${o.planId}|${o.integrationId}`, event.id);
      return;
    }
    if (event.type === 'FundsIntegratedIn') return integrationIn(state, event, account, ctx);
    paymentPurpose(event, account, ctx);
  },
};

function paymentPurpose(event: ProjectedEvent, account: string, ctx: RuleContext): void {
  const p = event.data as DataOf<'PaymentMade'>;
  const date = effectiveDate(event);
  const rules = ctx.rulesOn(date).parameters;
  const reasons: { zh: string; en: string }[] = [];
  let amountFen = 0;
  const sources = new Set<string>();
  if (rules.prohibitedPurposes.includes(p.purpose)) {
    reasons.push({ zh: `用途 ${p.purpose} 属于现行规则禁止的用途`, en: `${p.purpose} is a purpose the rules in force prohibit` });
    amountFen = p.amountFen;
  }
  let offLots = 0;
  for (const lot of p.lots) {
    if (isOverdrawnLot(lot)) continue;
    const source = ctx.facts.sources.get(lot.sourceId);
    if (source?.prohibitedPurposes.includes(p.purpose)) {
      if (!sources.has(lot.sourceId)) reasons.push({ zh: `资金来源 ${lot.sourceId} 禁止用于 ${p.purpose}`, en: `source ${lot.sourceId} may not be spent on ${p.purpose}` });
      sources.add(lot.sourceId);
      offLots += lot.amountFen;
      continue;
    }
    if (lot.purpose !== p.purpose) {
      const plan = lot.planId ? ctx.facts.plans.get(lot.planId) : undefined;
      if (plan?.allowedPurposes.includes(p.purpose)) continue;
      reasons.push({
        zh: `拨款 ${lot.appropriationId} 的 ${yuan(lot.amountFen)} 用途为 ${lot.purpose}${lot.planId ? `，整合方案 ${lot.planId} 也不允许用于 ${p.purpose}` : '，且无整合方案改变其用途'}`,
        en: `${yuan(lot.amountFen)} of appropriation ${lot.appropriationId} is for ${lot.purpose}${lot.planId ? ` and plan ${lot.planId} does not allow ${p.purpose}` : ', and no integration plan changed its purpose'}`,
      });
      offLots += lot.amountFen;
    }
  }
  if (reasons.length === 0) return;
  amountFen = Math.max(amountFen, offLots);
  raise(ctx, {
    code: 'purpose_mismatch',
    key: event.id,
    severity: 'severe',
    areaCode: ctx.facts.areaOfAccount(account),
    accounts: [account],
    amountFen,
    eventIds: [event.id],
    parameters: { purpose: p.purpose, prohibitedPurposes: rules.prohibitedPurposes, sources: [...new Set(p.lots.map((l) => l.sourceId))] },
    effectiveDate: date,
    explanation: {
      zh: `账户 ${account} 于 ${date} 支付 ${yuan(p.amountFen)}（${p.paymentId}）用于 ${p.purpose}，涉及 ${yuan(amountFen)}：${reasons.map((r) => r.zh).join('；')}。`,
      en: `Account ${account} paid ${yuan(p.amountFen)} (${p.paymentId}) for ${p.purpose} on ${date}, ${yuan(amountFen)} of it off purpose: ${reasons.map((r) => r.en).join('; ')}.`,
    },
  });
}

function integrationIn(state: PurposeState, event: ProjectedEvent, account: string, ctx: RuleContext): void {
  const d = event.data as DataOf<'FundsIntegratedIn'>;
  const key = `${d.planId}|${d.integrationId}`;
  const outId = state.integrationsOut.get(key);
  state.integrationsOut.delete(key);
  const plan = ctx.facts.plans.get(d.planId);
  const reasons: { zh: string; en: string }[] = [];
  let amountFen = 0;
  const purposes = new Set(d.lots.map((l) => l.purpose));
  if (!plan) {
    reasons.push({ zh: `整合方案 ${d.planId} 未经批准`, en: `plan ${d.planId} was never approved` });
    amountFen = d.amountFen;
  } else {
    for (const purpose of purposes) {
      if (plan.allowedPurposes.includes(purpose)) continue;
      const fen = d.lots.filter((l) => l.purpose === purpose).reduce((s, l) => s + l.amountFen, 0);
      reasons.push({ zh: `方案只允许 ${plan.allowedPurposes.join('、')}，不含 ${purpose}（${yuan(fen)}）`, en: `the plan allows ${plan.allowedPurposes.join(', ')}, not ${purpose} (${yuan(fen)})` });
      amountFen += fen;
    }
    const bySource = new Map<string, number>();
    for (const lot of d.lots) if (!isOverdrawnLot(lot)) bySource.set(lot.sourceId, (bySource.get(lot.sourceId) ?? 0) + lot.amountFen);
    for (const [sourceId, fen] of bySource) {
      if (plan.sources.has(sourceId)) continue;
      reasons.push({ zh: `资金来源 ${sourceId} 不在方案内（${yuan(fen)}）`, en: `source ${sourceId} is not part of the plan (${yuan(fen)})` });
      amountFen += fen;
    }
  }
  if (reasons.length === 0) return;
  const date = effectiveDate(event);
  raise(ctx, {
    code: 'purpose_mismatch',
    key: outId ?? event.id,
    severity: 'severe',
    areaCode: ctx.facts.areaOfAccount(account),
    accounts: [d.fromAccount, account],
    amountFen: Math.min(amountFen, d.amountFen),
    eventIds: outId ? [outId, event.id] : [event.id],
    parameters: { planId: d.planId, allowedPurposes: plan?.allowedPurposes ?? [], purposes: [...purposes], planSources: plan ? [...plan.sources.keys()] : [] },
    effectiveDate: date,
    explanation: {
      zh: `${date} 依整合方案 ${d.planId} 从 ${d.fromAccount} 整合 ${yuan(d.amountFen)} 至 ${account}（${d.integrationId}）：${reasons.map((r) => r.zh).join('；')}。`,
      en: `${yuan(d.amountFen)} integrated from ${d.fromAccount} into ${account} under plan ${d.planId} on ${date} (${d.integrationId}): ${reasons.map((r) => r.en).join('; ')}.`,
    },
  });
}

// ---------------------------------------------------------------- unreceived transfers

interface PendingTransfer {
  transferId: string;
  from: string;
  to: string;
  amountFen: number;
  date: string;
  sentId: string;
}

interface TransferState {
  /** `{fromAccount}:{transferId}` → sent, neither received nor cancelled yet. */
  pending: Map<string, PendingTransfer>;
  /** TransferSent event id → its key, so a reversal of the send finds it. */
  bySentEvent: Map<string, string>;
}

export const transfersRule: Rule<TransferState> = {
  name: 'transfers sent and not confirmed received',
  codes: ['unreceived_transfer'],
  handles: ['TransferSent', 'TransferReceived', 'TransferCancelled', 'EntryReversed'],
  initial: () => ({ pending: new Map(), bySentEvent: new Map() }),
  evolve(state, event, ctx) {
    const account = accountOfStream(event.stream);
    if (!account) return;
    switch (event.type) {
      case 'TransferSent': {
        const s = event.data as DataOf<'TransferSent'>;
        const key = `${account}:${s.transferId}`;
        state.pending.set(key, { transferId: s.transferId, from: account, to: s.toAccount, amountFen: s.amountFen, date: effectiveDate(event), sentId: event.id });
        state.bySentEvent.set(event.id, key);
        return;
      }
      case 'TransferCancelled': {
        const c = event.data as DataOf<'TransferCancelled'>;
        forget(state, `${c.fromAccount}:${c.transferId}`);
        return;
      }
      case 'EntryReversed': {
        const r = event.data as DataOf<'EntryReversed'>;
        if (r.reversedType !== 'TransferSent') return;
        const key = state.bySentEvent.get(r.reversesEventId);
        if (key) forget(state, key);
        return;
      }
      case 'TransferReceived':
        received(state, event, account, ctx);
    }
  },
  finish(state, ctx) {
    for (const [key, p] of state.pending) {
      const deadline = ctx.rulesOn(p.date).parameters.receiptDeadlineDays;
      const days = daysBetween(p.date, ctx.asOf);
      if (days <= deadline) continue;
      raise(ctx, {
        code: 'unreceived_transfer',
        key,
        severity: 'severe',
        areaCode: ctx.facts.areaOfAccount(p.to) ?? ctx.facts.areaOfAccount(p.from),
        accounts: [p.from, p.to],
        amountFen: p.amountFen,
        eventIds: [p.sentId],
        parameters: { receiptDeadlineDays: deadline, sentOn: p.date, dueBy: addDays(p.date, deadline), daysSinceSent: days, asOf: ctx.asOf },
        effectiveDate: p.date,
        explanation: {
          zh: `${p.from} 于 ${p.date} 向 ${p.to} 拨付 ${yuan(p.amountFen)}（${p.transferId}），至 ${ctx.asOf} 已 ${days} 天仍未确认到账（时限 ${deadline} 天），可能被截留。`,
          en: `${yuan(p.amountFen)} sent from ${p.from} to ${p.to} on ${p.date} (${p.transferId}) is not confirmed received ${days} days later, as of ${ctx.asOf} (deadline ${deadline} days): possibly withheld (截留).`,
        },
      });
    }
  },
};

function forget(state: TransferState, key: string): void {
  const p = state.pending.get(key);
  if (!p) return;
  state.pending.delete(key);
  state.bySentEvent.delete(p.sentId);
}

function received(state: TransferState, event: ProjectedEvent, account: string, ctx: RuleContext): void {
  const r = event.data as DataOf<'TransferReceived'>;
  const key = `${r.fromAccount}:${r.transferId}`;
  const p = state.pending.get(key);
  if (!p) return;
  forget(state, key);
  const date = effectiveDate(event);
  const deadline = ctx.rulesOn(p.date).parameters.receiptDeadlineDays;
  const days = daysBetween(p.date, date);
  const area = ctx.facts.areaOfAccount(account) ?? ctx.facts.areaOfAccount(p.from);
  if (days > deadline) {
    raise(ctx, {
      code: 'unreceived_transfer',
      key,
      severity: 'warning',
      areaCode: area,
      accounts: [p.from, account],
      amountFen: p.amountFen,
      eventIds: [p.sentId, event.id],
      parameters: { receiptDeadlineDays: deadline, sentOn: p.date, receivedOn: date, daysToReceipt: days },
      effectiveDate: p.date,
      explanation: {
        zh: `${p.from} 于 ${p.date} 向 ${account} 拨付 ${yuan(p.amountFen)}（${p.transferId}），${date} 才确认到账，历时 ${days} 天，超过 ${deadline} 天时限。`,
        en: `${yuan(p.amountFen)} sent from ${p.from} to ${account} on ${p.date} (${p.transferId}) was confirmed received only on ${date}, ${days} days later, past the ${deadline}-day deadline.`,
      },
    });
  }
  if (r.amountFen < p.amountFen) {
    const short = p.amountFen - r.amountFen;
    // Keyed by the receipt, as the broken control (transfer_received_with_different_amount) is: one finding.
    raise(ctx, {
      code: 'unreceived_transfer',
      key: event.id,
      severity: 'severe',
      areaCode: area,
      accounts: [p.from, account],
      amountFen: short,
      eventIds: [p.sentId, event.id],
      parameters: { sentFen: p.amountFen, receivedFen: r.amountFen, transferId: p.transferId, sentOn: p.date, receivedOn: date },
      effectiveDate: date,
      explanation: {
        zh: `${p.from} 于 ${p.date} 向 ${account} 拨付 ${yuan(p.amountFen)}（${p.transferId}），${date} 仅确认到账 ${yuan(r.amountFen)}，短少 ${yuan(short)}，可能被截留。`,
        en: `${yuan(p.amountFen)} was sent from ${p.from} to ${account} on ${p.date} (${p.transferId}) but only ${yuan(r.amountFen)} was confirmed received on ${date}: ${yuan(short)} short, possibly withheld (截留).`,
      },
    });
  }
}

// ---------------------------------------------------------------- project overfunded

interface ProjectFunding {
  fundedFen: number;
  bySource: Map<string, number>;
  accounts: Set<string>;
  proof: Proof;
  /** The event that took funding over the budget (reset if it fell back within it). */
  crossedId: string | null;
  crossedDate: string | null;
  lastDate: string;
}

interface ProjectState {
  projects: Map<string, ProjectFunding>;
  /** Payments naming a project from another account, so a reversal of one takes it back. */
  payments: Map<string, string>;
}

function fundingOf(state: ProjectState, projectId: string): ProjectFunding {
  let f = state.projects.get(projectId);
  if (!f) {
    f = { fundedFen: 0, bySource: new Map(), accounts: new Set(), proof: new Proof(), crossedId: null, crossedDate: null, lastDate: '1900-01-01' };
    state.projects.set(projectId, f);
  }
  return f;
}

function fund(f: ProjectFunding, sign: 1 | -1, amountFen: number, lots: Lot[], event: ProjectedEvent, account: string, ctx: RuleContext, projectId: string): void {
  const date = effectiveDate(event);
  f.fundedFen += sign * amountFen;
  for (const lot of lots) f.bySource.set(lot.sourceId, (f.bySource.get(lot.sourceId) ?? 0) + sign * lot.amountFen);
  if (sign === 1) {
    f.proof.add(event.id);
    if (f.accounts.size < PROOF_LIMIT) f.accounts.add(account);
  }
  if (date > f.lastDate) f.lastDate = date;
  const budget = ctx.facts.projects.get(projectId)?.budgetFen;
  if (budget === undefined) return;
  if (f.fundedFen > budget) {
    if (f.crossedId === null) {
      f.crossedId = event.id;
      f.crossedDate = date;
    }
  } else {
    f.crossedId = null;
    f.crossedDate = null;
  }
}

export const projectsRule: Rule<ProjectState> = {
  name: 'projects funded beyond their approved budget',
  codes: ['project_overfunded'],
  handles: MONEY_TYPES,
  initial: () => ({ projects: new Map(), payments: new Map() }),
  evolve(state, event, ctx) {
    const move = movementOf(event);
    if (!move) return;
    const own = move.account.startsWith('project:') ? move.account.slice('project:'.length) : null;
    if (event.type === 'PaymentMade') {
      const p = event.data as DataOf<'PaymentMade'>;
      // Payments from the project's own account spend money already counted when it arrived.
      if (!p.projectId || p.projectId === own) return;
      state.payments.set(event.id, p.projectId);
      fund(fundingOf(state, p.projectId), 1, p.amountFen, p.lots, event, move.account, ctx, p.projectId);
      return;
    }
    if (event.type === 'EntryReversed') {
      const r = event.data as DataOf<'EntryReversed'>;
      const paid = state.payments.get(r.reversesEventId);
      if (paid) {
        state.payments.delete(r.reversesEventId);
        fund(fundingOf(state, paid), -1, r.amountFen, r.lots, event, move.account, ctx, paid);
        return;
      }
      if (r.reversedType === 'PaymentMade') return;
    }
    if (!own) return;
    // Into the project account counts; money sent back out of it (or an arrival undone) no longer does.
    fund(fundingOf(state, own), move.sign, move.amountFen, move.lots, event, move.account, ctx, own);
  },
  finish(state, ctx) {
    for (const [projectId, f] of state.projects) {
      const project = ctx.facts.projects.get(projectId);
      if (!project || f.fundedFen <= project.budgetFen) continue;
      const excess = f.fundedFen - project.budgetFen;
      const channels = [...f.bySource].filter(([, fen]) => fen > 0).sort((a, b) => b[1] - a[1]);
      const list = channels.map(([s, fen]) => `${s} ${yuan(fen)}`);
      const note = f.proof.note();
      const crossed = f.crossedDate ?? f.lastDate;
      raise(ctx, {
        code: 'project_overfunded',
        key: `project:${projectId}`,
        severity: channels.length > 1 ? 'severe' : 'warning',
        areaCode: project.villageCode,
        accounts: [...f.accounts],
        amountFen: excess,
        eventIds: f.proof.ids,
        parameters: { budgetFen: project.budgetFen, fundedFen: f.fundedFen, channels: Object.fromEntries(channels), overBudgetFrom: crossed },
        effectiveDate: crossed,
        explanation: {
          zh: `项目 ${projectId}（${project.name}）批复预算 ${yuan(project.budgetFen)}，实际到位及支付 ${yuan(f.fundedFen)}，超出 ${yuan(excess)}；资金渠道 ${channels.length} 个：${list.join('、')}${channels.length > 1 ? '（多渠道交叉重复安排）' : ''}${note.zh}。`,
          en: `Project ${projectId} (${project.name}) has an approved budget of ${yuan(project.budgetFen)} but was funded ${yuan(f.fundedFen)}, ${yuan(excess)} over, from ${channels.length} channel(s): ${list.join(', ')}${channels.length > 1 ? ' (funded twice across channels, 交叉重复)' : ''}${note.en}.`,
        },
      });
    }
  },
};

// ---------------------------------------------------------------- interest subsidies

interface Grant {
  loanId: string;
  seq: number;
  from: string;
  to: string;
  amountFen: number;
  date: string;
  /** The PaymentMade of the 贴息 (where a broken control is recorded), else the grant itself. */
  key: string;
  grantId: string;
  paymentEventId: string | null;
  account: string;
  /** Default or misuse already recorded in the log when the grant was. */
  flaggedBefore: { default: boolean; misuse: boolean };
}

interface SubsidyState {
  /** `{account}|{paymentId}` → PaymentMade event of a 贴息, until its grant arrives. */
  payments: Map<string, string>;
  grants: Map<string, Grant[]>;
  seq: number;
}

/** Interest due for subsidy over [from, to]: accruals overlapping the window, pro rata by day, at the ratio for their dates. */
function subsidyDue(loan: NonNullable<ReturnType<Facts['loans']['get']>>, from: string, to: string, rules: RuleParameters): { accruedFen: number; dueFen: number; uncappedDueFen: number; cappedShare: number; ratios: number[] } {
  let accrued = 0;
  let due = 0;
  const ratios = new Set<number>();
  for (const a of loan.accruals) {
    if (a.to < from || a.from > to) continue;
    const days = daysBetween(a.from, a.to) + 1;
    const lo = a.from > from ? a.from : from;
    const hi = a.to < to ? a.to : to;
    const overlap = daysBetween(lo, hi) + 1;
    const share = (a.interestFen * overlap) / days;
    accrued += share;
    // Whole accrual under one ratio (the usual case): exact; otherwise split by the ratio periods, by day.
    const whole = subsidyRatioFor(rules, lo, hi);
    if (whole !== null) {
      ratios.add(whole);
      due += (share * whole) / 10_000;
      continue;
    }
    for (const r of rules.subsidyRatios) {
      const rl = r.from > lo ? r.from : lo;
      const rh = r.to < hi ? r.to : hi;
      if (rl > rh) continue;
      ratios.add(r.ratioBp);
      due += (a.interestFen * (daysBetween(rl, rh) + 1) * r.ratioBp) / days / 10_000;
    }
  }
  const cappedShare = Math.min(1, rules.microLoanCapFen / loan.loan.principalFen);
  return { accruedFen: accrued, dueFen: due * cappedShare, uncappedDueFen: due, cappedShare, ratios: [...ratios] };
}

/** Floors a computed amount, forgiving float error (an exact ¥1,000.00 computed as 99,999.9999999). */
const floorFen = (fen: number): number => Math.floor(fen + 1e-6);

export const subsidiesRule: Rule<SubsidyState> = {
  name: '贴息 beyond the interest due, twice for one window, or on a loan in default',
  codes: ['subsidy_exceeds_interest', 'subsidy_on_defaulted_loan'],
  handles: ['PaymentMade', 'InterestSubsidyGranted'],
  initial: () => ({ payments: new Map(), grants: new Map(), seq: 0 }),
  evolve(state, event, ctx) {
    if (event.type === 'PaymentMade') {
      const p = event.data as DataOf<'PaymentMade'>;
      const account = accountOfStream(event.stream);
      if (p.loanId && p.purpose === 'interest_subsidy' && account) state.payments.set(`${account}|${p.paymentId}`, event.id);
      return;
    }
    const g = event.data as DataOf<'InterestSubsidyGranted'>;
    const payKey = `${g.fromAccount}|${g.paymentId}`;
    const paymentEventId = state.payments.get(payKey) ?? null;
    state.payments.delete(payKey);
    const loan = ctx.facts.loans.get(g.loanId);
    const grant: Grant = {
      loanId: g.loanId,
      seq: state.seq++,
      from: g.windowFrom,
      to: g.windowTo,
      amountFen: g.amountFen,
      date: effectiveDate(event),
      key: paymentEventId ?? event.id,
      grantId: event.id,
      paymentEventId,
      account: g.fromAccount,
      flaggedBefore: { default: loan?.defaultedOn !== undefined, misuse: loan?.misuseFlaggedOn !== undefined },
    };
    const list = state.grants.get(g.loanId);
    if (list) list.push(grant);
    else state.grants.set(g.loanId, [grant]);
  },
  finish(state, ctx) {
    for (const [loanId, grants] of state.grants) {
      const loan = ctx.facts.loans.get(loanId);
      const overlaps = overlapping(grants);
      for (const grant of grants) {
        const rules = ctx.rulesOn(grant.date).parameters;
        const ids = (extra: string[] = []): string[] => [...(grant.paymentEventId ? [grant.paymentEventId] : []), grant.grantId, ...extra];
        const area = loan && loan.loan.villageCode !== '000000000000' ? loan.loan.villageCode : ctx.facts.areaOfAccount(grant.account);
        // Beyond the interest due, or on the part of the principal above the cap.
        const reasons: { zh: string; en: string }[] = [];
        const params: Record<string, ParameterValue> = { loanId, windowFrom: grant.from, windowTo: grant.to, subsidyFen: grant.amountFen, microLoanCapFen: rules.microLoanCapFen, subsidyRatios: rules.subsidyRatios.map((r) => ({ from: r.from, to: r.to, ratioBp: r.ratioBp })) };
        let excess = 0;
        let proofIds = ids(loan ? loan.accruals.filter((a) => a.to >= grant.from && a.from <= grant.to).map((a) => a.eventId) : []);
        if (loan) {
          const due = subsidyDue(loan, grant.from, grant.to, rules);
          const dueFen = floorFen(due.dueFen);
          Object.assign(params, { accruedFen: floorFen(due.accruedFen), dueFen, principalFen: loan.loan.principalFen, ratiosBp: due.ratios });
          if (grant.amountFen > dueFen) {
            excess = grant.amountFen - dueFen;
            const capped = due.cappedShare < 1 && grant.amountFen <= floorFen(due.uncappedDueFen);
            reasons.push(
              capped
                ? {
                    zh: `贷款本金 ${yuan(loan.loan.principalFen)} 超过 ${yuan(rules.microLoanCapFen)} 上限，超出部分的利息不予贴息：应贴 ${yuan(dueFen)}（按 ${yuan(rules.microLoanCapFen)} 折算），实贴 ${yuan(grant.amountFen)}，多贴 ${yuan(excess)}`,
                    en: `the principal ${yuan(loan.loan.principalFen)} is over the ${yuan(rules.microLoanCapFen)} cap and interest on the part above it is not subsidised: ${yuan(dueFen)} was due pro rata, ${yuan(grant.amountFen)} paid, ${yuan(excess)} too much`,
                  }
                : {
                    zh: `该期间计息 ${yuan(floorFen(due.accruedFen))}，按贴息比例 ${due.ratios.map(bp).join('/') || '0%'}${due.cappedShare < 1 ? `（本金按上限折算）` : ''}应贴 ${yuan(dueFen)}，实贴 ${yuan(grant.amountFen)}，多贴 ${yuan(excess)}`,
                    en: `interest accrued for the window is ${yuan(floorFen(due.accruedFen))}; at ${due.ratios.map(bp).join('/') || '0%'}${due.cappedShare < 1 ? ' on the capped principal' : ''} ${yuan(dueFen)} was due, ${yuan(grant.amountFen)} paid, ${yuan(excess)} too much`,
                  },
            );
          }
        }
        const earlier = overlaps.get(grant.seq);
        if (earlier) {
          excess = Math.max(excess, grant.amountFen);
          proofIds = [...(earlier.paymentEventId ? [earlier.paymentEventId] : []), earlier.grantId, ...proofIds];
          params.overlapsWindow = `${earlier.from}..${earlier.to}`;
          reasons.push({ zh: `与已贴息期间 ${earlier.from} 至 ${earlier.to}（${yuan(earlier.amountFen)}）重叠，重复贴息`, en: `the window overlaps ${earlier.from} to ${earlier.to}, already subsidised (${yuan(earlier.amountFen)}): subsidised twice` });
        }
        if (reasons.length > 0) {
          raise(ctx, {
            code: 'subsidy_exceeds_interest',
            key: grant.key,
            severity: 'severe',
            areaCode: area,
            accounts: [grant.account],
            amountFen: excess,
            eventIds: proofIds.slice(0, PROOF_LIMIT),
            parameters: params,
            effectiveDate: grant.date,
            explanation: {
              zh: `贷款 ${loanId} 于 ${grant.date} 从 ${grant.account} 贴息 ${yuan(grant.amountFen)}（期间 ${grant.from} 至 ${grant.to}）：${reasons.map((r) => r.zh).join('；')}。`,
              en: `${yuan(grant.amountFen)} of 贴息 paid from ${grant.account} on ${grant.date} for micro-loan ${loanId}, window ${grant.from} to ${grant.to}: ${reasons.map((r) => r.en).join('; ')}.`,
            },
          });
        }
        if (loan) defaulted(grant, loan, area, ids, ctx);
      }
    }
  },
};

/** For each grant whose window overlaps one granted earlier in the log, that earlier grant. */
function overlapping(grants: Grant[]): Map<number, Grant> {
  const out = new Map<number, Grant>();
  if (grants.length < 2) return out;
  const byFrom = [...grants].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.seq - b.seq));
  // Sweep by window start, keeping the grants whose windows are still open.
  let open: Grant[] = [];
  for (const g of byFrom) {
    open = open.filter((o) => o.to >= g.from);
    for (const o of open) {
      const [first, later] = o.seq < g.seq ? [o, g] : [g, o];
      if (!out.has(later.seq)) out.set(later.seq, first);
    }
    open.push(g);
  }
  return out;
}

function defaulted(grant: Grant, loan: NonNullable<ReturnType<Facts['loans']['get']>>, area: string | null, ids: (extra?: string[]) => string[], ctx: FinishContext): void {
  const flags: { kind: 'default' | 'misuse'; on: string; eventId: string; before: boolean }[] = [];
  if (loan.defaultedOn && loan.defaultEventId) flags.push({ kind: 'default', on: loan.defaultedOn, eventId: loan.defaultEventId, before: grant.flaggedBefore.default });
  if (loan.misuseFlaggedOn && loan.misuseEventId) flags.push({ kind: 'misuse', on: loan.misuseFlaggedOn, eventId: loan.misuseEventId, before: grant.flaggedBefore.misuse });
  // In effect: flagged on or before the grant was paid or within the window it pays for; or already in the log.
  const hit = flags.filter((f) => f.before || f.on <= grant.date || f.on <= grant.to).sort((a, b) => (a.on < b.on ? -1 : 1))[0];
  if (!hit) return;
  const what = hit.kind === 'default' ? { zh: '违约', en: 'in default' } : { zh: '被认定挪用', en: 'flagged as misused' };
  raise(ctx, {
    code: 'subsidy_on_defaulted_loan',
    key: grant.key,
    severity: 'severe',
    areaCode: area,
    accounts: [grant.account],
    amountFen: grant.amountFen,
    eventIds: ids([hit.eventId]),
    parameters: { loanId: grant.loanId, flag: hit.kind, flaggedOn: hit.on, windowFrom: grant.from, windowTo: grant.to, paidOn: grant.date, recordedBeforeGrant: hit.before },
    effectiveDate: grant.date,
    explanation: {
      zh: `贷款 ${grant.loanId} 自 ${hit.on} 起${what.zh}，仍于 ${grant.date} 从 ${grant.account} 贴息 ${yuan(grant.amountFen)}（期间 ${grant.from} 至 ${grant.to}）。`,
      en: `Micro-loan ${grant.loanId} is ${what.en} since ${hit.on}, yet ${yuan(grant.amountFen)} of 贴息 was paid from ${grant.account} on ${grant.date} for ${grant.from} to ${grant.to}.`,
    },
  });
}

// ---------------------------------------------------------------- ineligible loans

export const loansRule: Rule<null> = {
  name: 'micro-loans outside the product or to ineligible households',
  codes: ['ineligible_loan'],
  // Decided from the shared loan facts when findings are asked for, so a registry change recorded later counts.
  handles: [],
  initial: () => null,
  evolve() {},
  finish(_state, ctx) {
    for (const l of ctx.facts.loans.values()) {
      const loan = l.loan;
      const rules = ctx.rulesOn(loan.issuedOn).parameters;
      const reasons: { zh: string; en: string }[] = [];
      let severity: Severity = 'warning';
      const eventIds = [l.eventId];
      if (loan.principalFen > rules.microLoanCapFen) {
        severity = 'severe';
        reasons.push({ zh: `本金 ${yuan(loan.principalFen)} 超过 ${yuan(rules.microLoanCapFen)} 上限`, en: `principal ${yuan(loan.principalFen)} is over the ${yuan(rules.microLoanCapFen)} cap` });
      }
      if (loan.termMonths > rules.microLoanMaxTermMonths) reasons.push({ zh: `期限 ${loan.termMonths} 个月超过 ${rules.microLoanMaxTermMonths} 个月`, en: `term ${loan.termMonths} months is over ${rules.microLoanMaxTermMonths} months` });
      if (loan.annualRateBp > rules.benchmarkRateBp) reasons.push({ zh: `年利率 ${bp(loan.annualRateBp)} 高于基准利率 ${bp(rules.benchmarkRateBp)}`, en: `annual rate ${bp(loan.annualRateBp)} is above the benchmark ${bp(rules.benchmarkRateBp)}` });
      const household = ctx.facts.households.get(loan.householdId);
      const status = household ? ctx.facts.statusOn(household, loan.issuedOn) : undefined;
      if (!household || !status) {
        severity = 'severe';
        reasons.push({ zh: `农户 ${loan.householdId} 在 ${loan.issuedOn} 未建档立卡`, en: `household ${loan.householdId} was not registered on ${loan.issuedOn}` });
      } else if (status.status === 'removed') {
        severity = 'severe';
        eventIds.unshift(status.eventId);
        reasons.push({ zh: `农户 ${loan.householdId} 已于 ${status.since} 被清退`, en: `household ${loan.householdId} was removed from the registry on ${status.since}` });
      } else if (status.status === 'exited') {
        const days = daysBetween(status.since, loan.issuedOn);
        if (days > rules.postExitWindowDays) {
          severity = 'severe';
          eventIds.unshift(status.eventId);
          reasons.push({ zh: `农户 ${loan.householdId} 已于 ${status.since} 脱贫，放贷时已过 ${days} 天，超过 ${rules.postExitWindowDays} 天政策延续期`, en: `household ${loan.householdId} exited poverty on ${status.since}, ${days} days before, past the ${rules.postExitWindowDays}-day policy window` });
        }
      }
      if (reasons.length === 0) continue;
      raise(ctx, {
        code: 'ineligible_loan',
        key: l.eventId,
        severity,
        areaCode: loan.villageCode === '000000000000' ? null : loan.villageCode,
        accounts: [],
        amountFen: loan.principalFen,
        eventIds,
        parameters: { microLoanCapFen: rules.microLoanCapFen, microLoanMaxTermMonths: rules.microLoanMaxTermMonths, benchmarkRateBp: rules.benchmarkRateBp, postExitWindowDays: rules.postExitWindowDays, householdStatus: status?.status ?? null },
        effectiveDate: loan.issuedOn,
        explanation: {
          zh: `${loan.bank} 于 ${loan.issuedOn} 向农户 ${loan.householdId} 发放扶贫小额信贷 ${loan.loanId}（${yuan(loan.principalFen)}，${loan.termMonths} 个月，年利率 ${bp(loan.annualRateBp)}）不符合条件：${reasons.map((r) => r.zh).join('；')}。`,
          en: `Micro-loan ${loan.loanId} of ${yuan(loan.principalFen)} for ${loan.termMonths} months at ${bp(loan.annualRateBp)}, issued by ${loan.bank} to household ${loan.householdId} on ${loan.issuedOn}, is outside the product: ${reasons.map((r) => r.en).join('; ')}.`,
        },
      });
    }
  },
};

// ---------------------------------------------------------------- risk compensation fund

interface FundMove {
  date: string;
  fen: number;
  eventId: string;
}

interface RiskFund {
  account: string;
  moves: FundMove[];
  /** Contributions by party, by appropriation, so a reversal of one takes it back. */
  contributions: Map<string, { party: string; fen: number; date: string; eventId: string }>;
}

interface RiskFundState {
  funds: Map<string, RiskFund>;
  /** Loan → repayments, by date. */
  repaid: Map<string, { on: string; fen: number }[]>;
}

export const riskFundRule: Rule<RiskFundState> = {
  name: 'risk compensation fund: 3% of micro-loans outstanding, government and bank 7:3',
  codes: ['risk_fund_ratio'],
  handles: [...MONEY_TYPES, 'LoanRepaid'],
  initial: () => ({ funds: new Map(), repaid: new Map() }),
  evolve(state, event, ctx) {
    if (event.type === 'LoanRepaid') {
      const r = event.data as DataOf<'LoanRepaid'>;
      const list = state.repaid.get(r.loanId);
      if (list) list.push({ on: r.on, fen: r.amountFen });
      else state.repaid.set(r.loanId, [{ on: r.on, fen: r.amountFen }]);
      return;
    }
    const account = accountOfStream(event.stream);
    if (!account?.startsWith('riskfund:')) return;
    const move = movementOf(event);
    if (!move) return;
    const county = ctx.facts.countyOf(account.slice('riskfund:'.length));
    let fund = state.funds.get(county);
    if (!fund) {
      fund = { account, moves: [], contributions: new Map() };
      state.funds.set(county, fund);
    }
    const date = effectiveDate(event);
    fund.moves.push({ date, fen: move.sign * move.amountFen, eventId: event.id });
    if (event.type === 'AppropriationReceived') {
      const a = event.data as DataOf<'AppropriationReceived'>;
      fund.contributions.set(a.appropriationId, { party: a.party ?? 'unstated', fen: a.amountFen, date, eventId: event.id });
    } else if (event.type === 'EntryReversed' && (event.data as DataOf<'EntryReversed'>).reversedType === 'AppropriationReceived') {
      for (const lot of (event.data as DataOf<'EntryReversed'>).lots) {
        const c = fund.contributions.get(lot.appropriationId);
        if (c) c.fen -= lot.amountFen;
      }
    }
  },
  finish(state, ctx) {
    const asOf = ctx.asOf;
    const rules = ctx.rulesOn(asOf).parameters;
    // Micro-loan principal outstanding per county, as of the date.
    const outstanding = new Map<string, { fen: number; loans: number; proof: Proof }>();
    for (const l of ctx.facts.loans.values()) {
      // A loan to an unknown household has no village, so no county to hold it against.
      if (l.loan.issuedOn > asOf || l.loan.villageCode === '000000000000') continue;
      let repaid = 0;
      for (const r of state.repaid.get(l.loan.loanId) ?? []) if (r.on <= asOf) repaid += r.fen;
      const left = l.loan.principalFen - repaid;
      if (left <= 0) continue;
      const county = ctx.facts.countyOf(l.loan.villageCode);
      let o = outstanding.get(county);
      if (!o) {
        o = { fen: 0, loans: 0, proof: new Proof() };
        outstanding.set(county, o);
      }
      o.fen += left;
      o.loans += 1;
      o.proof.add(l.eventId);
    }
    const counties = new Set([...outstanding.keys(), ...state.funds.keys()]);
    for (const county of counties) {
      const o = outstanding.get(county);
      const fund = state.funds.get(county);
      const account = fund?.account ?? `riskfund:${county}`;
      let balance = 0;
      const fundProof = new Proof();
      for (const m of fund?.moves ?? []) {
        if (m.date > asOf) continue;
        balance += m.fen;
        fundProof.add(m.eventId);
      }
      if (o && o.fen > 0) {
        const required = Math.ceil((o.fen * rules.riskFundRatioBp) / 10_000);
        if (balance < required) {
          const shortfall = required - balance;
          const note = o.proof.note();
          raise(ctx, {
            code: 'risk_fund_ratio',
            key: `${account}:ratio`,
            severity: balance * 2 < required ? 'severe' : 'warning',
            areaCode: county,
            accounts: [account],
            amountFen: shortfall,
            eventIds: [...fundProof.ids, ...o.proof.ids].slice(0, PROOF_LIMIT),
            parameters: { riskFundRatioBp: rules.riskFundRatioBp, outstandingFen: o.fen, loansOutstanding: o.loans, requiredFen: required, fundBalanceFen: balance, asOf },
            effectiveDate: asOf,
            explanation: {
              zh: `截至 ${asOf}，县 ${county} 扶贫小额信贷余额 ${yuan(o.fen)}（${o.loans} 笔），风险补偿金应不低于 ${bp(rules.riskFundRatioBp)} 即 ${yuan(required)}，账户 ${account} 仅有 ${yuan(balance)}，缺口 ${yuan(shortfall)}${note.zh}。`,
              en: `As of ${asOf}, county ${county} has ${yuan(o.fen)} of micro-loans outstanding (${o.loans} loans); its risk compensation fund should hold at least ${bp(rules.riskFundRatioBp)}, ${yuan(required)}, but ${account} holds ${yuan(balance)}: ${yuan(shortfall)} short${note.en}.`,
            },
          });
        }
      }
      if (!fund) continue;
      let government = 0;
      let bank = 0;
      let unstated = 0;
      const ids: string[] = [];
      for (const c of fund.contributions.values()) {
        if (c.date > asOf || c.fen <= 0) continue;
        if (c.party === 'government') government += c.fen;
        else if (c.party === 'bank') bank += c.fen;
        else unstated += c.fen;
        if (ids.length < PROOF_LIMIT) ids.push(c.eventId);
      }
      const total = government + bank;
      if (total === 0) continue;
      const target = rules.riskFundGovernmentShareBp;
      const shareBp = Math.round((government * 10_000) / total);
      if (Math.abs(shareBp - target) <= 500) continue;
      const expectedGovernment = Math.round((total * target) / 10_000);
      raise(ctx, {
        code: 'risk_fund_ratio',
        key: `${account}:split`,
        severity: 'warning',
        areaCode: county,
        accounts: [account],
        amountFen: Math.abs(government - expectedGovernment),
        eventIds: ids,
        parameters: { riskFundGovernmentShareBp: target, toleranceBp: 500, governmentFen: government, bankFen: bank, unstatedFen: unstated, governmentShareBp: shareBp, asOf },
        effectiveDate: asOf,
        explanation: {
          zh: `截至 ${asOf}，风险补偿金 ${account} 中政府出资 ${yuan(government)}、银行出资 ${yuan(bank)}，政府占 ${bp(shareBp)}，应为 ${bp(target)}（允许上下 5 个百分点），政府应出资约 ${yuan(expectedGovernment)}${unstated > 0 ? `；另有 ${yuan(unstated)} 未注明出资方` : ''}。`,
          en: `As of ${asOf}, the risk compensation fund ${account} holds ${yuan(government)} from government and ${yuan(bank)} from banks: government ${bp(shareBp)}, where ${bp(target)} (±5 points) is required, about ${yuan(expectedGovernment)} from government${unstated > 0 ? `; ${yuan(unstated)} more names no party` : ''}.`,
        },
      });
    }
  },
};

// ---------------------------------------------------------------- county self-raised funds

/** Self-raised special funds should grow at least this much a year (seed 000: 确保每年增长不低于20%). */
export const SELF_RAISED_GROWTH_BP = 2_000;
/** … and be at least this share of the county's general budget revenue of the year (seed 000: 不低于2%). */
export const SELF_RAISED_SHARE_BP = 200;

interface Appropriated {
  county: string;
  year: number;
  sourceId: string;
  fen: number;
  proof: Proof;
}

interface SelfRaisedState {
  /** `{county}|{fiscalYear}|{sourceId}` → appropriated; the source's category is read at the end. */
  bySource: Map<string, Appropriated>;
}

export const selfRaisedRule: Rule<SelfRaisedState> = {
  name: 'county self-raised poverty funds growing at least 20% a year',
  codes: ['self_raised_funds_low'],
  handles: ['AppropriationReceived', 'EntryReversed'],
  initial: () => ({ bySource: new Map() }),
  evolve(state, event, ctx) {
    const account = accountOfStream(event.stream);
    if (!account) return;
    let lots: Lot[];
    let sign: 1 | -1 = 1;
    if (event.type === 'AppropriationReceived') {
      const a = event.data as DataOf<'AppropriationReceived'>;
      lots = [{ appropriationId: a.appropriationId, sourceId: a.sourceId, sourceType: a.sourceType, fiscalYear: a.fiscalYear, purpose: a.purpose, amountFen: a.amountFen }];
    } else {
      const r = event.data as DataOf<'EntryReversed'>;
      if (r.reversedType !== 'AppropriationReceived') return;
      lots = r.lots;
      sign = -1;
    }
    const area = ctx.facts.areaOfAccount(account);
    if (!area) return;
    const county = ctx.facts.countyOf(area);
    for (const lot of lots) {
      const key = `${county}|${lot.fiscalYear}|${lot.sourceId}`;
      let entry = state.bySource.get(key);
      if (!entry) {
        entry = { county, year: lot.fiscalYear, sourceId: lot.sourceId, fen: 0, proof: new Proof() };
        state.bySource.set(key, entry);
      }
      entry.fen += sign * lot.amountFen;
      entry.proof.add(event.id);
    }
  },
  finish(state, ctx) {
    // County and year → self-raised appropriations.
    const years = new Map<string, Map<number, { fen: number; ids: string[]; count: number; sources: Set<string> }>>();
    for (const e of state.bySource.values()) {
      if (ctx.facts.sources.get(e.sourceId)?.category !== 'county_self_raised') continue;
      let byYear = years.get(e.county);
      if (!byYear) {
        byYear = new Map();
        years.set(e.county, byYear);
      }
      let y = byYear.get(e.year);
      if (!y) {
        y = { fen: 0, ids: [], count: 0, sources: new Set() };
        byYear.set(e.year, y);
      }
      y.fen += e.fen;
      y.count += e.proof.count;
      y.sources.add(e.sourceId);
      for (const id of e.proof.ids) if (y.ids.length < PROOF_LIMIT) y.ids.push(id);
    }
    // The floor: a finished year with its revenue recorded, self-raised funds under 2% of it (none at all counts).
    for (const [key, revenue] of ctx.facts.budgetRevenue) {
      const [county = '', yearText = ''] = key.split('|');
      const year = Number(yearText);
      if (`${year}-12-31` > ctx.asOf) continue;
      const y = years.get(county)?.get(year);
      const fen = y?.fen ?? 0;
      const required = Math.ceil((revenue.fen * SELF_RAISED_SHARE_BP) / 10_000);
      if (fen >= required) continue;
      const shareBp = Math.floor((fen * 10_000) / revenue.fen);
      raise(ctx, {
        code: 'self_raised_funds_low',
        key: `${county}:${year}:share`,
        severity: fen === 0 ? 'severe' : 'warning',
        areaCode: county,
        accounts: [],
        amountFen: required - fen,
        eventIds: [revenue.eventId, ...(y?.ids ?? [])].slice(0, PROOF_LIMIT),
        parameters: { minimumShareBp: SELF_RAISED_SHARE_BP, fiscalYear: year, generalRevenueFen: revenue.fen, selfRaisedFen: fen, shareBp, requiredFen: required },
        effectiveDate: `${year}-12-31`,
        explanation: {
          zh: `县 ${county} ${year} 年度县级自筹扶贫资金 ${yuan(fen)}，仅为当年一般公共预算收入 ${yuan(revenue.fen)} 的 ${bp(shareBp)}，低于不低于 ${bp(SELF_RAISED_SHARE_BP)} 的要求（应不少于 ${yuan(required)}）。`,
          en: `County ${county} appropriated ${yuan(fen)} of self-raised poverty funds for ${year}, ${bp(shareBp)} of its ${yuan(revenue.fen)} general budget revenue, under the required ${bp(SELF_RAISED_SHARE_BP)} (at least ${yuan(required)}).`,
        },
      });
    }
    for (const [county, byYear] of years) {
      for (const [year, y] of byYear) {
        const prev = byYear.get(year - 1);
        // Only a year that is over, and only when both years have some.
        if (!prev || prev.fen <= 0 || y.fen <= 0 || `${year}-12-31` > ctx.asOf) continue;
        const required = Math.ceil((prev.fen * (10_000 + SELF_RAISED_GROWTH_BP)) / 10_000);
        if (y.fen >= required) continue;
        const growthBp = Math.round(((y.fen - prev.fen) * 10_000) / prev.fen);
        const shortfall = required - y.fen;
        const count = prev.count + y.count;
        const listed = [...prev.ids, ...y.ids].slice(0, PROOF_LIMIT);
        const note = count > listed.length ? { zh: `（共${count}笔，列出前${listed.length}笔）`, en: ` (${count} events in all; the first ${listed.length} listed)` } : { zh: '', en: '' };
        raise(ctx, {
          code: 'self_raised_funds_low',
          key: `${county}:${year}`,
          severity: 'warning',
          areaCode: county,
          accounts: [],
          amountFen: shortfall,
          eventIds: listed,
          parameters: { minimumGrowthBp: SELF_RAISED_GROWTH_BP, fiscalYear: year, previousFen: prev.fen, currentFen: y.fen, growthBp, requiredFen: required, sources: [...new Set([...prev.sources, ...y.sources])] },
          effectiveDate: `${year}-12-31`,
          explanation: {
            zh: `县 ${county} ${year} 年度县级自筹扶贫资金 ${yuan(y.fen)}，较 ${year - 1} 年的 ${yuan(prev.fen)} 增长 ${bp(growthBp)}，低于每年增长不低于 ${bp(SELF_RAISED_GROWTH_BP)} 的要求（应不少于 ${yuan(required)}，差 ${yuan(shortfall)}）${note.zh}。`,
            en: `County ${county} appropriated ${yuan(y.fen)} of self-raised poverty funds for ${year}, ${bp(growthBp)} over the ${yuan(prev.fen)} of ${year - 1}, short of the required ${bp(SELF_RAISED_GROWTH_BP)} annual growth (at least ${yuan(required)}; ${yuan(shortfall)} short)${note.en}.`,
          },
        });
      }
    }
  },
};

export const ACCOUNT_RULES = [balancesRule, purposeRule, transfersRule, projectsRule, subsidiesRule, loansRule, riskFundRule, selfRaisedRule] as unknown as Rule<never>[];
