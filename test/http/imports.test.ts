// POST /v1/imports: 401 without a key, 403 for the wrong role or area, 201 with a summary, 422 with every row
// error, 400 for an unreadable file, and nothing written by any refused request; no personal data in the logs.
import { join } from 'node:path';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { KeyStore } from '../../src/auth/keys.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import type { Logger } from '../../src/logger.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';
import { COUNTY, standardCounty, VILLAGE, world } from '../domain/fixture.js';

const HEADER = '户编号,姓名,身份证号,金额(元),凭证号,用途,支付日期,村代码';
const row = (amount: string, voucher: string): string => `hh-1,张三,620423198001010011,${amount},${voucher},到户补助,2020-06-10,${VILLAGE}`;
const ledger = (...rows: string[]): Buffer => Buffer.from(`${[HEADER, ...rows].join('\n')}\n`);

/** A multipart/form-data body: text fields, then the file part (when given). */
function form(fields: Record<string, string>, file?: Buffer, filename = 'ledger.csv'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----fundtrail-test-boundary';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`), file, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function setup(t: Test, options: { maxFileBytes?: number } = {}) {
  const store = new MemoryEventStore();
  await standardCounty(world(store));
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const issued = {
    county: keys.issue({ name: '庄浪县财政局', role: 'finance', areas: [COUNTY] }).key,
    elsewhere: keys.issue({ name: '邻县财政局', role: 'finance', areas: ['620424000000'] }).key,
    auditor: keys.issue({ name: '审计组', role: 'auditor', areas: [] }).key,
    dashboard: keys.issue({ name: '大屏', role: 'dashboard', areas: [] }).key,
    public: keys.issue({ name: '公示', role: 'public', areas: [] }).key,
  };
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })) as unknown as Logger;
  const { app } = await testApp(t, {
    store,
    logger,
    commands: { executor: new CommandExecutor(store), keys },
    imports: { store, now: () => new Date('2020-07-01T00:00:00Z'), ...options },
  });
  const post = (body: { payload: Buffer; headers: Record<string, string> }, key?: string) =>
    app.inject({ method: 'POST', url: '/v1/imports', payload: body.payload, headers: { ...body.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) } });
  const head = () => store.headPosition();
  return { app, store, post, head, keys: issued, lines };
}

t.test('401 without a key or with an unknown one; 403 for dashboard and public keys and for a live import by an auditor; nothing written', async (t) => {
  const { post, head, keys } = await setup(t);
  const before = await head();
  const body = form({}, ledger(row('10', 'A')));
  const none = await post(body);
  t.equal(none.statusCode, 401);
  t.equal(none.json().code, 'unauthenticated');
  t.match(none.headers['content-type'], /application\/problem\+json/);
  t.equal((await post(body, `ft_000000000000_${'x'.repeat(43)}`)).statusCode, 401);
  for (const key of [keys.dashboard, keys.public]) {
    const res = await post(body, key);
    t.equal(res.statusCode, 403);
    t.equal(res.json().code, 'forbidden_role');
  }
  const auditorLive = await post(body, keys.auditor);
  t.equal(auditorLive.statusCode, 403);
  t.equal(auditorLive.json().code, 'forbidden_role');
  t.match(auditorLive.json().detail, /historical/);
  t.equal(await head(), before);
});

t.test('a finance key imports a payment list in its county: 201 with the batch, rows, events and totals; the same file again is 200', async (t) => {
  const { post, head, keys, store } = await setup(t);
  const before = await head();
  const res = await post(form({}, ledger(row('100', 'A'), row('0.50', 'B'))), keys.county);
  t.equal(res.statusCode, 201);
  const summary = res.json();
  t.match(summary, { committed: true, rows: 2, commands: 2, events: 2, kinds: ['payments'], totals: [{ kind: 'payments', amountFen: '10050' }] });
  t.match(summary.batchId, /^sha256-/);
  t.equal(await head(), before + 2);
  const [last] = (await store.readAll({ afterPosition: before + 1 })).events;
  t.equal(last!.metadata.actor, '庄浪县财政局');
  t.equal(last!.metadata.importBatch, summary.batchId);
  const again = await post(form({}, ledger(row('100', 'A'), row('0.50', 'B'))), keys.county);
  t.equal(again.statusCode, 200);
  t.match(again.json(), { committed: false, commands: 0, alreadyRecorded: 2 });
  t.equal(await head(), before + 2);
});

