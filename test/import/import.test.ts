// Bulk import through the command path: every row decided before anything is written, every error reported
// at once, nothing written when any row fails, and the same file twice recorded once.
import t from 'tap';
import { allEvents, csv, HEADER, importInto, NOW, payRow, sqliteWorld, VILLAGE, VILLAGE_ACCOUNT } from './fixture.js';

t.test('a payment list with Chinese headers becomes one PaymentMade per row, in fen, tagged with its batch', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  const report = await importInto(w.store, csv(HEADER, payRow('1,234.56', 'PZ-1'), payRow('0.29', 'PZ-2'), payRow('500', 'PZ-3')));
  t.same(report.errors, []);
  t.equal(report.committed, true);
  t.same(report.kinds, ['payments']);
  t.match(report.totals, [{ kind: 'payments', rows: 3, commands: 3, events: 3, amountFen: String(123_456 + 29 + 50_000) }]);
  const written = (await allEvents(w.store)).slice(before);
  t.equal(written.length, 3);
  t.same(written.map((e) => (e.data as { amountFen: number }).amountFen), [123_456, 29, 50_000]);
  t.same(written.map((e) => e.stream), Array(3).fill(`account-${VILLAGE_ACCOUNT}`));
  for (const event of written) {
    t.equal(event.type, 'PaymentMade');
    t.equal(event.metadata.importBatch, report.batchId);
    t.equal(event.metadata.recordedAt, NOW.toISOString());
    t.match(event.data, { payee: { kind: 'household', id: 'hh-1', name: '张三', idNumber: '620423198001010011' }, purpose: 'household_benefit' });
  }
  t.equal(report.headAfter, before + 3);
});

t.test('every row error of the file is reported at once, with row, column, code and message, and nothing is written', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  const report = await importInto(
    w.store,
    csv(
      HEADER,
      payRow('100', 'PZ-1'),
      payRow('1e3', 'PZ-2'),
      payRow('12.345', 'PZ-3', '2020-02-30'),
      payRow('100', ''),
      'hh-404,王五,620423198001010099,100,PZ-5,到户补助,2020-06-10,' + VILLAGE,
      payRow('999999', 'PZ-6'),
      payRow('100', 'PZ-7').replace('到户补助', '奖金'),
    ),
  );
  t.equal(report.committed, false);
  t.same(
    report.errors.map((e) => [e.row, e.column, e.code]),
    [
      [3, '金额(元)', 'amount_malformed'],
      [4, '金额(元)', 'amount_too_many_decimals'],
      [4, '支付日期', 'invalid_date'],
      [5, '凭证号', 'missing_value'],
      [6, '户编号', 'payee_not_registered_in_village'],
      [7, '金额(元)', 'amount_exceeds_balance'],
      [8, '用途', 'invalid_value'],
    ],
  );
  for (const error of report.errors) t.ok(error.message.length > 10, `row ${error.row} says what is wrong: ${error.message}`);
  t.equal(await w.store.headPosition(), before, 'the good row 2 was not written either');
  t.equal(report.headAfter, before);
});

t.test('rows after a refused row are still decided, and see the rows before them', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  // The village holds ¥30,000: rows 2 and 3 fit, row 4 overdraws, row 5 would fit on its own but not after 2 and 3.
  const report = await importInto(w.store, csv(HEADER, payRow('20000', 'A'), payRow('9000', 'B'), payRow('50000', 'C'), payRow('1500', 'D')));
  t.same(report.errors.map((e) => [e.row, e.code]), [[4, 'amount_exceeds_balance'], [5, 'amount_exceeds_balance']]);
  t.equal(await w.store.headPosition(), before);
});

t.test('the same file imported twice is recorded once; the second run reports every row as already recorded', async (t) => {
  const w = await sqliteWorld(t);
  const file = csv(HEADER, payRow('100', 'PZ-1'), payRow('200', 'PZ-2'));
  const first = await importInto(w.store, file);
  const head = await w.store.headPosition();
  const second = await importInto(w.store, file, { now: () => new Date('2020-08-01T00:00:00Z') });
  t.same(second.errors, []);
  t.equal(second.committed, false);
  t.equal(second.commands, 0);
  t.equal(second.alreadyRecorded, 2);
  t.equal(second.batchId, first.batchId);
  t.equal(await w.store.headPosition(), head, 'no event was written twice');
});

t.test('a batch id given by the user makes ids stable across edits: a ledger that grew imports only its new rows', async (t) => {
  const w = await sqliteWorld(t);
  await importInto(w.store, csv(HEADER, payRow('100', 'PZ-1')), { batchId: 'ledger-2020-06' });
  const head = await w.store.headPosition();
  const grown = await importInto(w.store, csv(HEADER, payRow('100', 'PZ-1'), payRow('300', 'PZ-2')), { batchId: 'ledger-2020-06' });
  t.same(grown.errors, []);
  t.equal(grown.alreadyRecorded, 1);
  t.equal(grown.commands, 1);
  t.equal(await w.store.headPosition(), head + 1);
});

t.test('a dry run decides everything, reports what would be written, and writes nothing', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  const report = await importInto(w.store, csv(HEADER, payRow('100', 'PZ-1'), payRow('250.5', 'PZ-2')), { dryRun: true });
  t.same(report.errors, []);
  t.equal(report.committed, false);
  t.equal(report.dryRun, true);
  t.match(report.totals, [{ kind: 'payments', commands: 2, events: 2, amountFen: '35050' }]);
  t.equal(await w.store.headPosition(), before);
  const real = await importInto(w.store, csv(HEADER, payRow('100', 'PZ-1'), payRow('250.5', 'PZ-2')));
  t.equal(real.committed, true, 'the dry run left nothing behind that blocks the real import');
});

