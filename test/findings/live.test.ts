// The server's live detector, on the embedded store, reads history through the fold's log reader and then
// follows the log: its findings must be exactly those of a detector fed the whole recorded log.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { LiveDetector } from '../../src/detection/live.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { scratchDir } from '../helpers/tmp.js';
import { standardCounty, VILLAGE_ACCOUNT, world, type World } from '../domain/fixture.js';
import { findingsOf, historical } from './helpers.js';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pay = (w: World, paymentId: string, voucherNo: string, effectiveDate: string, now: string) =>
  w.run({ type: 'MakePayment', paymentId, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 80_000, voucherNo, purpose: 'household_benefit', effectiveDate, id: randomUUID() }, { ...historical, now });

t.test('findings from history and then live events equal those of a detector over the whole log', async (t) => {
  const store = new SqliteEventStore(join(scratchDir(t), 'live.db'));
  const w = world(store);
  await standardCounty(w);
  // History with findings: a voucher used twice (duplicate_payment) and a payment recorded long after its date (late_posting).
  await pay(w, 'p-1', 'PZ-1', '2020-06-10', '2020-06-10T08:00:00.000Z');
  await pay(w, 'p-2', 'PZ-1', '2020-06-11', '2020-06-11T08:00:00.000Z');
  await pay(w, 'p-3', 'PZ-3', '2020-01-05', '2020-12-20T08:00:00.000Z');
  const live = new LiveDetector(store);
  live.start();
  t.teardown(async () => {
    await live.stop();
    await store.close();
  });
  await until(() => live.status().caughtUp);
  const fromHistory = await findingsOf(w);
  t.ok(fromHistory.some((f) => f.code === 'duplicate_payment') && fromHistory.some((f) => f.code === 'late_posting'), 'the history has findings to compare');
  t.same(live.findings(), fromHistory, 'after history: the same findings');
  await pay(w, 'p-4', 'PZ-3', '2020-06-12', '2020-06-12T08:00:00.000Z');
  const head = await store.headPosition();
  await until(() => live.status().position === head && live.status().caughtUp);
  const all = await findingsOf(w);
  t.ok(all.length > fromHistory.length, 'the live payment raised a finding');
  t.same(live.findings(), all, 'after a live event: the same findings');
});
