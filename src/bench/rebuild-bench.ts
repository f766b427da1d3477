// Projection rebuild over a county-sized log: a synthetic county's events are written straight to the store
// (valid domain events, not via the command path, to keep setup short), then every projection is rebuilt in a
// fresh process, beside the plain read-and-parse rate of the same file measured in this run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lot } from '../../domain/events.js';
import type { Progress } from '../cli/progress.js';
import { uuidv7 } from '../ids.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import type { JsonObject, JsonValue, NewEvent, StreamAppend } from '../store/types.js';

const COUNTY = '620423000000';
const TOWNSHIPS = 15;
const VILLAGES_PER_TOWNSHIP = 10;
const HOUSEHOLDS = 25_000;
const SOURCES = [
  { sourceId: 'central', sourceType: 'grant' },
  { sourceId: 'provincial', sourceType: 'grant' },
  { sourceId: 'county', sourceType: 'grant' },
  { sourceId: 'donation', sourceType: 'donation' },
] as const;

export interface RebuildReport {
  events: number;
  readParsePerSec: number;
  rebuildPerSec: number;
  /** Threads the rebuild was split over, each reading the log itself (src/projections/replay.ts). */
  threads: number;
  ratio: number;
  peakRssMiB: number;
  balanceReadMicros: { p50: number; p99: number };
}

const township = (t: number): string => `620423${String(101 + t).padStart(3, '0')}000`;
const village = (t: number, v: number): string => `620423${String(101 + t).padStart(3, '0')}${String(v + 1).padStart(3, '0')}`;

function meta(date: string, n: number): JsonObject {
  return { commandId: uuidv7(), commandType: 'Synthetic', actor: 'bench', role: 'finance', effectiveDate: date, recordedAt: `${date}T08:00:00.000Z`, ruleVersion: 0, correlationId: `c${n}`, causationId: `c${n}` };
}