t.test('422 lists every row error (row, column, code, message) and nothing is written', async (t) => {
  const { post, head, keys } = await setup(t);
  const before = await head();
  const res = await post(form({}, ledger(row('100', 'A'), row('1e3', 'B'), row('12.345', 'C'), row('999999', 'D'))), keys.county);
  t.equal(res.statusCode, 422);
  const body = res.json();
  t.equal(body.code, 'import_rows_refused');
  t.equal(body.errorCount, 3);
  t.same(body.rowErrors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code]), [[3, '金额(元)', 'amount_malformed'], [4, '金额(元)', 'amount_too_many_decimals'], [5, '金额(元)', 'amount_exceeds_balance']]);
  t.equal(await head(), before);
});

t.test('403 when rows lie outside the key\'s areas, naming each such row; nothing is written', async (t) => {
  const { post, head, keys } = await setup(t);
  const before = await head();
  const res = await post(form({}, ledger(row('10', 'A'), row('10', 'B'))), keys.elsewhere);
  t.equal(res.statusCode, 403);
  t.equal(res.json().code, 'forbidden_area');
  t.same(res.json().rowErrors.map((e: { row: number; code: string }) => [e.row, e.code]), [[2, 'forbidden_area'], [3, 'forbidden_area']]);
  t.equal(await head(), before);
});

t.test('an auditor imports a historical ledger: what live would refuse is recorded and flagged', async (t) => {
  const { post, head, keys } = await setup(t);
  const before = await head();
  const res = await post(form({ historical: 'true' }, ledger(row('50000', 'A'))), keys.auditor);
  t.equal(res.statusCode, 201);
  t.match(res.json(), { historical: true, violations: [{ code: 'amount_exceeds_balance', rows: 1 }] });
  t.equal(await head(), before + 1);
});

t.test('a dry run answers 200 with what would be written and writes nothing', async (t) => {
  const { post, head, keys } = await setup(t);
  const before = await head();
  const res = await post(form({ dryRun: 'true', kind: 'payments' }, ledger(row('10', 'A'))), keys.county);
  t.equal(res.statusCode, 200);
  t.match(res.json(), { dryRun: true, committed: false, events: 1, totals: [{ amountFen: '1000' }] });
  t.equal(await head(), before);
});

t.test('bad input is a clear 4xx and changes nothing: unreadable file, no file part, bad fields, JSON body, other media, too large', async (t) => {
  const { post, head, keys, app } = await setup(t, { maxFileBytes: 2048 });
  const before = await head();
  const xls = await post(form({}, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0])), keys.county);
  t.equal(xls.statusCode, 400);
  t.equal(xls.json().code, 'xls_not_supported');
  const headersOnly = await post(form({}, Buffer.from('序号,备注\n1,x\n')), keys.county);
  t.equal(headersOnly.statusCode, 400);
  t.equal(headersOnly.json().code, 'no_header');
  const noFile = await post(form({ kind: 'payments' }), keys.county);
  t.equal(noFile.statusCode, 400);
  t.equal(noFile.json().code, 'validation_failed');
  const badKind = await post(form({ kind: 'salaries' }, ledger(row('10', 'A'))), keys.county);
  t.equal(badKind.statusCode, 400);
  const badFlag = await post(form({ historical: 'yes' }, ledger(row('10', 'A'))), keys.county);
  t.equal(badFlag.statusCode, 400);
  const json = await app.inject({ method: 'POST', url: '/v1/imports', payload: { file: 'a,b' }, headers: { authorization: `Bearer ${keys.county}` } });
  t.equal(json.statusCode, 400);
  const text = await app.inject({ method: 'POST', url: '/v1/imports', payload: 'a,b', headers: { 'content-type': 'text/csv', authorization: `Bearer ${keys.county}` } });
  t.equal(text.statusCode, 415);
  const big = await post(form({}, Buffer.alloc(4096, 'a')), keys.county);
  t.equal(big.statusCode, 413);
  for (const res of [xls, headersOnly, noFile, badKind, badFlag, json, text, big]) t.match(res.headers['content-type'], /application\/problem\+json/);
  t.equal(await head(), before);
});

