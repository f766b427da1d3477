// 2,000+ generated malformed and hostile requests across the routes: never a 500, never a stack trace, and a
// refused request never changes the store.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { Command, type CommandType } from '../../domain/commands.js';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { foldAll, type ProjectedEvent } from '../../projections/types.js';
import { KeyStore } from '../../src/auth/keys.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { commandPath } from '../../src/http/commands.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, POOL, standardCounty, VILLAGE, VILLAGE_ACCOUNT, world } from '../domain/fixture.js';

const COMMAND_PATHS = Command.options.map((o) => commandPath(o.shape.type.value as CommandType));
const READ_PATHS = [`/v1/areas/${VILLAGE}/balance`, `/v1/areas/${COUNTY}/balance`, '/v1/households/hh-1/card', `/v1/villages/${VILLAGE}/notice`, '/v1/events', '/v1/chain/head', '/openapi.json', '/health',
  `/v1/areas/${VILLAGE}/children`, `/v1/areas/${COUNTY}/accounts`, `/v1/areas/${COUNTY}/risk-fund`, '/v1/lineage/household/hh-1', `/v1/lineage/village/${VILLAGE}`, '/v1/lineage/source/central-2020', '/v1/lineage/appropriation/ap-1', `/v1/trail/area/${VILLAGE}`, '/v1/trail/household/hh-1'];

const hostileStrings = fc.constantFrom(
  "'; DROP TABLE events; --", '<script>alert(1)</script>', '../../etc/passwd', '${jndi:ldap://x}', '\u0000', '\uFEFF', '\uD800', '𠮷野家', 'A'.repeat(10_000),
  '{"__proto__":{"polluted":true}}', 'constructor', '__proto__', '%00', '\r\n\r\nHTTP/1.1 200 OK', '2020-02-30', '2020-13-01', '0000-00-00', '9999-99-99', 'NaN', '-0', '1e309',
);
const hostileNumbers = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1.005, -0.01, 1e21, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER, 2 ** 53),
  fc.double({ noNaN: false }),
  fc.integer(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileStrings, hostileNumbers, fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));

const basePayment = (paymentId: string): Record<string, unknown> => ({
  id: randomUUID(), effectiveDate: '2020-06-10', paymentId, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' },
  amountFen: 100, voucherNo: `PZ-${paymentId}`, purpose: 'household_benefit',
});

/** A valid-looking payment with one field replaced by something hostile: mostly refused by validation. */
const mutatedPayment = fc
  .record({
    paymentId: fc.uuid(),
    field: fc.constantFrom('id', 'effectiveDate', 'paymentId', 'fromAccount', 'payee', 'amountFen', 'voucherNo', 'purpose', 'programmeId', 'period', 'lots', 'extra'),
    value: hostileValue,
  })
  .map(({ paymentId, field, value }) => ({ ...basePayment(paymentId), [field]: value }));

/** Payments well-formed enough to reach the controls: some recorded, most refused (overdrawn, unknown payee…). */
const controlledPayment = fc
  .record({
    paymentId: fc.uuid(),
    change: fc.oneof(
      fc.constant({}),
      fc.integer({ min: 3_000_001, max: 1_000_000_000_000 }).map((amountFen) => ({ amountFen })),
      fc.string({ minLength: 1, maxLength: 20 }).filter((x) => /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(x)).map((id) => ({ payee: { kind: 'household', id: `zz${id}` } })),
      fc.constantFrom('staff_costs', 'bonuses_allowances', 'education_aid').map((purpose) => ({ purpose })),
      fc.constantFrom('pool:620423000000:central-2020:2020', 'village:620423101002').map((fromAccount) => ({ fromAccount })),
    ),
  })
  .map(({ paymentId, change }) => ({ ...basePayment(paymentId), ...change }));

type FuzzRequest = { method: string; path: string; key: string; body: unknown; idempotencyKey: string | undefined; contentType: string };

const anyRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
  path: fc.oneof(fc.constantFrom(...COMMAND_PATHS), fc.constantFrom(...READ_PATHS), fc.constantFrom('/v1/areas/%00/balance', '/v1/households/..%2F..%2Fetc/card', '/v1/events?after=-5', '/v1/events?limit=1e9', '/v1/commands/', '/v1/commands/__proto__')),
  key: fc.constantFrom('finance', 'auditor', 'none', 'garbage'),
  body: fc.oneof(mutatedPayment, fc.anything({ maxDepth: 3 }), fc.json(), hostileStrings, fc.constant(undefined)),
  idempotencyKey: fc.option(fc.oneof(fc.uuid(), hostileStrings), { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
});

/** A payment by a key that may post it, one field made hostile: these reach the domain's controls. */
const paymentRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constant('POST'),
  path: fc.constant(commandPath('MakePayment')),
  key: fc.constant('finance'),
  body: fc.oneof(mutatedPayment, controlledPayment),
  idempotencyKey: fc.constant(undefined),
  contentType: fc.constant('application/json'),
});

