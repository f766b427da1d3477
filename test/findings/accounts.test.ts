// Detection rules over accounts, transfers, projects and loans, as sentences: each planted case is found with
// the events that prove it, and each near miss is not. Worlds are built from real commands; imported history
// (historical) where a preventive control would refuse. Amounts are checked with the account rules alone,
// since a broken control raises the same finding keyed by the event and the larger stake of the two stays.
import t, { type Test } from 'tap';
import type { CommandOf } from '../../domain/commands.js';
import { ACCOUNT_RULES } from '../../projections/findings/rules/accounts.js';
import type { Finding, Rule } from '../../projections/findings/types.js';
import type { ExecuteResult } from '../../src/domain/executor.js';
import { COUNTY, OTHER_VILLAGE, POOL, VILLAGE, VILLAGE_ACCOUNT, type CommandInput, type World, standardWorld } from '../domain/fixture.js';
import { findingsOf, historical, withCode } from './helpers.js';

const OWN = { rules: ACCOUNT_RULES as unknown as Rule<unknown>[] };
const SUBSIDY = `subsidy:${COUNTY}`;
const RISKFUND = `riskfund:${COUNTY}`;
const OTHER_ACCOUNT = `village:${OTHER_VILLAGE}`;

/** The id of the event of a type a command recorded. */
function idOf(result: ExecuteResult, type: string): string {
  const event = result.events.find((e) => e.type === type);
  if (!event) throw new Error(`no ${type} recorded`);
  return event.id;
}

function one(t: Test, findings: Finding[], key: string): Finding {
  const found = findings.filter((f) => f.key === key);
  t.equal(found.length, 1, `one finding keyed ${key}`);
  return found[0]!;
}

const pay = (over: Partial<CommandOf<'MakePayment'>> = {}): CommandInput => ({
  type: 'MakePayment',
  paymentId: 'pay-1',
  fromAccount: VILLAGE_ACCOUNT,
  payee: { kind: 'household', id: 'hh-1' },
  amountFen: 1_000_000,
  voucherNo: 'V-1',
  purpose: 'household_benefit',
  ...over,
});

const send = (over: Partial<CommandOf<'SendTransfer'>> = {}): CommandInput => ({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: OTHER_ACCOUNT, amountFen: 1_000_000, ...over });
const receive = (over: Partial<CommandOf<'ReceiveTransfer'>> = {}): CommandInput => ({ type: 'ReceiveTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: OTHER_ACCOUNT, amountFen: 1_000_000, ...over });

// ---------------------------------------------------------------- overspend

t.test('overspend: an imported payment taking the village account below zero is found, once per episode, with how far below at worst', async (t) => {
  const w = await standardWorld();
  const first = await w.run(pay({ amountFen: 4_000_000, effectiveDate: '2020-07-01' }), historical);
  const deeper = await w.run(pay({ paymentId: 'pay-2', voucherNo: 'V-2', amountFen: 500_000, effectiveDate: '2020-07-02' }), historical);
  const found = withCode(await findingsOf(w, OWN), 'overspend');
  const f = one(t, found, first.events[0]!.id);
  t.match(f, { severity: 'severe', areaCode: VILLAGE, accounts: [VILLAGE_ACCOUNT], amountFen: 1_500_000, effectiveDate: '2020-07-01' });
  t.same(f.eventIds, [first.events[0]!.id, deeper.events[0]!.id], 'the event that took it below zero, then the one that took it deeper');
  t.match(f.explanation.en, /village:620423101001 .*below zero, to -¥15,000\.00 at worst on 2020-07-02/);
  t.match(f.explanation.zh, /-¥15,000\.00/);
  t.equal(found.filter((x) => x.key !== first.events[0]!.id && x.key !== deeper.events[0]!.id).length, 0, 'no second episode');
});

t.test('overspend: with the broken control on the same event, one finding, not two', async (t) => {
  const w = await standardWorld();
  const first = await w.run(pay({ amountFen: 4_000_000 }), historical);
  const found = withCode(await findingsOf(w), 'overspend');
  t.equal(found.length, 1);
  t.equal(found[0]!.key, first.events[0]!.id);
});

t.test('overspend: an account that recovers and overspends again is two episodes', async (t) => {
  const w = await standardWorld();
  const a = await w.run(pay({ amountFen: 3_500_000 }), historical);
  await w.run(send({ toAccount: VILLAGE_ACCOUNT, amountFen: 1_000_000, lots: [{ appropriationId: 'ap-1', purpose: 'household_benefit', amountFen: 1_000_000 }] }));
  await w.run(receive({ toAccount: VILLAGE_ACCOUNT, amountFen: 1_000_000 }));
  const b = await w.run(pay({ paymentId: 'pay-2', voucherNo: 'V-2', amountFen: 800_000 }), historical);
  const found = withCode(await findingsOf(w, OWN), 'overspend');
  t.same(found.map((f) => [f.key, f.amountFen]).sort(), [[a.events[0]!.id, 500_000], [b.events[0]!.id, 300_000]].sort());
});

t.test('overspend: paying out exactly what the account holds is not an overspend', async (t) => {
  const w = await standardWorld();
  await w.run(pay({ amountFen: 3_000_000 }));
  t.same(withCode(await findingsOf(w, OWN), 'overspend'), []);
});

t.test('overspend: a payment for a purpose beyond what the account holds for that purpose is found, though the balance stays positive', async (t) => {
  const w = await standardWorld();
  await w.run(send({ toAccount: VILLAGE_ACCOUNT, amountFen: 500_000, lots: [{ appropriationId: 'ap-2', purpose: 'education_aid', amountFen: 500_000 }] }));
  await w.run(receive({ toAccount: VILLAGE_ACCOUNT, amountFen: 500_000 }));
  const p = await w.run(pay({ purpose: 'education_aid', amountFen: 800_000 }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'overspend'), p.events[0]!.id);
  t.match(f, { amountFen: 300_000, severity: 'severe', accounts: [VILLAGE_ACCOUNT] });
  t.match(f.explanation.en, /paid ¥8,000\.00 for education_aid .* holding only ¥5,000\.00 for that purpose: ¥3,000\.00 overspent/);
});

t.test('overspend: a payment of exactly what the account holds for the purpose is not flagged', async (t) => {
  const w = await standardWorld();
  await w.run(send({ toAccount: VILLAGE_ACCOUNT, amountFen: 500_000, lots: [{ appropriationId: 'ap-2', purpose: 'education_aid', amountFen: 500_000 }] }));
  await w.run(receive({ toAccount: VILLAGE_ACCOUNT, amountFen: 500_000 }));
  await w.run(pay({ purpose: 'education_aid', amountFen: 500_000 }));
  t.same(withCode(await findingsOf(w, OWN), 'overspend'), []);
});

// ---------------------------------------------------------------- purpose mismatch

t.test('purpose_mismatch: money from a source that forbids the purpose is found, and merges with the broken control', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RegisterFundSource', sourceId: 'donor-1', name: '社会捐赠', category: 'donation', sourceType: 'donation', prohibitedPurposes: ['administration'] });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-d', countyCode: COUNTY, sourceId: 'donor-1', fiscalYear: 2020, purpose: 'administration', amountFen: 200_000 });
  const p = await w.run({ ...pay({ fromAccount: `pool:${COUNTY}:donor-1:2020`, payee: { kind: 'contractor', id: 'c-1' }, purpose: 'administration', amountFen: 150_000 }) }, historical);
  const own = one(t, withCode(await findingsOf(w, OWN), 'purpose_mismatch'), p.events[0]!.id);
  t.match(own, { amountFen: 150_000, severity: 'severe', areaCode: COUNTY, eventIds: [p.events[0]!.id] });
  t.match(own.explanation.en, /source donor-1 may not be spent on administration/);
  const all = withCode(await findingsOf(w), 'purpose_mismatch');
  t.equal(all.length, 1, 'the broken control and the rule are one finding');
});

