// Lineage as folds over events that real commands record: a household payment traced back to its
// appropriation, integrated money keeping its original purpose, a source's money found across accounts and
// payees, reversals undone, and every appropriation's fen accounted for exactly once.
import t, { type Test } from 'tap';
import {
  lineage,
  type AccountLineage,
  type AppropriationLineage,
  type HouseholdLineage,
  type LineageView,
  type PaymentLineage,
  paymentLineage,
  type SourceLineage,
  PAID_PAGE_SIZE,
  appropriationKey,
  paidPageKey,
  paidSlice,
  type PaidTo,
  paidTo,
} from '../../projections/lineage.js';
import { foldAll, MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP_ACCOUNT, VILLAGE_ACCOUNT, standardCounty, world, type World } from '../domain/fixture.js';

const SECTOR_POOL = `pool:${COUNTY}:sector-2020:2020`;
const PLAN_ACCOUNT = 'integration:plan-1';

async function fold(w: World): Promise<MemoryViews<LineageView>> {
  return foldAll(lineage, (await w.log()) as unknown as ProjectedEvent[]);
}

/** A payment's lineage is read from its own event. */
async function paymentOf(w: World, eventId: string): Promise<PaymentLineage> {
  const event = ((await w.log()) as unknown as ProjectedEvent[]).find((e) => e.id === eventId)!;
  return paymentLineage(event)!;
}

const get = <T extends LineageView>(views: MemoryViews<LineageView>, key: string): T => views.get(key) as T;

/** The id of the event of `type` a command recorded. */
function idOf(result: { events: { id: string; type: string }[] }, type: string): string {
  return result.events.find((e) => e.type === type)!.id;
}

