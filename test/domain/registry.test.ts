// Registry commands as sentences about rules: places, sources, rules, seals, households, officials, projects,
// programmes. Each accepted case records its event; each refusal names its code and writes nothing.
import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import type { CommandOf } from '../../domain/commands.js';
import { DEFAULT_RULES } from '../../domain/rules.js';
import { COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_ACCOUNT, live, world, type CommandInput, type World, refusedWithoutWriting, standardWorld, lastEvent } from './fixture.js';

const household = (over: Partial<CommandOf<'RegisterHousehold'>> = {}): CommandInput => ({
  type: 'RegisterHousehold',
  householdId: 'hh-2',
  villageCode: VILLAGE,
  headName: '王五',
  headIdNumber: '620423197505050033',
  registeredOn: '2015-03-01',
  members: [{ personId: 'p-3', name: '王五', idNumber: '620423197505050033', relation: 'head' }],
  ...over,
});

const project = (over: Partial<CommandOf<'RegisterProject'>> = {}): CommandInput => ({
  type: 'RegisterProject',
  projectId: 'pr-1',
  villageCode: VILLAGE,
  name: '东关村道路硬化',
  purpose: 'infrastructure',
  budgetFen: 50_000_000,
  beneficiaryHouseholds: ['hh-1'],
  stages: [
    { stage: 'advance', shareBp: 3_000, final: false },
    { stage: 'progress', shareBp: 6_000, final: false },
    { stage: 'final', shareBp: 1_000, final: true },
  ],
  ...over,
});

const official = (over: Partial<CommandOf<'RegisterVillageOfficial'>> = {}): CommandInput => ({
  type: 'RegisterVillageOfficial',
  officialId: 'off-1',
  villageCode: VILLAGE,
  name: '赵六',
  idNumber: '620423197007070044',
  role: '村主任',
  ...over,
});

const payment = (over: Partial<CommandOf<'MakePayment'>> = {}): CommandInput => ({
  type: 'MakePayment',
  paymentId: `pay-${randomUUID().slice(0, 8)}`,
  fromAccount: VILLAGE_ACCOUNT,
  payee: { kind: 'household', id: 'hh-1' },
  amountFen: 50_000,
  voucherNo: `PZ-${randomUUID().slice(0, 8)}`,
  purpose: 'household_benefit',
  ...over,
});

// ---------------------------------------------------------------- RegisterArea

t.test('a county, a township inside it and a village inside that are registered with their levels', async (t) => {
  const w = world();
  await w.run({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null });
  await w.run({ type: 'RegisterArea', code: TOWNSHIP, name: '水洛镇', parentCode: COUNTY });
  await w.run({ type: 'RegisterArea', code: VILLAGE, name: '东关村', parentCode: TOWNSHIP });
  const log = await w.log();
  t.same(
    log.map((e) => [e.stream, e.type, (e.data as { level: string }).level]),
    [
      ['areas', 'AreaRegistered', 'county'],
      ['areas', 'AreaRegistered', 'township'],
      ['areas', 'AreaRegistered', 'village'],
    ],
  );
  t.match(log[2]!.data, { code: VILLAGE, parentCode: TOWNSHIP, name: '东关村' });
});

t.test('an area code registered twice is refused with area_already_registered', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: VILLAGE, name: '东关村', parentCode: TOWNSHIP }), 'area_already_registered', new RegExp(`area ${VILLAGE} is already registered`));
});

t.test('a township whose parent county is not registered is refused with area_parent_invalid', async (t) => {
  const w = world();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: TOWNSHIP, name: '水洛镇', parentCode: COUNTY }), 'area_parent_invalid', /parent of township 620423101000 must be a registered county/);
});

t.test('a township without any parent is refused with area_parent_invalid', async (t) => {
  const w = world();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: TOWNSHIP, name: '水洛镇', parentCode: null }), 'area_parent_invalid', /must be a registered county/);
});

t.test('a village whose parent is the county rather than a township is refused with area_parent_invalid', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: '620423101003', name: '南关村', parentCode: COUNTY }), 'area_parent_invalid', /must be a township, not a county/);
});

t.test('a township whose parent is another township is refused with area_parent_invalid', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: '620423102000', name: '南湖镇', parentCode: TOWNSHIP }), 'area_parent_invalid', /must be a county, not a township/);
});

