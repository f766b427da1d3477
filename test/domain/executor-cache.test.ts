// The executor's cache only saves reads: with room for two streams, evicting all the time, every decision
// and every recorded event is the same as with the default cache.
import t from 'tap';
import { CommandExecutor } from '../../src/domain/executor.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { standardCounty, VILLAGE_ACCOUNT, world, type World } from './fixture.js';

async function history(w: World): Promise<string[]> {
  await standardCounty(w);
  for (let i = 0; i < 30; i++) {
    await w.run({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'MakePayment', paymentId: `pay-${i}`, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 10_000 + i, voucherNo: `PZ-${i}`, purpose: 'household_benefit' });
  }
  // Overdrawing is still refused after many evictions: the account state was refolded correctly.
  const refused = await w.run({ type: 'MakePayment', paymentId: 'too-much', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 3_000_000, voucherNo: 'PZ-X', purpose: 'household_benefit' }).then(() => 'recorded', (e: { code?: string }) => e.code ?? 'error');
  const log = await w.log();
  return [refused, ...log.filter((e) => e.type === 'PaymentMade').map((e) => JSON.stringify([e.stream, e.revision, e.data]))];
}

t.test('a tiny cache that keeps evicting decides and records exactly what the default cache does', async (t) => {
  const roomy = world();
  const tinyStore = new MemoryEventStore();
  const tiny = world(tinyStore);
  const tinyExecutor = new CommandExecutor(tinyStore, { cacheSize: 2 });
  tiny.run = (command, ctx) => tinyExecutor.execute({ id: crypto.randomUUID(), effectiveDate: '2020-06-01', ...command }, { actor: 'clerk-01', role: 'finance', now: '2020-06-30T08:00:00.000Z', mode: 'live', ...ctx });
  const expected = await history(roomy);
  t.equal(expected[0], 'amount_exceeds_balance');
  t.same(await history(tiny), expected);
});
