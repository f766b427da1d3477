// The household card (明白卡), as a fold over what real commands record: payments by programme, period and
// channel, a member's payment on the household's card, a reversal, and imported history.
import t from 'tap';
import { householdCard, readCard, type CardView, type HouseholdCard } from '../../projections/household-card.js';
import { foldAll, MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP_ACCOUNT, VILLAGE, VILLAGE_ACCOUNT, standardCounty, world, type CommandInput, type World } from '../domain/fixture.js';

type PaymentInput = Extract<CommandInput, { type: 'MakePayment' }>;

const PROVINCIAL_POOL = `pool:${COUNTY}:provincial-2019:2019`;

/** Money of a second source and year, and education money, reaching the village; two programmes. */
async function fundVillage(w: World): Promise<void> {
  await w.run({ type: 'RegisterFundSource', sourceId: 'provincial-2019', name: '省级财政专项扶贫资金', category: 'provincial_special', sourceType: 'grant' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-p1', countyCode: COUNTY, sourceId: 'provincial-2019', fiscalYear: 2019, purpose: 'household_benefit', amountFen: 100_000 });
  await w.run({ type: 'SendTransfer', transferId: 'tr-p1', fromAccount: PROVINCIAL_POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 100_000 });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-p1', fromAccount: PROVINCIAL_POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 100_000 });
  await w.run({ type: 'SendTransfer', transferId: 'tr-e1', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 500_000, lots: [{ appropriationId: 'ap-2', purpose: 'education_aid', amountFen: 500_000 }] });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-e1', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 500_000 });
  await w.run({ type: 'RegisterProgramme', programmeId: 'industry-bonus', name: '产业奖补', purpose: 'household_benefit', period: 'quarter' });
  await w.run({ type: 'RegisterProgramme', programmeId: 'yulu', name: '雨露计划', purpose: 'education_aid', period: 'semester' });
}

/** Payments to hh-1 and its member p-2, one reversed, one without a programme; a payment to another household. */
async function history(): Promise<{ w: World; reversedEventId: string }> {
  const w = world();
  await standardCounty(w);
  await fundVillage(w);
  const pay = (paymentId: string, fields: Partial<PaymentInput> & { amountFen: number }) =>
    w.run({ type: 'MakePayment', paymentId, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, voucherNo: `PZ-${paymentId}`, purpose: 'household_benefit', ...fields });
  await pay('pay-1', { amountFen: 250_000, programmeId: 'industry-bonus', period: '2020Q2', effectiveDate: '2020-06-15' });
  await pay('pay-2', { amountFen: 100_000, programmeId: 'industry-bonus', period: '2020Q3', effectiveDate: '2020-07-15' });
  await pay('pay-3', { amountFen: 60_000, programmeId: 'yulu', period: '2020S2', purpose: 'education_aid', payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' }, effectiveDate: '2020-09-01' });
  await pay('pay-4', { amountFen: 30_000, effectiveDate: '2020-09-10' });
  const wrong = await pay('pay-5', { amountFen: 80_000, programmeId: 'industry-bonus', period: '2020Q3', effectiveDate: '2020-09-20' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: wrong.events[0]!.id, reason: '重复录入', effectiveDate: '2020-09-21' });
  await otherVillage(w);
  return { w, reversedEventId: wrong.events[0]!.id };
}

/** hh-2 of the other village, paid from the township account. */
async function otherVillage(w: World): Promise<void> {
  await w.run({ type: 'RegisterHousehold', householdId: 'hh-2', villageCode: OTHER_VILLAGE, headName: '赵六', headIdNumber: '620423197505050055', registeredOn: '2015-01-01', members: [] });
  await w.run({ type: 'SendTransfer', transferId: 'tr-t1', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 200_000, lots: [{ appropriationId: 'ap-1', purpose: 'household_benefit', amountFen: 200_000 }] });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-t1', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 200_000 });
  await w.run({ type: 'MakePayment', paymentId: 'pay-6', fromAccount: TOWNSHIP_ACCOUNT, payee: { kind: 'household', id: 'hh-2' }, amountFen: 50_000, voucherNo: 'PZ-6', purpose: 'household_benefit', programmeId: 'industry-bonus', period: '2020Q3' });
}

async function fold(w: World) {
  return foldAll(householdCard, (await w.log()) as unknown as ProjectedEvent[]);
}

const card = (views: Awaited<ReturnType<typeof fold>>, householdId: string) => readCard(views, householdId) as HouseholdCard;

t.test('a card totals what the household received by programme and by period', async (t) => {
  const { w } = await history();
  const hh1 = card(await fold(w), 'hh-1');
  t.match(hh1, { householdId: 'hh-1', villageCode: VILLAGE, headName: '张三' });
  t.same(hh1.totals.byProgramme, { 'industry-bonus': 350_000, yulu: 60_000, '(none)': 30_000 });
  t.same(hh1.totals.byPeriod, { '2020Q2': 250_000, '2020Q3': 100_000, '2020S2': 60_000, '(none)': 30_000 });
  t.same(hh1.totals.bySourceType, { grant: 440_000 });
  t.same(hh1.payments.map((p) => p.paymentId), ['pay-1', 'pay-2', 'pay-3', 'pay-4', 'pay-5'], 'payments in log order');
  t.match(hh1.payments[0], { effectiveDate: '2020-06-15', programmeId: 'industry-bonus', period: '2020Q2', purpose: 'household_benefit', voucherNo: 'PZ-pay-1', amountFen: 250_000, reversed: false });
  t.notOk('programmeId' in hh1.payments[3]!, 'a payment outside any programme has no programme id');
});

t.test("a payment to a member counts on the member's household card", async (t) => {
  const { w } = await history();
  const views = await fold(w);
  t.match(card(views, 'hh-1').payments[2], { paymentId: 'pay-3', programmeId: 'yulu', purpose: 'education_aid', amountFen: 60_000 });
  t.equal(views.get('household:p-2'), undefined, 'the person has no card of their own');
});

t.test('channels list the sources that paid, with their fiscal year', async (t) => {
  const { w } = await history();
  const hh1 = card(await fold(w), 'hh-1');
  // The oldest money is spent first: the provincial 2019 lot, then the central 2020 lot.
  t.same(hh1.payments[0]!.channels, [
    { sourceId: 'provincial-2019', sourceType: 'grant', fiscalYear: 2019, amountFen: 100_000 },
    { sourceId: 'central-2020', sourceType: 'grant', fiscalYear: 2020, amountFen: 150_000 },
  ]);
  for (const payment of hh1.payments) t.equal(payment.channels.reduce((sum, c) => sum + c.amountFen, 0), payment.amountFen, `${payment.paymentId} channels add up`);
});

t.test('a reversed payment stays on the card, marked, and leaves the totals', async (t) => {
  const { w, reversedEventId } = await history();
  const views = await fold(w);
  const hh1 = card(views, 'hh-1');
  const reversed = hh1.payments.find((p) => p.eventId === reversedEventId)!;
  t.match(reversed, { paymentId: 'pay-5', amountFen: 80_000, reversed: true });
  t.equal(hh1.payments.filter((p) => p.reversed).length, 1, 'only that payment is marked');
  t.equal(hh1.totals.byProgramme['industry-bonus'], 350_000, 'the reversed 800 yuan is not counted');
});

t.test('a reversal of every payment in a period removes that period from the totals', async (t) => {
  const { w } = await history();
  const paid = await w.run({ type: 'MakePayment', paymentId: 'pay-9', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 10_000, voucherNo: 'PZ-9', purpose: 'household_benefit', period: '2020Q4' });
  t.equal(card(await fold(w), 'hh-1').totals.byPeriod['2020Q4'], 10_000);
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-9', account: VILLAGE_ACCOUNT, reversesEventId: paid.events[0]!.id, reason: '错付' });
  t.notOk('2020Q4' in card(await fold(w), 'hh-1').totals.byPeriod);
});

t.test("another household's payments stay on its own card", async (t) => {
  const { w } = await history();
  const views = await fold(w);
  t.match(card(views, 'hh-2'), { villageCode: OTHER_VILLAGE, headName: '赵六', totals: { byProgramme: { 'industry-bonus': 50_000 } } });
  t.notOk(card(views, 'hh-1').payments.some((p) => p.paymentId === 'pay-6'));
});

t.test('imported history: a household paid before (or without) registration still has a card', async (t) => {
  const w = world();
  await standardCounty(w);
  const imported = { mode: 'historical' as const, importBatch: 'import-2019' };
  await w.run({ type: 'MakePayment', paymentId: 'old-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-8' }, amountFen: 20_000, voucherNo: 'LS-1', purpose: 'household_benefit', effectiveDate: '2020-03-01' }, imported);
  await w.run({ type: 'MakePayment', paymentId: 'old-2', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-9' }, amountFen: 30_000, voucherNo: 'LS-2', purpose: 'household_benefit', effectiveDate: '2020-03-02' }, imported);
  await w.run({ type: 'RegisterHousehold', householdId: 'hh-9', villageCode: VILLAGE, headName: '王五', headIdNumber: '620423196907070077', registeredOn: '2014-10-01', members: [] }, imported);
  const views = await fold(w);
  t.match(card(views, 'hh-8'), { villageCode: null, headName: null, totals: { byProgramme: { '(none)': 20_000 } } });
  t.match(card(views, 'hh-9'), { villageCode: VILLAGE, headName: '王五', totals: { byProgramme: { '(none)': 30_000 } } });
});

t.test('a registered household that received nothing has an empty card', async (t) => {
  const w = world();
  await standardCounty(w);
  t.same(card(await fold(w), 'hh-1'), { householdId: 'hh-1', villageCode: VILLAGE, headName: '张三', payments: [], totals: { byProgramme: {}, bySourceType: {}, byPeriod: {} } });
});

t.test('folding the same log twice gives the same cards', async (t) => {
  const { w } = await history();
  const log = (await w.log()) as unknown as ProjectedEvent[];
  const json = () => JSON.stringify([...foldAll(householdCard, log).map.entries()]);
  t.equal(json(), json());
});


t.test('a card saved as JSON and loaded again reads the same', async (t) => {
  const { w } = await history();
  const views = await fold(w);
  const loaded = new MemoryViews<CardView>();
  for (const [key, value] of views.map) loaded.map.set(key, JSON.parse(JSON.stringify(value)) as CardView);
  for (const id of ['hh-1', 'hh-2']) t.same(readCard(loaded, id), readCard(views, id), id);
  t.equal(readCard(views, 'hh-none'), undefined, 'no card for a household nothing is known of');
});