t.test('a township whose code lies outside its parent county is refused with area_parent_invalid', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: '620424101000', name: '外县镇', parentCode: COUNTY }), 'area_parent_invalid', /620424101000 does not lie inside 620423000000/);
});

t.test('a village whose code lies outside its parent township is refused with area_parent_invalid', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: '620423102001', name: '外乡村', parentCode: TOWNSHIP }), 'area_parent_invalid', /620423102001 does not lie inside 620423101000/);
});

t.test('a county that names a parent is refused with area_parent_invalid', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterArea', code: '620424000000', name: '邻县', parentCode: COUNTY }), 'area_parent_invalid', /county 620424000000 has no parent/);
});

// ---------------------------------------------------------------- RegisterFundSource

t.test('a fund source without its own prohibited purposes takes those of the rules in force on its date', async (t) => {
  const w = world();
  await w.run({ type: 'SetRuleParameters', effectiveFrom: '2020-01-01', parameters: { prohibitedPurposes: ['staff_costs', 'debt_repayment'] } });
  await w.run({ type: 'RegisterFundSource', sourceId: 'old-2019', name: '2019年省级专项', category: 'provincial_special', sourceType: 'grant', effectiveDate: '2019-06-01' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'new-2020', name: '2020年省级专项', category: 'provincial_special', sourceType: 'grant', effectiveDate: '2020-06-01' });
  const [, before, after] = await w.log();
  t.same((before!.data as { prohibitedPurposes: string[] }).prohibitedPurposes, DEFAULT_RULES.prohibitedPurposes, 'before the change: the default list');
  t.same((after!.data as { prohibitedPurposes: string[] }).prohibitedPurposes, ['staff_costs', 'debt_repayment'], 'after the change: the list in force');
});

t.test('a fund source that names its own prohibited purposes keeps exactly those', async (t) => {
  const w = world();
  await w.run({ type: 'RegisterFundSource', sourceId: 'donor-1', name: '东西部协作资金', category: 'donation', sourceType: 'donation', prohibitedPurposes: ['administration'] });
  t.match((await lastEvent(w)).data, { sourceId: 'donor-1', sourceType: 'donation', prohibitedPurposes: ['administration'] });
});

t.test('a fund source registered twice is refused with source_already_registered', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterFundSource', sourceId: 'central-2020', name: '重复', category: 'central_special', sourceType: 'grant' }), 'source_already_registered', /fund source central-2020 is already registered/);
});

// ---------------------------------------------------------------- SetRuleParameters

t.test('a partial rule change keeps every other value in force', async (t) => {
  const w = world();
  await w.run({ type: 'SetRuleParameters', effectiveFrom: '2021-01-01', parameters: { microLoanCapFen: 6_000_000 } });
  t.same((await lastEvent(w)).data, { version: 1, effectiveFrom: '2021-01-01', parameters: { ...DEFAULT_RULES, microLoanCapFen: 6_000_000 } });
});

t.test('rule versions number up, and each starts from the version in force on its date', async (t) => {
  const w = world();
  await w.run({ type: 'SetRuleParameters', effectiveFrom: '2021-01-01', parameters: { microLoanCapFen: 6_000_000 } });
  await w.run({ type: 'SetRuleParameters', effectiveFrom: '2022-01-01', parameters: { benchmarkRateBp: 400 } });
  const [first, second] = await w.log();
  t.match(first!.data, { version: 1 });
  t.match(second!.data, { version: 2, parameters: { microLoanCapFen: 6_000_000, benchmarkRateBp: 400, microLoanMaxTermMonths: 36 } });
});

t.test('a payment records the version of the rules in force on its date in its metadata', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'SetRuleParameters', effectiveFrom: '2020-06-10', parameters: { postExitWindowDays: 3 * 365 } });
  await w.run({ ...payment(), effectiveDate: '2020-06-05' });
  t.match((await lastEvent(w)).metadata, { commandType: 'MakePayment', ruleVersion: 0 }, 'before the new rules: the built-in version 0');
  await w.run({ ...payment(), effectiveDate: '2020-06-15' });
  t.match((await lastEvent(w)).metadata, { commandType: 'MakePayment', ruleVersion: 1 }, 'after: version 1');
});

