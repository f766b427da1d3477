// A small county to test commands against: areas, sources, a household, money in a pool.
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import type { CommandBody, ExecutionContext } from '../../domain/commands.js';
import { DomainError, type RefusalCode } from '../../domain/errors.js';
import { CommandExecutor, type ExecuteResult } from '../../src/domain/executor.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import type { EventStore, RecordedEvent } from '../../src/store/types.js';

export const COUNTY = '620423000000';
export const TOWNSHIP = '620423101000';
export const VILLAGE = '620423101001';
export const OTHER_VILLAGE = '620423101002';
export const POOL = `pool:${COUNTY}:central-2020:2020`;
export const VILLAGE_ACCOUNT = `village:${VILLAGE}`;
export const TOWNSHIP_ACCOUNT = `township:${TOWNSHIP}`;

/** A command as a test writes it: fields with defaults may be left out; the id and date are filled in. */
export type CommandInput = CommandBody & { id?: string; effectiveDate?: string };

export function live(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return { actor: 'clerk-01', role: 'finance', now: '2020-06-30T08:00:00.000Z', mode: 'live', ...overrides };
}

export interface World {
  store: EventStore;
  executor: CommandExecutor;
  /** Executes a command in live mode unless a context is given; fills in an id and a date. */
  run(command: CommandInput, ctx?: Partial<ExecutionContext>): Promise<ExecuteResult>;
  /** Every event recorded so far, in order. */
  log(): Promise<RecordedEvent[]>;
}

/** Every event in a store, in log order. */
export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: 10_000 });
    out.push(...page.events);
    after = page.lastPosition;
    if (page.isEnd) return out;
  }
}

export function world(store: EventStore = new MemoryEventStore()): World {
  const executor = new CommandExecutor(store);
  return {
    store,
    executor,
    run: (command, ctx) => executor.execute({ id: randomUUID(), effectiveDate: '2020-06-01', ...command }, live(ctx)),
    log: () => allEvents(store),
  };
}

/**
 * The county, a township and two villages; a central special fund (grant) and a micro-credit source;
 * household hh-1 (members p-1 head, p-2) registered in VILLAGE; ¥100,000 appropriated to POOL for
 * household_benefit and ¥20,000 for education_aid, and ¥30,000 of it received by the village.
 */
export async function standardCounty(w: World): Promise<void> {
  await w.run({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null });
  await w.run({ type: 'RegisterArea', code: TOWNSHIP, name: '水洛镇', parentCode: COUNTY });
  await w.run({ type: 'RegisterArea', code: VILLAGE, name: '东关村', parentCode: TOWNSHIP });
  await w.run({ type: 'RegisterArea', code: OTHER_VILLAGE, name: '西关村', parentCode: TOWNSHIP });
  await w.run({ type: 'RegisterFundSource', sourceId: 'central-2020', name: '中央财政专项扶贫资金', category: 'central_special', sourceType: 'grant' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'microcredit', name: '扶贫小额信贷', category: 'micro_credit', sourceType: 'loan' });
  await w.run({
    type: 'RegisterHousehold',
    householdId: 'hh-1',
    villageCode: VILLAGE,
    headName: '张三',
    headIdNumber: '620423198001010011',
    registeredOn: '2014-10-01',
    members: [
      { personId: 'p-1', name: '张三', idNumber: '620423198001010011', relation: 'head' },
      { personId: 'p-2', name: '李四', idNumber: '620423198203030022', relation: 'spouse' },
    ],
  });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-1', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 10_000_000, documentNo: '甘财农〔2020〕1号' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-2', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'education_aid', amountFen: 2_000_000 });
  await w.run({ type: 'SendTransfer', transferId: 'tr-1', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 3_000_000, lots: [{ appropriationId: 'ap-1', purpose: 'household_benefit', amountFen: 3_000_000 }] });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-1', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 3_000_000 });
}

/**
 * Asserts a command is refused with `code` and a message saying what was wrong, and that the log did not
 * change. Takes a function, so the log is counted before the command starts.
 */
export async function refusedWithoutWriting(
  t: Test,
  w: World,
  attempt: () => Promise<unknown>,
  code: RefusalCode,
  message: RegExp,
  details?: Record<string, unknown>,
): Promise<DomainError> {
  const before = (await w.log()).length;
  const error = await attempt().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  t.ok(error instanceof DomainError, `refused with a DomainError (${code})`);
  t.match(error, { code, message, ...(details ? { details } : {}) }, `refused with ${code}`);
  t.equal((await w.log()).length, before, 'nothing was written');
  return error as DomainError;
}

/** The standard county, ready for a test. */
export async function standardWorld(): Promise<World> {
  const w = world();
  await standardCounty(w);
  return w;
}

export async function lastEvent(w: World): Promise<RecordedEvent> {
  const log = await w.log();
  return log[log.length - 1]!;
}
