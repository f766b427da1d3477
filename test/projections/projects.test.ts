// Projects as folds over events that real commands record: funding by source into the project's account,
// payments by stage (from its account or naming it from another), acceptance, overfunding and reversals.
import t from 'tap';
import { projects, type ProjectView, type ProjectsView } from '../../projections/projects.js';
import { foldAll, type MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { COUNTY, POOL, VILLAGE, VILLAGE_ACCOUNT, standardCounty, world, type World } from '../domain/fixture.js';

const PROJECT = 'project:P1';
const DONATION_POOL = `pool:${COUNTY}:donation-2020:2020`;

async function fold(w: World): Promise<MemoryViews<ProjectsView>> {
  return foldAll(projects, (await w.log()) as unknown as ProjectedEvent[]);
}

const project = (views: MemoryViews<ProjectsView>): ProjectView => views.get('project:P1') as ProjectView;

const contractor = { kind: 'contractor' as const, id: 'c-1', name: '庄浪县建筑公司' };

/** A ¥12,000 road in VILLAGE funded ¥10,000 from the central fund and ¥4,000 from a donation: ¥2,000 over budget. */
async function road(): Promise<World> {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'RegisterFundSource', sourceId: 'donation-2020', name: '东西部协作帮扶资金', category: 'donation', sourceType: 'donation' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-inf', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 1_200_000 });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-don', countyCode: COUNTY, sourceId: 'donation-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 400_000 });
  await w.run({
    type: 'RegisterProject', projectId: 'P1', villageCode: VILLAGE, name: '东关村通村道路', purpose: 'infrastructure', budgetFen: 1_200_000, beneficiaryHouseholds: [],
    stages: [{ stage: 'start', shareBp: 3000, final: false }, { stage: 'build', shareBp: 4000, final: false }, { stage: 'final', shareBp: 3000, final: true }],
  });
  await transfer(w, 'tr-p1', POOL, PROJECT, 1_000_000, [{ appropriationId: 'ap-inf', purpose: 'infrastructure', amountFen: 1_000_000 }]);
  await transfer(w, 'tr-p2', DONATION_POOL, PROJECT, 400_000);
  return w;
}

async function transfer(w: World, transferId: string, fromAccount: string, toAccount: string, amountFen: number, lots?: { appropriationId: string; purpose: 'infrastructure'; amountFen: number }[]): Promise<void> {
  await w.run({ type: 'SendTransfer', transferId, fromAccount, toAccount, amountFen, ...(lots ? { lots } : {}) });
  await w.run({ type: 'ReceiveTransfer', transferId, fromAccount, toAccount, amountFen });
}

async function payStage(w: World, paymentId: string, stage: string, amountFen: number, effectiveDate = '2020-07-01') {
  return w.run({ type: 'MakePayment', paymentId, fromAccount: PROJECT, payee: contractor, amountFen, voucherNo: `XM-${paymentId}`, purpose: 'infrastructure', stage, effectiveDate });
}

t.test('a project shows its budget, funding by source and source type, and what it is funded over budget', async (t) => {
  const views = await fold(await road());
  t.match(project(views), {
    projectId: 'P1', villageCode: VILLAGE, name: '东关村通村道路', budgetFen: 1_200_000,
    fundingBySource: { 'central-2020': 1_000_000, 'donation-2020': 400_000 },
    fundingBySourceType: { grant: 1_000_000, donation: 400_000 },
    paidFen: 0, accepted: null, overfundedFen: 200_000,
  });
});

t.test('payments by stage, final payment after acceptance, and a payment naming the project from the village account', async (t) => {
  const w = await road();
  await payStage(w, 'pay-start', 'start', 360_000);
  await payStage(w, 'pay-build', 'build', 480_000, '2020-08-01');
  await w.run({ type: 'AcceptProject', projectId: 'P1', acceptedOn: '2020-10-01', passed: true });
  await payStage(w, 'pay-final', 'final', 360_000, '2020-10-05');
  await transfer(w, 'tr-v', POOL, VILLAGE_ACCOUNT, 200_000, [{ appropriationId: 'ap-inf', purpose: 'infrastructure', amountFen: 200_000 }]);
  await w.run({ type: 'MakePayment', paymentId: 'pay-v', fromAccount: VILLAGE_ACCOUNT, payee: contractor, amountFen: 50_000, voucherNo: 'CZ-1', purpose: 'infrastructure', projectId: 'P1', stage: 'build', effectiveDate: '2020-08-02' });
  const view = project(await fold(w));
  t.same(view.stages, [
    { stage: 'start', shareBp: 3000, final: false, paidFen: 360_000 },
    { stage: 'build', shareBp: 4000, final: false, paidFen: 530_000 },
    { stage: 'final', shareBp: 3000, final: true, paidFen: 360_000 },
  ]);
  t.match(view, { paidFen: 1_250_000, paidByStage: { start: 360_000, build: 530_000, final: 360_000 }, accepted: { on: '2020-10-01', passed: true } });
  t.same(view.paidBySource, { 'central-2020': 850_000, 'donation-2020': 400_000 }, 'the village payment is paid, not funding received into the project account');
  t.same(view.fundingBySource, { 'central-2020': 1_000_000, 'donation-2020': 400_000 });
});

t.test('money sent back out of the project account no longer funds it; a reversed payment is no longer paid', async (t) => {
  const w = await road();
  const build = await payStage(w, 'pay-build', 'build', 480_000, '2020-08-01');
  await transfer(w, 'tr-back', PROJECT, VILLAGE_ACCOUNT, 150_000, [{ appropriationId: 'ap-inf', purpose: 'infrastructure', amountFen: 150_000 }]);
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: PROJECT, reversesEventId: build.events[0]!.id, reason: '凭证重复', effectiveDate: '2020-08-05' });
  const view = project(await fold(w));
  t.match(view, { paidFen: 0, paidByStage: {}, paidBySource: {}, overfundedFen: 50_000 });
  t.equal(view.stages.find((s) => s.stage === 'build')!.paidFen, 0);
  t.same(view.fundingBySourceType, { grant: 850_000, donation: 400_000 }, 'the central money sent back is subtracted from its source type');
});

t.test('a failed acceptance is shown as failed', async (t) => {
  const w = await road();
  await w.run({ type: 'AcceptProject', projectId: 'P1', acceptedOn: '2020-09-01', passed: false });
  t.same(project(await fold(w)).accepted, { on: '2020-09-01', passed: false });
});

t.test('the same log folded twice gives the same views', async (t) => {
  const w = await road();
  await payStage(w, 'pay-start', 'start', 360_000);
  const log = (await w.log()) as unknown as ProjectedEvent[];
  t.equal(JSON.stringify([...foldAll(projects, log).map]), JSON.stringify([...foldAll(projects, log).map]));
});