// Parameters are validated with RuleParameters.partial(), which is not strict: a misspelt name is dropped
// and a rule version that changes nothing is recorded while the bureau believes the cap changed.
t.test('a rule change naming an unknown parameter is refused with invalid_command', async (t) => {
  const w = world();
  const input = { type: 'SetRuleParameters', id: randomUUID(), effectiveDate: '2020-06-01', effectiveFrom: '2021-01-01', parameters: { microloanCapFen: 6_000_000 } };
  await refusedWithoutWriting(t, w, () => w.executor.execute(input, live()), 'invalid_command', /microloanCapFen/);
});

// ---------------------------------------------------------------- SealPeriod

async function sealedJune(): Promise<World> {
  const w = await standardWorld();
  await w.run({ type: 'SealPeriod', sealId: 'audit-2020-06', from: '2020-06-02', to: '2020-06-30', reason: '审计署2020年6月审计', effectiveDate: '2020-07-05' });
  return w;
}

t.test('a sealed period is recorded with its dates and reason', async (t) => {
  const w = await sealedJune();
  t.match(await lastEvent(w), { stream: 'seals', type: 'PeriodSealed', data: { sealId: 'audit-2020-06', from: '2020-06-02', to: '2020-06-30' } });
});

t.test('a live payment dated inside a sealed period is refused with period_sealed', async (t) => {
  const w = await sealedJune();
  await refusedWithoutWriting(t, w, () => w.run({ ...payment(), effectiveDate: '2020-06-15' }), 'period_sealed', /2020-06-15 lies in the period 2020-06-02 to 2020-06-30 that auditors sealed \(audit-2020-06\)/);
});

t.test('a live payment dated outside the sealed period is accepted', async (t) => {
  const w = await sealedJune();
  const result = await w.run({ ...payment(), effectiveDate: '2020-07-06' });
  t.equal(result.status, 'recorded');
  t.same(result.violations, []);
  t.equal((await lastEvent(w)).type, 'PaymentMade');
});

t.test('an imported payment dated inside a sealed period is recorded and flagged period_sealed', async (t) => {
  const w = await sealedJune();
  const result = await w.run({ ...payment(), effectiveDate: '2020-06-15' }, { mode: 'historical', importBatch: 'ledger-2020' });
  t.equal(result.status, 'recorded');
  const event = await lastEvent(w);
  t.equal(event.type, 'PaymentMade');
  t.match(event.metadata, { historical: true, importBatch: 'ledger-2020', violations: [{ code: 'period_sealed', message: /sealed/ }] });
});

t.test('a sealed period that ends before it starts is refused with invalid_command', async (t) => {
  const w = world();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'SealPeriod', sealId: 's-1', from: '2020-06-30', to: '2020-06-01', reason: '颠倒' }), 'invalid_command', /must end on or after it starts/);
});

// ---------------------------------------------------------------- RegisterHousehold

t.test('a household in a registered village is registered with its members', async (t) => {
  const w = await standardWorld();
  await w.run(household());
  t.match(await lastEvent(w), { stream: 'household-hh-2', type: 'HouseholdRegistered', data: { villageCode: VILLAGE, members: [{ personId: 'p-3' }] } });
});

t.test('a household in an unregistered village is refused with unknown_area', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run(household({ villageCode: '620423101099' })), 'unknown_area', /area 620423101099 is not registered/);
});

t.test('a household registered under a township code is refused with unknown_area', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run(household({ villageCode: TOWNSHIP })), 'unknown_area', /is a township, not a village/);
});

t.test('a household registered twice is refused with household_already_registered', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run(household({ householdId: 'hh-1' })), 'household_already_registered', /household hh-1 is already registered/);
});

t.test('a household whose two members share one person id is refused with invalid_command', async (t) => {
  const w = await standardWorld();
  const members = [
    { personId: 'p-3', name: '王五', idNumber: '620423197505050033', relation: 'head' },
    { personId: 'p-3', name: '王小五', idNumber: '620423200505050055', relation: 'son' },
  ];
  await refusedWithoutWriting(t, w, () => w.run(household({ members })), 'invalid_command', /two members share one person id/);
});