t.test('purpose_mismatch: a payment for a purpose the rules in force prohibit is found', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-s', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'staff_costs', amountFen: 100_000 });
  const p = await w.run(pay({ fromAccount: POOL, payee: { kind: 'contractor', id: 'staff' }, purpose: 'staff_costs', amountFen: 100_000 }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'purpose_mismatch'), p.events[0]!.id);
  t.match(f, { amountFen: 100_000, parameters: { purpose: 'staff_costs' } });
  t.match(f.explanation.en, /staff_costs is a purpose the rules in force prohibit/);
});

t.test('purpose_mismatch: a payment drawing money of another purpose, with no plan, is found for that money', async (t) => {
  const w = await standardWorld();
  const p = await w.run(pay({ purpose: 'education_aid', amountFen: 400_000 }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'purpose_mismatch'), p.events[0]!.id);
  t.match(f, { amountFen: 400_000, accounts: [VILLAGE_ACCOUNT] });
  t.match(f.explanation.en, /¥4,000\.00 of appropriation ap-1 is for household_benefit, and no integration plan changed its purpose/);
});

t.test('purpose_mismatch: funds integrated for a purpose outside the plan are found, keyed by the integration out', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ApproveIntegrationPlan', planId: 'plan-1', countyCode: COUNTY, name: '2020年统筹整合方案', allowedPurposes: ['infrastructure'], sources: [{ sourceId: 'central-2020', maxFen: 5_000_000 }], totalFen: 5_000_000 });
  const r = await w.run({ type: 'IntegrateFunds', integrationId: 'int-1', planId: 'plan-1', fromAccount: POOL, amountFen: 1_000_000, purpose: 'relocation' }, historical);
  const out = idOf(r, 'FundsIntegratedOut');
  const into = idOf(r, 'FundsIntegratedIn');
  const f = one(t, withCode(await findingsOf(w, OWN), 'purpose_mismatch'), out);
  t.same(f.eventIds, [out, into]);
  t.match(f, { amountFen: 1_000_000, accounts: [POOL, 'integration:plan-1'], parameters: { planId: 'plan-1', allowedPurposes: ['infrastructure'] } });
  t.match(f.explanation.en, /the plan allows infrastructure, not relocation/);
  t.equal(withCode(await findingsOf(w), 'purpose_mismatch').length, 1, 'one finding with the broken control');
});

t.test('purpose_mismatch: integrating within the plan and spending on its purpose is not flagged', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ApproveIntegrationPlan', planId: 'plan-1', countyCode: COUNTY, name: '2020年统筹整合方案', allowedPurposes: ['infrastructure'], sources: [{ sourceId: 'central-2020', maxFen: 5_000_000 }], totalFen: 5_000_000 });
  await w.run({ type: 'IntegrateFunds', integrationId: 'int-1', planId: 'plan-1', fromAccount: POOL, amountFen: 1_000_000, purpose: 'infrastructure' });
  await w.run(pay({ fromAccount: 'integration:plan-1', payee: { kind: 'contractor', id: 'c-1' }, purpose: 'infrastructure', amountFen: 1_000_000 }));
  await w.run(pay({ paymentId: 'pay-2', voucherNo: 'V-2', amountFen: 3_000_000 }));
  t.same(withCode(await findingsOf(w), 'purpose_mismatch'), []);
});

