// The HTTP benchmark: the real server (`fundtrail serve`, a child process on 127.0.0.1 with its own store and
// keys, rate limit off) under autocannon, which runs in this process: with two cores, one drives the load and
// one serves. A plain fastify server (another child, same autocannon settings) is measured in the same run as
// the baseline. R reads a village's balance with a dashboard key; P posts single payments, each with its own
// Idempotency-Key, and afterwards every payment answered 201 must be in the store exactly once.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandType } from '../../domain/commands.js';
import { KeyStore } from '../auth/keys.js';
import { commandPath } from '../http/commands.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import { freePort, packageRoot, runLoad, spawnServer, type ChildServer, type LoadFigures } from './http-load.js';

const COUNTY = '620423000000';
const TOWNSHIP = '620423101000';
const VILLAGE = '620423101001';
const POOL_SOURCE = 'central';
const ACCOUNT = `village:${VILLAGE}`;
const HOUSEHOLDS = 200;

/** The issue's absolute targets: village balance reads at 10k/s with p99 within 10 ms, single payments at 2k/s. */
export const HTTP_TARGET = { readsPerSec: 10_000, readP99Ms: 10, paymentsPerSec: 2_000 };

export interface HttpBenchOptions {
  /** Folder for the two stores, the keys file and the servers' logs. */
  dir: string;
  /** Length of each measured phase; each side also gets an unmeasured warm-up of a fifth of it (at least 1 s). */
  seconds: number;
  connections: number;
  sync: 'normal' | 'full';
  /** The server's LOG_LEVEL: info, the default a deployment runs with, logs every request. */
  logLevel?: string;
  /** Extra node flags for the fundtrail server (e.g. --cpu-prof), for profiling. */
  serverNodeArgs?: string[];
  note: (line: string) => void;
}

export interface HttpSide {
  fundtrail: LoadFigures;
  baseline: LoadFigures;
  /** fundtrail / baseline requests per second. */
  ratio: number;
}

export interface HttpReport {
  seconds: number;
  connections: number;
  logLevel: string;
  reads: HttpSide & { path: string; bodyBytes: number };
  payments: HttpSide & {
    path: string;
    /** Every 201 over the warm-up and measured runs. */
    created: number;
    /** Requests cut off when a run ended, sent again with the same key afterwards (200: it had landed; 201: now it has). */
    settledAfterStop: number;
    storedPayments: number;
    /** The store holds exactly one PaymentMade for each command answered 201 or settled, and nothing else. */
    exactlyOnce: boolean;
  };
  target: typeof HTTP_TARGET;
  pass: boolean;
}

interface Keys {
  county: string;
  village: string;
  dashboard: string;
}

function issueKeys(path: string): Keys {
  const keys = KeyStore.open(path);
  return {
    county: keys.issue({ name: '庄浪县财政局 (bench)', role: 'finance', areas: [COUNTY] }).key,
    village: keys.issue({ name: '东关村报账员 (bench)', role: 'finance', areas: [VILLAGE] }).key,
    dashboard: keys.issue({ name: '大屏 (bench)', role: 'dashboard', areas: [COUNTY] }).key,
  };
}

/** The environment of a child server: nothing of the caller's store, keys or KurrentDB leaks in. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(FUNDTRAIL_|EVENTSTORE_|PORT$|HOST$|LOG_LEVEL$|RATE_LIMIT_|CORS_|NODE_OPTIONS$)/.test(key)));
  return { ...clean, ...extra };
}

/**
 * fetch, tried again on a network error (a kept-alive socket the server closed as a run ended, say): every
 * request the bench sends itself is safe to repeat (commands carry their id, the rest are reads).
 */
async function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

const today = (): string => new Date().toISOString().slice(0, 10);