// ---------------------------------------------------------------- ChangeHouseholdStatus

t.test('a household that exited can later return to poverty', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'exited', on: '2019-12-01', reason: '脱贫' });
  await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'returned', on: '2020-05-01', reason: '因病返贫' });
  const log = await w.log();
  t.same(
    log.slice(-2).map((e) => [e.type, (e.data as { status: string }).status]),
    [
      ['HouseholdStatusChanged', 'exited'],
      ['HouseholdStatusChanged', 'returned'],
    ],
  );
});

t.test('a registered household that never exited cannot return: status_change_not_allowed', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(
    t,
    w,
    () => w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'returned', on: '2020-05-01', reason: '返贫' }),
    'status_change_not_allowed',
    /household hh-1 is registered on 2020-05-01; it cannot become returned/,
  );
});

t.test('an imported status change that is not allowed is recorded and flagged status_change_not_allowed', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'returned', on: '2020-05-01', reason: '返贫' }, { mode: 'historical' });
  t.match((await lastEvent(w)).metadata, { historical: true, violations: [{ code: 'status_change_not_allowed' }] });
});

t.test('a status change for an unregistered household is refused with unknown_household', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-x', status: 'exited', on: '2020-05-01', reason: '脱贫' }), 'unknown_household', /household hh-x is not registered/);
});

// ---------------------------------------------------------------- AddHouseholdMember

t.test('a new member joins a registered household', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'AddHouseholdMember', householdId: 'hh-1', personId: 'p-9', name: '张小三', idNumber: '620423201001010099', relation: 'son' });
  t.match(await lastEvent(w), { stream: 'household-hh-1', type: 'HouseholdMemberAdded', data: { personId: 'p-9', on: '2020-06-01' } });
});

t.test('a member added twice is refused with person_already_registered', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(
    t,
    w,
    () => w.run({ type: 'AddHouseholdMember', householdId: 'hh-1', personId: 'p-2', name: '李四', idNumber: '620423198203030022', relation: 'spouse' }),
    'person_already_registered',
    /person p-2 is already a member of household hh-1/,
  );
});

t.test('a member added to an unregistered household is refused with unknown_household', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'AddHouseholdMember', householdId: 'hh-x', personId: 'p-9', name: '某', idNumber: '620423201001010099', relation: 'son' }), 'unknown_household', /household hh-x is not registered/);
});

// ---------------------------------------------------------------- RecordDeath

t.test('the death of a member is recorded', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-04-01' });
  t.match(await lastEvent(w), { stream: 'household-hh-1', type: 'PersonDied', data: { personId: 'p-2', on: '2020-04-01' } });
});

t.test('the death of someone who is not a member is refused with unknown_person', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-9', on: '2020-04-01' }), 'unknown_person', /household hh-1 has no member p-9/);
});

t.test('a second death of the same person is refused with status_change_not_allowed', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-04-01' });
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-05-01' }), 'status_change_not_allowed', /person p-2 is already recorded as deceased on 2020-04-01/);
});

t.test('a death in an unregistered household is refused with unknown_household', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordDeath', householdId: 'hh-x', personId: 'p-1', on: '2020-04-01' }), 'unknown_household', /household hh-x is not registered/);
});

// ---------------------------------------------------------------- RegisterVillageOfficial

t.test('a village official is registered from the effective date', async (t) => {
  const w = await standardWorld();
  await w.run(official({ householdId: 'hh-1' }));
  t.match(await lastEvent(w), { stream: 'official-off-1', type: 'VillageOfficialRegistered', data: { villageCode: VILLAGE, householdId: 'hh-1', from: '2020-06-01' } });
});

t.test('an official registered twice is refused with official_already_registered', async (t) => {
  const w = await standardWorld();
  await w.run(official());
  await refusedWithoutWriting(t, w, () => w.run(official({ villageCode: OTHER_VILLAGE })), 'official_already_registered', /official off-1 is already registered/);
});

t.test('an official of an unregistered village is refused with unknown_area', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run(official({ villageCode: '620423101099' })), 'unknown_area', /area 620423101099 is not registered/);
});

// ---------------------------------------------------------------- DeclareRelative