t.test('purpose_mismatch: integrated money spent on another purpose its plan allows is not a mismatch', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ApproveIntegrationPlan', planId: 'plan-1', countyCode: COUNTY, name: '方案', allowedPurposes: ['infrastructure', 'industry_development'], sources: [{ sourceId: 'central-2020', maxFen: 5_000_000 }], totalFen: 5_000_000 });
  await w.run({ type: 'IntegrateFunds', integrationId: 'int-1', planId: 'plan-1', fromAccount: POOL, amountFen: 1_000_000, purpose: 'infrastructure' });
  await w.run(pay({ fromAccount: 'integration:plan-1', payee: { kind: 'contractor', id: 'c-1' }, purpose: 'industry_development', amountFen: 600_000 }), historical);
  t.same(withCode(await findingsOf(w, OWN), 'purpose_mismatch'), []);
});

// ---------------------------------------------------------------- project overfunded

async function projectWorld(): Promise<World> {
  const w = await standardWorld();
  await w.run({ type: 'RegisterProject', projectId: 'P1', villageCode: VILLAGE, name: '东关村道路硬化', purpose: 'infrastructure', budgetFen: 1_000_000, stages: [{ stage: 's1', shareBp: 10_000 }] });
  await w.run({ type: 'RegisterFundSource', sourceId: 'province-2020', name: '省级财政专项扶贫资金', category: 'provincial_special', sourceType: 'grant' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-p', countyCode: COUNTY, sourceId: 'province-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 5_000_000 });
  return w;
}

const PROVINCE_POOL = `pool:${COUNTY}:province-2020:2020`;

t.test('project_overfunded: a project funded by transfer and by a payment from another channel beyond its budget is found', async (t) => {
  const w = await projectWorld();
  await w.run(send({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 600_000, effectiveDate: '2020-07-01' }));
  const received = await w.run(receive({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 600_000, effectiveDate: '2020-07-02' }));
  const paid = await w.run(pay({ payee: { kind: 'contractor', id: 'c-1' }, projectId: 'P1', amountFen: 500_000, effectiveDate: '2020-08-01' }));
  const f = one(t, withCode(await findingsOf(w), 'project_overfunded'), 'project:P1');
  t.match(f, { amountFen: 100_000, severity: 'severe', areaCode: VILLAGE, effectiveDate: '2020-08-01', parameters: { budgetFen: 1_000_000, fundedFen: 1_100_000, channels: { 'province-2020': 600_000, 'central-2020': 500_000 } } });
  t.same(f.eventIds, [idOf(received, 'TransferReceived'), paid.events[0]!.id]);
  t.same([...f.accounts].sort(), ['project:P1', VILLAGE_ACCOUNT].sort());
  t.match(f.explanation.en, /budget of ¥10,000\.00 but was funded ¥11,000\.00, ¥1,000\.00 over, from 2 channel\(s\): province-2020 ¥6,000\.00, central-2020 ¥5,000\.00/);
});

t.test('project_overfunded: a project funded exactly to its budget is not flagged', async (t) => {
  const w = await projectWorld();
  await w.run(send({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 500_000 }));
  await w.run(receive({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 500_000 }));
  await w.run(pay({ payee: { kind: 'contractor', id: 'c-1' }, projectId: 'P1', amountFen: 500_000 }));
  t.same(withCode(await findingsOf(w), 'project_overfunded'), []);
});

t.test('project_overfunded: spending from the project account is not counted again as funding', async (t) => {
  const w = await projectWorld();
  await w.run(send({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 1_000_000 }));
  await w.run(receive({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 1_000_000 }));
  await w.run(pay({ fromAccount: 'project:P1', payee: { kind: 'contractor', id: 'c-1' }, projectId: 'P1', purpose: 'infrastructure', amountFen: 1_000_000 }));
  t.same(withCode(await findingsOf(w), 'project_overfunded'), []);
});

t.test('project_overfunded: a payment naming the project that is reversed no longer counts', async (t) => {
  const w = await projectWorld();
  await w.run(send({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 800_000 }));
  await w.run(receive({ transferId: 'tp-1', fromAccount: PROVINCE_POOL, toAccount: 'project:P1', amountFen: 800_000 }));
  const paid = await w.run(pay({ payee: { kind: 'contractor', id: 'c-1' }, projectId: 'P1', amountFen: 500_000 }));
  t.equal(withCode(await findingsOf(w), 'project_overfunded').length, 1, 'over budget before the reversal');
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: paid.events[0]!.id, reason: '重复安排，退回' });
  t.same(withCode(await findingsOf(w), 'project_overfunded'), []);
});

// ---------------------------------------------------------------- interest subsidies

const issue = (over: Partial<CommandOf<'IssueMicroLoan'>> = {}): CommandInput => ({
  type: 'IssueMicroLoan',
  loanId: 'loan-1',
  householdId: 'hh-1',
  bank: '庄浪县农村信用合作联社',
  principalFen: 5_000_000,
  termMonths: 36,
  annualRateBp: 435,
  issuedOn: '2020-06-01',
  ...over,
});
const accrue = (over: Partial<CommandOf<'RecordInterestAccrual'>> = {}): CommandInput => ({ type: 'RecordInterestAccrual', loanId: 'loan-1', windowFrom: '2020-06-01', windowTo: '2020-11-30', interestFen: 108_750, effectiveDate: '2020-11-30', ...over });
const subsidy = (over: Partial<CommandOf<'PayInterestSubsidy'>> = {}): CommandInput => ({
  type: 'PayInterestSubsidy',
  paymentId: 'sub-1',
  loanId: 'loan-1',
  fromAccount: SUBSIDY,
  windowFrom: '2020-06-01',
  windowTo: '2020-11-30',
  amountFen: 108_750,
  voucherNo: 'TX-2020-001',
  effectiveDate: '2020-12-10',
  ...over,
});

