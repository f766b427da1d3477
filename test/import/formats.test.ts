// Reading the files bureaus actually have: CSV in UTF-8 (with a BOM), GBK, UTF-16 and tab-separated, XLSX
// with number, date and formula cells, JSON Lines; headers in Chinese with full-width brackets; every kind.
import ExcelJS from 'exceljs';
import t from 'tap';
import { KINDS } from '../../src/import/kinds.js';
import { decodeText } from '../../src/import/read.js';
import { fold } from '../../src/import/values.js';
import { allEvents, COUNTY, csv, HEADER, importInto, payRow, POOL, sqliteWorld, TOWNSHIP, VILLAGE } from './fixture.js';

const gbk = (text: string): Buffer => {
  // Node decodes GBK but does not encode it; these are the GBK bytes of the header and row used below.
  const table: Record<string, number[]> = { 户: [0xbb, 0xa7], 编: [0xb1, 0xe0], 号: [0xba, 0xc5], 姓: [0xd0, 0xd5], 名: [0xc3, 0xfb], 身: [0xc9, 0xed], 份: [0xb7, 0xdd], 证: [0xd6, 0xa4], 金: [0xbd, 0xf0], 额: [0xb6, 0xee], 元: [0xd4, 0xaa], 凭: [0xc6, 0xbe], 用: [0xd3, 0xc3], 途: [0xcd, 0xbe], 支: [0xd6, 0xa7], 付: [0xb8, 0xb6], 日: [0xc8, 0xd5], 期: [0xc6, 0xda], 村: [0xb4, 0xe5], 代: [0xb4, 0xfa], 码: [0xc2, 0xeb], 张: [0xd5, 0xc5], 三: [0xc8, 0xfd], 到: [0xb5, 0xbd], 补: [0xb2, 0xb9], 助: [0xd6, 0xfa] };
  const bytes: number[] = [];
  for (const ch of text) bytes.push(...(table[ch] ?? [ch.charCodeAt(0)]));
  return Buffer.from(bytes);
};

t.test('no header alias is claimed by two columns of one kind', async (t) => {
  for (const kind of KINDS) {
    const seen = new Map<string, string>();
    for (const column of kind.columns) {
      for (const name of [column.key, ...column.aliases].map(fold)) {
        t.notOk(seen.has(name) && seen.get(name) !== column.key, `${kind.name}: ${name} names ${seen.get(name)} and ${column.key}`);
        seen.set(name, column.key);
      }
    }
  }
});

t.test('CSV: a UTF-8 BOM, GBK from Excel on a Chinese Windows, UTF-16 tab-separated text, and full-width brackets all read the same', async (t) => {
  const w = await sqliteWorld(t);
  const plain = await importInto(w.store, csv(HEADER, payRow('10', 'A')), { dryRun: true });
  t.same(plain.errors, []);
  const bom = await importInto(w.store, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(HEADER, payRow('10', 'A'))]), { dryRun: true });
  t.same(bom.errors, []);
  t.equal(bom.encoding, 'utf-8');
  const fromGbk = await importInto(w.store, gbk(`${HEADER}\n${payRow('10', 'A')}\n`), { dryRun: true });
  t.same(fromGbk.errors, []);
  t.equal(fromGbk.encoding, 'gb18030');
  t.equal(fromGbk.commands, 1);
  const tsv = `${HEADER.replaceAll(',', '\t')}\n${payRow('10', 'A').replaceAll(',', '\t').replaceAll('"', '')}\n`;
  const utf16 = await importInto(w.store, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tsv, 'utf16le')]), { dryRun: true });
  t.same(utf16.errors, []);
  t.equal(utf16.encoding, 'utf-16le');
  const fullWidth = await importInto(w.store, csv(HEADER.replace('金额(元)', '金额（元）'), payRow('10', 'A')), { dryRun: true });
  t.same(fullWidth.errors, []);
  t.equal(fullWidth.commands, 1);
});