/** Education aid (ap-2) goes pool → township → village and is paid to household hh-1. */
async function throughTownship(w: World): Promise<string> {
  const lots = [{ appropriationId: 'ap-2', purpose: 'education_aid' as const, amountFen: 500_000 }];
  await w.run({ type: 'SendTransfer', transferId: 'tr-t1', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000, lots, effectiveDate: '2020-06-10' });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-t1', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000, effectiveDate: '2020-06-11' });
  await w.run({ type: 'SendTransfer', transferId: 'tr-v1', fromAccount: TOWNSHIP_ACCOUNT, toAccount: VILLAGE_ACCOUNT, amountFen: 500_000, effectiveDate: '2020-06-12' });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-v1', fromAccount: TOWNSHIP_ACCOUNT, toAccount: VILLAGE_ACCOUNT, amountFen: 500_000, effectiveDate: '2020-06-13' });
  const paid = await w.run({ type: 'MakePayment', paymentId: 'edu-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 120_000, voucherNo: 'JY-1', purpose: 'education_aid', effectiveDate: '2020-07-01' });
  return idOf(paid, 'PaymentMade');
}

/** Sector money for infrastructure, integrated under plan-1 as industry_development, sent to the village and paid to a cooperative. */
async function integrated(w: World): Promise<string> {
  await w.run({ type: 'RegisterFundSource', sourceId: 'sector-2020', name: '农业生产发展资金', category: 'integrated_sector', sourceType: 'grant' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-s1', countyCode: COUNTY, sourceId: 'sector-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 4_000_000 });
  await w.run({ type: 'ApproveIntegrationPlan', planId: 'plan-1', countyCode: COUNTY, name: '2020年统筹整合方案', allowedPurposes: ['industry_development'], sources: [{ sourceId: 'sector-2020', maxFen: 3_000_000 }], totalFen: 3_000_000 });
  await w.run({ type: 'IntegrateFunds', integrationId: 'int-1', planId: 'plan-1', fromAccount: SECTOR_POOL, amountFen: 2_500_000, purpose: 'industry_development' });
  await w.run({ type: 'SendTransfer', transferId: 'tr-i1', fromAccount: PLAN_ACCOUNT, toAccount: VILLAGE_ACCOUNT, amountFen: 2_000_000 });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-i1', fromAccount: PLAN_ACCOUNT, toAccount: VILLAGE_ACCOUNT, amountFen: 2_000_000 });
  const paid = await w.run({ type: 'MakePayment', paymentId: 'coop-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'cooperative', id: 'coop-dongguan' }, amountFen: 800_000, voucherNo: 'CY-1', purpose: 'industry_development', effectiveDate: '2020-08-01' });
  return idOf(paid, 'PaymentMade');
}

/** Every appropriation's fen are held somewhere, in flight, or paid: never lost, never counted twice. */
function conserved(t: Test, views: MemoryViews<LineageView>): void {
  const sum = (fens: Record<string, number>): number => Object.values(fens).reduce((a, b) => a + b, 0);
  for (const view of views.map.values()) {
    if (view.view === 'appropriation') t.equal(sum(view.held) + sum(view.inFlight) + view.paidFen, view.amountFen, `appropriation ${view.appropriationId} adds up`);
    if (view.view === 'source') t.equal(sum(view.heldByAccount) + view.inFlightFen + view.paidFen, view.appropriatedFen, `source ${view.sourceId} adds up`);
  }
}

t.test('a household payment is traced back through pool → township → village to its appropriation', async (t) => {
  const w = world();
  await standardCounty(w);
  const eventId = await throughTownship(w);
  const views = await fold(w);
  const payment = await paymentOf(w, eventId);
  t.match(payment, { paymentId: 'edu-1', accountId: VILLAGE_ACCOUNT, householdId: 'hh-1', purpose: 'education_aid', amountFen: 120_000 });
  t.same(payment.sources, [{ appropriationId: 'ap-2', sourceId: 'central-2020', sourceType: 'grant', fiscalYear: 2020, purpose: 'education_aid', amountFen: 120_000 }], 'the payment names the appropriation that funded it');
  const ap2 = get<AppropriationLineage>(views, 'appropriation:ap-2');
  t.same(ap2.held, { [POOL]: 1_500_000, [VILLAGE_ACCOUNT]: 380_000 }, 'the rest is held in the pool and the village; the township passed it on');
  t.same(paidTo(views, 'ap-2'), [{ eventId, accountId: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, purpose: 'education_aid', amountFen: 120_000 }]);
  t.same(get<HouseholdLineage>(views, 'household:hh-1'), { view: 'household', householdId: 'hh-1', byAppropriation: { 'ap-2': 120_000 }, bySource: { 'central-2020': 120_000 }, bySourceType: { grant: 120_000 } });
  t.same(get<AccountLineage>(views, `account:${TOWNSHIP_ACCOUNT}`).byAppropriation, { 'ap-2': { receivedFen: 500_000, paidFen: 0, heldFen: 0 } }, 'the township received it and holds none');
  t.same(get<AccountLineage>(views, `account:${VILLAGE_ACCOUNT}`).byAppropriation, {
    'ap-1': { receivedFen: 3_000_000, paidFen: 0, heldFen: 3_000_000 },
    'ap-2': { receivedFen: 500_000, paidFen: 120_000, heldFen: 380_000 },
  });
  conserved(t, views);
});

t.test('integrated money keeps its original purpose and plan, and is counted once under its appropriation', async (t) => {
  const w = world();
  await standardCounty(w);
  const eventId = await integrated(w);
  const views = await fold(w);
  t.match((await paymentOf(w, eventId)).sources, [
    { appropriationId: 'ap-s1', sourceId: 'sector-2020', purpose: 'industry_development', originalPurpose: 'infrastructure', planId: 'plan-1', amountFen: 800_000 },
  ]);
  const ap = get<AppropriationLineage>(views, 'appropriation:ap-s1');
  t.match(ap, { purpose: 'infrastructure', amountFen: 4_000_000, integratedInto: { 'plan-1': 2_500_000 }, paidFen: 800_000 });
  t.same(ap.held, { [SECTOR_POOL]: 1_500_000, [PLAN_ACCOUNT]: 500_000, [VILLAGE_ACCOUNT]: 1_200_000 });
  const source = get<SourceLineage>(views, 'source:sector-2020');
  t.match(source, { appropriatedFen: 4_000_000, paidFen: 800_000, paidByPurpose: { industry_development: 800_000 }, integratedInto: { 'plan-1': 2_500_000 } });
  conserved(t, views);
});

t.test("a source's money is located across accounts, transfers in flight and payees", async (t) => {
  const w = world();
  await standardCounty(w);
  await throughTownship(w);
  await w.run({ type: 'SendTransfer', transferId: 'tr-o1', fromAccount: POOL, toAccount: `village:${OTHER_VILLAGE}`, amountFen: 700_000, effectiveDate: '2020-07-05' });
  await w.run({ type: 'MakePayment', paymentId: 'hb-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' }, amountFen: 60_000, voucherNo: 'HB-1', purpose: 'household_benefit', effectiveDate: '2020-07-06' });
  const views = await fold(w);
  const source = get<SourceLineage>(views, 'source:central-2020');
  t.match(source, {
    name: '中央财政专项扶贫资金',
    sourceType: 'grant',
    appropriatedFen: 12_000_000,
    paidFen: 180_000,
    inFlightFen: 700_000,
    heldByAccount: { [POOL]: 7_800_000, [VILLAGE_ACCOUNT]: 3_320_000 },
    paidByPurpose: { education_aid: 120_000, household_benefit: 60_000 },
    paidByPayeeKind: { household: 120_000, person: 60_000 },
  });
  t.same(get<AppropriationLineage>(views, 'appropriation:ap-1').inFlight, { [`${POOL}:tr-o1`]: 700_000 }, 'the transfer in flight is named on the appropriation');
  t.same(get<HouseholdLineage>(views, 'household:hh-1').byAppropriation, { 'ap-1': 60_000, 'ap-2': 120_000 }, 'a payment to a member counts for the household');
  conserved(t, views);
});

t.test('reversals undo: a payment, a transfer not yet received, an appropriation', async (t) => {
  const w = world();
  await standardCounty(w);
  const paymentId = await throughTownship(w);
  const sent = await w.run({ type: 'SendTransfer', transferId: 'tr-x', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 400_000, effectiveDate: '2020-07-02' });
  const extra = await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'medical_aid', amountFen: 900_000, documentNo: '错误下达' });
  const before = await fold(w);
  t.same(get<AppropriationLineage>(before, 'appropriation:ap-1').inFlight, { [`${POOL}:tr-x`]: 400_000 });

  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: paymentId, reason: '重复发放', effectiveDate: '2020-07-10' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-2', account: POOL, reversesEventId: idOf(sent, 'TransferSent'), reason: '拨错乡镇', effectiveDate: '2020-07-10' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-3', account: POOL, reversesEventId: idOf(extra, 'AppropriationReceived'), reason: '文号错误', effectiveDate: '2020-07-10' });
  const views = await fold(w);

  const ap2 = get<AppropriationLineage>(views, 'appropriation:ap-2');
  t.match(ap2, { paidFen: 0, held: { [POOL]: 1_500_000, [VILLAGE_ACCOUNT]: 500_000 } }, 'the money is back in the village');
  t.same(paidTo(views, 'ap-2'), [], 'and the payment is no longer listed');
  t.same(get<HouseholdLineage>(views, 'household:hh-1'), { view: 'household', householdId: 'hh-1', byAppropriation: {}, bySource: {}, bySourceType: {} });
  const ap1 = get<AppropriationLineage>(views, 'appropriation:ap-1');
  t.same(ap1.inFlight, {}, 'the cancelled transfer is no longer in flight');
  t.same(ap1.held, { [POOL]: 7_000_000, [VILLAGE_ACCOUNT]: 3_000_000 }, 'and its money is back in the pool');
  t.match(get<AppropriationLineage>(views, 'appropriation:ap-9'), { amountFen: 0, reversedFen: 900_000, held: {} }, 'a reversed appropriation nets to nothing');
  t.match(get<SourceLineage>(views, 'source:central-2020'), { appropriatedFen: 12_000_000, paidFen: 0, inFlightFen: 0, paidByPurpose: {}, paidByPayeeKind: {} });
  conserved(t, views);
});

