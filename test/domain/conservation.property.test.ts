// Property: whatever sequence of postings is accepted, money is never created, lost or counted twice.
// For each source type, what the accounts hold plus what is in flight equals appropriations minus payments.
import fc from 'fast-check';
import t from 'tap';
import type { Lot } from '../../domain/events.js';
import type { AccountState } from '../../domain/state.js';
import { DomainError } from '../../domain/errors.js';
import { COUNTY, POOL, TOWNSHIP, TOWNSHIP_ACCOUNT, VILLAGE, VILLAGE_ACCOUNT, world, type CommandInput, type World } from './fixture.js';

const DONATION_POOL = `pool:${COUNTY}:donation-2020:2020`;
const OTHER = `village:${TOWNSHIP.slice(0, 9)}002`;
const ACCOUNTS = [POOL, DONATION_POOL, TOWNSHIP_ACCOUNT, VILLAGE_ACCOUNT, OTHER];
const PURPOSES = ['household_benefit', 'education_aid'] as const;

type Step =
  | { kind: 'appropriate'; source: 0 | 1; purpose: 0 | 1; amount: number }
  | { kind: 'send'; from: number; to: number; amount: number }
  | { kind: 'receive'; pick: number; amount: number }
  | { kind: 'pay'; from: number; purpose: 0 | 1; amount: number }
  | { kind: 'reverse'; account: number; pick: number };

const amount = fc.integer({ min: 1, max: 5_000_000 });
const small = fc.integer({ min: 1, max: 1_000_000 });
// Weighted so that most postings are accepted while every control still gets hit.
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('appropriate' as const), source: fc.constantFrom(0 as const, 1 as const), purpose: fc.constantFrom(0 as const, 1 as const), amount }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), from: fc.constantFrom(0, 0, 1, 2, 3, 4), to: fc.nat(4), amount: small }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('receive' as const), pick: fc.nat(50), amount: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: small }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), from: fc.nat(4), purpose: fc.constantFrom(0 as const, 1 as const), amount: small }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reverse' as const), account: fc.nat(4), pick: fc.nat(50) }) },
);

async function setUp(w: World): Promise<void> {
  await w.run({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null });
  await w.run({ type: 'RegisterArea', code: TOWNSHIP, name: '水洛镇', parentCode: COUNTY });
  await w.run({ type: 'RegisterArea', code: VILLAGE, name: '东关村', parentCode: TOWNSHIP });
  await w.run({ type: 'RegisterArea', code: OTHER.slice(8), name: '西关村', parentCode: TOWNSHIP });
  await w.run({ type: 'RegisterFundSource', sourceId: 'central-2020', name: '中央专项', category: 'central_special', sourceType: 'grant' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'donation-2020', name: '社会帮扶', category: 'donation', sourceType: 'donation' });
}

/** Turns a generated step into a command against what has happened so far. */
function commandFor(s: Step, sent: { id: string; from: string; to: string; amountFen: number }[], entries: Map<string, string[]>, n: number): CommandInput {
  // Draw from accounts that hold money most of the time, so that most postings can be accepted.
  const funded = [...entries.keys()];
  const source = (i: number): string => (funded.length > 0 && i % 5 !== 4 ? funded[i % funded.length]! : ACCOUNTS[i]!);
  switch (s.kind) {
    case 'appropriate':
      return { type: 'RecordAppropriation', appropriationId: `ap-${n}`, countyCode: COUNTY, sourceId: s.source === 0 ? 'central-2020' : 'donation-2020', fiscalYear: 2020, purpose: PURPOSES[s.purpose], amountFen: s.amount };
    case 'send':
      return { type: 'SendTransfer', transferId: `tr-${n}`, fromAccount: source(s.from), toAccount: ACCOUNTS[s.to]!, amountFen: s.amount };
    case 'receive': {
      const transfer = sent[s.pick % Math.max(1, sent.length)];
      if (!transfer) return { type: 'ReceiveTransfer', transferId: 'none', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 1 };
      return { type: 'ReceiveTransfer', transferId: transfer.id, fromAccount: transfer.from, toAccount: transfer.to, amountFen: s.amount === 0 ? transfer.amountFen : s.amount };
    }
    case 'pay':
      return { type: 'MakePayment', paymentId: `pay-${n}`, fromAccount: source(s.from), payee: { kind: 'contractor', id: `c-${n}` }, amountFen: s.amount, voucherNo: `PZ-${n}`, purpose: PURPOSES[s.purpose] };
    case 'reverse': {
      const account = ACCOUNTS[s.account]!;
      const ids = entries.get(account) ?? [];
      return { type: 'ReverseEntry', reversalId: `rv-${n}`, account, reversesEventId: ids[s.pick % Math.max(1, ids.length)] ?? '00000000-0000-4000-8000-000000000000', reason: '更正' };
    }
  }
}

