// GET /v1/findings from the live detector: auditors see all, finance keys their areas, pages follow a cursor.
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { KeyStore } from '../../src/auth/keys.js';
import { LiveDetector } from '../../src/detection/live.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, standardCounty, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';
import { historical } from '../findings/helpers.js';

async function setup(t: Test) {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  // Three overspending payments imported from an old ledger: three findings in the village.
  for (let i = 0; i < 3; i++) {
    await w.run({ type: 'MakePayment', paymentId: `over-${i}`, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 4_000_000, voucherNo: `PZ-O${i}`, purpose: 'household_benefit', effectiveDate: `2020-06-0${i + 1}` }, historical);
  }
  const detector = new LiveDetector(store);
  detector.start();
  t.teardown(() => detector.stop());
  const deadline = Date.now() + 10_000;
  while (!detector.status().caughtUp && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const k = {
    auditor: keys.issue({ name: 'a', role: 'auditor', areas: [] }).key,
    county: keys.issue({ name: 'c', role: 'finance', areas: [COUNTY] }).key,
    elsewhere: keys.issue({ name: 'e', role: 'finance', areas: ['620424000000'] }).key,
    dashboard: keys.issue({ name: 'd', role: 'dashboard', areas: [COUNTY] }).key,
  };
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys }, findings: () => detector.findings() });
  const get = (url: string, key?: string) => app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { get, k, w, detector };
}

t.test('findings: 401 without a key, 403 for a dashboard or an area outside the key', async (t) => {
  const { get, k } = await setup(t);
  t.equal((await get('/v1/findings')).statusCode, 401);
  t.equal((await get('/v1/findings', k.dashboard)).statusCode, 403);
  t.equal((await get(`/v1/findings?area=${VILLAGE}`, k.elsewhere)).statusCode, 403);
});

t.test('an auditor sees every finding with its proof; a finance key of another county sees none', async (t) => {
  const { get, k } = await setup(t);
  const all = (await get('/v1/findings?code=overspend', k.auditor)).json() as { total: number; findings: { areaCode: string; eventIds: string[] }[] };
  t.ok(all.total >= 1);
  t.ok(all.findings.every((f) => f.areaCode === VILLAGE && f.eventIds.length > 0));
  t.equal(((await get('/v1/findings', k.elsewhere)).json() as { total: number }).total, 0);
  t.equal(((await get(`/v1/findings?area=${VILLAGE}&code=overspend`, k.county)).json() as { total: number }).total, all.total);
});

t.test('pages follow the cursor without gaps or repeats; a bad cursor or filter is 400', async (t) => {
  const { get, k } = await setup(t);
  const everything = (await get('/v1/findings?limit=1000', k.auditor)).json() as { total: number; findings: { id: string }[] };
  t.ok(everything.total >= 2, 'enough findings to page');
  const seen: string[] = [];
  let url = '/v1/findings?limit=1';
  for (let i = 0; i < 100; i++) {
    const page = (await get(url, k.auditor)).json() as { next: string | null; findings: { id: string }[] };
    seen.push(...page.findings.map((f) => f.id));
    if (!page.next) break;
    url = `/v1/findings?limit=1&after=${page.next}`;
  }
  t.same(seen, everything.findings.map((f) => f.id));
  t.equal((await get('/v1/findings?after=not-a-cursor', k.auditor)).statusCode, 400);
  t.equal((await get('/v1/findings?code=nope', k.auditor)).statusCode, 400);
  t.equal((await get('/v1/findings?limit=0', k.auditor)).statusCode, 400);
});

t.test('a resolution recorded after the fact shows on the finding', async (t) => {
  const { get, k, w, detector } = await setup(t);
  const [first] = ((await get('/v1/findings?code=overspend', k.auditor)).json() as { findings: { id: string }[] }).findings;
  await w.run({ type: 'ResolveFinding', findingId: first!.id, resolution: 'confirmed', reason: '属实' }, { role: 'auditor', actor: 'a' });
  const deadline = Date.now() + 10_000;
  while (!detector.findings().some((f) => f.id === first!.id && f.status === 'confirmed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const confirmed = (await get('/v1/findings?status=confirmed', k.auditor)).json() as { findings: { id: string; resolutions: unknown[] }[] };
  t.same(confirmed.findings.map((f) => f.id), [first!.id]);
  t.equal(confirmed.findings[0]!.resolutions.length, 1);
});