/** Writes about `total` events: registries, appropriations, transfers down to villages, household payments. */
export async function writeSyntheticCounty(path: string, total: number, progress: Progress): Promise<number> {
  const store = new SqliteEventStore(path);
  let written = 0;
  const batch: StreamAppend[] = [];
  const push = (stream: string, type: string, data: JsonValue, date = '2020-03-01'): void => {
    const event: NewEvent = { id: uuidv7(), type, data, metadata: meta(date, written) };
    const last = batch[batch.length - 1];
    if (last && last.stream === stream) last.events.push(event);
    else batch.push({ stream, events: [event], expectedRevision: 'any' });
    written += 1;
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const count = batch.reduce((sum, a) => sum + a.events.length, 0);
    // One stream may appear once per multi-append: merge repeats into separate appends.
    for (const group of splitByStream(batch.splice(0))) await store.appendMulti(group);
    progress.tick(count);
  };
  push('areas', 'AreaRegistered', { code: COUNTY, level: 'county', name: '县', parentCode: null });
  for (let t = 0; t < TOWNSHIPS; t++) {
    push('areas', 'AreaRegistered', { code: township(t), level: 'township', name: `镇${t}`, parentCode: COUNTY });
    for (let v = 0; v < VILLAGES_PER_TOWNSHIP; v++) push('areas', 'AreaRegistered', { code: village(t, v), level: 'village', name: `村${t}-${v}`, parentCode: township(t) });
  }
  for (let h = 0; h < HOUSEHOLDS; h++) {
    const t = h % TOWNSHIPS;
    const v = Math.floor(h / TOWNSHIPS) % VILLAGES_PER_TOWNSHIP;
    const idNumber = `620423198${String(h).padStart(8, '0')}1`;
    push(`household-hh${h}`, 'HouseholdRegistered', { householdId: `hh${h}`, villageCode: village(t, v), headName: '张三', headIdNumber: idNumber, registeredOn: '2014-10-01', members: [{ personId: `p${h}`, name: '张三', idNumber, relation: 'head' }] });
    if (batch.length >= 500) await flush();
  }
  await flush();
  const lots = openAccounts(push);
  await flush();
  for (let n = 0; written < total; n++) {
    const h = n % HOUSEHOLDS;
    const t = h % TOWNSHIPS;
    const v = Math.floor(h / TOWNSHIPS) % VILLAGES_PER_TOWNSHIP;
    const lot = { ...lots[n % lots.length]!, amountFen: 10_000 + (n % 500) };
    const date = `2020-${String(4 + (n % 9)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
    push(`account-village:${village(t, v)}`, 'PaymentMade', { paymentId: `pay${n}`, payee: { kind: 'household', id: `hh${h}` }, amountFen: lot.amountFen, voucherNo: `PZ${n}`, purpose: 'household_benefit', programmeId: 'prog', period: date.slice(0, 7), lots: [lot] }, date);
    if (batch.length >= 200 || written % 2000 === 0) await flush();
  }
  await flush();
  await store.close();
  return written;
}

/** Pools with appropriations, and money sent down to every village and received there. */
function openAccounts(push: (stream: string, type: string, data: JsonValue, date?: string) => void): Lot[] {
  const lots: Lot[] = [];
  for (const source of SOURCES) {
    const pool = `pool:${COUNTY}:${source.sourceId}:2020`;
    push(`account-${pool}`, 'AccountOpened', { accountId: pool, kind: 'pool', areaCode: COUNTY });
    const lot: Lot = { appropriationId: `ap-${source.sourceId}`, sourceId: source.sourceId, sourceType: source.sourceType, fiscalYear: 2020, purpose: 'household_benefit', amountFen: 100_000_000_000 };
    push(`account-${pool}`, 'AppropriationReceived', { ...lot });
    lots.push(lot);
    for (let t = 0; t < TOWNSHIPS; t++) {
      for (let v = 0; v < VILLAGES_PER_TOWNSHIP; v++) {
        const account = `village:${village(t, v)}`;
        const transferId = `tr-${source.sourceId}-${t}-${v}`;
        const sent = [{ ...lot, amountFen: 600_000_000 }];
        push(`account-${pool}`, 'TransferSent', { transferId, toAccount: account, amountFen: 600_000_000, lots: sent });
        if (source === SOURCES[0]) push(`account-${account}`, 'AccountOpened', { accountId: account, kind: 'village', areaCode: village(t, v) });
        push(`account-${account}`, 'TransferReceived', { transferId, fromAccount: pool, amountFen: 600_000_000, lots: sent });
      }
    }
  }
  return lots;
}

function splitByStream(appends: StreamAppend[]): StreamAppend[][] {
  const groups: StreamAppend[][] = [];
  let current: StreamAppend[] = [];
  let seen = new Set<string>();
  for (const append of appends) {
    if (seen.has(append.stream)) {
      groups.push(current);
      current = [];
      seen = new Set();
    }
    current.push(append);
    seen.add(append.stream);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Reading and parsing every event, nothing else: the ceiling a rebuild is compared to. */
export async function readParseRate(path: string): Promise<number> {
  const store = new SqliteEventStore(path);
  const started = performance.now();
  let count = 0;
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: 2000 });
    count += page.events.length;
    after = page.lastPosition;
    if (page.isEnd) break;
  }
  const rate = count / ((performance.now() - started) / 1000);
  await store.close();
  return rate;
}

const BIN = fileURLToPath(new URL('../../../bin/fundtrail.js', import.meta.url));

/** Runs `fundtrail replay` in a fresh process, so its peak memory is the rebuild's alone. */
export function rebuildInChild(path: string): Promise<{ perSec: number; threads: number; peakRssMiB: number; balanceRead: { p50: number; p99: number } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'replay', '--db', path, '--measure-reads'], { env: { ...process.env, LOG_LEVEL: 'silent' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => {
      const rate = /(\d+) events\/s \((\d+) threads?\)/.exec(out);
      const rss = /peak RSS (\d+) MiB/.exec(out);
      const reads = /balance read p50 ([\d.]+) µs, p99 ([\d.]+) µs/.exec(out);
      if (code !== 0 || !rate || !rss || !reads) return reject(new Error(`replay failed (${code}): ${err.slice(-500)}${out.slice(-500)}`));
      resolve({ perSec: Number(rate[1]), threads: Number(rate[2]), peakRssMiB: Number(rss[1]), balanceRead: { p50: Number(reads[1]), p99: Number(reads[2]) } });
    });
  });
}

export async function runRebuildBench(dir: string, total: number, progress: (label: string, total: number) => Progress): Promise<RebuildReport> {
  const path = join(dir, 'rebuild.db');
  const events = await writeSyntheticCounty(path, total, progress('write synthetic county', total));
  const readParsePerSec = await readParseRate(path);
  const child = await rebuildInChild(path);
  return {
    events,
    readParsePerSec: Math.round(readParsePerSec),
    rebuildPerSec: child.perSec,
    threads: child.threads,
    ratio: Math.round((child.perSec / readParsePerSec) * 100) / 100,
    peakRssMiB: child.peakRssMiB,
    balanceReadMicros: child.balanceRead,
  };
}
