// `fundtrail verify`: recomputes the hash chain over the whole log and names the first position where the
// file disagrees with it, or with a head an auditor exported earlier.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Progress } from '../cli/progress.js';
import { openStoreDatabase } from '../store/sqlite/schema.js';
import { chainLink, GENESIS, type ChainRow } from './chain.js';

export interface Head {
  position: number;
  hash: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  /** Events already linked by the store's worker; the rest were recomputed but not yet stored. */
  chained: number;
  head: Head | null;
  brokenAt?: number;
  reason?: string;
}

export function parseHead(text: string): Head | null {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text);
  return match ? { position: Number(match[1]), hash: match[2]! } : null;
}

export function formatHead(head: Head): string {
  return `${head.position}:${head.hash}`;
}

type Row = [...ChainRow, Buffer | null];

export function verifyStore(path: string, options: { head?: Head; progress: (total: number) => Progress }): VerifyReport {
  const db = openStoreDatabase(path, { sync: 'normal' });
  try {
    return verifyOpen(db, options);
  } finally {
    db.close();
  }
}

function verifyOpen(db: Database.Database, options: { head?: Head; progress: (total: number) => Progress }): VerifyReport {
  const total = (db.prepare('SELECT max(position) FROM events').pluck().get() as number | null) ?? 0;
  const page = db
    .prepare(
      `SELECT e.position, e.id, e.stream, e.revision, e.type, e.data, e.metadata, e.recorded_at, c.hash
       FROM events e LEFT JOIN event_chain c ON c.position = e.position WHERE e.position > ? ORDER BY e.position LIMIT 10000`,
    )
    .raw();
  const bar = options.progress(total);
  let previous: Buffer = GENESIS;
  let position = 0;
  let chained = 0;
  let unchainedFrom: number | undefined;
  const broken = (at: number, reason: string): VerifyReport => {
    bar.stop();
    return { ok: false, events: position, chained, head: position > 0 ? { position, hash: previous.toString('hex') } : null, brokenAt: at, reason };
  };
  for (;;) {
    const rows = page.all(position) as Row[];
    for (const row of rows) {
      const at = row[0];
      if (at !== position + 1) return broken(position + 1, `the event at position ${position + 1} is missing: the log jumps from ${position} to ${at}`);
      previous = chainLink(createHash, previous, row.slice(0, 8) as unknown as ChainRow);
      position = at;
      const stored = row[8];
      if (stored === null) unchainedFrom ??= at;
      else if (unchainedFrom !== undefined) return broken(unchainedFrom, `the chain link of position ${unchainedFrom} is missing`);
      else if (!stored.equals(previous)) return broken(at, `the event at position ${at} does not match its chain link: its content was changed`);
      else chained += 1;
      if (options.head && at === options.head.position && previous.toString('hex') !== options.head.hash) {
        return broken(at, `the log up to position ${at} differs from the exported head`);
      }
    }
    bar.tick(rows.length);
    if (rows.length < 10_000) break;
  }
  const orphan = db.prepare('SELECT min(position) FROM event_chain WHERE position > ?').pluck().get(position) as number | null;
  if (orphan !== null) return broken(position + 1, `the chain links position ${orphan}, but the log ends at ${position}: events were removed from the end`);
  if (options.head && options.head.position > position) return broken(position + 1, `the exported head is at position ${options.head.position}, but the log ends at ${position}`);
  bar.stop();
  return { ok: true, events: position, chained, head: position > 0 ? { position, hash: previous.toString('hex') } : null };
}
