import t from 'tap';
import { standardCounty, world, VILLAGE_ACCOUNT } from './fixture.js';

t.test('a household payment from a funded village is recorded with its lineage', async (t) => {
  const w = world();
  await standardCounty(w);
  const result = await w.run({ type: 'MakePayment', paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 150_000, voucherNo: 'PZ-1', purpose: 'household_benefit' });
  t.equal(result.status, 'recorded');
  const log = await w.log();
  const payment = log[log.length - 1]!;
  t.equal(payment.type, 'PaymentMade');
  t.match(payment.data, { lots: [{ appropriationId: 'ap-1', sourceId: 'central-2020', fiscalYear: 2020, amountFen: 150_000 }] });
});