function byType(lots: Lot[], into: Map<string, number>, sign: 1 | -1): void {
  for (const lot of lots) into.set(lot.sourceType, (into.get(lot.sourceType) ?? 0) + sign * lot.amountFen);
}

/** Appropriations minus payments per source type, from the log alone (reversals undo what they name). */
async function flowsFromLog(w: World): Promise<Map<string, number>> {
  const flows = new Map<string, number>();
  const byId = new Map<string, { type: string; lots: Lot[] }>();
  for (const event of await w.log()) {
    const data = event.data as { lots?: Lot[]; sourceType?: string; amountFen?: number; reversesEventId?: string; appropriationId?: string; purpose?: string; sourceId?: string; fiscalYear?: number };
    if (event.type === 'AppropriationReceived') {
      const lot = { sourceType: data.sourceType!, amountFen: data.amountFen! } as Lot;
      byId.set(event.id, { type: event.type, lots: [lot] });
      byType([lot], flows, 1);
    } else if (event.type === 'PaymentMade') {
      byId.set(event.id, { type: event.type, lots: data.lots! });
      byType(data.lots!, flows, -1);
    } else if (event.type === 'EntryReversed') {
      const original = byId.get(data.reversesEventId!);
      if (original?.type === 'AppropriationReceived') byType(original.lots, flows, -1);
      if (original?.type === 'PaymentMade') byType(original.lots, flows, 1);
    }
  }
  return flows;
}

/** What the accounts hold plus what is in flight, per source type, from the folded account states. */
async function heldFromStates(w: World): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  const received = new Set<string>();
  const states: AccountState[] = [];
  for (const account of ACCOUNTS) states.push((await w.executor.load(`account-${account}`)) as AccountState);
  for (const state of states) for (const id of state.received.keys()) received.add(id);
  for (const state of states) {
    byType([...state.lots.values()], held, 1);
    for (const [id, transfer] of state.sent) {
      const reversed = state.entries.get(transfer.eventId)?.reversed ?? false;
      if (!received.has(id) && !reversed) byType(transfer.lots, held, 1);
    }
  }
  return held;
}

function nonZero(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].filter(([, v]) => v !== 0).sort());
}

t.test('for any sequence of accepted postings, accounts plus in-flight equal appropriations minus payments, per source type', async (t) => {
  let accepted = 0;
  let refused = 0;
  const codes = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), async (steps) => {
      const w = world();
      await setUp(w);
      const sent: { id: string; from: string; to: string; amountFen: number }[] = [];
      const entries = new Map<string, string[]>();
      for (const [n, s] of steps.entries()) {
        const command = commandFor(s, sent, entries, n);
        try {
          const result = await w.run(command);
          accepted += 1;
          const main = result.events.find((e) => e.type !== 'AccountOpened' && e.type !== 'TransferCancelled');
          if (main) entries.set(main.stream.slice('account-'.length), [...(entries.get(main.stream.slice('account-'.length)) ?? []), main.id]);
          if (command.type === 'SendTransfer') sent.push({ id: command.transferId, from: command.fromAccount, to: command.toAccount, amountFen: command.amountFen });
          // A received transfer mostly leaves the pending list; sometimes it stays, to exercise double receipt.
          if (command.type === 'ReceiveTransfer' && n % 4 !== 0) sent.splice(sent.findIndex((x) => x.id === command.transferId), 1);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          refused += 1;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
        }
      }
      const flows = nonZero(await flowsFromLog(w));
      const held = nonZero(await heldFromStates(w));
      if (JSON.stringify(flows) !== JSON.stringify(held)) throw new Error(`log says ${JSON.stringify(flows)}, accounts hold ${JSON.stringify(held)}`);
    }),
    { numRuns: 2000, seed: 20201231 },
  );
  t.ok(accepted > 8_000, `many postings were accepted (${accepted})`);
  t.comment(JSON.stringify(Object.fromEntries(codes)));
  t.ok(refused > 1_000, `and many refused, so the controls were exercised (${refused})`);
});