t.test('conservation over a mixed history, including imported history that broke the controls', async (t) => {
  const w = world();
  await standardCounty(w);
  await throughTownship(w);
  await integrated(w);
  const imported = { mode: 'historical' as const, importBatch: 'ledger-2019' };
  // A transfer confirmed received for less than was sent: the missing part stays in flight, where a rule can see it.
  await w.run({ type: 'SendTransfer', transferId: 'tr-short', fromAccount: POOL, toAccount: `village:${OTHER_VILLAGE}`, amountFen: 300_000 }, imported);
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-short', fromAccount: POOL, toAccount: `village:${OTHER_VILLAGE}`, amountFen: 250_000 }, imported);
  // A village paying more than it holds: the overdrawn part has no appropriation, and still adds up.
  await w.run({ type: 'MakePayment', paymentId: 'over-1', fromAccount: `village:${OTHER_VILLAGE}`, payee: { kind: 'contractor', id: 'c-9' }, amountFen: 400_000, voucherNo: 'OV-1', purpose: 'household_benefit' }, imported);
  const views = await fold(w);
  t.same(get<AppropriationLineage>(views, 'appropriation:ap-1').inFlight, { [`${POOL}:tr-short`]: 50_000 });
  t.match(get<AppropriationLineage>(views, 'appropriation:overdrawn'), { amountFen: 0, paidFen: 150_000, held: { [`village:${OTHER_VILLAGE}`]: -150_000 } });
  conserved(t, views);
});

