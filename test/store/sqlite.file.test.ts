// What only a file-backed store can get wrong: reopening, foreign and corrupt files, schema versions.
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { verifyStore } from '../../src/audit/verify.js';
import { silentProgress } from '../../src/cli/progress.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { scratchDir } from '../helpers/tmp.js';
import { newEvent } from './conformance.js';

const dir = scratchDir(t, 'fundtrail-sqlite');
let n = 0;
const fresh = (): string => join(dir, `f${n++}.db`);

t.test('a new file and its folder are created, and events survive a reopen', async (t) => {
  const path = join(dir, 'nested', 'data', 'store.db');
  const store = new SqliteEventStore(path);
  const event = newEvent('AreaRegistered', { code: '620423000000' });
  await store.append('area-620423000000', [event], 'no_stream');
  await store.close();
  const again = new SqliteEventStore(path);
  const [recorded] = await again.readStream('area-620423000000');
  t.equal(recorded?.id, event.id);
  t.same(recorded?.data, event.data);
  await again.close();
});

t.test('a file that is not SQLite is refused with a clear error and left untouched', async (t) => {
  const path = fresh();
  writeFileSync(path, 'village,amount\n620423101001,1000\n'.repeat(50));
  const before = readFileSync(path);
  t.throws(() => new SqliteEventStore(path), { code: 'store_file_not_fundtrail', message: /is not a fundtrail store: it is not a SQLite database/ });
  t.same(readFileSync(path), before, 'the file is unchanged');
});

t.test("another application's SQLite database is refused", async (t) => {
  const path = fresh();
  const other = new Database(path);
  other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
  other.close();
  t.throws(() => new SqliteEventStore(path), { code: 'store_file_not_fundtrail', message: /another application/ });
});

t.test('a store written by a newer fundtrail is refused, not downgraded', async (t) => {
  const path = fresh();
  await new SqliteEventStore(path).close();
  const raw = new Database(path);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  t.throws(() => new SqliteEventStore(path), { code: 'store_schema_too_new', message: new RegExp(`schema version ${SCHEMA_VERSION + 1}`) });
});

t.test('a corrupt file is refused with a clear error', async (t) => {
  const path = fresh();
  const store = new SqliteEventStore(path);
  for (let i = 0; i < 20; i++) {
    await store.append(`village-${i}`, Array.from({ length: 50 }, () => newEvent('PaymentMade', { amountFen: 100 * i })));
  }
  await store.close();
  // Overwrite the pages after the first: the header stays valid, the b-trees are garbage.
  const fd = openSync(path, 'r+');
  const garbage = Buffer.alloc(statSync(path).size - 4096, 0xa5);
  writeSync(fd, garbage, 0, garbage.length, 4096);
  closeSync(fd);
  const open = async (): Promise<void> => {
    const broken = new SqliteEventStore(path);
    try {
      await broken.readAll({ maxCount: 10_000 });
    } finally {
      await broken.close();
    }
  };
  await t.rejects(open(), { code: /^store_file_(corrupt|not_fundtrail)$/, message: /corrupt|not a fundtrail store/ });
});

t.test('the log refuses UPDATE and DELETE even through raw SQL', async (t) => {
  const path = fresh();
  const store = new SqliteEventStore(path);
  await store.append('village-1', [newEvent('PaymentMade', { amountFen: 100 })]);
  t.throws(() => store.db.prepare("UPDATE events SET data = '{}'").run(), /append-only/);
  t.throws(() => store.db.prepare('DELETE FROM events').run(), /append-only/);
  t.equal((await store.readStream('village-1')).length, 1);
  await store.close();
});

t.test('a fresh store records its schema version and migrations', async (t) => {
  const path = fresh();
  const store = new SqliteEventStore(path);
  t.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  t.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  const applied = store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
  t.same(applied, Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  await store.close();
});

t.test('FUNDTRAIL_SYNC=full sets synchronous to FULL', async (t) => {
  const store = new SqliteEventStore(fresh(), { sync: 'full' });
  t.equal(store.db.pragma('synchronous', { simple: true }), 2);
  await store.close();
  const normal = new SqliteEventStore(fresh(), { sync: 'normal' });
  t.equal(normal.db.pragma('synchronous', { simple: true }), 1);
  await normal.close();
});

t.test('two stores on one file (two processes) keep revisions and expectations exact', async (t) => {
  const path = fresh();
  const a = new SqliteEventStore(path);
  const b = new SqliteEventStore(path);
  await a.append('village-1', [newEvent()], 'no_stream');
  await b.append('village-1', [newEvent()], 0);
  // a remembers revision 0 from its own append; b has moved the stream on since.
  await t.rejects(a.append('village-1', [newEvent()], 0), { code: 'wrong_expected_version', expected: 0, actual: 1 });
  t.equal((await a.append('village-1', [newEvent()], 'any')).nextExpectedRevision, 2, "'any' lands after b's event, not on top of it");
  t.equal((await b.append('village-1', [newEvent()], 2)).nextExpectedRevision, 3);
  await t.rejects(a.append('village-1', [newEvent()], 'no_stream'), { code: 'wrong_expected_version', actual: 3 });
  t.same((await a.readStream('village-1')).map((e) => e.revision), [0, 1, 2, 3]);
  await a.close();
  await b.close();
});

t.test('a store of an older schema is migrated on open, and its events are then linked into the chain', async (t) => {
  const path = fresh();
  const raw = new Database(path);
  raw.pragma('page_size = 2048');
  raw.pragma('journal_mode = WAL');
  raw.exec(MIGRATIONS[0]!.sql);
  raw.pragma(`application_id = ${APPLICATION_ID}`);
  raw.pragma('user_version = 1');
  const insert = raw.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, NULL, ?)');
  for (let i = 0; i < 5; i++) insert.run(newEvent().id, 'village-1', i, 'PaymentMade', JSON.stringify({ i }), Date.UTC(2020, 0, 1));
  raw.close();
  const store = new SqliteEventStore(path);
  t.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION, 'migrated to the current schema');
  t.equal((await store.readStream('village-1')).length, 5, 'the old events are all there');
  await store.close();
  const report = verifyStore(path, { progress: () => silentProgress });
  t.match(report, { ok: true, events: 5, chained: 5 });
});

t.test('a read-only store reads without writing, and refuses a missing file or one that needs migrating', async (t) => {
  const missing = fresh();
  t.throws(() => new SqliteEventStore(missing, { readonly: true }), { code: 'store_file_missing' }, 'a missing file is named, not created');
  t.notOk(existsSync(missing), 'nothing was created');

  const path = fresh();
  const writer = new SqliteEventStore(path);
  await writer.append('village-1', [newEvent('AreaRegistered', { code: '620423000000' })], 'no_stream');
  await writer.close();
  const before = readFileSync(path);
  const reader = new SqliteEventStore(path, { readonly: true });
  t.equal((await reader.readAll()).events.length, 1, 'the event is read');
  await t.rejects(reader.append('village-1', [newEvent()], 'any'), 'a read-only store refuses to append');
  await reader.close();
  t.ok(readFileSync(path).equals(before), 'the file is byte for byte as it was');

  const old = fresh();
  const raw = new Database(old);
  raw.exec(MIGRATIONS[0]!.sql);
  raw.pragma(`application_id = ${APPLICATION_ID}`);
  raw.pragma('user_version = 1');
  raw.close();
  t.throws(() => new SqliteEventStore(old, { readonly: true }), { code: 'store_schema_old', message: /schema version 1 and needs migrating/ });
});
