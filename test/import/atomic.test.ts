// Atomicity on the embedded store: SqliteEventStore.atomically commits every append inside it or none, and
// forgets what it remembered about rolled-back appends; an import whose commit fails half-way leaves the
// log, the hash chain and every cache as they were.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { verifyStore } from '../../src/audit/verify.js';
import { silentProgress } from '../../src/cli/progress.js';
import { WrongExpectedVersionError } from '../../src/store/errors.js';
import type { NewEvent } from '../../src/store/types.js';
import { csv, HEADER, importInto, payRow, sqliteWorld, VILLAGE, VILLAGE_ACCOUNT } from './fixture.js';

const event = (type = 'Noted'): NewEvent => ({ id: randomUUID(), type, data: { n: 1 } });

t.test('atomically: every append inside commits together, and subscribers hear of it once, after the commit', async (t) => {
  const w = await sqliteWorld(t);
  const { store } = w;
  const before = await store.headPosition();
  store.atomically(() => {
    store.appendSync([{ stream: 'note-a', events: [event()], expectedRevision: 'no_stream' }]);
    store.appendSync([{ stream: 'note-b', events: [event(), event()], expectedRevision: 'no_stream' }]);
  });
  t.equal(await store.headPosition(), before + 3);
  t.equal(await store.streamRevision('note-b'), 1);
});

t.test('atomically: a throw rolls back every append inside, and the revisions remembered for them are forgotten', async (t) => {
  const w = await sqliteWorld(t);
  const { store } = w;
  await store.append('note-a', [event()], 'no_stream');
  const before = await store.headPosition();
  t.throws(() =>
    store.atomically(() => {
      store.appendSync([{ stream: 'note-a', events: [event()], expectedRevision: 0 }]);
      store.appendSync([{ stream: 'note-c', events: [event()], expectedRevision: 'no_stream' }]);
      throw new Error('the import found a bad row');
    }),
  );
  t.equal(await store.headPosition(), before);
  t.equal(await store.streamRevision('note-a'), 0);
  t.equal(await store.streamRevision('note-c'), null);
  // A writer that believed the rolled-back append (revision 1) must be refused, not given revision 2.
  await t.rejects(store.append('note-a', [event()], 1), WrongExpectedVersionError);
  const next = await store.append('note-a', [event()], 0);
  t.equal(next.nextExpectedRevision, 1);
});

t.test('atomically refuses an async function and writes nothing', async (t) => {
  const w = await sqliteWorld(t);
  const { store } = w;
  const before = await store.headPosition();
  t.throws(() => store.atomically((async () => undefined) as never), TypeError);
  t.equal(await store.headPosition(), before);
});

t.test('an import whose commit fails half-way writes nothing, and the hash chain stays intact before and after', async (t) => {
  const w = await sqliteWorld(t);
  // Batch B's row 3 is a payment; a later file under the same batch makes row 3 something else entirely, which
  // only the commit can find (the id lands in another stream), after row 2 was already appended inside it.
  const first = await importInto(w.store, csv('东关村发放表,,,,,,,', HEADER, payRow('100', 'A')), { batchId: 'B' });
  t.equal(first.committed, true);
  const head = await w.store.headPosition();
  const households = csv('户编号,村代码,户主姓名,户主身份证号,识别日期', `hh-7,${VILLAGE},王七,620423198001010077,2014-10-01`, `hh-8,${VILLAGE},王八,620423198001010088,2014-10-01`);
  const clash = await importInto(w.store, households, { batchId: 'B' });
  t.same(clash.errors.map((e) => [e.row, e.code]), [[3, 'command_id_reused_with_different_content']]);
  t.equal(clash.committed, false);
  t.equal(await w.store.headPosition(), head, 'row 2, appended inside the transaction, was rolled back');
  await w.store.settle();
  const intact = verifyStore(w.path, { progress: () => silentProgress });
  t.equal(intact.ok, true, 'fundtrail verify after the rollback');
  t.equal(intact.events, head);
  // The store forgot the rolled-back stream: registering hh-7 now works, and the chain links it.
  const retry = await importInto(w.store, households, { batchId: 'B2' });
  t.equal(retry.committed, true);
  await w.store.settle();
  const after = verifyStore(w.path, { progress: () => silentProgress });
  t.equal(after.ok, true, 'fundtrail verify after the committed import');
  t.equal(after.events, head + 2);
});

t.test('an executor that saw the log before a refused import still decides on the true balance after it', async (t) => {
  const w = await sqliteWorld(t);
  // The village holds ¥30,000. The import would spend ¥25,000 before its last row is refused.
  const refused = await importInto(w.store, csv(HEADER, payRow('25000', 'A'), payRow('1', 'B').replace('到户补助', '奖金')));
  t.equal(refused.errors.length, 1);
  const paid = await w.run({ type: 'MakePayment', paymentId: 'live-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 2_900_000, voucherNo: 'L-1', purpose: 'household_benefit' });
  t.equal(paid.status, 'recorded', 'the ¥29,000 the rolled-back rows would have taken is still there');
});

t.test('an import committed while another executor holds cached state: that executor catches up instead of overdrawing', async (t) => {
  const w = await sqliteWorld(t);
  await w.run({ type: 'MakePayment', paymentId: 'live-0', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 100, voucherNo: 'L-0', purpose: 'household_benefit' });
  const report = await importInto(w.store, csv(HEADER, payRow('29000', 'A')));
  t.equal(report.committed, true);
  await t.rejects(
    w.run({ type: 'MakePayment', paymentId: 'live-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 100_000, voucherNo: 'L-1', purpose: 'household_benefit' }),
    { code: 'amount_exceeds_balance' },
  );
});