t.test('an appropriation that funds more payments than a page holds lists them all, in order, across pages', async (t) => {
  const w = world();
  await standardCounty(w);
  const ids: string[] = [];
  for (let i = 0; i <= PAID_PAGE_SIZE; i++) {
    const paid = await w.run({ type: 'MakePayment', paymentId: `wage-${i}`, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 100, voucherNo: `GY-${i}`, purpose: 'household_benefit' });
    ids.push(idOf(paid, 'PaymentMade'));
  }
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-w', account: VILLAGE_ACCOUNT, reversesEventId: ids[1]!, reason: '重复发放' });
  const views = await fold(w);
  t.match(get<AppropriationLineage>(views, 'appropriation:ap-1'), { paidPages: 2, paidFen: PAID_PAGE_SIZE * 100 });
  const listed = paidTo(views, 'ap-1').map((p) => p.eventId);
  t.same(listed, ids.filter((_, i) => i !== 1), 'every standing payment once, oldest first');
  conserved(t, views);
});

t.test('the same log folded twice gives the same views', async (t) => {
  const w = world();
  await standardCounty(w);
  await throughTownship(w);
  await integrated(w);
  const log = (await w.log()) as unknown as ProjectedEvent[];
  const once = JSON.stringify([...foldAll(lineage, log).map]);
  const twice = JSON.stringify([...foldAll(lineage, log).map]);
  t.equal(once, twice);
});

t.test('payments read in slices count pages as they stand, after a reversal shortened one', async (t) => {
  // Pages of 3, 1 (two of its payments reversed) and 2 entries: six payments in all.
  const views = new MemoryViews<LineageView>();
  const entry = (n: number): PaidTo => ({ eventId: `e${n}`, accountId: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, purpose: 'household_benefit', amountFen: n });
  views.put(appropriationKey('ap-x'), { view: 'appropriation', appropriationId: 'ap-x', sourceId: 's', sourceType: 'grant', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 21, reversedFen: 0, held: {}, inFlight: {}, paidPages: 3, paidFen: 21 });
  [[1, 2, 3], [4], [5, 6]].forEach((ns, page) => views.put(paidPageKey('ap-x', page), { view: 'paid', appropriationId: 'ap-x', page, entries: ns.map(entry) }));
  const amounts = (list: PaidTo[]): number[] => list.map((p) => p.amountFen);
  t.same(amounts(paidTo(views, 'ap-x')), [1, 2, 3, 4, 5, 6]);
  t.same(amounts(paidSlice(views, 'ap-x', 2, 3)), [3, 4, 5], 'across the shortened page');
  t.same(amounts(paidSlice(views, 'ap-x', 4, 10)), [5, 6], 'the last page, found by counting what the pages hold');
  t.same(amounts(paidSlice(views, 'ap-x', 6, 10)), [], 'nothing past the end');
  t.same(amounts(paidSlice(views, 'unknown', 0, 10)), [], 'an unknown appropriation');
});