async function loanWorld(over: Partial<CommandOf<'IssueMicroLoan'>> = {}, ctx = {}): Promise<World> {
  const w = await standardWorld();
  await w.run({ type: 'RegisterFundSource', sourceId: 'county-2020', name: '县级财政贴息资金', category: 'county_self_raised', sourceType: 'grant' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-sub', countyCode: COUNTY, sourceId: 'county-2020', fiscalYear: 2020, purpose: 'interest_subsidy', amountFen: 1_000_000, toAccount: SUBSIDY });
  await w.run(issue(over), ctx);
  await w.run(accrue());
  return w;
}

t.test('subsidy_exceeds_interest: 贴息 above the interest accrued for the window is found, keyed by its payment, with the excess', async (t) => {
  const w = await loanWorld();
  const r = await w.run(subsidy({ amountFen: 200_000 }), historical);
  const payment = idOf(r, 'PaymentMade');
  const f = one(t, withCode(await findingsOf(w, OWN), 'subsidy_exceeds_interest'), payment);
  t.match(f, { amountFen: 91_250, severity: 'severe', areaCode: VILLAGE, accounts: [SUBSIDY], effectiveDate: '2020-12-10', parameters: { accruedFen: 108_750, dueFen: 108_750, subsidyFen: 200_000 } });
  t.equal(f.eventIds[0], payment);
  t.ok(f.eventIds.includes(idOf(r, 'InterestSubsidyGranted')), 'names the grant');
  t.match(f.explanation.en, /interest accrued for the window is ¥1,087\.50; at 100% ¥1,087\.50 was due, ¥2,000\.00 paid, ¥912\.50 too much/);
  t.equal(withCode(await findingsOf(w), 'subsidy_exceeds_interest').length, 1, 'one finding with the broken control');
});

t.test('subsidy_exceeds_interest: 贴息 equal to the interest due is not flagged', async (t) => {
  const w = await loanWorld();
  await w.run(subsidy());
  t.same(withCode(await findingsOf(w), 'subsidy_exceeds_interest'), []);
});

t.test('subsidy_exceeds_interest: 70% of 2024 interest is due, not more', async (t) => {
  const w = await loanWorld();
  await w.run(accrue({ windowFrom: '2024-01-01', windowTo: '2024-06-30', interestFen: 100_000, effectiveDate: '2024-06-30' }));
  await w.run(subsidy({ paymentId: 'sub-24', voucherNo: 'TX-2024', windowFrom: '2024-01-01', windowTo: '2024-06-30', amountFen: 70_000, effectiveDate: '2024-07-10' }));
  t.same(withCode(await findingsOf(w, OWN), 'subsidy_exceeds_interest'), [], '70% exactly is due');
  const over = await w.run(subsidy({ paymentId: 'sub-24b', voucherNo: 'TX-2024b', windowFrom: '2024-07-01', windowTo: '2024-07-01', amountFen: 1, effectiveDate: '2024-07-10' }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'subsidy_exceeds_interest'), idOf(over, 'PaymentMade'));
  t.equal(f.amountFen, 1, 'a window with no interest accrued has nothing due');
});

t.test('subsidy_exceeds_interest: 贴息 on the part of the principal above the cap is found', async (t) => {
  const w = await loanWorld({ principalFen: 6_000_000 }, historical);
  const r = await w.run(subsidy({ amountFen: 108_750 }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'subsidy_exceeds_interest'), idOf(r, 'PaymentMade'));
  // 108,750 × 5/6 = 90,625 due.
  t.match(f, { amountFen: 18_125, parameters: { dueFen: 90_625, principalFen: 6_000_000, microLoanCapFen: 5_000_000 } });
  t.match(f.explanation.en, /over the ¥50,000\.00 cap and interest on the part above it is not subsidised: ¥906\.25 was due pro rata/);
});

t.test('subsidy_exceeds_interest: 贴息 on the capped share of a loan above the cap is not flagged', async (t) => {
  const w = await loanWorld({ principalFen: 6_000_000 }, historical);
  await w.run(subsidy({ amountFen: 90_625 }));
  t.same(withCode(await findingsOf(w, OWN), 'subsidy_exceeds_interest'), []);
});

t.test('subsidy_exceeds_interest: two subsidies for overlapping windows of one loan are found, naming both', async (t) => {
  const w = await loanWorld();
  const first = await w.run(subsidy());
  await w.run(accrue({ windowFrom: '2020-12-01', windowTo: '2021-05-31', interestFen: 108_750, effectiveDate: '2021-05-31' }));
  const second = await w.run(subsidy({ paymentId: 'sub-2', voucherNo: 'TX-2', windowFrom: '2020-11-01', windowTo: '2021-05-31', amountFen: 100_000, effectiveDate: '2021-06-10' }), historical);
  const found = withCode(await findingsOf(w, OWN), 'subsidy_exceeds_interest');
  const f = one(t, found, idOf(second, 'PaymentMade'));
  t.same(f.eventIds.slice(0, 4), [idOf(first, 'PaymentMade'), idOf(first, 'InterestSubsidyGranted'), idOf(second, 'PaymentMade'), idOf(second, 'InterestSubsidyGranted')]);
  t.match(f.explanation.en, /overlaps 2020-06-01 to 2020-11-30, already subsidised/);
  t.equal(found.length, 1, 'the first subsidy is not flagged');
});

t.test('subsidy_exceeds_interest: subsidies for adjoining windows are not flagged', async (t) => {
  const w = await loanWorld();
  await w.run(subsidy());
  await w.run(accrue({ windowFrom: '2020-12-01', windowTo: '2021-05-31', interestFen: 108_750, effectiveDate: '2021-05-31' }));
  await w.run(subsidy({ paymentId: 'sub-2', voucherNo: 'TX-2', windowFrom: '2020-12-01', windowTo: '2021-05-31', effectiveDate: '2021-06-10' }));
  t.same(withCode(await findingsOf(w), 'subsidy_exceeds_interest'), []);
});

t.test('subsidy_on_defaulted_loan: 贴息 after a default already recorded is found and merges with the broken control', async (t) => {
  const w = await loanWorld();
  const d = await w.run({ type: 'RecordLoanDefault', loanId: 'loan-1', on: '2020-12-01', reason: '逾期' });
  const r = await w.run(subsidy(), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'subsidy_on_defaulted_loan'), idOf(r, 'PaymentMade'));
  t.match(f, { amountFen: 108_750, severity: 'severe', parameters: { flag: 'default', flaggedOn: '2020-12-01', recordedBeforeGrant: true } });
  t.ok(f.eventIds.includes(d.events[0]!.id), 'names the default');
  t.match(f.explanation.en, /Micro-loan loan-1 is in default since 2020-12-01, yet ¥1,087\.50 of 贴息 was paid/);
  t.equal(withCode(await findingsOf(w), 'subsidy_on_defaulted_loan').length, 1);
});

t.test('subsidy_on_defaulted_loan: a default recorded after the 贴息 but dated before it is found', async (t) => {
  const w = await loanWorld();
  const r = await w.run(subsidy());
  t.same(withCode(await findingsOf(w), 'subsidy_on_defaulted_loan'), [], 'nothing known yet');
  await w.run({ type: 'RecordLoanDefault', loanId: 'loan-1', on: '2020-12-01', reason: '逾期', effectiveDate: '2021-01-15' });
  const f = one(t, withCode(await findingsOf(w), 'subsidy_on_defaulted_loan'), idOf(r, 'PaymentMade'));
  t.match(f.parameters, { recordedBeforeGrant: false, flaggedOn: '2020-12-01' });
});

t.test('subsidy_on_defaulted_loan: misuse flagged later but dated within the subsidised window is found', async (t) => {
  const w = await loanWorld();
  const r = await w.run(subsidy());
  await w.run({ type: 'FlagLoanMisuse', loanId: 'loan-1', on: '2020-09-01', reason: '贷款用于建房', effectiveDate: '2021-03-01' });
  const f = one(t, withCode(await findingsOf(w), 'subsidy_on_defaulted_loan'), idOf(r, 'PaymentMade'));
  t.match(f, { parameters: { flag: 'misuse', flaggedOn: '2020-09-01' } });
  t.match(f.explanation.zh, /被认定挪用/);
});

t.test('subsidy_on_defaulted_loan: a default dated after the window and the payment, recorded later, is not flagged', async (t) => {
  const w = await loanWorld();
  await w.run(subsidy());
  await w.run({ type: 'RecordLoanDefault', loanId: 'loan-1', on: '2021-03-01', reason: '逾期', effectiveDate: '2021-03-01' });
  t.same(withCode(await findingsOf(w), 'subsidy_on_defaulted_loan'), []);
});

// ---------------------------------------------------------------- ineligible loans

t.test('ineligible_loan: a loan over the cap is found, severe, with its principal', async (t) => {
  const w = await standardWorld();
  const r = await w.run(issue({ principalFen: 6_000_000 }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'ineligible_loan'), r.events[0]!.id);
  t.match(f, { severity: 'severe', amountFen: 6_000_000, areaCode: VILLAGE, effectiveDate: '2020-06-01', eventIds: [r.events[0]!.id], parameters: { microLoanCapFen: 5_000_000 } });
  t.match(f.explanation.en, /principal ¥60,000\.00 is over the ¥50,000\.00 cap/);
  t.equal(withCode(await findingsOf(w), 'ineligible_loan').length, 1, 'one finding with the broken control');
});

t.test('ineligible_loan: a term over 36 months and a rate above the benchmark are found as warnings', async (t) => {
  const w = await standardWorld();
  const r = await w.run(issue({ termMonths: 48, annualRateBp: 600 }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'ineligible_loan'), r.events[0]!.id);
  t.equal(f.severity, 'warning');
  t.match(f.explanation.en, /term 48 months is over 36 months; annual rate 6% is above the benchmark 4\.35%/);
});

t.test('ineligible_loan: a loan to an unregistered household is found', async (t) => {
  const w = await standardWorld();
  const r = await w.run(issue({ householdId: 'hh-x' }), historical);
  const f = one(t, withCode(await findingsOf(w, OWN), 'ineligible_loan'), r.events[0]!.id);
  t.match(f, { severity: 'severe', areaCode: null });
  t.match(f.explanation.en, /household hh-x was not registered on 2020-06-01/);
});

t.test('ineligible_loan: a removal recorded after the loan but dated before it is found', async (t) => {
  const w = await standardWorld();
  const r = await w.run(issue());
  const removed = await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'removed', on: '2020-05-01', reason: '识别不准清退' });
  const f = one(t, withCode(await findingsOf(w, OWN), 'ineligible_loan'), r.events[0]!.id);
  t.same(f.eventIds, [removed.events[0]!.id, r.events[0]!.id]);
  t.match(f.explanation.en, /removed from the registry on 2020-05-01/);
});

