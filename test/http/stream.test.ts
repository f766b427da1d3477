// GET /v1/stream: server-sent events of an area's balance and findings, who may open one, and a real server
// pushing a balance change after a payment is posted.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import type { Finding } from '../../projections/findings/types.js';
import { foldAll, MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { KeyStore } from '../../src/auth/keys.js';
import { loadConfig } from '../../src/config.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, OTHER_VILLAGE, standardCounty, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';

interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** Opens an event stream and hands out its events one at a time. */
async function open(url: string, key: string) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseEvent[] = [];
  async function next(timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      if (Date.now() > deadline) throw new Error('no event in time');
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in time')), deadline - Date.now()))]);
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
        if (fields.event) queue.push({ event: fields.event, ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data ?? '{}') });
      }
    }
    return queue.shift()!;
  }
  return { res, next, close: () => abort.abort() };
}

const finding = (over: Partial<Finding>): Finding => ({
  id: 'duplicate_payment:0123456789abcdef', code: 'duplicate_payment', key: 'k', severity: 'severe', areaCode: VILLAGE, accounts: [VILLAGE_ACCOUNT], amountFen: 80_000,
  eventIds: ['e1', 'e2'], parameters: {}, effectiveDate: '2020-06-01', explanation: { zh: '张三 重复领取', en: '张三 paid twice' }, status: 'open', resolutions: [], ...over,
});

async function setup(t: Test) {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  const balances = ALL_PROJECTIONS.find((p) => p.name === 'balances')!;
  let views = foldAll(balances, (await w.log()) as unknown as ProjectedEvent[]);
  let position = 1;
  let findings: Finding[] = [];
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const k = {
    village: keys.issue({ name: '东关村', role: 'finance', areas: [VILLAGE] }).key,
    otherVillage: keys.issue({ name: '西关村', role: 'finance', areas: [OTHER_VILLAGE] }).key,
    dashboard: keys.issue({ name: '大屏', role: 'dashboard', areas: [COUNTY] }).key,
    publicKey: keys.issue({ name: '公众', role: 'public', areas: [] }).key,
  };
  const { app } = await testApp(t, {
    store,
    commands: { executor: new CommandExecutor(store), keys },
    views: () => views,
    findings: () => findings,
    projections: () => [{ name: 'balances', position, caughtUp: true }],
    streamTickMs: 20,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app, w, k, address,
    /** Refolds the balances as the runner would, and moves the read position. */
    async advance(): Promise<void> {
      views = foldAll(balances, (await w.log()) as unknown as ProjectedEvent[], new MemoryViews());
      position += 1;
    },
    setFindings(next: Finding[]): void {
      findings = next;
      position += 1;
    },
  };
}

t.test('opening a stream: 401 without a key, 403 for a public key or another area, 400 without an area', async (t) => {
  const { app, k } = await setup(t);
  const get = (url: string, key?: string) => app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
  t.equal((await get(`/v1/stream?area=${VILLAGE}`)).statusCode, 401);
  t.equal((await get(`/v1/stream?area=${VILLAGE}`, k.publicKey)).statusCode, 403);
  t.equal((await get(`/v1/stream?area=${VILLAGE}`, k.otherVillage)).statusCode, 403);
  t.equal((await get(`/v1/stream?area=${COUNTY}`, k.village)).statusCode, 403);
  t.equal((await get('/v1/stream', k.village)).statusCode, 400);
  t.equal((await get('/v1/stream?area=abc', k.village)).statusCode, 400);
});

t.test('the balance is sent at once, and again only when it changed', async (t) => {
  const { address, k, w, advance, setFindings } = await setup(t);
  const stream = await open(`${address}/v1/stream?area=${VILLAGE}`, k.village);
  t.teardown(stream.close);
  t.equal(stream.res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const first = await stream.next();
  t.match(first, { event: 'balance', data: { areaCode: VILLAGE, heldBySourceType: { grant: 3_000_000 } } });
  // The position moves without the village's balance changing: nothing is sent for it.
  await w.run({ type: 'RegisterProgramme', programmeId: 'p', name: '低保', purpose: 'household_benefit', period: 'month' });
  await advance();
  await w.run({ type: 'MakePayment', paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 80_000, voucherNo: 'PZ-1', purpose: 'household_benefit', programmeId: 'p', period: '2020-06', id: randomUUID() });
  await advance();
  const second = await stream.next();
  t.match(second, { event: 'balance', data: { heldBySourceType: { grant: 2_920_000 }, paidBySourceType: { grant: 80_000 } } }, 'the next event is the changed balance, not a repeat');
  setFindings([finding({})]);
  t.match(await stream.next(), { event: 'finding', data: { id: 'duplicate_payment:0123456789abcdef', status: 'open', explanation: { en: /paid twice/ } } }, 'a finance key gets the whole finding');
  setFindings([finding({ status: 'confirmed' }), finding({ id: 'x:1', areaCode: OTHER_VILLAGE })]);
  const changed = await stream.next();
  t.match(changed, { event: 'finding', data: { status: 'confirmed' } }, 'a status change is sent; a finding elsewhere is not');
});

t.test('a dashboard gets findings without the explanation or proof', async (t) => {
  const { address, k, setFindings } = await setup(t);
  const stream = await open(`${address}/v1/stream?area=${COUNTY}`, k.dashboard);
  t.teardown(stream.close);
  t.equal((await stream.next()).event, 'balance');
  setFindings([finding({})]);
  const event = await stream.next();
  t.equal(event.event, 'finding');
  t.same(Object.keys(event.data).sort(), ['amountFen', 'areaCode', 'code', 'effectiveDate', 'id', 'severity', 'status']);
});

t.test('a real server pushes the new balance after a payment is posted, and shuts down with a stream open', async (t) => {
  const dir = scratchDir(t);
  const db = join(dir, 'fundtrail.db');
  const seed = new SqliteEventStore(db);
  const w = world(seed);
  await standardCounty(w);
  await w.run({ type: 'RegisterProgramme', programmeId: 'p', name: '低保', purpose: 'household_benefit', period: 'month' });
  await seed.close();
  const keysPath = join(dir, 'keys.json');
  const key = KeyStore.open(keysPath).issue({ name: '东关村', role: 'finance', areas: [VILLAGE] }).key;
  const server = await startServer(loadConfig({ FUNDTRAIL_DB: db, FUNDTRAIL_KEYS: keysPath, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }), createLogger('silent'));
  let closed = false;
  t.teardown(async () => {
    if (!closed) await server.close();
  });
  const base = `http://${server.address}`;
  const stream = await open(`${base}/v1/stream?area=${VILLAGE}`, key);
  let balance = await stream.next();
  // The first balance may come before the projections caught up with the seeded county.
  while ((balance.data.heldBySourceType as Record<string, number>).grant !== 3_000_000) balance = await stream.next();
  const posted = await fetch(`${base}/v1/commands/make-payment`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 80_000, voucherNo: 'PZ-1', purpose: 'household_benefit', programmeId: 'p', period: '2020-06', effectiveDate: '2020-06-15' }),
  });
  t.equal(posted.status, 201, `the payment was recorded: ${posted.status === 201 ? '' : await posted.text()}`);
  const pushed = await stream.next();
  t.match(pushed, { event: 'balance', data: { heldBySourceType: { grant: 2_920_000 }, paidBySourceType: { grant: 80_000 } } });
  t.ok(Number(pushed.id) > 0, 'the event id is the log position the balance reflects');
  const started = Date.now();
  await server.close();
  closed = true;
  t.ok(Date.now() - started < 5000, 'an open stream does not hold up a graceful shutdown');
});