t.test('the logs of an import hold counts, never the names or ID numbers in the file', async (t) => {
  const { post, keys, lines } = await setup(t);
  await post(form({}, ledger(row('10', 'A'))), keys.county);
  await post(form({}, ledger(row('1e3', 'B'))), keys.county);
  const log = lines.join('');
  t.match(log, /import finished/);
  t.notMatch(log, /张三/);
  t.notMatch(log, /620423198001010011/);
});

t.test('POST /v1/imports is in the OpenAPI document as multipart, with its security and every status', async (t) => {
  const { app } = await setup(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, { post?: { requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown>; security?: unknown[] } }> };
  const post = doc.paths['/v1/imports']?.post;
  t.ok(post, 'documented');
  t.same(post?.security, [{ apiKey: [] }]);
  t.ok(post?.requestBody?.content['multipart/form-data'], 'a multipart body');
  t.same(Object.keys(post?.responses ?? {}).sort(), ['200', '201', '400', '401', '403', '409', '413', '415', '422']);
});

t.test('no file makes a 500: generated bytes, ledger-like text and JSON lines are answered 2xx, 400, 403 or 422', async (t) => {
  const { post, keys } = await setup(t);
  const cell = fc.oneof(fc.constantFrom('hh-1', '张三', '620423198001010011', '1,234.56', '-1', '1e3', '', '"', '合计', '2020-02-30', VILLAGE, '到户补助', '{', '\u0000'), fc.string({ maxLength: 12 }));
  const csvText = fc.array(fc.array(cell, { maxLength: 10 }), { maxLength: 8 }).map((rows) => [HEADER, ...rows.map((r) => r.join(','))].join('\n'));
  const jsonLines = fc.array(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), { maxLength: 5 }).map((lines) => lines.join('\n'));
  const file = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), csvText.map((s) => Buffer.from(s)), jsonLines.map((s) => Buffer.from(s)), fc.constant(Buffer.from('PK\u0003\u0004garbage')));
  const kind = fc.option(fc.constantFrom('payments', 'households', 'persons', 'transfers'), { nil: undefined });
  await fc.assert(
    fc.asyncProperty(file, kind, fc.boolean(), async (bytes, k, historical) => {
      const res = await post(form({ ...(k ? { kind: k } : {}), historical: String(historical) }, bytes), keys.county);
      return [200, 201, 400, 403, 422].includes(res.statusCode) && res.statusCode < 500;
    }),
    { numRuns: 150 },
  );
});

t.test('a multipart body cut short or with a broken boundary is 400, not a server error, and writes nothing', async (t) => {
  const { post, head, keys } = await setup(t);
  const before = await head();
  const whole = form({}, ledger(row('10', 'A')));
  const cut = { payload: whole.payload.subarray(0, whole.payload.length - 30), headers: whole.headers };
  const res = await post(cut, keys.county);
  t.equal(res.statusCode, 400);
  t.match(res.json(), { code: 'malformed_multipart', detail: /not a well-formed multipart/ });
  const wrongBoundary = await post({ payload: whole.payload, headers: { 'content-type': 'multipart/form-data; boundary=nothing-like-it' } }, keys.county);
  t.equal(wrongBoundary.statusCode, 400);
  t.equal(await head(), before);
});