t.test('ineligible_loan: a household that exited beyond the post-exit window is found; within it, not', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'exited', on: '2015-01-01', reason: '脱贫' });
  const late = await w.run(issue(), historical);
  const within = await w.run(issue({ loanId: 'loan-2', issuedOn: '2019-12-31', effectiveDate: '2019-12-31' }), historical);
  const found = withCode(await findingsOf(w, OWN), 'ineligible_loan');
  t.match(one(t, found, late.events[0]!.id).explanation.en, /exited poverty on 2015-01-01, 1978 days before, past the 1825-day policy window/);
  t.notOk(found.some((f) => f.key === within.events[0]!.id), 'issued 1825 days after exit: within the window');
});

t.test('ineligible_loan: a loan at the limits to a registered household is not flagged', async (t) => {
  const w = await standardWorld();
  await w.run(issue());
  t.same(withCode(await findingsOf(w), 'ineligible_loan'), []);
});

// ---------------------------------------------------------------- idle funds

t.test('idle_funds: money unspent for 12 months is a warning, per account and appropriation', async (t) => {
  const w = await standardWorld();
  const found = withCode(await findingsOf(w, { ...OWN, asOf: '2021-06-01' }), 'idle_funds');
  const village = one(t, found, `${VILLAGE_ACCOUNT}:ap-1`);
  t.match(village, { severity: 'warning', amountFen: 3_000_000, areaCode: VILLAGE, effectiveDate: '2020-06-01', parameters: { idleWarningMonths: 12, idleSevereMonths: 24, monthsIdle: 12 } });
  t.equal(village.eventIds.length, 1);
  t.match(village.explanation.en, /¥30,000\.00 of appropriation ap-1 .* since 2020-06-01: 12 months as of 2021-06-01/);
  t.match(one(t, found, `${POOL}:ap-1`), { amountFen: 7_000_000 });
  t.match(one(t, found, `${POOL}:ap-2`), { amountFen: 2_000_000 });
});

