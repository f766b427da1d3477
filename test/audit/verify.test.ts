// Tamper evidence: the hash chain names the first position that was changed, removed or inserted.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { chainLink, GENESIS, type ChainRow } from '../../src/audit/chain.js';
import { formatHead, verifyStore } from '../../src/audit/verify.js';
import { silentProgress } from '../../src/cli/progress.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';
import { newEvent } from '../store/conformance.js';

const dir = scratchDir(t, 'fundtrail-verify');
let n = 0;

/** A closed store of `count` events; closing waits for the worker to link them all. */
async function storeWith(count: number): Promise<string> {
  const path = join(dir, `v${n++}.db`);
  const warnings: string[] = [];
  const store = new SqliteEventStore(path, { onWarning: (m) => warnings.push(m) });
  for (let i = 0; i < count; i += 10) {
    await store.append(`village-${i % 7}`, Array.from({ length: 10 }, (_, k) => newEvent('PaymentMade', { amountFen: 100 * (i + k) })));
  }
  await store.close();
  if (warnings.length > 0) throw new Error(`store warned: ${warnings.join('; ')}`);
  return path;
}

/** Raw SQL as a tamperer would use it: the append-only triggers dropped first. */
function tamper(path: string, sql: string): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; DROP TRIGGER IF EXISTS event_chain_no_update; DROP TRIGGER IF EXISTS event_chain_no_delete;');
  db.exec(sql);
  db.close();
}

const verify = (path: string, head?: { position: number; hash: string }) => verifyStore(path, { ...(head ? { head } : {}), progress: () => silentProgress });

t.test('an intact store verifies, every event linked by the worker', async (t) => {
  const path = await storeWith(500);
  const report = verify(path);
  t.equal(report.ok, true);
  t.equal(report.events, 500);
  t.equal(report.chained, 500, 'the maintenance worker linked every event before the store closed');
  t.match(report.head, { position: 500, hash: /^[0-9a-f]{64}$/ });
});

t.test("editing one event's data breaks the chain at that position", async (t) => {
  const path = await storeWith(300);
  tamper(path, `UPDATE events SET data = '{"amountFen":1}' WHERE position = 137`);
  t.match(verify(path), { ok: false, brokenAt: 137, reason: /content was changed/ });
});

t.test('deleting an event breaks the chain at its position', async (t) => {
  const path = await storeWith(300);
  tamper(path, 'DELETE FROM events WHERE position = 42');
  t.match(verify(path), { ok: false, brokenAt: 42, reason: /missing/ });
});

t.test('deleting the newest events is caught by the chain links they leave behind', async (t) => {
  const path = await storeWith(300);
  tamper(path, 'DELETE FROM events WHERE position > 290');
  t.match(verify(path), { ok: false, brokenAt: 291, reason: /removed from the end/ });
});

t.test('an exported head proves nothing before it changed, even if the whole chain was recomputed', async (t) => {
  const path = await storeWith(200);
  const head = verify(path).head!;
  // The sophisticated tamperer: edit an event, then rebuild every link so the chain agrees again.
  tamper(path, `UPDATE events SET data = '{"amountFen":999999}' WHERE position = 10; DELETE FROM event_chain;`);
  const db = new Database(path);
  let previous: Buffer = GENESIS;
  const rows = db.prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events ORDER BY position').raw().all() as ChainRow[];
  const insert = db.prepare('INSERT INTO event_chain (position, hash) VALUES (?, ?)');
  for (const row of rows) insert.run(row[0], (previous = chainLink(createHash, previous, row)));
  db.close();
  t.equal(verify(path).ok, true, 'the recomputed chain agrees with itself');
  t.match(verify(path, head), { ok: false, brokenAt: 200, reason: /differs from the exported head/ });
});

t.test('fundtrail verify exits 0 on an intact store and prints the head', async (t) => {
  const path = await storeWith(100);
  const result = await cli(['verify', '--db', path]);
  t.equal(result.code, 0);
  t.match(result.stdout, /intact\nhead 100:[0-9a-f]{64}\n$/);
  const head = /head (\d+:[0-9a-f]{64})/.exec(result.stdout)![1]!;
  const again = await cli(['verify', '--db', path, '--head', head]);
  t.equal(again.code, 0);
  t.match(again.stdout, /matches/);
});

t.test('fundtrail verify exits 1 naming the position after a direct edit of the file', async (t) => {
  const path = await storeWith(100);
  tamper(path, `UPDATE events SET type = 'PaymentReversed' WHERE position = 77`);
  const result = await cli(['verify', '--db', path]);
  t.equal(result.code, 1);
  t.match(result.stdout, /BROKEN at position 77: /);
});

t.test('fundtrail verify refuses a malformed --head with exit 2', async (t) => {
  const path = await storeWith(10);
  const result = await cli(['verify', '--db', path, '--head', '12:nothex']);
  t.equal(result.code, 2);
  t.match(result.stderr, /POSITION:HASH/);
});

t.test('formatHead and the CLI agree on the head format', async (t) => {
  t.equal(formatHead({ position: 3, hash: 'a'.repeat(64) }), `3:${'a'.repeat(64)}`);
});
