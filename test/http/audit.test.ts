// Auditors export the log as NDJSON from a position and read the hash-chain head; nobody else may.
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { verifyStore } from '../../src/audit/verify.js';
import { KeyStore } from '../../src/auth/keys.js';
import { silentProgress } from '../../src/cli/progress.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, standardCounty, world } from '../domain/fixture.js';

async function setup(t: Test) {
  const dir = scratchDir(t);
  const store = new SqliteEventStore(join(dir, 'store.db'));
  t.teardown(() => store.close());
  await standardCounty(world(store));
  const keys = KeyStore.open(join(dir, 'keys.json'));
  const auditor = keys.issue({ name: '审计组', role: 'auditor', areas: [] }).key;
  const finance = keys.issue({ name: '财政局', role: 'finance', areas: [COUNTY] }).key;
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys }, chainHead: () => store.chainHead() });
  return { app, store, auditor, finance };
}

t.test('GET /v1/events streams the log as NDJSON after a position, with the head for the next page', async (t) => {
  const { app, store, auditor } = await setup(t);
  const all = (await store.readAll({ maxCount: 1000 })).events;
  const res = await app.inject({ method: 'GET', url: '/v1/events?after=2&limit=3', headers: { authorization: `Bearer ${auditor}` } });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/x-ndjson/);
  t.equal(res.headers['x-log-head'], String(all.at(-1)!.position));
  const lines = res.body.trim().split('\n').map((line) => JSON.parse(line) as { position: number; id: string });
  t.same(lines.map((e) => e.position), [3, 4, 5]);
  t.same(lines.map((e) => e.id), all.slice(2, 5).map((e) => e.id));
  const rest = await app.inject({ method: 'GET', url: `/v1/events?after=${all.length - 1}`, headers: { authorization: `Bearer ${auditor}` } });
  t.equal(rest.body.trim().split('\n').length, 1, 'the last page holds what is left');
});

t.test('the export and the chain head need an auditor key', async (t) => {
  const { app, finance } = await setup(t);
  for (const url of ['/v1/events', '/v1/chain/head']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 401, url);
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${finance}` } });
    t.equal(res.statusCode, 403, url);
    t.equal(res.json().code, 'forbidden_role');
  }
});

t.test('a bad cursor is 400; the chain head is the last linked event and verifies', async (t) => {
  const { app, store, auditor } = await setup(t);
  const headers = { authorization: `Bearer ${auditor}` };
  t.equal((await app.inject({ method: 'GET', url: '/v1/events?after=-1', headers })).statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: '/v1/events?limit=1000001', headers })).statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: '/v1/events?sneaky=1', headers })).statusCode, 400);
  await store.settle();
  const deadline = Date.now() + 10_000;
  let head = store.chainHead();
  const last = await store.headPosition();
  while ((!head || head.position < last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    head = store.chainHead();
  }
  const res = await app.inject({ method: 'GET', url: '/v1/chain/head', headers });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { position: last, hash: /^[0-9a-f]{64}$/, head: new RegExp(`^${last}:[0-9a-f]{64}$`) });
  const report = verifyStore(store.path, { head: { position: res.json().position, hash: res.json().hash }, progress: () => silentProgress });
  t.equal(report.ok, true, 'fundtrail verify accepts the exported head');
});
