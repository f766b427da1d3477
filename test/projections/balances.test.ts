// Balances and area rollups, as folds over the events a small county records.
import t from 'tap';
import { areaBalance, areaChain, balances, type AccountBalance, type BalanceView } from '../../projections/balances.js';
import { foldAll, type ProjectedEvent } from '../../projections/types.js';
import { SourceType } from '../../domain/values.js';
import { COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP, TOWNSHIP_ACCOUNT, VILLAGE, VILLAGE_ACCOUNT, standardCounty, world, type World } from '../domain/fixture.js';

/** The standard county, a payment, a transfer still in flight, a donation, and a reversed payment. */
async function history(): Promise<World> {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'RegisterFundSource', sourceId: 'donation-2020', name: '东西部协作帮扶资金', category: 'donation', sourceType: 'donation' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'don-1', countyCode: COUNTY, sourceId: 'donation-2020', fiscalYear: 2020, purpose: 'education_aid', amountFen: 500_000 });
  await w.run({ type: 'MakePayment', paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 150_000, voucherNo: 'PZ-1', purpose: 'household_benefit', effectiveDate: '2020-07-01' });
  await w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 1_000_000, effectiveDate: '2020-07-02' });
  await w.run({ type: 'SendTransfer', transferId: 'tr-3', fromAccount: `pool:${COUNTY}:donation-2020:2020`, toAccount: `village:${OTHER_VILLAGE}`, amountFen: 200_000, effectiveDate: '2020-07-03' });
  const wrong = await w.run({ type: 'MakePayment', paymentId: 'pay-2', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 90_000, voucherNo: 'PZ-2', purpose: 'household_benefit', effectiveDate: '2020-07-04' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: wrong.events[0]!.id, reason: '重复录入', effectiveDate: '2020-07-05' });
  return w;
}

async function fold(w: World) {
  return foldAll(balances, (await w.log()) as unknown as ProjectedEvent[]);
}

t.test('an account shows what it holds, received and paid, by source type, source and purpose', async (t) => {
  const views = await fold(await history());
  const village = views.get(`account:${VILLAGE_ACCOUNT}`) as AccountBalance;
  t.match(village, {
    areaCode: VILLAGE,
    heldBySourceType: { grant: 2_850_000 },
    heldBySource: { 'central-2020': 2_850_000 },
    heldByPurpose: { household_benefit: 2_850_000 },
    receivedBySourceType: { grant: 3_000_000 },
    paidBySourceType: { grant: 150_000 },
  });
  t.same((views.get(`account:${POOL}`) as AccountBalance).inFlightBySourceType, { grant: 1_000_000 }, 'the pool sees its transfer in flight');
});

t.test('area rollups roll villages up into townships and the county', async (t) => {
  t.same(areaChain(VILLAGE), [VILLAGE, TOWNSHIP, COUNTY]);
  t.same(areaChain(TOWNSHIP), [TOWNSHIP, COUNTY]);
  const views = await fold(await history());
  t.same(areaBalance(views, TOWNSHIP).heldBySourceType, { grant: 2_850_000 }, 'the township holds what its villages hold');
  t.same(areaBalance(views, COUNTY).paidBySourceType, { grant: 150_000 }, 'the reversed payment is not counted as paid');
});

t.test("counted once: a county's total equals its pools, townships, villages and projects plus money in flight, per source type", async (t) => {
  const w = await history();
  const views = await fold(w);
  const county = areaBalance(views, COUNTY);
  const fromAccounts: Record<string, number> = {};
  for (const view of views.map.values() as Iterable<BalanceView>) {
    if (view.view !== 'account') continue;
    for (const [type, fen] of Object.entries(view.heldBySourceType)) fromAccounts[type] = (fromAccounts[type] ?? 0) + fen;
    for (const [type, fen] of Object.entries(view.inFlightBySourceType)) fromAccounts[type] = (fromAccounts[type] ?? 0) + fen;
  }
  const countyTotal: Record<string, number> = { ...county.heldBySourceType };
  for (const [type, fen] of Object.entries(county.inFlightBySourceType)) countyTotal[type] = (countyTotal[type] ?? 0) + fen;
  t.same(countyTotal, fromAccounts, 'the county rollup equals the sum of its accounts plus in flight');
  const flows: Record<string, number> = {};
  for (const [type, fen] of Object.entries(county.appropriatedBySourceType)) flows[type] = (flows[type] ?? 0) + fen;
  for (const [type, fen] of Object.entries(county.paidBySourceType)) flows[type] = (flows[type] ?? 0) - fen;
  t.same(countyTotal, flows, 'and appropriations minus payments');
  t.same(countyTotal, { grant: 11_850_000, donation: 500_000 }, 'grants and donations are held apart');
});

t.test('grants, loans and donations are never added together unlabelled', async (t) => {
  const folded = await fold(await history());
  const views = [...folded.map.values(), areaBalance(folded, COUNTY), areaBalance(folded, TOWNSHIP), areaBalance(folded, VILLAGE)] as (BalanceView | ReturnType<typeof areaBalance>)[];
  const types = new Set<string>(SourceType.options);
  for (const view of views) {
    if (view.view !== 'account' && view.view !== 'area') continue;
    for (const [field, value] of Object.entries(view)) {
      t.notOk(/total/i.test(field), `${view.view} has no total field (${field})`);
      if (field.endsWith('BySourceType')) for (const type of Object.keys(value as object)) t.ok(types.has(type), `${field} is keyed by source type`);
    }
  }
});

t.test('a short receipt in imported history leaves the missing money in flight, where it is seen', async (t) => {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'SendTransfer', transferId: 'tr-short', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 1_000_000 });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-short', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 700_000 }, { mode: 'historical' });
  const views = await fold(w);
  t.same((views.get(`account:${POOL}`) as AccountBalance).inFlightBySourceType, { grant: 300_000 }, '¥3,000 sent and never received');
  const county = areaBalance(views, COUNTY);
  t.same({ held: county.heldBySourceType, inFlight: county.inFlightBySourceType }, { held: { grant: 11_700_000 }, inFlight: { grant: 300_000 } }, 'the county still accounts for every fen');
});