t.test('a historical import records what a live posting would refuse, flags it, and keeps the ledger\'s recording time', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  const header = `${HEADER},登记时间`;
  const report = await importInto(w.store, csv(header, `${payRow('10', 'PZ-1', '2019-03-01')},2019-03-02`, `${payRow('50000', 'PZ-2', '2019-03-02')},2019-11-20 09:30`), { historical: true });
  t.same(report.errors, []);
  t.equal(report.committed, true);
  t.same(report.violations, [{ code: 'amount_exceeds_balance', rows: 1 }]);
  const [plain, overspend] = (await allEvents(w.store)).slice(before);
  t.equal(overspend!.metadata.historical, true);
  t.match(overspend!.metadata.violations, [{ code: 'amount_exceeds_balance' }]);
  t.equal(overspend!.metadata.recordedAt, '2019-11-20T01:30:00.000Z', 'China Standard Time without an offset');
  t.equal(plain!.metadata.recordedAt, '2019-03-01T16:00:00.000Z');
  t.equal(plain!.metadata.violations, undefined);
});

t.test('a recording-time column is refused in a live import, and a recording time after the import in a historical one', async (t) => {
  const w = await sqliteWorld(t);
  const file = csv(`${HEADER},登记时间`, `${payRow('10', 'PZ-1')},2020-06-11`);
  await t.rejects(importInto(w.store, file), { code: 'recorded_at_needs_historical' });
  const future = await importInto(w.store, csv(`${HEADER},登记时间`, `${payRow('10', 'PZ-1')},2021-01-01`), { historical: true });
  t.same(future.errors.map((e) => [e.row, e.column, e.code]), [[2, '登记时间', 'recorded_in_future']]);
});

t.test('structural refusals stop a historical import too: history cannot pay from an account that never existed', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  const report = await importInto(w.store, csv(HEADER, payRow('10', 'PZ-1'), payRow('10', 'PZ-2').replace(VILLAGE, '620423101009')), { historical: true });
  t.same(report.errors.map((e) => [e.row, e.column, e.code]), [[3, '村代码', 'unknown_account']]);
  t.equal(await w.store.headPosition(), before);
});

t.test('a totals row is skipped and checked against the sum of the rows above it', async (t) => {
  const w = await sqliteWorld(t);
  const good = await importInto(w.store, csv(HEADER, payRow('100.5', 'A'), payRow('200', 'B'), '合计,,,300.50,,,,'), { dryRun: true });
  t.same(good.errors, []);
  t.same(good.skippedRows, [{ row: 4, reason: 'totals row (合计)' }]);
  const bad = await importInto(w.store, csv(HEADER, payRow('100.5', 'A'), payRow('200', 'B'), '合计,,,300.00,,,,'), { dryRun: true });
  t.same(bad.errors.map((e) => [e.row, e.column, e.code]), [[4, '金额(元)', 'control_total_mismatch']]);
});

t.test('the kind is read from the headers; a file that fits no kind, or a kind that does not exist, is refused whole', async (t) => {
  const w = await sqliteWorld(t);
  await t.rejects(importInto(w.store, csv('序号,备注', '1,x')), { code: 'no_header' });
  await t.rejects(importInto(w.store, csv('户编号,姓名,金额(元)', 'hh-1,张三,10')), { code: 'kind_unknown' });
  await t.rejects(importInto(w.store, csv(HEADER, payRow('1', 'A')), { kind: 'salaries' }), { code: 'unknown_kind' });
  await t.rejects(importInto(w.store, csv('户编号,姓名,金额(元),凭证号,用途,支付日期', 'hh-1,张三,10,A,到户补助,2020-06-01'), { kind: 'payments' }), { code: 'missing_columns', message: /one of fromAccount, villageCode/ });
  await t.rejects(importInto(w.store, csv(`${HEADER},金额`, `${payRow('1', 'A')},1`)), { code: 'duplicate_column' });
});

t.test('a title row above the headers and unknown columns are tolerated; the unknown columns are listed', async (t) => {
  const w = await sqliteWorld(t);
  const report = await importInto(w.store, csv('东关村2020年6月到户补助发放花名册,,,,,,,,', `序号,${HEADER},备注`, `1,${payRow('10', 'A')},`), { dryRun: true });
  t.same(report.errors, []);
  t.same(report.ignoredColumns, ['序号', '备注']);
  t.equal(report.commands, 1);
});

t.test('a finance key\'s areas: a row acting outside them is refused per row, and nothing is written', async (t) => {
  const w = await sqliteWorld(t);
  const before = await w.store.headPosition();
  const report = await importInto(w.store, csv(HEADER, payRow('10', 'A'), payRow('10', 'B')), { areas: ['620423102000'] });
  t.same(report.errors.map((e) => [e.row, e.column, e.code]), [[2, '村代码', 'forbidden_area'], [3, '村代码', 'forbidden_area']]);
  t.equal(await w.store.headPosition(), before);
  const inside = await importInto(w.store, csv(HEADER, payRow('10', 'A')), { areas: ['620423101000'] });
  t.same(inside.errors, []);
});
