// The projection runner (checkpoints, catch-up then live, rebuild on a new version), time travel and
// determinism, on the embedded store.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import t from 'tap';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { areaBalance, balances, type AccountBalance, type BalanceView } from '../../projections/balances.js';
import type { Projection } from '../../projections/types.js';
import { silentProgress } from '../../src/cli/progress.js';
import type { Logger } from '../../src/logger.js';
import { replay } from '../../src/projections/replay.js';
import { ProjectionRunner, viewsHash } from '../../src/projections/runner.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, VILLAGE_ACCOUNT, standardCounty, world } from '../domain/fixture.js';

const dir = scratchDir(t, 'fundtrail-runner');
let n = 0;
const all = [balances as Projection<unknown>];

async function county() {
  const path = join(dir, `r${n++}.db`);
  const store = new SqliteEventStore(path);
  const w = world(store);
  await standardCounty(w);
  return { path, store, w };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pay = (id: string, amountFen: number, effectiveDate = '2020-07-01') =>
  ({ type: 'MakePayment', paymentId: id, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen, voucherNo: `PZ-${id}`, purpose: 'household_benefit', effectiveDate }) as const;

t.test('the runner catches up with history, then folds live events, and reports when it has caught up', async (t) => {
  const { path, store, w } = await county();
  const runner = new ProjectionRunner(store, path, all);
  runner.start();
  await until(() => runner.status()[0]!.caughtUp);
  const head = await store.headPosition();
  t.match(runner.status(), [{ name: 'balances', position: head, caughtUp: true }]);
  await w.run(pay('pay-live', 100_000));
  await until(() => runner.status()[0]!.position === head + 1 && runner.status()[0]!.caughtUp);
  t.same((runner.views('balances').get(`account:${VILLAGE_ACCOUNT}`) as AccountBalance).paidBySourceType, { grant: 100_000 }, 'a live payment is folded');
  await runner.stop();
  await store.close();
});

t.test('views and checkpoint are saved together; a restarted runner resumes from its checkpoint', async (t) => {
  const { path, store, w } = await county();
  const first = new ProjectionRunner(store, path, all);
  first.start();
  await until(() => first.status()[0]!.caughtUp);
  await first.stop();
  await w.run(pay('pay-after', 70_000));
  const second = new ProjectionRunner(store, path, all);
  const resumedAt = second.status()[0]!.position;
  t.equal(resumedAt, (await store.headPosition()) - 1, 'the checkpoint is where the first runner stopped');
  t.ok(second.views('balances').map.size > 0, 'saved views are loaded, not refolded');
  second.start();
  await until(() => second.status()[0]!.caughtUp && second.status()[0]!.position === resumedAt + 1);
  t.same((second.views('balances').get(`account:${VILLAGE_ACCOUNT}`) as AccountBalance).paidBySourceType, { grant: 70_000 });
  await second.stop();
  await store.close();
});

t.test('a projection whose version changed is rebuilt from zero', async (t) => {
  const { path, store } = await county();
  const first = new ProjectionRunner(store, path, all);
  first.start();
  await until(() => first.status()[0]!.caughtUp);
  const before = viewsHash(first.views('balances'));
  await first.stop();
  const bumped = new ProjectionRunner(store, path, [{ ...balances, version: balances.version + 1 } as Projection<unknown>]);
  t.equal(bumped.status()[0]!.position, 0, 'the old views were discarded');
  t.equal(bumped.views('balances').map.size, 0);
  bumped.start();
  await until(() => bumped.status()[0]!.caughtUp && bumped.status()[0]!.position > 0);
  t.equal(viewsHash(bumped.views('balances')), before, 'the rebuild gives the same views');
  await bumped.stop();
  await store.close();
});

t.test('replaying twice gives byte-identical views, equal to what the runner keeps', async (t) => {
  const { path, store, w } = await county();
  for (let i = 0; i < 50; i++) await w.run(pay(`p-${i}`, 1000 + i));
  const a = await replay(store, all, {}, () => silentProgress);
  const b = await replay(store, all, {}, () => silentProgress);
  t.equal(viewsHash(a.views.get('balances')!), viewsHash(b.views.get('balances')!));
  const runner = new ProjectionRunner(store, path, all);
  runner.start();
  await until(() => runner.status()[0]!.caughtUp);
  t.equal(viewsHash(runner.views('balances')), viewsHash(a.views.get('balances')!), 'live folding and replay agree');
  await runner.stop();
  await store.close();
});

t.test('time travel: as of a position, an effective date, and as recorded by a date', async (t) => {
  const { store, w } = await county();
  await w.run(pay('june', 100_000, '2020-06-20'));
  const positionAfterJune = await store.headPosition();
  await w.run(pay('backdated', 30_000, '2020-06-25'), { now: '2020-08-15T08:00:00.000Z' });
  await w.run(pay('july', 50_000, '2020-07-10'), { now: '2020-07-10T08:00:00.000Z' });
  const paid = async (asOf: Parameters<typeof replay>[2]) => {
    const result = await replay(store, all, asOf, () => silentProgress);
    return areaBalance(result.views.get('balances')! as never as import('../../projections/types.js').Views<BalanceView>, COUNTY).paidBySourceType.grant ?? 0;
  };
  t.equal(await paid({}), 180_000, 'everything');
  t.equal(await paid({ position: positionAfterJune }), 100_000, 'the log up to a position');
  t.equal(await paid({ effectiveDate: '2020-06-30' }), 130_000, 'what we now know happened by June 30, including the back-dated posting');
  t.equal(await paid({ recordedBy: '2020-07-31' }), 150_000, 'what the books said on July 31: the back-dated payment was only recorded in August');
  t.equal(await paid({ recordedBy: '2020-06-30' }), 100_000, 'what the books said on June 30');
  await store.close();
});

t.test('fundtrail replay prints the summary and the views hash', async (t) => {
  const { path, store } = await county();
  await store.close();
  const result = await cli(['replay', '--db', path]);
  t.equal(result.code, 0);
  t.match(result.stdout, /events read: \d+, folded: \d+/);
  t.match(result.stdout, /balances: \d+ views, hash [0-9a-f]{64}/);
  t.match(result.stdout, new RegExp(`county ${COUNTY}: held grant ¥`));
  const unknown = await cli(['replay', '--db', path, '--projection', 'nope']);
  t.equal(unknown.code, 2);
});

t.test('live, views are saved on a timer and on stop, not after every command', async (t) => {
  const { path, store, w } = await county();
  // The checkpoint as saved in the file, read on a connection of its own.
  const saved = (): number => {
    const db = new Database(path, { readonly: true });
    const row = db.prepare("SELECT position FROM projection_checkpoints WHERE projection = 'balances'").get() as { position: number } | undefined;
    db.close();
    return row?.position ?? 0;
  };
  const slow = new ProjectionRunner(store, path, all, { liveFlushMs: 60_000 });
  slow.start();
  await until(() => slow.status()[0]!.caughtUp);
  const head = await store.headPosition();
  t.equal(saved(), head, 'catching up with history ends with a save');
  await w.run(pay('pay-live', 100_000));
  await until(() => slow.status()[0]!.position === head + 1);
  t.equal(saved(), head, 'a live event is folded but not saved yet: the timer has not fired');
  await slow.stop();
  t.equal(saved(), head + 1, 'stop saves the views and checkpoint');
  const fast = new ProjectionRunner(store, path, all, { liveFlushMs: 20 });
  fast.start();
  await w.run(pay('pay-live-2', 50_000));
  await until(() => saved() === head + 2);
  t.pass('a short timer saves while running');
  await fast.stop();
  await store.close();
});

/** A logger that keeps every line it is given. */
function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })) as unknown as Logger;
  return { logger, lines };
}

