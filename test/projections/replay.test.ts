// Replay split over threads: each thread reads the log itself and folds its share of the projections; the
// views must be the same as one thread folding them all, as of any point.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import type { Projection } from '../../projections/types.js';
import { silentProgress } from '../../src/cli/progress.js';
import { replay, splitProjections, type AsOf, type ReplayResult } from '../../src/projections/replay.js';
import { viewsHash } from '../../src/projections/runner.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';
import { VILLAGE_ACCOUNT, standardCounty, world, type World } from '../domain/fixture.js';

const dir = scratchDir(t, 'fundtrail-replay');
let n = 0;

const pay = (id: string, amountFen: number, effectiveDate: string) =>
  ({ type: 'MakePayment', paymentId: id, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen, voucherNo: `PZ-${id}`, purpose: 'household_benefit', effectiveDate }) as const;

/** The standard county with payments over two months, one recorded late and one reversed. */
async function history(w: World): Promise<number> {
  await standardCounty(w);
  for (let i = 0; i < 40; i++) await w.run(pay(`p-${i}`, 100 + i, `2020-06-${String(1 + (i % 28)).padStart(2, '0')}`));
  const middle = await w.store.headPosition();
  await w.run(pay('late', 5_000, '2020-06-15'), { now: '2020-08-02T08:00:00.000Z' });
  const wrong = await w.run(pay('twice', 7_000, '2020-07-03'), { now: '2020-07-03T08:00:00.000Z' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: wrong.events[0]!.id, reason: '重复录入', effectiveDate: '2020-07-05' }, { now: '2020-07-05T08:00:00.000Z' });
  return middle;
}

async function county(): Promise<{ path: string; store: SqliteEventStore; middle: number }> {
  const path = join(dir, `r${n++}.db`);
  const store = new SqliteEventStore(path);
  const middle = await history(world(store));
  return { path, store, middle };
}

/** Every projection's hash, wherever it was folded. */
function hashes(result: ReplayResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ALL_PROJECTIONS) {
    const views = result.views.get(p.name);
    out[p.name] = views ? viewsHash(views) : result.remote.get(p.name)!.hash;
  }
  return out;
}

t.test('split over threads, every projection comes out as one thread folds it, as of any point', async (t) => {
  const { store, middle } = await county();
  const points: [string, AsOf][] = [
    ['the whole log', {}],
    ['a position', { position: middle }],
    ['an effective date', { effectiveDate: '2020-06-30' }],
    ['as recorded by a date', { recordedBy: '2020-07-31' }],
  ];
  for (const [label, asOf] of points) {
    const one = await replay(store, ALL_PROJECTIONS, asOf, () => silentProgress, { threads: 1 });
    const two = await replay(store, ALL_PROJECTIONS, asOf, () => silentProgress, { threads: 2 });
    t.equal(one.threads, 1);
    t.equal(two.threads, 2, `${label}: two threads folded`);
    t.ok(two.remote.size > 0 && two.views.size > 0, `${label}: some projections were folded in the other thread, some here`);
    t.same(hashes(two), hashes(one), `${label}: identical views`);
    t.same([two.events, two.folded], [one.events, one.folded], `${label}: the same events read and folded`);
  }
  const whole = await replay(store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 1 });
  const partial = await replay(store, ALL_PROJECTIONS, { effectiveDate: '2020-06-10' }, () => silentProgress, { threads: 2 });
  t.notSame(hashes(partial), hashes(whole), 'the threads did honour the point in time');
  await store.close();
});

t.test('a replay folds the log as it stood when asked, in every thread, while it grows', async (t) => {
  const { store } = await county();
  const w = world(store);
  const head = await store.headPosition();
  const pending = replay(store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 2 });
  for (let i = 0; i < 5; i++) await w.run(pay(`meanwhile-${i}`, 10, '2020-07-20'));
  const two = await pending;
  t.equal(two.events, head, 'the events appended meanwhile are left out');
  const one = await replay(store, ALL_PROJECTIONS, { position: head }, () => silentProgress, { threads: 1 });
  t.same(hashes(two), hashes(one), 'by every thread');
  await store.close();
});