t.test('CSV: rows are numbered as lines of the file, past blank lines and cells that span lines', async (t) => {
  const w = await sqliteWorld(t);
  const report = await importInto(w.store, csv(HEADER, payRow('10', 'A'), '', payRow('x', 'B'), payRow('10', '"C\nD"'), payRow('y', 'E')), { dryRun: true });
  t.same(report.errors.map((e) => [e.row, e.code]), [[4, 'amount_malformed'], [7, 'amount_malformed']]);
});

t.test('bytes that are neither UTF-8 nor GBK, an old .xls, and a malformed CSV are refused whole with a clear code', async (t) => {
  const w = await sqliteWorld(t);
  t.throws(() => decodeText(Buffer.from([0x81, 0x20, 0xff, 0xff, 0x81])), { code: 'unsupported_encoding' });
  await t.rejects(importInto(w.store, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])), { code: 'xls_not_supported' });
  await t.rejects(importInto(w.store, csv(HEADER, `${payRow('10', 'A')},"unterminated`)), { code: 'csv_malformed' });
  await t.rejects(importInto(w.store, Buffer.alloc(0)), { code: 'file_empty' });
  await t.rejects(importInto(w.store, Buffer.from('PK\x03\x04 not really a zip')), { code: 'xlsx_unreadable' });
});

