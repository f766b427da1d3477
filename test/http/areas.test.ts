// Area reads over HTTP: the balance with its breakdown, children and accounts, now and as of a past date
// (what had happened by then, and what had been recorded by then), and who may read them.
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { areaBalance, balances } from '../../projections/balances.js';
import { foldAll, type ProjectedEvent } from '../../projections/types.js';
import { areaBreakdown } from '../../src/reads/areas.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { readApp } from '../helpers/read-app.js';
import { COUNTY, OTHER_VILLAGE, POOL, standardCounty, TOWNSHIP, TOWNSHIP_ACCOUNT, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';

/**
 * The standard county (¥30,000 of ap-1 reached the village on 2020-06-01), then: a ¥800 payment effective
 * 2020-07-15, a ¥500 payment effective 2020-06-10 but recorded on 2020-07-20 (a late posting), and ¥1,000 sent
 * from the village back up to the township on 2020-08-01 and received there on 2020-08-05.
 */
async function setup(t: Test) {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  await w.run({ type: 'RegisterProgramme', programmeId: 'p', name: '低保', purpose: 'household_benefit', period: 'month' });
  const pay = (paymentId: string, amountFen: number, effectiveDate: string, now: string) =>
    w.run({ type: 'MakePayment', paymentId, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen, voucherNo: `PZ-${paymentId}`, purpose: 'household_benefit', programmeId: 'p', period: effectiveDate.slice(0, 7), effectiveDate, id: randomUUID() }, { now });
  await pay('pay-july', 80_000, '2020-07-15', '2020-07-15T09:00:00.000Z');
  await pay('pay-late', 50_000, '2020-06-10', '2020-07-20T09:00:00.000Z');
  await w.run({ type: 'SendTransfer', transferId: 'tr-up', fromAccount: VILLAGE_ACCOUNT, toAccount: TOWNSHIP_ACCOUNT, amountFen: 100_000, effectiveDate: '2020-08-01' }, { now: '2020-08-01T09:00:00.000Z' });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-up', fromAccount: VILLAGE_ACCOUNT, toAccount: TOWNSHIP_ACCOUNT, amountFen: 100_000, effectiveDate: '2020-08-05' }, { now: '2020-08-05T09:00:00.000Z' });
  const { get, k } = await readApp(t, w);
  return { get, k, w };
}

t.test('every area route: 401 without a key, 403 for a public key or outside the key\'s area, 200 inside', async (t) => {
  const { get, k } = await setup(t);
  for (const route of ['balance', 'children', 'accounts']) {
    const url = `/v1/areas/${VILLAGE}/${route}`;
    t.equal((await get(url)).statusCode, 401, `${route}: no key`);
    t.equal((await get(url, k.publicKey)).statusCode, 403, `${route}: a public key`);
    t.equal((await get(url, k.otherVillage)).statusCode, 403, `${route}: another village's key`);
    t.equal((await get(`/v1/areas/${COUNTY}/${route}`, k.village)).statusCode, 403, `${route}: a village key on its county`);
    t.equal((await get(url, k.village)).statusCode, 200, `${route}: the village's own key`);
    t.equal((await get(`/v1/areas/${COUNTY}/${route}`, k.dashboard)).statusCode, 200, `${route}: a county dashboard`);
    t.equal((await get('/v1/areas/620499000000/' + route, k.auditor)).statusCode, 404, `${route}: an unknown area`);
    t.equal((await get(`/v1/areas/${VILLAGE}/${route}?asOf=2020-02-30`, k.auditor)).statusCode, 400, `${route}: an impossible date`);
    t.equal((await get(`/v1/areas/${VILLAGE}/${route}?bogus=1`, k.auditor)).statusCode, 400, `${route}: an unknown parameter`);
  }
});

t.test('the balance now: per source type, and held by source and by purpose', async (t) => {
  const { get, k } = await setup(t);
  const village = (await get(`/v1/areas/${VILLAGE}/balance`, k.village)).json();
  t.match(village, {
    areaCode: VILLAGE, level: 'village', name: '东关村', asOf: null,
    heldBySourceType: { grant: 3_000_000 - 80_000 - 50_000 - 100_000 },
    paidBySourceType: { grant: 130_000 },
    receivedBySourceType: { grant: 3_000_000 },
    heldBySource: { 'central-2020': 2_770_000 },
    heldByPurpose: { household_benefit: 2_770_000 },
    inFlightBySourceType: {},
  });
  const county = (await get(`/v1/areas/${COUNTY}/balance`, k.dashboard)).json();
  // Counted once: the county holds what was appropriated less what was paid, wherever inside it the money sits.
  t.same(county.heldBySourceType, { grant: 12_000_000 - 130_000 });
  t.same(county.heldByPurpose, { household_benefit: 10_000_000 - 130_000, education_aid: 2_000_000 });
  t.same(county.appropriatedBySourceType, { grant: 12_000_000 });
});

t.test('as of a date: what had happened by then; with recorded=true, what the books said then', async (t) => {
  const { get, k } = await setup(t);
  const at = async (query: string) => (await get(`/v1/areas/${VILLAGE}/balance?${query}`, k.auditor)).json();
  t.match(await at('asOf=2020-05-31'), { heldBySourceType: {}, receivedBySourceType: {}, asOf: { effectiveDate: '2020-05-31' } }, 'before the money arrived');
  t.match(await at('asOf=2020-06-30'), { heldBySourceType: { grant: 2_950_000 }, paidBySourceType: { grant: 50_000 } }, 'the late posting counts where it happened');
  t.match(await at('asOf=2020-06-30&recorded=true'), { heldBySourceType: { grant: 3_000_000 }, paidBySourceType: {}, asOf: { recordedBy: '2020-06-30' } }, 'but was not in the books on 2020-06-30');
  t.match(await at('asOf=2020-08-02'), { heldBySourceType: { grant: 2_770_000 }, inFlightBySourceType: { grant: 100_000 } }, 'sent up to the township, not yet received');
  t.match(await at('asOf=2020-08-05'), { heldBySourceType: { grant: 2_770_000 }, inFlightBySourceType: {} }, 'received by the township: no longer in flight');
  const now = (await get(`/v1/areas/${VILLAGE}/balance`, k.auditor)).json();
  const late = await at('asOf=2099-12-31');
  t.same({ ...late, asOf: null }, now, 'a date after everything answers what the caught-up view answers');
});

t.test('as of a log position', async (t) => {
  const { get, k, w } = await setup(t);
  const log = await w.log();
  const payment = log.find((e) => e.type === 'PaymentMade')!;
  const before = (await get(`/v1/areas/${VILLAGE}/balance?position=${payment.position - 1}`, k.auditor)).json();
  const after = (await get(`/v1/areas/${VILLAGE}/balance?position=${payment.position}`, k.auditor)).json();
  t.same(before.paidBySourceType, {});
  t.same(after.paidBySourceType, { grant: 80_000 });
  t.equal(after.asOf.position, payment.position);
});

t.test('children: a county\'s townships, a township\'s villages, each with its balance', async (t) => {
  const { get, k } = await setup(t);
  const county = (await get(`/v1/areas/${COUNTY}/children`, k.dashboard)).json();
  t.same(county.children.map((c: { areaCode: string }) => c.areaCode), [TOWNSHIP]);
  const township = (await get(`/v1/areas/${TOWNSHIP}/children`, k.auditor)).json();
  t.same(township.children.map((c: { areaCode: string; name: string }) => [c.areaCode, c.name]), [[VILLAGE, '东关村'], [OTHER_VILLAGE, '西关村']]);
  t.same(township.children[0].heldBySourceType, { grant: 2_770_000 });
  t.same(township.children[1].heldBySourceType, {}, 'a village without money reads as zero, not missing');
  const past = (await get(`/v1/areas/${TOWNSHIP}/children?asOf=2020-05-31`, k.auditor)).json();
  t.same(past.children[0].heldBySourceType, {}, 'children as of a date');
  t.same((await get(`/v1/areas/${VILLAGE}/children`, k.village)).json().children, [], 'a village has no children');
});

t.test('accounts: every account inside the area with its own balance', async (t) => {
  const { get, k } = await setup(t);
  const county = (await get(`/v1/areas/${COUNTY}/accounts`, k.auditor)).json();
  const ids = county.accounts.map((a: { accountId: string }) => a.accountId);
  t.ok(ids.includes(POOL) && ids.includes(VILLAGE_ACCOUNT) && ids.includes(TOWNSHIP_ACCOUNT), 'pool, township and village accounts');
  t.same([...ids].sort(), ids, 'ordered by account id');
  const pool = county.accounts.find((a: { accountId: string }) => a.accountId === POOL);
  t.same(pool.heldBySourceType, { grant: 12_000_000 - 3_000_000 });
  const village = (await get(`/v1/areas/${VILLAGE}/accounts`, k.village)).json();
  t.same(village.accounts.map((a: { accountId: string }) => a.accountId), [VILLAGE_ACCOUNT]);
  const past = (await get(`/v1/areas/${VILLAGE}/accounts?asOf=2020-07-16`, k.village)).json();
  t.same(past.accounts[0].paidBySourceType, { grant: 130_000 });
});

t.test('an area registered after the first read shows up among its parent\'s children', async (t) => {
  const { get, k, w } = await setup(t);
  t.equal((await get(`/v1/areas/${TOWNSHIP}/children`, k.auditor)).json().children.length, 2);
  await w.run({ type: 'RegisterArea', code: '620423101003', name: '南关村', parentCode: TOWNSHIP });
  const children = (await get(`/v1/areas/${TOWNSHIP}/children`, k.auditor)).json().children;
  t.same(children.map((c: { areaCode: string }) => c.areaCode), [VILLAGE, OTHER_VILLAGE, '620423101003']);
  t.equal((await get('/v1/areas/620423101003/balance', k.auditor)).statusCode, 200, 'and its balance can be read (zero)');
});

t.test('the breakdown sums what areaBalance sums, for every area', async (t) => {
  const { w } = await setup(t);
  const views = foldAll(balances, (await w.log()) as unknown as ProjectedEvent[]);
  for (const code of [COUNTY, TOWNSHIP, VILLAGE, OTHER_VILLAGE]) {
    const { receivedBySourceType: _r, heldBySource: _s, heldByPurpose: _p, allocatedFen: _a, accounts: _n, ...rollup } = areaBreakdown(views, code);
    t.same(rollup, areaBalance(views, code), `${code}: the same rollup`);
  }
});