/** Percent-encodes, or, for text that cannot be encoded (a lone surrogate), sends an invalid escape as it is. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** Reads with hostile path parameters and query strings. */
const readRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constant('GET'),
  path: fc.oneof(
    fc.constantFrom(...READ_PATHS),
    hostileStrings.map((x) => `/v1/areas/${encode(x)}/balance`),
    hostileStrings.map((x) => `/v1/households/${encode(x)}/card`),
    hostileStrings.map((x) => `/v1/villages/${encode(x)}/notice`),
    fc.tuple(hostileValue, hostileValue).map(([a, b]) => `/v1/events?after=${encode(String(a))}&limit=${encode(String(b))}`),
    fc.tuple(fc.constantFrom('balance', 'children', 'accounts'), hostileValue, hostileValue).map(([route, a, b]) => `/v1/areas/${VILLAGE}/${route}?asOf=${encode(String(a))}&position=${encode(String(b))}`),
    fc.tuple(fc.constantFrom('appropriation', 'source', 'account', 'village', 'project', 'household', 'payment', 'wallet'), hostileStrings).map(([kind, x]) => `/v1/lineage/${kind}/${encode(x)}`),
    fc.tuple(fc.constantFrom('area', 'account', 'household', 'project', 'loan'), hostileStrings, hostileValue).map(([kind, x, a]) => `/v1/trail/${kind}/${encode(x)}?after=${encode(String(a))}`),
    hostileStrings.map((x) => `/v1/projects/${encode(x)}`),
    hostileStrings.map((x) => `/v1/loans/${encode(x)}`),
  ),
  key: fc.constantFrom('finance', 'auditor', 'none', 'garbage'),
  body: fc.constant(undefined),
  idempotencyKey: fc.constant(undefined),
  contentType: fc.constant('application/json'),
});

/** Multipart imports: a payment list with hostile cells, kinds and flags, or a body that is not multipart at all. */
const BOUNDARY = '----fuzz-boundary';
const csvCell = fc.oneof(hostileStrings, hostileNumbers.map(String), fc.constantFrom('100.00', '1,234.5', '0.001', '-5', '¥100', '１００'));
const importRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    key: fc.constantFrom('finance', 'auditor', 'none', 'garbage'),
    kind: fc.option(fc.oneof(fc.constantFrom('payments', 'households', 'transfers', 'nonsense'), hostileStrings), { nil: undefined }),
    flags: fc.subarray(['historical', 'dryRun']),
    rows: fc.array(fc.tuple(csvCell, csvCell, csvCell), { maxLength: 5 }),
    header: fc.constantFrom('付款账户,收款户编号,金额(元),凭证号,用途,发生日期', 'a,b,c', '', '\uFEFF姓名,身份证号,金额(元)'),
    filename: fc.constantFrom('list.csv', 'list.xlsx', 'list.jsonl', '../../etc/passwd', 'x.exe'),
    broken: fc.boolean(),
  })
  .map(({ key, kind, flags, rows, header, filename, broken }) => {
    const file = [header, ...rows.map((cells) => [VILLAGE_ACCOUNT, 'hh-1', ...cells, 'household_benefit', '2020-06-10'].join(','))].join('\n');
    const fields = [...(kind !== undefined ? [['kind', kind]] : []), ...flags.map((f) => [f, 'true'])];
    const body = [
      ...fields.map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n${file}\r\n`,
      broken ? '' : `--${BOUNDARY}--\r\n`,
    ].join('');
    return { method: 'POST', path: '/v1/imports', key, body, idempotencyKey: undefined, contentType: broken && file.length % 2 === 0 ? 'application/json' : `multipart/form-data; boundary=${BOUNDARY}` };
  });

const request = fc.oneof({ arbitrary: paymentRequest, weight: 4 }, { arbitrary: anyRequest, weight: 3 }, { arbitrary: readRequest, weight: 3 }, { arbitrary: importRequest, weight: 1 });

t.test('generated hostile requests never make a 500, and a refused one never changes the store', async (t) => {
  const store = new MemoryEventStore();
  const w = world(store);
  await standardCounty(w);
  const log = (await w.log()) as unknown as ProjectedEvent[];
  const views = new Map(ALL_PROJECTIONS.map((p) => [p.name, foldAll(p, log)]));
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const byName: Record<string, string> = {
    finance: keys.issue({ name: 'f', role: 'finance', areas: [COUNTY] }).key,
    auditor: keys.issue({ name: 'a', role: 'auditor', areas: [] }).key,
    garbage: `ft_${'0'.repeat(12)}_${'x'.repeat(43)}`,
  };
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys }, views: (name) => views.get(name)!, imports: { store } });
  let runs = 0;
  let serverErrors = 0;
  let writtenByRefusal = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      runs += 1;
      const before = await store.headPosition();
      const payload = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      const res = await app.inject({
        method: r.method as 'POST',
        url: r.path,
        headers: {
          'content-type': r.contentType,
          ...(r.key in byName ? { authorization: `Bearer ${byName[r.key]}` } : {}),
          ...(r.idempotencyKey !== undefined ? { 'idempotency-key': r.idempotencyKey } : {}),
        },
        ...(payload !== undefined && r.method !== 'GET' ? { payload } : {}),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) serverErrors += 1;
      if (res.statusCode >= 400 && (await store.headPosition()) !== before) writtenByRefusal += 1;
      return res.statusCode < 500 && !/\n\s+at .+:\d+:\d+/.test(res.body);
    }),
    { numRuns: 2000, seed: 20261126 },
  );
  t.equal(runs, 2000);
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  for (const status of [200, 201, 400, 401, 403, 404, 422]) t.ok((statuses.get(status) ?? 0) >= 20, `at least 20 requests answered ${status}: the generator reaches every layer`);
  t.equal(serverErrors, 0, 'no 500');
  t.equal(writtenByRefusal, 0, 'nothing written by a refused request');
});

t.test('an oversized body is 413 and writes nothing', async (t) => {
  const store = new MemoryEventStore();
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const key = keys.issue({ name: 'f', role: 'finance', areas: [COUNTY] }).key;
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys } });
  const res = await app.inject({ method: 'POST', url: commandPath('SendTransfer'), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ fromAccount: POOL, padding: 'x'.repeat(2_000_000) }) });
  t.equal(res.statusCode, 413);
  t.match(res.json(), { status: 413 });
  t.equal(await store.headPosition(), 0);
});
