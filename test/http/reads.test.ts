// Balance, household card and public notice over HTTP: who may read what, and what each shows.
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { MemoryEventStore } from '../../src/store/memory.js';
import { readApp } from '../helpers/read-app.js';
import { COUNTY, OTHER_VILLAGE, standardCounty, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';

async function setup(t: Test) {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  await w.run({ type: 'RegisterProgramme', programmeId: 'p', name: '低保', purpose: 'household_benefit', period: 'month' });
  await w.run({ type: 'MakePayment', paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 80_000, voucherNo: 'PZ-1', purpose: 'household_benefit', programmeId: 'p', period: '2020-06', id: randomUUID() });
  const { get, k } = await readApp(t, w);
  return { get, k };
}

t.test('an area balance: 401 without a key, 403 outside the key\'s area, per source type inside it', async (t) => {
  const { get, k } = await setup(t);
  t.equal((await get(`/v1/areas/${VILLAGE}/balance`)).statusCode, 401);
  t.equal((await get(`/v1/areas/${VILLAGE}/balance`, k.otherVillage)).statusCode, 403);
  const res = await get(`/v1/areas/${VILLAGE}/balance`, k.village);
  t.equal(res.statusCode, 200);
  t.match(res.json(), { areaCode: VILLAGE, level: 'village', heldBySourceType: { grant: 3_000_000 - 80_000 }, paidBySourceType: { grant: 80_000 } });
  t.equal((await get(`/v1/areas/${COUNTY}/balance`, k.dashboard)).statusCode, 200, 'a dashboard reads rollups of its county');
  t.equal((await get(`/v1/areas/${COUNTY}/balance`, k.village)).statusCode, 403, 'a village key does not see the county');
  t.equal((await get('/v1/areas/620499000000/balance', k.auditor)).statusCode, 404);
  t.equal((await get('/v1/areas/abc/balance', k.auditor)).statusCode, 400);
});

t.test('a household card: finance of its village and auditors; never a dashboard', async (t) => {
  const { get, k } = await setup(t);
  t.equal((await get('/v1/households/hh-1/card')).statusCode, 401);
  t.equal((await get('/v1/households/hh-1/card', k.dashboard)).statusCode, 403, 'a card names people');
  t.equal((await get('/v1/households/hh-1/card', k.otherVillage)).statusCode, 403);
  const res = await get('/v1/households/hh-1/card', k.village);
  t.equal(res.statusCode, 200);
  t.match(res.json(), { householdId: 'hh-1', headName: '张三', totals: { byProgramme: { p: 80_000 } } });
  t.equal((await get('/v1/households/hh-1/card', k.auditor)).statusCode, 200);
  t.equal((await get('/v1/households/hh-404/card', k.auditor)).statusCode, 404);
});

t.test('a village notice is public and masked', async (t) => {
  const { get } = await setup(t);
  const res = await get(`/v1/villages/${VILLAGE}/notice`);
  t.equal(res.statusCode, 200);
  t.match(res.json(), { villageCode: VILLAGE, entries: [{ payee: '张*', idNumberLast4: '0011', amountFen: 80_000 }] });
  t.notMatch(res.body, /张三|620423198001010011/, 'no full name or ID number');
  t.equal((await get(`/v1/villages/${OTHER_VILLAGE}/notice`)).statusCode, 404);
});
