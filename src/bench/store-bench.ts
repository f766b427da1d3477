// Store workloads W1–W4, run on the fundtrail SQLite adapter and on a plain better-sqlite3 baseline in the
// same process, so the printed ratios compare like with like on whatever this machine is doing right now.
import { closeSync, existsSync, fsyncSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { uuidv7 } from '../ids.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../store/types.js';
import type { Progress } from '../cli/progress.js';

export interface StoreBenchOptions {
  dir: string;
  events: number;
  streams: number;
  sync: 'normal' | 'full';
  progress: (label: string, total: number) => Progress;
}

export type Workload = 'W1' | 'W2' | 'W3' | 'W4';
export type Rates = Record<Workload, number>;

export const WORKLOADS: Record<Workload, string> = {
  W1: 'append 1 event per call with expected revision',
  W2: 'append 10 events per call with expected revision',
  W3: 'read every stream back and fold it',
  W4: 'read all events in order and fold them',
};

const METADATA: JsonObject = { actor: 'bench', role: 'finance', documentNo: '庄财发〔2020〕12号' };

/** About 300 bytes of JSON, shaped like a household payment. */
export function payload(i: number): JsonObject {
  return {
    amountFen: 150_000 + (i % 977) * 100,
    village: `62042310${String(1000 + (i % 150)).padStart(4, '0')}`,
    household: `hh-${String(i % 25_000).padStart(6, '0')}`,
    programme: 'education-aid',
    period: '2020-09',
    voucherNo: `PZ-2020-${String(i).padStart(8, '0')}`,
    purpose: 'household_benefit',
    lots: [{ source: 'central-special-2020', fiscalYear: 2020, amountFen: 150_000 }],
    note: '一卡通 direct payment to the registered household',
  };
}

/**
 * Waits until the operating system has written the file (and its WAL) to disk, untimed, on both sides: the
 * kernel's writeback of a hundred megabytes otherwise competes with whichever read workload comes next.
 */
function flushToDisk(path: string): void {
  for (const file of [path, `${path}-wal`]) {
    if (!existsSync(file)) continue;
    const fd = openSync(file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function rate(count: number, started: number): number {
  return count / ((performance.now() - started) / 1000);
}

function fold(sum: number, data: unknown): number {
  return sum + ((data as { amountFen?: number }).amountFen ?? 0);
}

export async function runOurs(o: StoreBenchOptions, round: number): Promise<Rates> {
  const w1Store = new SqliteEventStore(join(o.dir, `ours-w1-${round}.db`), { sync: o.sync });
  const w1 = await timeAppends(o, 'W1 fundtrail', 1, (stream, events, expected) => w1Store.append(stream, events, expected));
  await w1Store.close();
  const store = new SqliteEventStore(join(o.dir, `ours-w2-${round}.db`), { sync: o.sync });
  const w2 = await timeAppends(o, 'W2 fundtrail', 10, (stream, events, expected) => store.append(stream, events, expected));
  // The maintenance worker links the hash chain and checkpoints off the append path; let it finish (untimed)
  // so the reads below are not measured against it. The baseline checkpointed inside its timed commits.
  await store.settle();
  flushToDisk(join(o.dir, `ours-w2-${round}.db`));

  let started = performance.now();
  let total = 0;
  let sum = 0;
  for (let s = 0; s < o.streams; s++) {
    const events: RecordedEvent[] = await store.readStream(`village-${s}`);
    for (const event of events) sum = fold(sum, event.data);
    total += events.length;
  }
  const w3 = rate(total, started);

  started = performance.now();
  total = 0;
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: 1000 });
    for (const event of page.events) sum = fold(sum, event.data);
    total += page.events.length;
    after = page.lastPosition;
    if (page.isEnd) break;
  }
  const w4 = rate(total, started);
  await store.close();
  if (sum <= 0) throw new Error('bench fold produced nothing');
  return { W1: w1, W2: w2, W3: w3, W4: w4 };
}

type AppendFn = (stream: string, events: NewEvent[], expected: number | 'no_stream') => Promise<unknown>;

async function timeAppends(o: StoreBenchOptions, label: string, perAppend: number, append: AppendFn): Promise<number> {
  const rounds = o.events / o.streams / perAppend;
  const bar = o.progress(label, o.events);
  const started = performance.now();
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < o.streams; s++) {
      const events = Array.from({ length: perAppend }, () => ({ id: uuidv7(), type: 'PaymentMade', data: payload(i++), metadata: METADATA }));
      await append(`village-${s}`, events, r === 0 ? 'no_stream' : r * perAppend - 1);
    }
    bar.tick(o.streams * perAppend);
  }
  const result = rate(o.events, started);
  bar.stop();
  return result;
}

/** The baseline: plain INSERTs in a transaction into one table with a stream index, same pragmas and payload. */
export function runBaseline(o: StoreBenchOptions, round: number): Rates {
  const open = (name: string): Database.Database => {
    const db = new Database(join(o.dir, `${name}-${round}.db`));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT, recorded_at INTEGER NOT NULL);
      CREATE INDEX events_stream ON events (stream, revision);`);
    return db;
  };
  const w1db = open('baseline-w1');
  const w1 = baselineAppends(o, w1db, 'W1 baseline', 1);
  w1db.close();
  const db = open('baseline-w2');
  const w2 = baselineAppends(o, db, 'W2 baseline', 10);

  flushToDisk(join(o.dir, `baseline-w2-${round}.db`));
  const byStream = db.prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events WHERE stream = ? ORDER BY revision').raw();
  let started = performance.now();
  let total = 0;
  let sum = 0;
  for (let s = 0; s < o.streams; s++) {
    const rows = byStream.all(`village-${s}`) as unknown[][];
    for (const row of rows) {
      sum = fold(sum, JSON.parse(row[5] as string));
      JSON.parse(row[6] as string);
    }
    total += rows.length;
  }
  const w3 = rate(total, started);

  const page = db.prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 1000').raw();
  started = performance.now();
  total = 0;
  for (let after = 0; ; ) {
    const rows = page.all(after) as unknown[][];
    for (const row of rows) {
      sum = fold(sum, JSON.parse(row[5] as string));
      JSON.parse(row[6] as string);
    }
    total += rows.length;
    if (rows.length < 1000) break;
    after = rows[rows.length - 1]![0] as number;
  }
  const w4 = rate(total, started);
  db.close();
  if (sum <= 0) throw new Error('baseline fold produced nothing');
  return { W1: w1, W2: w2, W3: w3, W4: w4 };
}

function baselineAppends(o: StoreBenchOptions, db: Database.Database, label: string, perAppend: number): number {
  const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const write = db.transaction((stream: string, first: number, rows: JsonObject[]) => {
    const now = Date.now();
    rows.forEach((data, k) => insert.run(uuidv7(), stream, first + k, 'PaymentMade', JSON.stringify(data), JSON.stringify(METADATA), now));
  });
  const rounds = o.events / o.streams / perAppend;
  const bar = o.progress(label, o.events);
  const started = performance.now();
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < o.streams; s++) {
      write(`village-${s}`, r * perAppend, Array.from({ length: perAppend }, () => payload(i++)));
    }
    bar.tick(o.streams * perAppend);
  }
  const result = rate(o.events, started);
  bar.stop();
  return result;
}