t.test('idle_funds: money unspent for 24 months is severe', async (t) => {
  const w = await standardWorld();
  const f = one(t, withCode(await findingsOf(w, { ...OWN, asOf: '2022-06-01' }), 'idle_funds'), `${VILLAGE_ACCOUNT}:ap-1`);
  t.match(f, { severity: 'severe', parameters: { severeFen: 3_000_000 } });
});

t.test('idle_funds: money idle for 11 months is not flagged', async (t) => {
  const w = await standardWorld();
  t.same(withCode(await findingsOf(w, { asOf: '2021-05-31' }), 'idle_funds'), []);
});

t.test('idle_funds: outflows consume the oldest arrival of the appropriation first', async (t) => {
  const w = await standardWorld();
  await w.run(send({ transferId: 'tr-3', toAccount: VILLAGE_ACCOUNT, amountFen: 1_000_000, lots: [{ appropriationId: 'ap-1', purpose: 'household_benefit', amountFen: 1_000_000 }], effectiveDate: '2021-01-01' }));
  const late = await w.run(receive({ transferId: 'tr-3', toAccount: VILLAGE_ACCOUNT, amountFen: 1_000_000, effectiveDate: '2021-01-01' }));
  await w.run(pay({ amountFen: 3_500_000, effectiveDate: '2021-02-01' }));
  // FIFO: the June 2020 arrival is spent, ¥5,000 of January 2021 is left; LIFO would leave June 2020 money.
  t.notOk(withCode(await findingsOf(w, { ...OWN, asOf: '2021-12-31' }), 'idle_funds').some((f) => f.key === `${VILLAGE_ACCOUNT}:ap-1`), '11 months after January');
  const f = one(t, withCode(await findingsOf(w, { ...OWN, asOf: '2022-01-01' }), 'idle_funds'), `${VILLAGE_ACCOUNT}:ap-1`);
  t.match(f, { amountFen: 500_000, effectiveDate: '2021-01-01', eventIds: [idOf(late, 'TransferReceived')] });
});

t.test('idle_funds: a pool that received money in the last 12 months is not flagged', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-3', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 100_000, effectiveDate: '2021-03-01' });
  const found = withCode(await findingsOf(w, { asOf: '2021-06-01' }), 'idle_funds');
  t.notOk(found.some((f) => f.accounts.includes(POOL)), 'the pool is in use');
  t.ok(found.some((f) => f.key === `${VILLAGE_ACCOUNT}:ap-1`), 'the village account is still flagged');
});

t.test('idle_funds: the risk fund and micro-credit money are meant to sit and are not flagged', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-gov', name: '政府风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-gov', countyCode: COUNTY, sourceId: 'riskfund-gov', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 7_000_000, toAccount: RISKFUND, party: 'government' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-mc', countyCode: COUNTY, sourceId: 'microcredit', fiscalYear: 2020, purpose: 'industry_development', amountFen: 7_000_000 });
  const found = withCode(await findingsOf(w, { asOf: '2023-01-01' }), 'idle_funds');
  t.notOk(found.some((f) => f.accounts.includes(RISKFUND)), 'risk fund');
  t.notOk(found.some((f) => f.accounts.includes(`pool:${COUNTY}:microcredit:2020`)), 'micro-credit pool');
  t.ok(found.some((f) => f.key === `${POOL}:ap-1`), 'grant money still flagged');
});

// ---------------------------------------------------------------- unreceived transfers