/** The hash of every projection folded from scratch in one thread. */
async function replayed(store: SqliteEventStore): Promise<Record<string, string>> {
  const result = await replay(store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 1 });
  return Object.fromEntries(ALL_PROJECTIONS.map((p) => [p.name, viewsHash(result.views.get(p.name)!)]));
}

const hashesOf = (runner: ProjectionRunner): Record<string, string> => Object.fromEntries(ALL_PROJECTIONS.map((p) => [p.name, viewsHash(runner.views(p.name))]));

t.test('with threads, a long history is caught up in worker threads: the same views, saved, then live', async (t) => {
  const { path, store, w } = await county();
  for (let i = 0; i < 30; i++) await w.run(pay(`p-${i}`, 1000 + i));
  const { logger, lines } = capture();
  const runner = new ProjectionRunner(store, path, ALL_PROJECTIONS, { threads: 2, threadsFrom: 1, logger });
  runner.start();
  await until(() => runner.status().every((s) => s.caughtUp), 60_000);
  t.ok(lines.some((line) => line.includes('catching up on the log in worker threads')), 'the catch-up went to worker threads');
  t.notOk(lines.some((line) => line.includes('failed')), 'and none failed');
  t.same(hashesOf(runner), await replayed(store), 'every projection is what one thread folding the log gives');
  const head = await store.headPosition();
  const db = new Database(path, { readonly: true });
  const checkpoints = db.prepare('SELECT projection, position FROM projection_checkpoints').all() as { projection: string; position: number }[];
  db.close();
  t.same(checkpoints.map((c) => c.projection).sort(), ALL_PROJECTIONS.map((p) => p.name).sort(), 'each thread saved its share');
  t.ok(checkpoints.every((c) => c.position === head), 'at the head of the log');
  await w.run(pay('after', 4_200));
  await until(() => runner.status().every((s) => s.caughtUp && s.position === head + 1));
  t.same((runner.views('balances').get(`account:${VILLAGE_ACCOUNT}`) as AccountBalance).paidBySourceType, { grant: 30 * 1000 + 435 + 4_200 }, 'a live payment is folded after');
  await runner.stop();
  await store.close();
});

