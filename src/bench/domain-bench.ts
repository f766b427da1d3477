// Payments through the whole command path (load state, decide, append) against a village account that
// already holds 10,000 events, on the embedded store.
import { join } from 'node:path';
import type { CommandBody } from '../../domain/commands.js';
import { CommandExecutor } from '../domain/executor.js';
import { uuidv7 } from '../ids.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import type { Progress } from '../cli/progress.js';

const COUNTY = '620423000000';
const TOWNSHIP = '620423101000';
const VILLAGE = '620423101001';
const POOL = `pool:${COUNTY}:central-2020:2020`;
const ACCOUNT = `village:${VILLAGE}`;
const HOUSEHOLDS = 200;

export interface DomainBenchOptions {
  dir: string;
  /** Events already in the village account before measuring. */
  history: number;
  payments: number;
  sync: 'normal' | 'full';
  progress: (label: string, total: number) => Progress;
}

const ctx = { actor: 'bench', role: 'finance', now: '2020-06-30T08:00:00.000Z', mode: 'live' as const };

async function setUp(executor: CommandExecutor, o: DomainBenchOptions): Promise<void> {
  const run = (command: CommandBody): Promise<unknown> => executor.execute({ id: uuidv7(), effectiveDate: '2020-06-01', ...command }, ctx);
  await run({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null });
  await run({ type: 'RegisterArea', code: TOWNSHIP, name: '水洛镇', parentCode: COUNTY });
  await run({ type: 'RegisterArea', code: VILLAGE, name: '东关村', parentCode: TOWNSHIP });
  await run({ type: 'RegisterFundSource', sourceId: 'central-2020', name: '中央财政专项扶贫资金', category: 'central_special', sourceType: 'grant' });
  for (let h = 0; h < HOUSEHOLDS; h++) {
    const idNumber = `620423198001${String(h).padStart(5, '0')}1`;
    await run({ type: 'RegisterHousehold', householdId: `hh-${h}`, villageCode: VILLAGE, headName: '张三', headIdNumber: idNumber, registeredOn: '2014-10-01', members: [{ personId: `p-${h}`, name: '张三', idNumber, relation: 'head' }] });
  }
  const total = (o.history + o.payments + 10) * 20_000;
  await run({ type: 'RecordAppropriation', appropriationId: 'ap-1', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: total });
  await run({ type: 'SendTransfer', transferId: 'tr-1', fromAccount: POOL, toAccount: ACCOUNT, amountFen: total });
  await run({ type: 'ReceiveTransfer', transferId: 'tr-1', fromAccount: POOL, toAccount: ACCOUNT, amountFen: total });
}

function payment(i: number): CommandBody {
  return { type: 'MakePayment', paymentId: `pay-${i}`, fromAccount: ACCOUNT, payee: { kind: 'household', id: `hh-${i % HOUSEHOLDS}` }, amountFen: 10_000 + (i % 97), voucherNo: `PZ-2020-${i}`, purpose: 'household_benefit' };
}

/** Returns payments per second through execute(), after `history` payments have filled the account. */
export async function runDomainBench(o: DomainBenchOptions, round: number): Promise<number> {
  const store = new SqliteEventStore(join(o.dir, `domain-${round}.db`), { sync: o.sync });
  const executor = new CommandExecutor(store);
  try {
    await setUp(executor, o);
    const fill = o.progress('fill village history', o.history);
    for (let i = 0; i < o.history; i++) {
      await executor.execute({ id: uuidv7(), effectiveDate: '2020-06-01', ...payment(i) }, ctx);
      if (i % 1000 === 999) fill.tick(1000);
    }
    fill.stop();
    // A fresh executor folds the 10k-event account once, as a restarted server would, then serves from cache.
    const fresh = new CommandExecutor(store);
    const bar = o.progress('payments via execute()', o.payments);
    const started = performance.now();
    for (let i = o.history; i < o.history + o.payments; i++) {
      await fresh.execute({ id: uuidv7(), effectiveDate: '2020-06-02', ...payment(i) }, ctx);
      if (i % 1000 === 999) bar.tick(1000);
    }
    const rate = o.payments / ((performance.now() - started) / 1000);
    bar.stop();
    return rate;
  } finally {
    await store.close();
  }
}