t.test('unreceived_transfer: a transfer not received 31 days after it was sent is found', async (t) => {
  const w = await standardWorld();
  const s = await w.run(send());
  const f = one(t, withCode(await findingsOf(w, { asOf: '2020-07-02' }), 'unreceived_transfer'), `${POOL}:tr-2`);
  t.match(f, { severity: 'severe', amountFen: 1_000_000, areaCode: OTHER_VILLAGE, accounts: [POOL, OTHER_ACCOUNT], eventIds: [s.events[0]!.id], parameters: { receiptDeadlineDays: 30, daysSinceSent: 31 } });
  t.match(f.explanation.en, /not confirmed received 31 days later, as of 2020-07-02 \(deadline 30 days\)/);
});

t.test('unreceived_transfer: 30 days after sending is still within the deadline', async (t) => {
  const w = await standardWorld();
  await w.run(send());
  t.same(withCode(await findingsOf(w, { asOf: '2020-07-01' }), 'unreceived_transfer'), []);
});

t.test('unreceived_transfer: a transfer received within the deadline is not flagged', async (t) => {
  const w = await standardWorld();
  await w.run(send());
  await w.run(receive({ effectiveDate: '2020-07-01' }));
  t.same(withCode(await findingsOf(w, { asOf: '2022-01-01' }), 'unreceived_transfer'), []);
});

t.test('unreceived_transfer: a transfer received after the deadline is a warning', async (t) => {
  const w = await standardWorld();
  const s = await w.run(send());
  const r = await w.run(receive({ effectiveDate: '2020-07-16' }));
  const f = one(t, withCode(await findingsOf(w), 'unreceived_transfer'), `${POOL}:tr-2`);
  t.match(f, { severity: 'warning', eventIds: [s.events[0]!.id, idOf(r, 'TransferReceived')], parameters: { daysToReceipt: 45 } });
});

t.test('unreceived_transfer: a transfer received for less than was sent is found for the shortfall', async (t) => {
  const w = await standardWorld();
  const s = await w.run(send());
  const r = await w.run(receive({ amountFen: 600_000 }), historical);
  const receipt = idOf(r, 'TransferReceived');
  const f = one(t, withCode(await findingsOf(w, OWN), 'unreceived_transfer'), receipt);
  t.match(f, { severity: 'severe', amountFen: 400_000, eventIds: [s.events[0]!.id, receipt] });
  t.match(f.explanation.en, /only ¥6,000\.00 was confirmed received on 2020-06-01: ¥4,000\.00 short/);
  t.equal(withCode(await findingsOf(w), 'unreceived_transfer').length, 1, 'one finding with the broken control');
});

t.test('unreceived_transfer: a transfer the sender reversed before it arrived is not flagged', async (t) => {
  const w = await standardWorld();
  const s = await w.run(send());
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: POOL, reversesEventId: s.events[0]!.id, reason: '收款账户有误' });
  t.same(withCode(await findingsOf(w, { asOf: '2021-01-01' }), 'unreceived_transfer'), []);
});

// ---------------------------------------------------------------- risk fund ratio

async function riskWorld(government: number, bank: number): Promise<World> {
  const w = await standardWorld();
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-gov', name: '政府风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-bank', name: '银行风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  if (government > 0) await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-gov', countyCode: COUNTY, sourceId: 'riskfund-gov', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: government, toAccount: RISKFUND, party: 'government' });
  if (bank > 0) await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-bank', countyCode: COUNTY, sourceId: 'riskfund-bank', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: bank, toAccount: RISKFUND, party: 'bank' });
  await w.run(issue());
  return w;
}

t.test('risk_fund_ratio: a fund below 3% of micro-loans outstanding is found for the shortfall', async (t) => {
  const w = await riskWorld(70_000, 30_000);
  const found = withCode(await findingsOf(w, { asOf: '2020-12-31' }), 'risk_fund_ratio');
  const f = one(t, found, `${RISKFUND}:ratio`);
  t.match(f, { amountFen: 50_000, severity: 'warning', areaCode: COUNTY, accounts: [RISKFUND], effectiveDate: '2020-12-31', parameters: { riskFundRatioBp: 300, outstandingFen: 5_000_000, requiredFen: 150_000, fundBalanceFen: 100_000 } });
  t.equal(f.eventIds.length, 3, 'two contributions and the loan');
  t.match(f.explanation.en, /¥50,000\.00 of micro-loans outstanding \(1 loans\); .* at least 3%, ¥1,500\.00, but riskfund:620423000000 holds ¥1,000\.00: ¥500\.00 short/);
  t.equal(found.length, 1, '7:3 split is right');
});

t.test('risk_fund_ratio: exactly 3%, split 7:3, is not flagged', async (t) => {
  const w = await riskWorld(105_000, 45_000);
  t.same(withCode(await findingsOf(w, { asOf: '2020-12-31' }), 'risk_fund_ratio'), []);
});

t.test('risk_fund_ratio: repayments reduce the principal outstanding the fund is held against', async (t) => {
  const w = await riskWorld(70_000, 30_000);
  await w.run({ type: 'RecordLoanRepayment', loanId: 'loan-1', amountFen: 2_000_000, on: '2020-10-01' });
  t.same(withCode(await findingsOf(w, { asOf: '2020-12-31' }), 'risk_fund_ratio'), [], '3% of ¥30,000 is ¥900, the fund holds ¥1,000');
  t.equal(withCode(await findingsOf(w, { asOf: '2020-09-30' }), 'risk_fund_ratio').length, 1, 'before the repayment it was short');
});