t.test('an official declares a relative by household', async (t) => {
  const w = await standardWorld();
  await w.run(official());
  await w.run({ type: 'DeclareRelative', officialId: 'off-1', name: '张三', relation: '表兄', householdId: 'hh-1' });
  t.match(await lastEvent(w), { stream: 'official-off-1', type: 'RelativeDeclared', data: { householdId: 'hh-1', relation: '表兄' } });
});

t.test('a relative declared for an unregistered official is refused with unknown_official', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'DeclareRelative', officialId: 'off-x', name: '张三', relation: '表兄', householdId: 'hh-1' }), 'unknown_official', /official off-x is not registered/);
});

t.test('a relative declared without a household id or an ID number is refused with invalid_command', async (t) => {
  const w = await standardWorld();
  await w.run(official());
  await refusedWithoutWriting(t, w, () => w.run({ type: 'DeclareRelative', officialId: 'off-1', name: '张三', relation: '表兄' }), 'invalid_command', /needs a household id or an ID number/);
});

// ---------------------------------------------------------------- RegisterProject

t.test('a project in a registered village is registered with its stages', async (t) => {
  const w = await standardWorld();
  await w.run(project());
  t.match(await lastEvent(w), { stream: 'project-pr-1', type: 'ProjectRegistered', data: { budgetFen: 50_000_000, stages: [{ stage: 'advance' }, { stage: 'progress' }, { stage: 'final', final: true }] } });
});

t.test('a project whose stage shares do not add up to 10000 bp is refused with invalid_command', async (t) => {
  const w = await standardWorld();
  const stages = [
    { stage: 'advance', shareBp: 3_000, final: false },
    { stage: 'final', shareBp: 6_000, final: true },
  ];
  await refusedWithoutWriting(t, w, () => w.run(project({ stages })), 'invalid_command', /stage shares must add up to 100% \(10000 bp\), not 9000 bp/);
});

t.test('a project with two stages of one name is refused with invalid_command', async (t) => {
  const w = await standardWorld();
  const stages = [
    { stage: 'pay', shareBp: 5_000, final: false },
    { stage: 'pay', shareBp: 5_000, final: true },
  ];
  await refusedWithoutWriting(t, w, () => w.run(project({ stages })), 'invalid_command', /two stages share one name/);
});

t.test('a project registered twice is refused with project_already_registered', async (t) => {
  const w = await standardWorld();
  await w.run(project());
  await refusedWithoutWriting(t, w, () => w.run(project({ name: '另一个项目' })), 'project_already_registered', /project pr-1 is already registered/);
});

t.test('a project in an unregistered village is refused with unknown_area', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run(project({ villageCode: '620423101099' })), 'unknown_area', /area 620423101099 is not registered/);
});

// ---------------------------------------------------------------- AcceptProject

t.test('a project that passes acceptance is recorded as accepted', async (t) => {
  const w = await standardWorld();
  await w.run(project());
  await w.run({ type: 'AcceptProject', projectId: 'pr-1', acceptedOn: '2020-10-01', passed: true });
  t.match(await lastEvent(w), { stream: 'project-pr-1', type: 'ProjectAccepted', data: { acceptedOn: '2020-10-01', passed: true } });
});

t.test('a project that failed acceptance may be accepted again', async (t) => {
  const w = await standardWorld();
  await w.run(project());
  await w.run({ type: 'AcceptProject', projectId: 'pr-1', acceptedOn: '2020-09-01', passed: false });
  const result = await w.run({ type: 'AcceptProject', projectId: 'pr-1', acceptedOn: '2020-10-01', passed: true });
  t.equal(result.status, 'recorded');
});

t.test('a project accepted again after it passed is refused with project_already_accepted', async (t) => {
  const w = await standardWorld();
  await w.run(project());
  await w.run({ type: 'AcceptProject', projectId: 'pr-1', acceptedOn: '2020-10-01', passed: true });
  await refusedWithoutWriting(t, w, () => w.run({ type: 'AcceptProject', projectId: 'pr-1', acceptedOn: '2020-11-01', passed: true }), 'project_already_accepted', /project pr-1 already passed acceptance on 2020-10-01/);
});

t.test('acceptance of an unregistered project is refused with unknown_project', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'AcceptProject', projectId: 'pr-x', acceptedOn: '2020-10-01', passed: true }), 'unknown_project', /project pr-x is not registered/);
});

