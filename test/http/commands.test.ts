// POST /v1/commands/*: credentials and role before anything else, the key's area scope, retries answered with
// the original result, refusals as problems with their domain code, and nothing written by a refused request.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { Command, type CommandType } from '../../domain/commands.js';
import { KeyStore } from '../../src/auth/keys.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { commandPath, rolesFor } from '../../src/http/commands.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, POOL, standardCounty, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';

const OTHER_COUNTY_VILLAGE = '620424101001';

async function setup(t: Test) {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const county = keys.issue({ name: '庄浪县财政局', role: 'finance', areas: [COUNTY] }).key;
  const village = keys.issue({ name: '东关村报账员', role: 'finance', areas: [VILLAGE] }).key;
  const elsewhere = keys.issue({ name: '邻县财政局', role: 'finance', areas: ['620424000000'] }).key;
  const auditor = keys.issue({ name: '审计组', role: 'auditor', areas: [] }).key;
  const dashboard = keys.issue({ name: '大屏', role: 'dashboard', areas: [] }).key;
  const executor = new CommandExecutor(store);
  const { app } = await testApp(t, { store, commands: { executor, keys, now: () => new Date('2020-06-30T08:00:00Z') } });
  const post = (type: CommandType, body: Record<string, unknown>, key?: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: commandPath(type), payload: body, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  const count = async () => (await store.readAll({ maxCount: 100_000 })).events.length;
  return { app, store, post, count, keys: { county, village, elsewhere, auditor, dashboard } };
}

const payment = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(), effectiveDate: '2020-06-10', paymentId: `pay-${randomUUID().slice(0, 8)}`, fromAccount: VILLAGE_ACCOUNT,
  payee: { kind: 'household', id: 'hh-1' }, amountFen: 50_000, voucherNo: 'PZ-1', purpose: 'household_benefit', ...overrides,
});

t.test('every command route answers 401 without a key and 403 to a key of the wrong role, writing nothing', async (t) => {
  const { post, count, keys } = await setup(t);
  const before = await count();
  for (const option of Command.options) {
    const type = option.shape.type.value as CommandType;
    const none = await post(type, {});
    t.equal(none.statusCode, 401, `${type} without a key`);
    t.equal(none.json().code, 'unauthenticated');
    const wrong = rolesFor(type).includes('finance') ? keys.auditor : keys.county;
    const forbidden = await post(type, {}, wrong);
    t.equal(forbidden.statusCode, 403, `${type} with a key of the wrong role`);
    t.equal(forbidden.json().code, 'forbidden_role');
    t.equal((await post(type, {}, keys.dashboard)).statusCode, 403, `${type} with a dashboard key`);
  }
  const malformed = await post('MakePayment', payment(), 'ft_000000000000_' + 'x'.repeat(43));
  t.equal(malformed.statusCode, 401, 'an unknown key is no key');
  t.equal(await count(), before);
});

t.test('a payment posted within the key\'s area is recorded (201); outside it is 403 and nothing is written', async (t) => {
  const { post, count, keys } = await setup(t);
  const ok = await post('MakePayment', payment(), keys.village);
  t.equal(ok.statusCode, 201, ok.body);
  t.match(ok.json(), { status: 'recorded', events: [{ stream: `account-${VILLAGE_ACCOUNT}`, type: 'PaymentMade' }] });
  t.equal((await post('MakePayment', payment(), keys.county)).statusCode, 201, 'a county key reaches its villages');
  const before = await count();
  const outside = await post('MakePayment', payment(), keys.elsewhere);
  t.equal(outside.statusCode, 403);
  t.match(outside.json(), { code: 'forbidden_area', detail: /not in 620423101001/ });
  const poolFromVillageKey = await post('SendTransfer', { id: randomUUID(), effectiveDate: '2020-06-10', transferId: 'tr-x', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 100 }, keys.village);
  t.equal(poolFromVillageKey.statusCode, 403, 'a village key cannot spend from the county pool');
  const registerElsewhere = await post('RegisterHousehold', { id: randomUUID(), effectiveDate: '2020-06-10', householdId: 'hh-9', villageCode: OTHER_COUNTY_VILLAGE, headName: '王五', headIdNumber: '620424198001010011', registeredOn: '2020-06-01' }, keys.county);
  t.equal(registerElsewhere.statusCode, 403, 'a household of another county');
  const statusOfHousehold = await post('ChangeHouseholdStatus', { id: randomUUID(), effectiveDate: '2020-06-10', householdId: 'hh-1', status: 'exited', on: '2020-06-10', reason: '脱贫' }, keys.elsewhere);
  t.equal(statusOfHousehold.statusCode, 403, 'the household\'s village is looked up from the registry');
  t.equal(await count(), before);
});