t.test('a catch-up thread that fails is logged, and its share is caught up here', async (t) => {
  const { path, store, w } = await county();
  for (let i = 0; i < 10; i++) await w.run(pay(`p-${i}`, 500));
  // Catch-up threads open the store by its path: point it at a file that is not a store.
  const other = join(dir, `not-a-store-${n}.db`);
  writeFileSync(other, 'not a database');
  (store as { path: string }).path = other;
  const { logger, lines } = capture();
  const runner = new ProjectionRunner(store, path, ALL_PROJECTIONS, { threads: 2, threadsFrom: 1, logger });
  runner.start();
  await until(() => runner.status().every((s) => s.caughtUp), 60_000);
  t.ok(lines.some((line) => line.includes('a catch-up thread failed') && line.includes('not a fundtrail store')), 'the failure is logged with its reason');
  t.same(hashesOf(runner), await replayed(store), 'the views are complete all the same');
  await runner.stop();
  (store as { path: string }).path = path;
  await store.close();
});

t.test('a short history, or one thread, is caught up here without starting threads', async (t) => {
  const { path, store } = await county();
  for (const options of [{ threads: 2 }, { threads: 1, threadsFrom: 1 }]) {
    const { logger, lines } = capture();
    const runner = new ProjectionRunner(store, path, ALL_PROJECTIONS, { ...options, logger });
    runner.start();
    await until(() => runner.status().every((s) => s.caughtUp));
    t.notOk(lines.some((line) => line.includes('worker threads')), JSON.stringify(options));
    await runner.stop();
  }
  await store.close();
});

t.test('stopped while catch-up threads work, the runner saves nothing of theirs; a restart completes the views', async (t) => {
  const { path, store, w } = await county();
  for (let i = 0; i < 10; i++) await w.run(pay(`p-${i}`, 700));
  const first = new ProjectionRunner(store, path, ALL_PROJECTIONS, { threads: 2, threadsFrom: 1 });
  first.start();
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(first.status().every((s) => !s.caughtUp), 'stopped before catching up');
  await first.stop();
  const db = new Database(path, { readonly: true });
  const saved = db.prepare('SELECT count(*) AS n FROM projection_checkpoints').get() as { n: number };
  db.close();
  t.equal(saved.n, 0, 'no checkpoint was written for projections the threads had not saved');
  const second = new ProjectionRunner(store, path, ALL_PROJECTIONS);
  second.start();
  await until(() => second.status().every((s) => s.caughtUp));
  t.same(hashesOf(second), await replayed(store), 'every projection as one thread folds the log');
  await second.stop();
  await store.close();
});
