// Projects, loans, the risk fund, lineage and the audit trail over HTTP: what each shows and who may read it.
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { MemoryEventStore } from '../../src/store/memory.js';
import { readApp } from '../helpers/read-app.js';
import { COUNTY, POOL, standardCounty, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';

const RISKFUND = `riskfund:${COUNTY}`;
const PROJECT_ACCOUNT = 'project:pr-1';

async function setup(t: Test) {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  await w.run({ type: 'RegisterProgramme', programmeId: 'p', name: '低保', purpose: 'household_benefit', period: 'month' });
  await w.run({ type: 'RegisterProject', projectId: 'pr-1', villageCode: VILLAGE, name: '东关村道路硬化', purpose: 'infrastructure', budgetFen: 1_000_000, stages: [{ stage: 's1', shareBp: 7000, final: false }, { stage: 'final', shareBp: 3000, final: true }] });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-3', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 1_000_000 });
  await w.run({ type: 'SendTransfer', transferId: 'tr-p', fromAccount: POOL, toAccount: PROJECT_ACCOUNT, amountFen: 1_000_000, lots: [{ appropriationId: 'ap-3', purpose: 'infrastructure', amountFen: 1_000_000 }] });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-p', fromAccount: POOL, toAccount: PROJECT_ACCOUNT, amountFen: 1_000_000 });
  await w.run({ type: 'MakePayment', paymentId: 'pp-1', fromAccount: PROJECT_ACCOUNT, payee: { kind: 'contractor', id: 'c-1', name: '路桥公司' }, amountFen: 700_000, voucherNo: 'PZ-P1', purpose: 'infrastructure', projectId: 'pr-1', stage: 's1' });
  for (let i = 1; i <= 3; i++) {
    await w.run({ type: 'MakePayment', paymentId: `pay-${i}`, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 10_000 * i, voucherNo: `PZ-${i}`, purpose: 'household_benefit', programmeId: 'p', period: `2020-0${i}`, id: randomUUID() });
  }
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-gov', name: '政府风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-gov', countyCode: COUNTY, sourceId: 'riskfund-gov', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 7_000_000, toAccount: RISKFUND, party: 'government' });
  await w.run({ type: 'IssueMicroLoan', loanId: 'loan-1', householdId: 'hh-1', bank: '农商行', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
  return readApp(t, w);
}

/** Who may read what: [route, keys that get 200, keys that get 403]. Every route also answers 401 without a key. */
function matrix(paymentPosition: number): Array<[string, string[], string[]]> {
  return [
    ['/v1/projects/pr-1', ['village', 'countyFinance', 'auditor', 'dashboard'], ['otherVillage', 'publicKey']],
    ['/v1/loans/loan-1', ['village', 'countyFinance', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    [`/v1/areas/${COUNTY}/risk-fund`, ['countyFinance', 'auditor', 'dashboard'], ['village', 'publicKey']],
    ['/v1/lineage/household/hh-1', ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    [`/v1/lineage/village/${VILLAGE}`, ['village', 'auditor', 'dashboard'], ['otherVillage', 'publicKey']],
    ['/v1/lineage/project/pr-1', ['village', 'auditor', 'dashboard'], ['otherVillage', 'publicKey']],
    [`/v1/lineage/account/${encodeURIComponent(POOL)}`, ['countyFinance', 'auditor', 'dashboard'], ['village', 'publicKey']],
    [`/v1/lineage/payment/${paymentPosition}`, ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    ['/v1/lineage/appropriation/ap-1', ['countyFinance', 'auditor', 'dashboard'], ['village', 'otherVillage', 'publicKey']],
    ['/v1/lineage/source/central-2020', ['countyFinance', 'auditor', 'dashboard'], ['village', 'publicKey']],
    [`/v1/trail/area/${VILLAGE}`, ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    [`/v1/trail/account/${encodeURIComponent(VILLAGE_ACCOUNT)}`, ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    ['/v1/trail/household/hh-1', ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    ['/v1/trail/project/pr-1', ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
    ['/v1/trail/loan/loan-1', ['village', 'auditor'], ['otherVillage', 'dashboard', 'publicKey']],
  ];
}

t.test('every entity, lineage and trail route: 401 without a key, 403 with the wrong role or area, 200 otherwise', async (t) => {
  const { get, k, log } = await setup(t);
  const payment = log.find((e) => e.type === 'PaymentMade' && e.stream === `account-${VILLAGE_ACCOUNT}`)!;
  for (const [url, ok, forbidden] of matrix(payment.position)) {
    t.equal((await get(url)).statusCode, 401, `${url}: no key`);
    for (const who of ok) t.equal((await get(url, k[who as keyof typeof k])).statusCode, 200, `${url}: ${who} reads it`);
    for (const who of forbidden) t.equal((await get(url, k[who as keyof typeof k])).statusCode, 403, `${url}: ${who} may not`);
  }
});

t.test('unknown things are 404, malformed names 400', async (t) => {
  const { get, k } = await setup(t);
  for (const url of ['/v1/projects/nope', '/v1/loans/nope', '/v1/areas/620499000000/risk-fund', '/v1/lineage/household/nope', '/v1/lineage/appropriation/nope', '/v1/lineage/source/nope', '/v1/lineage/payment/1', '/v1/lineage/payment/999999', '/v1/trail/household/nope', '/v1/trail/area/620499000000']) {
    t.equal((await get(url, k.auditor)).statusCode, 404, url);
  }
  for (const url of ['/v1/lineage/wallet/x', '/v1/lineage/payment/abc', '/v1/trail/area/abc', '/v1/trail/desk/x', '/v1/trail/area/620423000000?limit=0', '/v1/lineage/source/central-2020?after=-1', '/v1/projects/%00']) {
    t.equal((await get(url, k.auditor)).statusCode, 400, url);
  }
});

t.test('a project: budget, funding by source, payments by stage', async (t) => {
  const { get, k } = await setup(t);
  const project = (await get('/v1/projects/pr-1', k.dashboard)).json();
  t.match(project, { projectId: 'pr-1', budgetFen: 1_000_000, fundingBySource: { 'central-2020': 1_000_000 }, paidByStage: { s1: 700_000 }, accepted: null, overfundedFen: 0 });
});

t.test('a loan and the risk fund', async (t) => {
  const { get, k } = await setup(t);
  t.match((await get('/v1/loans/loan-1', k.village)).json(), { loanId: 'loan-1', householdId: 'hh-1', principalFen: 5_000_000, outstandingFen: 5_000_000, subsidyPaidFen: 0 });
  t.match((await get(`/v1/areas/${COUNTY}/risk-fund`, k.dashboard)).json(), { countyCode: COUNTY, contributedFen: { government: 7_000_000 }, heldFen: 7_000_000, loansIssuedFen: 5_000_000 });
});

t.test('lineage upstream: a payment, a household, a village and a project lead back to their appropriations', async (t) => {
  const { get, k, log } = await setup(t);
  const payment = log.find((e) => e.type === 'PaymentMade' && e.stream === `account-${VILLAGE_ACCOUNT}`)!;
  t.match((await get(`/v1/lineage/payment/${payment.position}`, k.village)).json(), { paymentId: 'pay-1', amountFen: 10_000, householdId: 'hh-1', sources: [{ appropriationId: 'ap-1', sourceId: 'central-2020', amountFen: 10_000 }], position: payment.position });
  const notPayment = log.find((e) => e.type === 'AreaRegistered')!;
  t.equal((await get(`/v1/lineage/payment/${notPayment.position}`, k.auditor)).statusCode, 404, 'a position that is not a payment');
  t.match((await get('/v1/lineage/household/hh-1', k.village)).json(), { byAppropriation: { 'ap-1': 60_000 }, bySourceType: { grant: 60_000 } });
  t.match((await get(`/v1/lineage/village/${VILLAGE}`, k.village)).json(), { accountId: VILLAGE_ACCOUNT, areaCode: VILLAGE, byAppropriation: { 'ap-1': { receivedFen: 3_000_000, paidFen: 60_000, heldFen: 2_940_000 } } });
  t.match((await get('/v1/lineage/project/pr-1', k.village)).json(), { accountId: PROJECT_ACCOUNT, byAppropriation: { 'ap-3': { receivedFen: 1_000_000, paidFen: 700_000, heldFen: 300_000 } } });
});

t.test('lineage downstream: an appropriation lists where its money went, its payments paged', async (t) => {
  const { get, k } = await setup(t);
  const first = (await get('/v1/lineage/appropriation/ap-1?limit=2', k.countyFinance)).json();
  t.match(first, { appropriationId: 'ap-1', amountFen: 10_000_000, paidFen: 60_000, held: { [POOL]: 7_000_000, [VILLAGE_ACCOUNT]: 2_940_000 } });
  t.same(first.paid.map((p: { amountFen: number }) => p.amountFen), [10_000, 20_000]);
  t.equal(first.next, 2);
  const second = (await get(`/v1/lineage/appropriation/ap-1?limit=2&after=${first.next}`, k.countyFinance)).json();
  t.same(second.paid.map((p: { amountFen: number }) => p.amountFen), [30_000]);
  t.equal(second.next, null, 'the last page says there is no more');
  const dashboard = (await get('/v1/lineage/appropriation/ap-1', k.dashboard)).json();
  t.notOk('paid' in dashboard, 'a dashboard sees the sums, not the list of payees');
  t.match((await get('/v1/lineage/source/central-2020', k.dashboard)).json(), { appropriatedFen: 13_000_000, paidFen: 760_000, paidByPayeeKind: { household: 60_000, contractor: 700_000 } });
});

t.test('the audit trail: every event with actor and times, paged by position without gaps or repeats', async (t) => {
  const { get, k, log } = await setup(t);
  const villageEvents = log.filter((e) => e.stream === `account-${VILLAGE_ACCOUNT}`).map((e) => e.position);
  const seen: number[] = [];
  let after = 0;
  for (let pages = 0; pages < 20; pages++) {
    const page = (await get(`/v1/trail/account/${encodeURIComponent(VILLAGE_ACCOUNT)}?limit=2&after=${after}`, k.village)).json();
    t.equal(page.count, villageEvents.length);
    for (const entry of page.entries) t.match(entry, { stream: `account-${VILLAGE_ACCOUNT}`, actor: 'clerk-01', role: 'finance', effectiveDate: /^\d{4}-\d{2}-\d{2}$/, recordedAt: /^\d{4}-/ });
    seen.push(...page.entries.map((e: { position: number }) => e.position));
    if (page.next === null) break;
    after = page.next;
  }
  t.same(seen, villageEvents, 'every event of the account once, in log order');
  const household = (await get('/v1/trail/household/hh-1?limit=1000', k.auditor)).json();
  t.ok(household.entries.some((e: { type: string }) => e.type === 'HouseholdRegistered') && household.entries.some((e: { type: string }) => e.type === 'MicroLoanIssued'), "a household's trail has its registration, payments and loans");
  const area = (await get(`/v1/trail/area/${COUNTY}?limit=1000`, k.auditor)).json();
  t.ok(area.entries.some((e: { stream: string }) => e.stream === `account-${VILLAGE_ACCOUNT}`), "a county's trail merges its villages'");
});
