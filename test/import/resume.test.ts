// On a store without one big transaction (KurrentDB; the memory store stands in for it here), an import is
// appended in order after every row was decided. Interrupted half-way, running it again writes the rest and
// nothing twice.
import t from 'tap';
import { runImport } from '../../src/import/run.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import type { EventStore } from '../../src/store/types.js';
import { standardCounty, VILLAGE, world } from '../domain/fixture.js';
import { allEvents } from './fixture.js';

/** The store, except that the connection drops after `appends` appends. */
function dropsAfter(store: EventStore, appends: number): EventStore {
  let left = appends;
  const guard = () => {
    if (left-- <= 0) throw new Error('connection lost');
  };
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'append' || key === 'appendMulti') {
        return async (...args: unknown[]) => {
          guard();
          return (Reflect.get(target, key, receiver) as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const payment = (id: string) => ({ type: 'MakePayment', effectiveDate: '2020-06-10', paymentId: id, fromAccount: `village:${VILLAGE}`, payee: { kind: 'household', id: 'hh-1' }, amountFen: 1000, voucherNo: id, purpose: 'household_benefit' });
const household = (id: string, n: number) => ({ type: 'RegisterHousehold', effectiveDate: '2020-06-10', householdId: id, villageCode: VILLAGE, headName: '王五', headIdNumber: `62042319800101${String(n).padStart(4, '0')}`, registeredOn: '2020-06-01' });
const FILE = Buffer.from([payment('P-1'), household('hh-a', 1), payment('P-2'), household('hh-b', 2), payment('P-3')].map((c) => JSON.stringify(c)).join('\n'));
const options = { historical: false, dryRun: false, actor: 'import-test', role: 'finance', now: () => new Date('2020-07-01T00:00:00Z') };

t.test('an import interrupted after two appends is finished by running it again, with no event written twice', async (t) => {
  const store = new MemoryEventStore();
  await standardCounty(world(store));
  const before = await store.headPosition();
  await t.rejects(runImport(dropsAfter(store, 2), FILE, options), /connection lost/);
  t.equal(await store.headPosition(), before + 2, 'the first two rows got through');
  const rerun = await runImport(store, FILE, options);
  t.same(rerun.errors, []);
  t.equal(rerun.alreadyRecorded, 2);
  t.equal(rerun.commands, 3);
  const written = (await allEvents(store)).slice(before);
  t.equal(written.length, 5);
  t.equal(new Set(written.map((e) => e.id)).size, 5);
  t.same(written.map((e) => e.type), ['PaymentMade', 'HouseholdRegistered', 'PaymentMade', 'HouseholdRegistered', 'PaymentMade'], 'in file order');
  const third = await runImport(store, FILE, options);
  t.equal(third.alreadyRecorded, 5);
  t.equal(await store.headPosition(), before + 5);
});
