// The public notice (公示), as a fold over what real commands record: who in a village was paid what, with
// names masked and ID numbers cut to four characters, reversals marked, other villages kept off.
import t from 'tap';
import { lastFour, maskName, NOTICE_PREFIX, publicNotice, readNotice, type NoticeRead, type NoticeView } from '../../projections/public-notice.js';
import { foldAll, type MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP_ACCOUNT, VILLAGE, VILLAGE_ACCOUNT, standardCounty, world, type CommandInput, type World } from '../domain/fixture.js';

type PaymentInput = Extract<CommandInput, { type: 'MakePayment' }>;

/** Every full name and ID number the history below registers or pays: none may reach a notice. */
const PERSONAL = ['张三', '620423198001010011', '李四', '620423198203030022', '欧阳小明', '620423201001010033', '赵六', '620423197505050055', '王五', '620423196907070077', '陇原建筑有限公司'];

/** Programmes, money for education and infrastructure in the village, and money in the township. */
async function fund(w: World): Promise<void> {
  await w.run({ type: 'RegisterProgramme', programmeId: 'industry-bonus', name: '产业奖补', purpose: 'household_benefit', period: 'quarter' });
  await w.run({ type: 'RegisterProgramme', programmeId: 'yulu', name: '雨露计划', purpose: 'education_aid', period: 'semester' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-i1', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 300_000 });
  const send = async (transferId: string, toAccount: string, appropriationId: string, purpose: 'education_aid' | 'infrastructure' | 'household_benefit', amountFen: number) => {
    await w.run({ type: 'SendTransfer', transferId, fromAccount: POOL, toAccount, amountFen, lots: [{ appropriationId, purpose, amountFen }] });
    await w.run({ type: 'ReceiveTransfer', transferId, fromAccount: POOL, toAccount, amountFen });
  };
  await send('tr-e1', VILLAGE_ACCOUNT, 'ap-2', 'education_aid', 500_000);
  await send('tr-i1', VILLAGE_ACCOUNT, 'ap-i1', 'infrastructure', 300_000);
  await send('tr-t1', TOWNSHIP_ACCOUNT, 'ap-1', 'household_benefit', 200_000);
}

/**
 * hh-1 paid twice (once reversed), its spouse and a member added later paid in person, a contractor paid
 * by the village, and hh-2 of the other village paid by the township.
 */
async function history(): Promise<{ w: World; reversedEventId: string }> {
  const w = world();
  await standardCounty(w);
  await fund(w);
  await w.run({ type: 'AddHouseholdMember', householdId: 'hh-1', personId: 'p-3', name: '欧阳小明', idNumber: '620423201001010033', relation: 'son' });
  const pay = (paymentId: string, fields: Partial<PaymentInput> & { amountFen: number }) =>
    w.run({ type: 'MakePayment', paymentId, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, voucherNo: `PZ-${paymentId}`, purpose: 'household_benefit', ...fields });
  await pay('pay-1', { amountFen: 150_000, programmeId: 'industry-bonus', period: '2020Q2', effectiveDate: '2020-06-15' });
  const wrong = await pay('pay-2', { amountFen: 90_000, programmeId: 'industry-bonus', period: '2020Q2', effectiveDate: '2020-06-16' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: wrong.events[0]!.id, reason: '重复录入' });
  await pay('pay-3', { amountFen: 60_000, programmeId: 'yulu', purpose: 'education_aid', payee: { kind: 'person', id: 'p-2', householdId: 'hh-1', name: '李四', idNumber: '620423198203030022' } });
  await pay('pay-4', { amountFen: 40_000, programmeId: 'yulu', purpose: 'education_aid', payee: { kind: 'person', id: 'p-3', householdId: 'hh-1' } });
  await pay('pay-5', { amountFen: 120_000, purpose: 'infrastructure', payee: { kind: 'contractor', id: 'c-1', name: '陇原建筑有限公司' } });
  await w.run({ type: 'RegisterHousehold', householdId: 'hh-2', villageCode: OTHER_VILLAGE, headName: '赵六', headIdNumber: '620423197505050055', registeredOn: '2015-01-01', members: [] });
  await w.run({ type: 'MakePayment', paymentId: 'pay-6', fromAccount: TOWNSHIP_ACCOUNT, payee: { kind: 'household', id: 'hh-2' }, amountFen: 50_000, voucherNo: 'PZ-6', purpose: 'household_benefit' });
  return { w, reversedEventId: wrong.events[0]!.id };
}

async function fold(w: World): Promise<MemoryViews<NoticeView>> {
  return foldAll(publicNotice, (await w.log()) as unknown as ProjectedEvent[]);
}

const notice = (views: MemoryViews<NoticeView>, code: string) => readNotice(views, code) as NoticeRead;

t.test('maskName keeps the first and last character and masks each one between', async (t) => {
  const cases: [string, string][] = [
    ['王', '王'],
    ['李四', '李*'],
    ['张三丰', '张*丰'],
    ['欧阳小明', '欧**明'],
    ['买买提·艾力', '买****力'],
    ['𠀋丽', '𠀋*'],
    ['𠀋小𠀋', '𠀋*𠀋'],
    ['', ''],
  ];
  for (const [name, masked] of cases) t.equal(maskName(name), masked, `${name || '(empty)'} → ${masked}`);
  t.equal([...maskName('𠀋𠀋𠀋𠀋')].length, 4, 'a character outside the BMP counts once');
});

t.test('lastFour keeps the last four characters of an ID number', async (t) => {
  t.equal(lastFour('620423198001010011'), '0011');
  t.equal(lastFour('62042319800101001X'), '001X');
});

t.test("a village's notice lists what was paid to whom, masked, with totals by purpose", async (t) => {
  const { w } = await history();
  const village = notice(await fold(w), VILLAGE);
  t.same(village.entries.map((e) => [e.payee, e.idNumberLast4, e.householdId, e.amountFen]), [
    ['张*', '0011', 'hh-1', 150_000],
    ['张*', '0011', 'hh-1', 90_000],
    ['李*', '0022', 'hh-1', 60_000],
    ['欧**明', '0033', 'hh-1', 40_000],
    ['陇******司', null, null, 120_000],
  ]);
  t.match(village.entries[0], { effectiveDate: '2020-06-15', programmeId: 'industry-bonus', purpose: 'household_benefit', reversed: false });
  t.same(village.totalsByPurpose, { household_benefit: 150_000, education_aid: 100_000, infrastructure: 120_000 });
});

t.test('a reversed payment is marked on the notice and leaves its totals', async (t) => {
  const { w, reversedEventId } = await history();
  const village = notice(await fold(w), VILLAGE);
  t.match(village.entries.find((e) => e.eventId === reversedEventId), { amountFen: 90_000, reversed: true });
  t.equal(village.entries.filter((e) => e.reversed).length, 1);
  t.equal(village.totalsByPurpose.household_benefit, 150_000);
});

t.test("a household of another village is on its own village's notice, not this one's", async (t) => {
  const { w } = await history();
  const views = await fold(w);
  t.notOk(notice(views, VILLAGE).entries.some((e) => e.householdId === 'hh-2'));
  t.same(notice(views, OTHER_VILLAGE).entries.map((e) => [e.payee, e.idNumberLast4, e.householdId, e.amountFen]), [['赵*', '0055', 'hh-2', 50_000]], 'paid by the township, posted in the registered village');
});

t.test('no notice contains a registered full name or a full ID number', async (t) => {
  const { w } = await history();
  const views = await fold(w);
  const notices = [...views.map.entries()].filter(([key]) => key.startsWith(NOTICE_PREFIX));
  t.equal(notices.filter(([key]) => key.split(':').length === 2).length, 2, 'both villages have a notice');
  for (const [key, view] of notices) {
    const json = JSON.stringify(view);
    for (const secret of PERSONAL) t.notOk(json.includes(secret), `${key} does not contain ${secret}`);
  }
});

t.test('imported history: a payment to a household registered later is posted once its village is known', async (t) => {
  const w = world();
  await standardCounty(w);
  const imported = { mode: 'historical' as const, importBatch: 'import-2019' };
  await w.run({ type: 'MakePayment', paymentId: 'old-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-9' }, amountFen: 30_000, voucherNo: 'LS-1', purpose: 'household_benefit', effectiveDate: '2020-03-02' }, imported);
  t.same(notice(await fold(w), VILLAGE)?.entries ?? [], [], 'not posted while its village is unknown');
  await w.run({ type: 'RegisterHousehold', householdId: 'hh-9', villageCode: VILLAGE, headName: '王五', headIdNumber: '620423196907070077', registeredOn: '2014-10-01', members: [] }, imported);
  const village = notice(await fold(w), VILLAGE);
  t.same(village.entries.map((e) => [e.payee, e.idNumberLast4, e.householdId, e.amountFen]), [['王*', '0077', 'hh-9', 30_000]]);
  t.same(village.totalsByPurpose, { household_benefit: 30_000 });
});

t.test('imported history: a reversal of a payment still waiting for its village is carried onto the notice', async (t) => {
  const w = world();
  await standardCounty(w);
  const imported = { mode: 'historical' as const, importBatch: 'import-2019' };
  const paid = await w.run({ type: 'MakePayment', paymentId: 'old-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-9' }, amountFen: 30_000, voucherNo: 'LS-1', purpose: 'household_benefit', effectiveDate: '2020-03-02' }, imported);
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-old', account: VILLAGE_ACCOUNT, reversesEventId: paid.events[0]!.id, reason: '错付', effectiveDate: '2020-03-03' }, imported);
  await w.run({ type: 'RegisterHousehold', householdId: 'hh-9', villageCode: VILLAGE, headName: '王五', headIdNumber: '620423196907070077', registeredOn: '2014-10-01', members: [] }, imported);
  const village = notice(await fold(w), VILLAGE);
  t.match(village.entries, [{ householdId: 'hh-9', amountFen: 30_000, reversed: true }]);
  t.same(village.totalsByPurpose, {});
});

t.test('folding the same log twice gives the same notices', async (t) => {
  const { w } = await history();
  const log = (await w.log()) as unknown as ProjectedEvent[];
  const json = () => JSON.stringify([...foldAll(publicNotice, log).map.entries()]);
  t.equal(json(), json());
});