t.test('risk_fund_ratio: a government share outside 70% ± 5 points is found', async (t) => {
  const w = await riskWorld(100_000, 100_000);
  const f = one(t, withCode(await findingsOf(w, { asOf: '2020-12-31' }), 'risk_fund_ratio'), `${RISKFUND}:split`);
  t.match(f, { severity: 'warning', amountFen: 40_000, parameters: { governmentShareBp: 5_000, riskFundGovernmentShareBp: 7_000 } });
  t.match(f.explanation.en, /government 50%, where 70% \(±5 points\) is required/);
});

t.test('risk_fund_ratio: a government share of 66% is within tolerance', async (t) => {
  const w = await riskWorld(132_000, 68_000);
  t.same(withCode(await findingsOf(w, { asOf: '2020-12-31' }), 'risk_fund_ratio'), []);
});

// ---------------------------------------------------------------- self-raised funds

async function selfRaised(amounts: Record<number, number>): Promise<World> {
  const w = await standardWorld();
  await w.run({ type: 'RegisterFundSource', sourceId: 'county-self', name: '县级财政专项扶贫资金', category: 'county_self_raised', sourceType: 'grant' });
  for (const [year, fen] of Object.entries(amounts)) {
    await w.run({ type: 'RecordAppropriation', appropriationId: `self-${year}`, countyCode: COUNTY, sourceId: 'county-self', fiscalYear: Number(year), purpose: 'industry_development', amountFen: fen, effectiveDate: `${year}-03-01` });
  }
  return w;
}

t.test('self_raised_funds_low: self-raised funds growing 10% in a year are found for the shortfall to 20%', async (t) => {
  const w = await selfRaised({ 2020: 1_000_000, 2021: 1_100_000 });
  const f = one(t, withCode(await findingsOf(w, { asOf: '2022-01-01' }), 'self_raised_funds_low'), `${COUNTY}:2021`);
  t.match(f, { amountFen: 100_000, severity: 'warning', areaCode: COUNTY, effectiveDate: '2021-12-31', parameters: { previousFen: 1_000_000, currentFen: 1_100_000, growthBp: 1_000, minimumGrowthBp: 2_000 } });
  t.equal(f.eventIds.length, 2);
  t.match(f.explanation.en, /¥11,000\.00 of self-raised poverty funds for 2021, 10% over the ¥10,000\.00 of 2020/);
});

t.test('self_raised_funds_low: exactly 20% growth is not flagged', async (t) => {
  const w = await selfRaised({ 2020: 1_000_000, 2021: 1_200_000 });
  t.same(withCode(await findingsOf(w, { asOf: '2022-01-01' }), 'self_raised_funds_low'), []);
});

t.test('self_raised_funds_low: a year not yet over is not judged', async (t) => {
  const w = await selfRaised({ 2020: 1_000_000, 2021: 1_100_000 });
  t.same(withCode(await findingsOf(w, { asOf: '2021-12-30' }), 'self_raised_funds_low'), []);
});

t.test('self_raised_funds_low: only county self-raised sources count', async (t) => {
  const w = await selfRaised({ 2020: 1_000_000, 2021: 1_250_000 });
  // Central money in 2020 is not self-raised: counted, 2021 would be below 2020.
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-c', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: 5_000_000 });
  t.same(withCode(await findingsOf(w, { asOf: '2022-01-01' }), 'self_raised_funds_low'), []);
});

t.test('self_raised_funds_low: self-raised funds under 2% of the year\'s general budget revenue are found', async (t) => {
  const w = await selfRaised({ 2020: 1_000_000, 2021: 1_200_000 });
  // ¥6,000,000 of revenue in 2021 needs ¥120,000 self-raised; ¥12,000 is 0.2%.
  await w.run({ type: 'RecordBudgetRevenue', countyCode: COUNTY, fiscalYear: 2021, generalRevenueFen: 600_000_000, effectiveDate: '2022-01-15' });
  const revenue = (await w.log()).at(-1)!;
  const f = one(t, withCode(await findingsOf(w, { asOf: '2022-02-01' }), 'self_raised_funds_low'), `${COUNTY}:2021:share`);
  t.match(f, { amountFen: 12_000_000 - 1_200_000, severity: 'warning', areaCode: COUNTY, parameters: { generalRevenueFen: 600_000_000, selfRaisedFen: 1_200_000, shareBp: 20, minimumShareBp: 200 } });
  t.equal(f.eventIds[0], revenue.id, 'the revenue record is the first proof');
  t.match(f.explanation.en, /0\.2% of its ¥6,000,000\.00 general budget revenue/);
});

t.test('self_raised_funds_low: exactly 2% of revenue is not flagged, and a restated revenue figure replaces the first', async (t) => {
  const w = await selfRaised({ 2020: 1_000_000, 2021: 1_200_000 });
  await w.run({ type: 'RecordBudgetRevenue', countyCode: COUNTY, fiscalYear: 2021, generalRevenueFen: 600_000_000, effectiveDate: '2022-01-15' });
  await w.run({ type: 'RecordBudgetRevenue', countyCode: COUNTY, fiscalYear: 2021, generalRevenueFen: 60_000_000, effectiveDate: '2022-03-01' });
  t.same(withCode(await findingsOf(w, { asOf: '2022-04-01' }), 'self_raised_funds_low'), []);
});

t.test('self_raised_funds_low: a county with revenue recorded and no self-raised funds at all is severe', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RecordBudgetRevenue', countyCode: COUNTY, fiscalYear: 2020, generalRevenueFen: 100_000_000, effectiveDate: '2021-01-10' });
  const f = one(t, withCode(await findingsOf(w, { asOf: '2021-02-01' }), 'self_raised_funds_low'), `${COUNTY}:2020:share`);
  t.match(f, { severity: 'severe', amountFen: 2_000_000, parameters: { selfRaisedFen: 0 } });
});