t.test('a retry with the same id answers the original result (200); a different body under it is 409 naming the fields', async (t) => {
  const { post, count, keys } = await setup(t);
  const body = payment();
  const first = await post('MakePayment', body, keys.village);
  t.equal(first.statusCode, 201);
  const again = await post('MakePayment', body, keys.village);
  t.equal(again.statusCode, 200);
  t.same({ ...again.json(), status: 'recorded' }, first.json(), 'the original events and position');
  t.equal(again.json().status, 'already_recorded');
  const before = await count();
  const changed = await post('MakePayment', { ...body, amountFen: 60_000 }, keys.village);
  t.equal(changed.statusCode, 409);
  t.match(changed.json(), { code: 'command_id_reused_with_different_content', detail: /amountFen/ });
  t.equal(await count(), before);
});

t.test('the id may come as an Idempotency-Key header; none at all, or two that differ, is 400', async (t) => {
  const { post, keys } = await setup(t);
  const { id, ...body } = payment();
  const viaHeader = await post('MakePayment', body, keys.village, { 'idempotency-key': id });
  t.equal(viaHeader.statusCode, 201, viaHeader.body);
  t.equal((await post('MakePayment', body, keys.village, { 'idempotency-key': id })).statusCode, 200, 'the header retried');
  t.match((await post('MakePayment', body, keys.village)).json(), { status: 400, code: 'id_required' });
  t.match((await post('MakePayment', { ...body, id: randomUUID() }, keys.village, { 'idempotency-key': randomUUID() })).json(), { status: 400, code: 'idempotency_key_mismatch' });
});

t.test('a malformed body is 400 with each field\'s path; a domain refusal is 422 with its code; neither writes', async (t) => {
  const { post, count, keys } = await setup(t);
  const before = await count();
  const bad = await post('MakePayment', payment({ amountFen: -5, purpose: 'fireworks', surplus: true }), keys.village);
  t.equal(bad.statusCode, 400);
  t.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.notMatch(bad.body, /\bat \w+ \(/, 'no stack trace');
  const paths = (bad.json().errors as { path: string }[]).map((e) => e.path).join(' ');
  t.match(paths, /amountFen/, 'the amount is named');
  t.match(paths, /purpose/, 'the purpose is named');
  const extra = await post('MakePayment', payment({ surplus: true }), keys.village);
  t.equal(extra.statusCode, 400, 'an unknown field is refused, not ignored');
  t.match(JSON.stringify(extra.json().errors), /surplus/);
  const overdrawn = await post('MakePayment', payment({ amountFen: 99_000_000 }), keys.village);
  t.equal(overdrawn.statusCode, 422);
  t.match(overdrawn.json(), { code: 'amount_exceeds_balance', title: 'Unprocessable Content' });
  const unknownHousehold = await post('MakePayment', payment({ payee: { kind: 'household', id: 'hh-404' } }), keys.village);
  t.equal(unknownHousehold.statusCode, 422);
  t.equal(await count(), before);
});

t.test('auditors seal periods and resolve findings; finance keys cannot', async (t) => {
  const { post, keys } = await setup(t);
  const seal = { id: randomUUID(), effectiveDate: '2020-07-01', sealId: 'audit-2019', from: '2019-01-01', to: '2019-12-31', reason: '2019年度审计' };
  t.equal((await post('SealPeriod', seal, keys.county)).statusCode, 403);
  t.equal((await post('SealPeriod', seal, keys.auditor)).statusCode, 201);
  const resolve = { id: randomUUID(), effectiveDate: '2020-07-01', findingId: 'overspend:0123456789abcdef', resolution: 'confirmed', reason: '属实' };
  t.equal((await post('ResolveFinding', resolve, keys.auditor)).statusCode, 201);
  t.equal((await post('ResolveFinding', { ...resolve, id: randomUUID() }, keys.county)).statusCode, 403);
});

t.test('a store locked by another writer past its busy timeout answers 503 store_unavailable, writing nothing', async (t) => {
  const path = join(scratchDir(t), 'busy.db');
  const store = new SqliteEventStore(path);
  t.teardown(() => store.close());
  await standardCounty(world(store));
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const village = keys.issue({ name: '东关村报账员', role: 'finance', areas: [VILLAGE] }).key;
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys, now: () => new Date('2020-06-30T08:00:00Z') } });
  const head = await store.headPosition();
  // Another connection takes the write lock and keeps it, as a long save or import would.
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  store.db.pragma('busy_timeout = 50');
  const res = await app.inject({ method: 'POST', url: commandPath('MakePayment'), payload: payment(), headers: { authorization: `Bearer ${village}` } });
  other.exec('ROLLBACK');
  other.close();
  t.equal(res.statusCode, 503, res.body);
  t.equal(res.headers['retry-after'], '5');
  t.match(res.json(), { code: 'store_unavailable', detail: /busy with another writer.*same command id/ });
  t.notMatch(res.body, /busy\.db/, 'the file path is not shown to the client');
  t.equal(await store.headPosition(), head, 'nothing was written');
  const retried = await app.inject({ method: 'POST', url: commandPath('MakePayment'), payload: payment(), headers: { authorization: `Bearer ${village}` } });
  t.equal(retried.statusCode, 201, 'once the lock is released the same kind of request goes through');
});
