// The bulk-import benchmark: a county with 150 villages and 25,000 registered households (itself imported
// from a households list), money in every village, and then a payment list of N lines (100,000 by default)
// imported through runImport as `fundtrail import` does, timed from reading the file to the commit.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandBody } from '../../domain/commands.js';
import { CommandExecutor } from '../domain/executor.js';
import { runImport, type ImportReport } from '../import/run.js';
import { uuidv7 } from '../ids.js';
import { SqliteEventStore } from '../store/sqlite/store.js';

const COUNTY = '620423000000';
const POOL = `pool:${COUNTY}:central-2020:2020`;

export interface ImportBenchOptions {
  dir: string;
  rows: number;
  households: number;
  villages: number;
  sync: 'normal' | 'full';
  out: (line: string) => void;
}

export interface ImportBenchResult {
  rows: number;
  /** From reading the file to the commit. */
  seconds: number;
  /** Until the store's worker had linked the imported events into the hash chain. */
  settledSeconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  report: ImportReport;
  /** The store before the import, to time `fundtrail import` on a copy. */
  db: string;
  file: string;
}

const villageCode = (v: number): string => `620423${String(101 + Math.floor(v / 10)).padStart(3, '0')}${String(1 + (v % 10)).padStart(3, '0')}`;
const townshipCode = (v: number): string => `620423${String(101 + Math.floor(v / 10)).padStart(3, '0')}000`;

/** Areas, a source, and ¥2,000,000 in every village account, through the executor. */
async function setUpCounty(store: SqliteEventStore, villages: number): Promise<void> {
  const executor = new CommandExecutor(store);
  const ctx = { actor: 'bench', role: 'finance', now: '2020-06-30T08:00:00.000Z', mode: 'live' as const };
  const run = (command: CommandBody): Promise<unknown> => executor.execute({ id: uuidv7(), effectiveDate: '2020-06-01', ...command }, ctx);
  await run({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null });
  for (let v = 0; v < villages; v++) {
    if (v % 10 === 0) await run({ type: 'RegisterArea', code: townshipCode(v), name: `乡镇${v / 10}`, parentCode: COUNTY });
    await run({ type: 'RegisterArea', code: villageCode(v), name: `村${v}`, parentCode: townshipCode(v) });
  }
  await run({ type: 'RegisterFundSource', sourceId: 'central-2020', name: '中央财政专项扶贫资金', category: 'central_special', sourceType: 'grant' });
  const perVillage = 200_000_000;
  await run({ type: 'RecordAppropriation', appropriationId: 'ap-1', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: perVillage * villages });
  for (let v = 0; v < villages; v++) {
    const to = `village:${villageCode(v)}`;
    await run({ type: 'SendTransfer', transferId: `tr-${v}`, fromAccount: POOL, toAccount: to, amountFen: perVillage });
    await run({ type: 'ReceiveTransfer', transferId: `tr-${v}`, fromAccount: POOL, toAccount: to, amountFen: perVillage });
  }
}

const idNumber = (h: number): string => `62042319800101${String(h).padStart(4, '0').slice(-4)}`.padEnd(18, '0').slice(0, 17) + String(h % 10);

export function householdsCsv(households: number, villages: number): string {
  const lines = ['户编号,村代码,户主姓名,户主身份证号,识别日期'];
  for (let h = 0; h < households; h++) lines.push(`HH-${h},${villageCode(h % villages)},户主${h},${idNumber(h)},2014-10-01`);
  return `${lines.join('\n')}\n`;
}

/** A payment list as a bureau exports it: Chinese headers, yuan with two decimals, one voucher per line. */
export function paymentsCsv(rows: number, households: number, villages: number): string {
  const lines = ['序号,户编号,姓名,身份证号,村代码,金额(元),凭证号,用途,支付日期'];
  for (let i = 0; i < rows; i++) {
    const h = i % households;
    lines.push(`${i + 1},HH-${h},户主${h},${idNumber(h)},${villageCode(h % villages)},${100 + (i % 900)}.${String(i % 100).padStart(2, '0')},记-2020-${i + 1},到户补助,2020-06-${String(1 + (i % 28)).padStart(2, '0')}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function runImportBench(o: ImportBenchOptions): Promise<ImportBenchResult> {
  // The county is set up and closed first, and kept as import-base.db: `fundtrail import` can be timed on a
  // copy of it with the same payment list.
  const base = join(o.dir, 'import-base.db');
  // A --dir used before holds the last run's files: start from an empty county every time.
  for (const name of ['import-base.db', 'import-bench.db']) for (const suffix of ['', '-wal', '-shm']) rmSync(join(o.dir, name + suffix), { force: true });
  const setup = new SqliteEventStore(base, { sync: o.sync });
  const ctx = { historical: false, dryRun: false, actor: 'bench', role: 'finance', now: () => new Date('2020-06-30T08:00:00Z') };
  try {
    await setUpCounty(setup, o.villages);
    const registered = await runImport(setup, Buffer.from(householdsCsv(o.households, o.villages)), ctx);
    if (registered.errors.length > 0) throw new Error(`the households list was refused: ${JSON.stringify(registered.errors.slice(0, 3))}`);
    o.out(`county: ${o.villages} villages, ${registered.commands} households registered by import`);
  } finally {
    await setup.close();
  }
  const db = join(o.dir, 'import-bench.db');
  copyFileSync(base, db);
  const file = join(o.dir, `payments-${o.rows}.csv`);
  writeFileSync(file, paymentsCsv(o.rows, o.households, o.villages));
  const store = new SqliteEventStore(db, { sync: o.sync });
  try {
    const started = performance.now();
    const report = await runImport(store, readFileSync(file), ctx);
    const seconds = (performance.now() - started) / 1000;
    if (report.errors.length > 0) throw new Error(`the payment list was refused: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    await store.settle();
    const settledSeconds = (performance.now() - started) / 1000;
    return { rows: o.rows, seconds, settledSeconds, rowsPerSecond: o.rows / seconds, peakRssMiB, report, db: base, file };
  } finally {
    await store.close();
  }
}

/** The import target (issue: bulk import): a 100,000-line payment list in at most 10 s. */
export const IMPORT_TARGET_SECONDS = 10;

/** `fundtrail bench --import`: prints the figures and one JSON line; false when the target is missed. */
export async function importBenchCommand(o: { rows: number; dir?: string; sync: 'normal' | 'full'; out: (line: string) => void }): Promise<boolean> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'fundtrail-import-bench-'));
  try {
    const r = await runImportBench({ dir, rows: o.rows, households: 25_000, villages: 150, sync: o.sync, out: o.out });
    const pass = o.rows !== 100_000 || r.seconds <= IMPORT_TARGET_SECONDS;
    o.out(`import of ${r.rows.toLocaleString('en-US')} payment lines: ${r.seconds.toFixed(2)} s from reading the file to the commit (${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s), ${r.settledSeconds.toFixed(2)} s until the hash chain linked them; peak RSS ${Math.round(r.peakRssMiB)} MiB${o.rows === 100_000 ? `; target ≤ ${IMPORT_TARGET_SECONDS} s: ${pass ? 'met' : 'MISSED'}` : ''}`);
    if (o.dir) o.out(`same data for the CLI: cp ${r.db} /tmp/x.db && time fundtrail import ${r.file} --db /tmp/x.db`);
    o.out(JSON.stringify({ bench: 'import', rows: r.rows, seconds: r.seconds, settledSeconds: r.settledSeconds, peakRssMiB: r.peakRssMiB, events: r.report.events, target: IMPORT_TARGET_SECONDS, pass }));
    return pass;
  } finally {
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
}