// ---------------------------------------------------------------- RegisterProgramme

t.test('a programme is registered with its purpose and period', async (t) => {
  const w = world();
  await w.run({ type: 'RegisterProgramme', programmeId: 'edu-aid', name: '雨露计划', purpose: 'education_aid', period: 'semester' });
  t.match(await lastEvent(w), { stream: 'programmes', type: 'ProgrammeRegistered', data: { programmeId: 'edu-aid', period: 'semester' } });
});

t.test('a programme registered twice is refused with programme_already_registered', async (t) => {
  const w = world();
  await w.run({ type: 'RegisterProgramme', programmeId: 'edu-aid', name: '雨露计划', purpose: 'education_aid', period: 'semester' });
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RegisterProgramme', programmeId: 'edu-aid', name: '雨露计划', purpose: 'education_aid', period: 'year' }), 'programme_already_registered', /programme edu-aid is already registered/);
});

// ---------------------------------------------------------------- malformed commands

/** A raw command as a client might send it, before any validation. */
const raw = (fields: Record<string, unknown>): Record<string, unknown> => ({ id: randomUUID(), effectiveDate: '2020-06-01', ...fields });

async function malformed(t: Test, input: Record<string, unknown>, path: string, message: RegExp): Promise<void> {
  const w = await standardWorld();
  const error = await refusedWithoutWriting(t, w, () => w.executor.execute(input, live()), 'invalid_command', /the command is malformed/);
  t.match(error?.details, { issues: [{ path, message }] }, `the issue names ${path}`);
}

t.test('an amount of 1.5 fen is refused with invalid_command naming amountFen', async (t) => {
  await malformed(t, raw({ type: 'RecordLoanRepayment', loanId: 'loan-1', amountFen: 1.5, on: '2020-06-01' }), 'amountFen', /whole fen/);
});

t.test('a negative amount is refused with invalid_command naming amountFen', async (t) => {
  await malformed(t, raw({ type: 'MakePayment', paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: -100, voucherNo: 'PZ-1', purpose: 'household_benefit' }), 'amountFen', /positive/);
});

t.test('an area code that is not 12 digits is refused with invalid_command naming code', async (t) => {
  await malformed(t, raw({ type: 'RegisterArea', code: '620423', name: '庄浪县', parentCode: null }), 'code', /12 digits/);
});

t.test('a member ID number of the wrong shape is refused with invalid_command naming its path', async (t) => {
  await malformed(t, raw({ ...household(), members: [{ personId: 'p-3', name: '王五', idNumber: '12345', relation: 'head' }] }), 'members.0.idNumber', /17 digits/);
});

t.test('a date that does not exist is refused with invalid_command naming effectiveDate', async (t) => {
  await malformed(t, raw({ type: 'RegisterProgramme', programmeId: 'edu-aid', name: '雨露计划', purpose: 'education_aid', period: 'year', effectiveDate: '2020-02-30' }), 'effectiveDate', /no such date/);
});

t.test('an unknown command type is refused with invalid_command naming type', async (t) => {
  await malformed(t, raw({ type: 'PayEveryone', amountFen: 100 }), 'type', /RegisterArea/);
});

// Commands are strict, and the refusal does name the key in its message, but issue.path is '(command)':
// parseCommand joins zod's issue.path, which for unrecognized_keys is the object holding the key.
t.test('an unknown extra field is refused with invalid_command naming that field', async (t) => {
  await malformed(t, raw({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null, colour: 'red' }), 'colour', /colour/);
});

t.test('a county\'s general budget revenue is recorded per fiscal year; an unknown county is refused', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'RecordBudgetRevenue', countyCode: COUNTY, fiscalYear: 2020, generalRevenueFen: 600_000_000 });
  t.match(await lastEvent(w), { stream: `budget-${COUNTY}`, type: 'BudgetRevenueRecorded', data: { countyCode: COUNTY, fiscalYear: 2020, generalRevenueFen: 600_000_000 } });
  await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordBudgetRevenue', countyCode: TOWNSHIP, fiscalYear: 2020, generalRevenueFen: 1 }), 'unknown_area', /is not a registered county/);
});