async function command(url: string, key: string, type: CommandType, body: Record<string, unknown>): Promise<void> {
  const res = await fetchAgain(`${url}${commandPath(type)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ effectiveDate: today(), ...body }),
  });
  // 200: a repeat of a command that had landed before its answer was lost.
  if (res.status !== 201 && res.status !== 200) throw new Error(`seeding: ${type} answered ${res.status}: ${await res.text()}`);
}

/** A county, a township and a village with an account holding far more than any run can pay, and households, all over HTTP. */
async function seedCounty(url: string, keys: Keys): Promise<void> {
  const year = Number(today().slice(0, 4));
  const pool = `pool:${COUNTY}:${POOL_SOURCE}:${year}`;
  const total = 1_000_000_000_000;
  await command(url, keys.county, 'RegisterArea', { code: COUNTY, name: '庄浪县', parentCode: null });
  await command(url, keys.county, 'RegisterArea', { code: TOWNSHIP, name: '水洛镇', parentCode: COUNTY });
  await command(url, keys.county, 'RegisterArea', { code: VILLAGE, name: '东关村', parentCode: TOWNSHIP });
  await command(url, keys.county, 'RegisterFundSource', { sourceId: POOL_SOURCE, name: '中央财政衔接推进乡村振兴补助资金', category: 'central_special', sourceType: 'grant' });
  for (let h = 0; h < HOUSEHOLDS; h++) {
    const idNumber = `620423198001${String(h).padStart(5, '0')}1`;
    await command(url, keys.county, 'RegisterHousehold', { householdId: `hh-${h}`, villageCode: VILLAGE, headName: '张三', headIdNumber: idNumber, registeredOn: '2014-10-01', members: [{ personId: `p-${h}`, name: '张三', idNumber, relation: 'head' }] });
  }
  await command(url, keys.county, 'RecordAppropriation', { appropriationId: 'ap-1', countyCode: COUNTY, sourceId: POOL_SOURCE, fiscalYear: year, purpose: 'household_benefit', amountFen: total });
  await command(url, keys.county, 'SendTransfer', { transferId: 'tr-1', fromAccount: pool, toAccount: ACCOUNT, amountFen: total });
  await command(url, keys.county, 'ReceiveTransfer', { transferId: 'tr-1', fromAccount: pool, toAccount: ACCOUNT, amountFen: total });
}

async function waitReady(url: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const res = await fetchAgain(`${url}/ready`);
    if (res.status === 200) return;
    if (Date.now() - started > timeoutMs) throw new Error(`server not ready within ${timeoutMs} ms: ${await res.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let paymentNo = 0;

function paymentBody(): string {
  const n = paymentNo++;
  return JSON.stringify({
    effectiveDate: today(),
    paymentId: `pay-${process.pid}-${n}`,
    fromAccount: ACCOUNT,
    payee: { kind: 'household', id: `hh-${n % HOUSEHOLDS}` },
    amountFen: 100 + (n % 97),
    voucherNo: `PZ-${n}`,
    purpose: 'household_benefit',
  });
}

/** Tracks every payment request by its Idempotency-Key: which were answered 201, which were cut off unanswered. */
class PaymentLedger {
  readonly pending = new Map<string, string>();
  readonly created = new Set<string>();
  duplicates = 0;

  next = (): { body: string; headers: Record<string, string>; id: string } => {
    const id = randomUUID();
    const body = paymentBody();
    this.pending.set(id, body);
    return { id, body, headers: { 'idempotency-key': id } };
  };

  answered = (id: string, status: number): void => {
    this.pending.delete(id);
    if (status !== 201) return;
    if (this.created.has(id)) this.duplicates += 1;
    this.created.add(id);
  };

  /** Sends each cut-off request again under its key: 200 means it had landed, 201 that it lands now. */
  async settle(url: string, key: string): Promise<Set<string>> {
    const settled = new Set<string>();
    for (const [id, body] of this.pending) {
      const res = await fetchAgain(`${url}${commandPath('MakePayment')}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': id }, body });
      if (res.status !== 200 && res.status !== 201) throw new Error(`settling payment ${id}: ${res.status} ${await res.text()}`);
      settled.add(id);
    }
    this.pending.clear();
    return settled;
  }
}

/** The command ids of every PaymentMade in the store, in order. */
async function storedPaymentCommands(path: string): Promise<string[]> {
  const store = new SqliteEventStore(path);
  const ids: string[] = [];
  try {
    for (let after = 0; ; ) {
      const page = await store.readAll({ afterPosition: after, maxCount: 5000, filter: { eventTypes: ['PaymentMade'] } });
      for (const event of page.events) ids.push(String((event.metadata as { commandId?: unknown }).commandId));
      after = page.lastPosition;
      if (page.isEnd) return ids;
    }
  } finally {
    await store.close();
  }
}

function exactlyOnce(stored: string[], expected: Set<string>): boolean {
  return stored.length === expected.size && new Set(stored).size === stored.length && stored.every((id) => expected.has(id));
}

export async function runHttpBench(o: HttpBenchOptions): Promise<HttpReport> {
  const dbPath = join(o.dir, 'http-fundtrail.db');
  const keys = issueKeys(join(o.dir, 'http-keys.json'));
  const logLevel = o.logLevel ?? 'info';
  const root = packageRoot();
  const servers: ChildServer[] = [];
  try {
    o.note(`http: starting fundtrail serve (child process, LOG_LEVEL=${logLevel}, rate limit off) on 127.0.0.1`);
    const env = childEnv({ FUNDTRAIL_DB: dbPath, FUNDTRAIL_KEYS: join(o.dir, 'http-keys.json'), RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: logLevel, FUNDTRAIL_SYNC: o.sync });
    // A port picked here rather than 0: at LOG_LEVEL warn the server prints no address to read back.
    const port = await freePort();
    const args = [...(o.serverNodeArgs ?? []), join(root, 'bin', 'fundtrail.js'), 'serve', '--host', '127.0.0.1', '--port', String(port)];
    const ours = await spawnServer(args, env, join(o.dir, 'http-fundtrail.log'), `http://127.0.0.1:${port}`);
    servers.push(ours);
    o.note(`http: seeding a county over HTTP (${HOUSEHOLDS} households, one village account) at ${ours.url}`);
    await seedCounty(ours.url, keys);
    await waitReady(ours.url);
    const readPath = `/v1/areas/${VILLAGE}/balance`;
    const sample = await fetchAgain(`${ours.url}${readPath}`, { headers: { authorization: `Bearer ${keys.dashboard}` } });
    const document = await sample.text();
    if (sample.status !== 200) throw new Error(`GET ${readPath} answered ${sample.status}: ${document}`);
    writeFileSync(join(o.dir, 'http-static.json'), document);

    const baselineEntry = join(root, 'dist', 'src', 'bench', 'http-baseline.js');
    const baseline = await spawnServer([baselineEntry, join(o.dir, 'http-baseline.db'), join(o.dir, 'http-static.json')], childEnv({ FUNDTRAIL_SYNC: o.sync }), join(o.dir, 'http-baseline.log'));
    servers.push(baseline);

    const phase = async (label: string, run: (seconds: number) => Promise<LoadFigures>): Promise<LoadFigures> => {
      await run(Math.max(1, Math.round(o.seconds / 5)));
      o.note(`http: ${label}, ${o.seconds} s, ${o.connections} connections`);
      const figures = await run(o.seconds);
      o.note(`http: ${label}: ${figures.requestsPerSec} req/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, ${figures.non2xx} non-2xx, ${figures.errors} errors, server CPU ${figures.serverCpuMicrosPerRequest ?? '?'} µs/request`);
      return figures;
    };
    const load = { connections: o.connections, headers: {} };
    const readsOurs = await phase('R fundtrail GET balance', (seconds) => runLoad({ ...load, seconds, url: `${ours.url}${readPath}`, serverPid: ours.child.pid, method: 'GET', headers: { authorization: `Bearer ${keys.dashboard}` } }));
    const readsBase = await phase('R baseline GET static JSON', (seconds) => runLoad({ ...load, seconds, url: `${baseline.url}/static`, serverPid: baseline.child.pid, method: 'GET', headers: {} }));

    const postHeaders = { 'content-type': 'application/json' };
    const baseLedger = new PaymentLedger();
    const paysBase = await phase('P baseline POST one INSERT', (seconds) => runLoad({ ...load, seconds, url: `${baseline.url}/insert`, serverPid: baseline.child.pid, method: 'POST', headers: postHeaders, next: baseLedger.next }));
    const ledger = new PaymentLedger();
    const payPath = commandPath('MakePayment');
    const paysOurs = await phase('P fundtrail POST make-payment', (seconds) =>
      runLoad({ ...load, seconds, url: `${ours.url}${payPath}`, serverPid: ours.child.pid, method: 'POST', headers: { ...postHeaders, authorization: `Bearer ${keys.village}` }, next: ledger.next, answered: ledger.answered }),
    );
    const settled = await ledger.settle(ours.url, keys.village);
    await stopAll(servers);
    const stored = await storedPaymentCommands(dbPath);
    const once = ledger.duplicates === 0 && exactlyOnce(stored, new Set([...ledger.created, ...settled]));
    o.note(`http: ${ledger.created.size} payments answered 201, ${settled.size} cut off at a run's end and settled, ${stored.length} PaymentMade in the store: ${once ? 'each exactly once' : 'MISMATCH'}`);
    return report(o, logLevel, { readsOurs, readsBase, paysOurs, paysBase, readPath, payPath, bodyBytes: Buffer.byteLength(document), created: ledger.created.size, settled: settled.size, stored: stored.length, once });
  } finally {
    await stopAll(servers);
  }
}

async function stopAll(servers: ChildServer[]): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
}

interface Measured {
  readsOurs: LoadFigures;
  readsBase: LoadFigures;
  paysOurs: LoadFigures;
  paysBase: LoadFigures;
  readPath: string;
  payPath: string;
  bodyBytes: number;
  created: number;
  settled: number;
  stored: number;
  once: boolean;
}

function report(o: HttpBenchOptions, logLevel: string, m: Measured): HttpReport {
  const ratio = (a: LoadFigures, b: LoadFigures): number => (b.requestsPerSec > 0 ? Math.round((a.requestsPerSec / b.requestsPerSec) * 100) / 100 : 0);
  const clean = (f: LoadFigures): boolean => f.errors === 0 && f.non2xx === 0 && f.responses > 0;
  const pass =
    clean(m.readsOurs) &&
    clean(m.paysOurs) &&
    m.once &&
    m.readsOurs.requestsPerSec >= HTTP_TARGET.readsPerSec &&
    m.readsOurs.latencyMs.p99 <= HTTP_TARGET.readP99Ms &&
    m.paysOurs.requestsPerSec >= HTTP_TARGET.paymentsPerSec;
  return {
    seconds: o.seconds,
    connections: o.connections,
    logLevel,
    reads: { path: m.readPath, bodyBytes: m.bodyBytes, fundtrail: m.readsOurs, baseline: m.readsBase, ratio: ratio(m.readsOurs, m.readsBase) },
    payments: { path: m.payPath, fundtrail: m.paysOurs, baseline: m.paysBase, ratio: ratio(m.paysOurs, m.paysBase), created: m.created, settledAfterStop: m.settled, storedPayments: m.stored, exactlyOnce: m.once },
    target: HTTP_TARGET,
    pass,
  };
}