t.test('projections the caller keeps come back from their thread, identical', async (t) => {
  const { store } = await county();
  const one = await replay(store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 1 });
  const names = ALL_PROJECTIONS.map((p) => p.name);
  const three = await replay(store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 3, keep: names });
  t.equal(three.threads, 3);
  t.same([...three.views.keys()].sort(), [...names].sort(), 'every kept projection is here');
  t.equal(three.remote.size, names.length - splitProjections(ALL_PROJECTIONS, 3)[0]!.length, 'and the others report a summary as well');
  for (const name of names) t.equal(viewsHash(three.views.get(name)!), viewsHash(one.views.get(name)!), name);
  await store.close();
});

t.test('the split: each projection once, at most one group per thread, projections of its own stay with the caller', async (t) => {
  const custom = { name: 'custom', version: 1, handles: ['PaymentMade'], evolve() {} } as Projection<unknown>;
  for (const threads of [1, 2, 3, 7, 20]) {
    const groups = splitProjections([...ALL_PROJECTIONS, custom], threads);
    t.ok(groups.length <= Math.max(1, threads), `${threads}: no more groups than threads`);
    t.same(groups.flat().map((p) => p.name).sort(), [...ALL_PROJECTIONS, custom].map((p) => p.name).sort(), `${threads}: every projection once`);
    t.ok(groups[0]!.includes(custom), `${threads}: a projection the threads cannot find by name stays in the caller's group`);
    const bumped = { ...ALL_PROJECTIONS[0]!, version: 99 };
    t.ok(splitProjections([...ALL_PROJECTIONS.slice(1), bumped], threads)[0]!.includes(bumped), `${threads}: so does another version of a standard projection`);
    t.ok(groups.every((g) => g.length > 0), `${threads}: no empty group`);
  }
  const two = splitProjections(ALL_PROJECTIONS, 2);
  t.equal(two.length, 2);
  t.ok(two[0]!.includes(ALL_PROJECTIONS.find((p) => p.name === 'household-card')!) !== two[1]!.includes(ALL_PROJECTIONS.find((p) => p.name === 'household-card')!), 'the card is in exactly one group');
});

t.test('a store other threads cannot open is replayed in one thread', async (t) => {
  const w = world(new MemoryEventStore());
  await history(w);
  const result = await replay(w.store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 2 });
  t.equal(result.threads, 1);
  t.equal(result.remote.size, 0);
  t.equal(result.views.size, ALL_PROJECTIONS.length);
});

t.test('a thread that cannot open the store fails the replay with its reason', async (t) => {
  const { path, store } = await county();
  // Other threads open the store by its path: point it at a file that is not a store.
  const other = join(dir, 'not-a-store.db');
  writeFileSync(other, 'these are not the events you are looking for');
  (store as { path: string }).path = other;
  await t.rejects(replay(store, ALL_PROJECTIONS, {}, () => silentProgress, { threads: 2 }), /replay thread failed: .*not a fundtrail store/);
  (store as { path: string }).path = path;
  await store.close();
});

t.test('fundtrail replay --threads: the same hashes in one thread or two, and says how many it used', async (t) => {
  const { path, store } = await county();
  await store.close();
  const one = await cli(['replay', '--db', path, '--threads', '1']);
  const two = await cli(['replay', '--db', path, '--threads', '2']);
  t.equal(one.code, 0);
  t.equal(two.code, 0);
  t.match(one.stdout, /events\/s \(1 thread\)/);
  t.match(two.stdout, /events\/s \(2 threads\)/);
  const summary = (out: string) => out.split('\n').filter((line) => / views, hash | held /.test(line));
  t.equal(summary(two.stdout).length, ALL_PROJECTIONS.length + 1, 'a line per projection and the county');
  t.same(summary(two.stdout), summary(one.stdout));
  const bad = await cli(['replay', '--db', path, '--threads', '0']);
  t.equal(bad.code, 2, 'zero threads is refused');
});