async function workbook(rows: unknown[][], sheet = '发放表', extra?: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  if (extra) wb.addWorksheet(extra).addRow(['说明']);
  const ws = wb.addWorksheet(sheet);
  for (const row of rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

t.test('XLSX: number cells become exact fen, date cells dates; a long ID number in a number cell and float noise are refused', async (t) => {
  const w = await sqliteWorld(t);
  const headers = HEADER.split(',');
  const bytes = await workbook([
    headers,
    ['hh-1', '张三', '620423198001010011', 1234.56, 'PZ-1', '到户补助', new Date(Date.UTC(2020, 5, 10)), VILLAGE],
    ['hh-1', '张三', 620423198001010011, 10, 'PZ-2', '到户补助', '2020/6/11', VILLAGE],
    ['hh-1', '张三', '620423198001010011', { formula: '0.1+0.2', result: 0.1 + 0.2 }, 'PZ-3', '到户补助', '2020-06-12', VILLAGE],
    ['hh-1', '张三', '620423198001010011', 0.29, 'PZ-4', '到户补助', '2020年6月13日', VILLAGE],
  ]);
  const report = await importInto(w.store, bytes, { dryRun: true });
  t.equal(report.format, 'xlsx');
  t.same(report.errors.map((e) => [e.row, e.column, e.code]), [[3, '身份证号', 'cell_unreadable'], [4, '金额(元)', 'amount_too_many_decimals']]);
  t.match(report.errors[0]!.message, /15 significant digits/);
  const clean = await workbook([headers, ['hh-1', '张三', '620423198001010011', 1234.56, 'PZ-1', '到户补助', new Date(Date.UTC(2020, 5, 10)), VILLAGE], ['hh-1', '张三', '620423198001010011', 0.29, 'PZ-4', '到户补助', '2020年6月13日', VILLAGE]], '发放表', '封面');
  await t.rejects(importInto(w.store, clean), { code: 'no_header' }, 'the first sheet is a cover page without headers');
  const before = await w.store.headPosition();
  const ok = await importInto(w.store, clean, { sheet: '发放表' });
  t.same(ok.errors, []);
  const written = (await allEvents(w.store)).slice(before);
  t.same(written.map((e) => [(e.data as { amountFen: number }).amountFen, e.metadata.effectiveDate]), [[123_456, '2020-06-10'], [29, '2020-06-13']]);
  await t.rejects(importInto(w.store, clean, { sheet: '不存在' }), { code: 'sheet_not_found' });
});

t.test('JSON Lines: one command per line, ids derived when left out, amountYuan read as a string, every bad line reported', async (t) => {
  const w = await sqliteWorld(t);
  const payment = { type: 'MakePayment', effectiveDate: '2020-06-10', paymentId: 'J-1', fromAccount: `village:${VILLAGE}`, payee: { kind: 'household', id: 'hh-1' }, voucherNo: 'J-1', purpose: 'household_benefit' };
  const lines = [
    JSON.stringify({ ...payment, amountYuan: '12.34' }),
    '{not json',
    JSON.stringify({ ...payment, paymentId: 'J-2', amountYuan: 12.34 }),
    JSON.stringify({ type: 'SealPeriod', effectiveDate: '2020-06-10', sealId: 's', from: '2019-01-01', to: '2019-12-31', reason: 'x' }),
    JSON.stringify({ ...payment, paymentId: 'J-3', amountFen: 100, payee: { kind: 'household', id: 'hh-1', idNumber: '12' } }),
    '',
    JSON.stringify({ ...payment, paymentId: 'J-4', amountFen: 100 }),
  ];
  const bad = await importInto(w.store, Buffer.from(lines.join('\n')));
  t.same(bad.errors.map((e) => [e.row, e.column, e.code]), [[2, null, 'invalid_json'], [3, 'amountYuan', 'amount_malformed'], [4, 'type', 'invalid_value'], [5, 'payee.idNumber', 'invalid_value']]);
  const before = await w.store.headPosition();
  const good = await importInto(w.store, Buffer.from([lines[0], lines[6]].join('\n')));
  t.same(good.errors, []);
  t.equal(good.format, 'jsonl');
  t.same(good.kinds, ['payments']);
  const written = (await allEvents(w.store)).slice(before);
  t.same(written.map((e) => (e.data as { amountFen: number }).amountFen), [1234, 100]);
});

t.test('every kind: appropriations, transfers with their receipt, allocations, households, persons and payments to them', async (t) => {
  const w = await sqliteWorld(t);
  const village = `village:${VILLAGE}`;
  const appropriations = await importInto(w.store, csv('指标编号,县代码,资金来源编号,年度,用途,金额(元),文号,下达日期', `ZY-9,${COUNTY},central-2020,2020,到户补助,"100,000.00",庄财〔2020〕9号,2020-03-01`));
  t.same(appropriations.errors, []);
  t.same(appropriations.kinds, ['appropriations']);
  const transfers = await importInto(w.store, csv('拨付编号,拨出账户,拨入账户,金额(元),拨付日期,到账日期', `BF-9,${POOL},${VILLAGE},5000,2020-03-05,2020-03-08`, `BF-10,${POOL},${VILLAGE},100,2020-03-05,`));
  t.same(transfers.errors, []);
  t.match(transfers.totals, [{ kind: 'transfers', rows: 2, commands: 3, amountFen: '510000' }]);
  const allocations = await importInto(w.store, csv('分配编号,来源账户,目标账户,金额(元),分配日期', `FP-1,${POOL},township:${TOWNSHIP},1000,2020-03-02`));
  t.same(allocations.errors, []);
  const households = await importInto(w.store, csv('户编号,村代码,户主姓名,户主身份证号,识别日期,户主人员编号', `hh-9,${VILLAGE},赵九,620423198001010099,2015-01-01,p-9`));
  t.same(households.errors, []);
  t.same(households.kinds, ['households']);
  const persons = await importInto(w.store, csv('户编号,人员编号,姓名,身份证号,与户主关系,登记日期', 'hh-9,p-10,钱十,620423198201010100,配偶,2015-01-01'));
  t.same(persons.errors, []);
  t.same(persons.kinds, ['persons']);
  const payments = await importInto(w.store, csv('户编号,人员编号,姓名,金额(元),凭证号,用途,支付日期,付款账户', `hh-9,p-10,钱十,88,PZ-9,到户补助,2020-06-01,${village}`));
  t.same(payments.errors, []);
  const log = await allEvents(w.store);
  const types = log.slice(-8).map((e) => e.type);
  t.same(types, ['AppropriationReceived', 'TransferSent', 'TransferReceived', 'TransferSent', 'AllocationMade', 'HouseholdRegistered', 'HouseholdMemberAdded', 'PaymentMade'], 'each kind became its events, in file order');
  t.match(log[log.length - 1]!.data, { payee: { kind: 'person', id: 'p-10', householdId: 'hh-9' }, amountFen: 8800 });
});
