// Rules about money moving between accounts: appropriations in, allocations, transfers sent and received,
// integration under a plan, and reversals. Every refusal is exact and writes nothing.
import t from 'tap';
import type { AccountState } from '../../domain/state.js';
import { COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP_ACCOUNT, VILLAGE_ACCOUNT, standardCounty, world, type World, refusedWithoutWriting } from './fixture.js';

const OTHER_COUNTY = '620424000000';
const OTHER_VILLAGE_ACCOUNT = `village:${OTHER_VILLAGE}`;
const POOL_2019 = `pool:${COUNTY}:central-2020:2019`;
const PLAN = 'plan-2020';
const INTEGRATION_ACCOUNT = `integration:${PLAN}`;

/**
 * The attempt is refused with exactly `code`, a message that says what was wrong, and the log is unchanged.
 * Takes a thunk rather than a started promise so the log is measured before the command can write anything.
 */
async function account(w: World, accountId: string): Promise<AccountState> {
  return (await w.executor.load(`account-${accountId}`)) as AccountState;
}

/** The id of the one recorded event of `type` whose data matches. */
async function eventId(w: World, type: string, match: Record<string, unknown>): Promise<string> {
  const found = (await w.log()).filter((e) => e.type === type && Object.entries(match).every(([k, v]) => (e.data as Record<string, unknown>)[k] === v));
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${JSON.stringify(match)}, found ${found.length}`);
  return found[0]!.id;
}

async function lastEvents(w: World, n: number) {
  return (await w.log()).slice(-n);
}

// ---------------------------------------------------------------- RecordAppropriation

t.test('RecordAppropriation', async (t) => {
  t.test('the first appropriation of a source and year opens its county pool, then records the money', async (t) => {
    const w = world();
    await w.run({ type: 'RegisterArea', code: COUNTY, name: '庄浪县', parentCode: null });
    await w.run({ type: 'RegisterFundSource', sourceId: 'central-2020', name: '中央财政专项扶贫资金', category: 'central_special', sourceType: 'grant' });
    const first = await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-1', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 10_000_000 });
    t.same(first.events.map((e) => [e.stream, e.type]), [
      [`account-${POOL}`, 'AccountOpened'],
      [`account-${POOL}`, 'AppropriationReceived'],
    ]);
    const [opened, received] = await lastEvents(w, 2);
    t.same(opened!.data, { accountId: POOL, kind: 'pool', areaCode: COUNTY });
    t.same(received!.data, { appropriationId: 'ap-1', sourceId: 'central-2020', sourceType: 'grant', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 10_000_000 });
    const second = await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-2', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'education_aid', amountFen: 2_000_000 });
    t.same(second.events.map((e) => e.type), ['AppropriationReceived'], 'an open pool is not opened again');
    t.equal((await account(w, POOL)).balanceFen, 12_000_000);
  });

  t.test('an appropriation from an unregistered source is refused with unknown_source', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: COUNTY, sourceId: 'provincial-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 100_000 }), 'unknown_source', /fund source provincial-2020 is not registered/);
  });

  t.test('an appropriation to an unregistered county is refused with unknown_area', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: OTHER_COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 100_000 }), 'unknown_area', new RegExp(`registered county ${OTHER_COUNTY}`));
  });

  t.test("an appropriation into another county's pool is refused with account_area_mismatch", async (t) => {
    const w = world();
    await standardCounty(w);
    await w.run({ type: 'RegisterArea', code: OTHER_COUNTY, name: '静宁县', parentCode: null });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: OTHER_COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 100_000, toAccount: POOL }), 'account_area_mismatch', new RegExp(`${POOL} is not in county ${OTHER_COUNTY}`));
  });

  t.test('an appropriation straight into a village account is refused with invalid_command', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 100_000, toAccount: VILLAGE_ACCOUNT }), 'invalid_command', /county pool, subsidy or risk fund account, not village:/);
  });

  t.test('an appropriation of one source into the pool of another source is refused (pool lineage)', async (t) => {
    // BUG (domain/deciders/account.ts recordAppropriation): toAccount may name any pool of the county, so
    // micro-credit (loan) money can be booked into the central grant pool; IntegrateFunds then takes the
    // pool id's source for the plan checks. A pool account holds only its own source and fiscal year.
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: COUNTY, sourceId: 'microcredit', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 100_000, toAccount: POOL }), 'invalid_command', /microcredit|source/);
  });
});

// ---------------------------------------------------------------- AllocateFunds

t.test('AllocateFunds', async (t) => {
  t.test('an allocation from the pool to a township is recorded on the pool with its factors', async (t) => {
    const w = world();
    await standardCounty(w);
    await w.run({ type: 'AllocateFunds', allocationId: 'al-1', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 6_000_000, factors: [{ name: 'poor_population', value: 1200 }] });
    const [made] = await lastEvents(w, 1);
    t.equal(made!.stream, `account-${POOL}`);
    t.same(made!.data, { allocationId: 'al-1', toAccount: TOWNSHIP_ACCOUNT, amountFen: 6_000_000, factors: [{ name: 'poor_population', value: 1200 }] });
    t.equal((await account(w, POOL)).allocations.get(TOWNSHIP_ACCOUNT), 6_000_000);
  });

  t.test('allocations beyond what is not yet allocated are refused with amount_exceeds_unallocated_balance', async (t) => {
    const w = world();
    await standardCounty(w); // the pool holds ¥90,000
    await w.run({ type: 'AllocateFunds', allocationId: 'al-1', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 6_000_000, factors: [] });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'AllocateFunds', allocationId: 'al-2', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 4_000_000, factors: [] }), 'amount_exceeds_unallocated_balance', /¥30,000\.00 of the account is not yet allocated, less than ¥40,000\.00/);
  });

  t.test('an allocation to the account it comes from is refused with transfer_to_same_account', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'AllocateFunds', allocationId: 'al-1', fromAccount: POOL, toAccount: POOL, amountFen: 100_000, factors: [] }), 'transfer_to_same_account', /another account/);
  });

  t.test('an allocation from an account that never received money is refused with unknown_account', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'AllocateFunds', allocationId: 'al-1', fromAccount: TOWNSHIP_ACCOUNT, toAccount: VILLAGE_ACCOUNT, amountFen: 100_000, factors: [] }), 'unknown_account', new RegExp(`${TOWNSHIP_ACCOUNT} has never received money`));
  });
});

// ---------------------------------------------------------------- SendTransfer

t.test('SendTransfer', async (t) => {
  t.test('a transfer without named lots draws the oldest fiscal year first, then the lowest appropriation id', async (t) => {
    const w = world();
    await standardCounty(w); // POOL holds ap-1 (¥70,000) and ap-2 (¥20,000)
    await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-0', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 1_000_000 });
    await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2019, purpose: 'household_benefit', amountFen: 500_000 });

    await w.run({ type: 'SendTransfer', transferId: 'tr-2020', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 1_500_000 });
    const [sent2020] = await lastEvents(w, 1);
    t.match(sent2020!.data, { lots: [{ appropriationId: 'ap-0', amountFen: 1_000_000 }, { appropriationId: 'ap-1', amountFen: 500_000 }] }, 'ap-0 recorded last is drawn first');
    t.equal((sent2020!.data as { lots: unknown[] }).lots.length, 2);

    // The township receives the 2020 money before the 2019 money.
    await w.run({ type: 'ReceiveTransfer', transferId: 'tr-2020', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 1_500_000 });
    await w.run({ type: 'SendTransfer', transferId: 'tr-2019', fromAccount: POOL_2019, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000 });
    await w.run({ type: 'ReceiveTransfer', transferId: 'tr-2019', fromAccount: POOL_2019, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000 });

    await w.run({ type: 'SendTransfer', transferId: 'tr-down', fromAccount: TOWNSHIP_ACCOUNT, toAccount: OTHER_VILLAGE_ACCOUNT, amountFen: 1_200_000 });
    const [down] = await lastEvents(w, 1);
    t.same((down!.data as { lots: { appropriationId: string; fiscalYear: number; amountFen: number }[] }).lots.map((l) => [l.appropriationId, l.fiscalYear, l.amountFen]), [
      ['ap-9', 2019, 500_000],
      ['ap-0', 2020, 700_000],
    ]);
  });

  t.test('a transfer that names its lots draws exactly those lots', async (t) => {
    const w = world();
    await standardCounty(w);
    await w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000, lots: [{ appropriationId: 'ap-2', purpose: 'education_aid', amountFen: 500_000 }] });
    const [sent] = await lastEvents(w, 1);
    t.same(sent!.data, {
      transferId: 'tr-2',
      toAccount: TOWNSHIP_ACCOUNT,
      amountFen: 500_000,
      lots: [{ appropriationId: 'ap-2', sourceId: 'central-2020', sourceType: 'grant', fiscalYear: 2020, purpose: 'education_aid', amountFen: 500_000 }],
    });
  });

  t.test('a transfer of more than the account holds is refused with amount_exceeds_balance', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: VILLAGE_ACCOUNT, toAccount: OTHER_VILLAGE_ACCOUNT, amountFen: 3_000_001 }), 'amount_exceeds_balance', /holds ¥30,000\.00, less than the ¥30,000\.01/);
  });

  t.test('a transfer naming a lot the account does not hold is refused with lot_not_in_account', async (t) => {
    const w = world();
    await standardCounty(w); // the village holds only ap-1
    await refusedWithoutWriting(t, w, () => w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: VILLAGE_ACCOUNT, toAccount: OTHER_VILLAGE_ACCOUNT, amountFen: 100_000, lots: [{ appropriationId: 'ap-2', purpose: 'education_aid', amountFen: 100_000 }] }), 'lot_not_in_account', /no lot of appropriation ap-2 for education_aid/);
  });

  t.test('a transfer to a village that is not registered is refused with unknown_area', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: 'village:620423101009', amountFen: 100_000 }), 'unknown_area', /village:620423101009 needs a registered village/);
  });

  t.test('a transfer to a project that is not registered is refused with unknown_project', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: 'project:road-9', amountFen: 100_000 }), 'unknown_project', /project road-9 is not registered/);
  });
});

// ---------------------------------------------------------------- ReceiveTransfer

t.test('ReceiveTransfer', async (t) => {
  async function sentToTownship(w: World): Promise<void> {
    await standardCounty(w);
    await w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000 });
  }

  t.test('a receipt opens the receiving account and books the lots that were sent', async (t) => {
    const w = world();
    await sentToTownship(w);
    const [sent] = await lastEvents(w, 1);
    const result = await w.run({ type: 'ReceiveTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000 });
    t.same(result.events.map((e) => e.type), ['AccountOpened', 'TransferReceived']);
    const [received] = await lastEvents(w, 1);
    t.same(received!.data, { transferId: 'tr-2', fromAccount: POOL, amountFen: 500_000, lots: (sent!.data as { lots: unknown }).lots });
    t.equal((await account(w, TOWNSHIP_ACCOUNT)).balanceFen, 500_000);
  });

  t.test('a second receipt of the same transfer is refused with transfer_already_received', async (t) => {
    const w = world();
    await standardCounty(w); // tr-1 was received by the village
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReceiveTransfer', transferId: 'tr-1', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 3_000_000 }), 'transfer_already_received', /transfer tr-1 was already received \(¥30,000\.00\)/);
  });

  t.test('a receipt for another amount than was sent is refused with transfer_received_with_different_amount', async (t) => {
    const w = world();
    await sentToTownship(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReceiveTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 450_000 }), 'transfer_received_with_different_amount', /sent ¥5,000\.00 but ¥4,500\.00 is confirmed received/);
  });

  t.test('a receipt by an account the transfer was not sent to is refused with transfer_not_addressed_to_account', async (t) => {
    const w = world();
    await sentToTownship(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReceiveTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: OTHER_VILLAGE_ACCOUNT, amountFen: 500_000 }), 'transfer_not_addressed_to_account', new RegExp(`sent to ${TOWNSHIP_ACCOUNT}, not ${OTHER_VILLAGE_ACCOUNT}`));
  });

  t.test('a receipt of a transfer that was never sent is refused with unknown_transfer', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReceiveTransfer', transferId: 'tr-404', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 100_000 }), 'unknown_transfer', new RegExp(`no transfer tr-404 was sent from ${POOL}`));
  });
});

// ---------------------------------------------------------------- IntegrateFunds

async function planned(w: World, sources = [{ sourceId: 'central-2020', maxFen: 5_000_000 }], totalFen = 8_000_000): Promise<void> {
  await standardCounty(w); // POOL holds ¥90,000: ap-1 household_benefit ¥70,000, ap-2 education_aid ¥20,000
  await w.run({ type: 'ApproveIntegrationPlan', planId: PLAN, countyCode: COUNTY, name: '2020年统筹整合使用财政涉农资金方案', allowedPurposes: ['infrastructure', 'industry_development'], sources, totalFen });
}

/** Money of the micro-credit source, in its own pool. */
async function microcreditPool(w: World, amountFen: number): Promise<string> {
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-mc', countyCode: COUNTY, sourceId: 'microcredit', fiscalYear: 2020, purpose: 'industry_development', amountFen });
  return `pool:${COUNTY}:microcredit:2020`;
}

t.test('IntegrateFunds', async (t) => {
  t.test('integrated money carries the new purpose, the plan and its original purpose, with the plan use, in one write', async (t) => {
    const w = world();
    await planned(w);
    const result = await w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 1_000_000, purpose: 'infrastructure' });
    t.same(result.events.map((e) => [e.stream, e.type]), [
      [`account-${POOL}`, 'FundsIntegratedOut'],
      [`account-${INTEGRATION_ACCOUNT}`, 'AccountOpened'],
      [`account-${INTEGRATION_ACCOUNT}`, 'FundsIntegratedIn'],
      [`plan-${PLAN}`, 'PlanFundsUsed'],
    ]);
    const written = await lastEvents(w, 4);
    t.same(written.map((e) => e.position), [0, 1, 2, 3].map((i) => written[0]!.position + i), 'consecutive positions');
    t.ok(written.every((e) => e.metadata.commandId === written[0]!.metadata.commandId), 'all from one command');
    t.equal(result.position, written[3]!.position);
    t.same(written[2]!.data, {
      integrationId: 'in-1',
      planId: PLAN,
      fromAccount: POOL,
      amountFen: 1_000_000,
      lots: [{ appropriationId: 'ap-1', sourceId: 'central-2020', sourceType: 'grant', fiscalYear: 2020, purpose: 'infrastructure', planId: PLAN, originalPurpose: 'household_benefit', amountFen: 1_000_000 }],
    });
    t.same(written[3]!.data, { planId: PLAN, integrationId: 'in-1', sourceId: 'central-2020', amountFen: 1_000_000 });
    t.equal((await account(w, POOL)).balanceFen, 8_000_000);
    t.equal((await account(w, INTEGRATION_ACCOUNT)).lots.get('ap-1/infrastructure')?.amountFen, 1_000_000);
  });

  t.test('integration for a purpose outside the plan is refused with purpose_outside_plan_scope', async (t) => {
    const w = world();
    await planned(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 1_000_000, purpose: 'education_aid' }), 'purpose_outside_plan_scope', /allows infrastructure, industry_development, not education_aid/);
  });

  t.test('integration from a source the plan does not pool is refused with source_not_in_plan', async (t) => {
    const w = world();
    await planned(w);
    const pool = await microcreditPool(w, 1_000_000);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: pool, amountFen: 500_000, purpose: 'infrastructure' }), 'source_not_in_plan', new RegExp(`microcredit is not part of plan ${PLAN}`));
  });

  t.test('money of a source outside the plan is refused with source_not_in_plan even when it sits in a pooled source account', async (t) => {
    // BUG (domain/deciders/spending.ts integrateFunds): the plan checks take the source from the pool
    // account's id, not from the lots drawn. Micro-credit money sent into the central pool is then
    // repurposed under a plan that never pooled micro-credit.
    const w = world();
    await planned(w);
    const pool = await microcreditPool(w, 1_000_000);
    await w.run({ type: 'SendTransfer', transferId: 'tr-mc', fromAccount: pool, toAccount: POOL, amountFen: 1_000_000 });
    await w.run({ type: 'ReceiveTransfer', transferId: 'tr-mc', fromAccount: pool, toAccount: POOL, amountFen: 1_000_000 });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 1_000_000, purpose: 'infrastructure', lots: [{ appropriationId: 'ap-mc', purpose: 'industry_development', amountFen: 1_000_000 }] }), 'source_not_in_plan', /microcredit/);
  });

  t.test("integrations beyond a source's limit, counted over all integrations, are refused with amount_exceeds_plan_source_limit", async (t) => {
    const w = world();
    await planned(w); // central-2020 may give ¥50,000; the plan totals ¥80,000
    await w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 3_000_000, purpose: 'infrastructure' });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'IntegrateFunds', integrationId: 'in-2', planId: PLAN, fromAccount: POOL, amountFen: 3_000_000, purpose: 'industry_development' }), 'amount_exceeds_plan_source_limit', /allows ¥50,000\.00 from central-2020; ¥30,000\.00 is used/);
  });

  t.test("integrations beyond the plan's total are refused with amount_exceeds_plan_total", async (t) => {
    const w = world();
    await planned(w, [{ sourceId: 'central-2020', maxFen: 5_000_000 }, { sourceId: 'microcredit', maxFen: 5_000_000 }], 6_000_000);
    const pool = await microcreditPool(w, 5_000_000);
    await w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 4_000_000, purpose: 'infrastructure' });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'IntegrateFunds', integrationId: 'in-2', planId: PLAN, fromAccount: pool, amountFen: 3_000_000, purpose: 'industry_development' }), 'amount_exceeds_plan_total', /totals ¥60,000\.00; ¥40,000\.00 is used/);
  });

  t.test('integration under a plan that was never approved is refused with unknown_plan', async (t) => {
    const w = world();
    await standardCounty(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: 'plan-none', fromAccount: POOL, amountFen: 100_000, purpose: 'infrastructure' }), 'unknown_plan', /plan plan-none is not approved/);
  });

  t.test('approving a plan twice is refused with plan_already_approved', async (t) => {
    const w = world();
    await planned(w);
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ApproveIntegrationPlan', planId: PLAN, countyCode: COUNTY, name: '重复', allowedPurposes: ['infrastructure'], sources: [{ sourceId: 'central-2020', maxFen: 1 }], totalFen: 1 }), 'plan_already_approved', new RegExp(`${PLAN} is already approved`));
  });

  t.test('an amendment raising a source limit lets the refused integration through', async (t) => {
    const w = world();
    await planned(w);
    const integration = { type: 'IntegrateFunds', id: '7f0c6a52-7d3e-4b58-9c1e-2a6f1b3c4d5e', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 6_000_000, purpose: 'infrastructure' } as const;
    await refusedWithoutWriting(t, w, () => w.run(integration), 'amount_exceeds_plan_source_limit', /allows ¥50,000\.00 from central-2020/);
    const amended = await w.run({ type: 'AmendIntegrationPlan', planId: PLAN, allowedPurposes: ['infrastructure', 'industry_development'], sources: [{ sourceId: 'central-2020', maxFen: 7_000_000 }], totalFen: 8_000_000 });
    t.same(amended.events.map((e) => e.type), ['IntegrationPlanAmended']);
    const result = await w.run(integration);
    t.equal(result.status, 'recorded', 'the same command, resubmitted, is recorded');
    t.equal((await account(w, INTEGRATION_ACCOUNT)).balanceFen, 6_000_000);
  });
});

// ---------------------------------------------------------------- ReverseEntry

t.test('ReverseEntry', async (t) => {
  async function paid(w: World): Promise<string> {
    await standardCounty(w);
    const id = '5b1d0e2a-3c4f-4a6b-8d9e-0f1a2b3c4d5e';
    await w.run({ type: 'MakePayment', id, paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 150_000, voucherNo: 'PZ-1', purpose: 'household_benefit' });
    return eventId(w, 'PaymentMade', { paymentId: 'pay-1' });
  }

  t.test('a reversed payment returns its lots and its amount to the account', async (t) => {
    const w = world();
    const payment = await paid(w);
    t.equal((await account(w, VILLAGE_ACCOUNT)).balanceFen, 2_850_000);
    await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: payment, reason: '重复支付' });
    const [reversed] = await lastEvents(w, 1);
    t.match(reversed!.data, { reversalId: 'rv-1', reversesEventId: payment, reversedType: 'PaymentMade', amountFen: 150_000, lots: [{ appropriationId: 'ap-1', amountFen: 150_000 }] });
    const village = await account(w, VILLAGE_ACCOUNT);
    t.equal(village.balanceFen, 3_000_000);
    t.equal(village.lots.get('ap-1/household_benefit')?.amountFen, 3_000_000);
  });

  t.test('reversing an entry a second time is refused with entry_already_reversed', async (t) => {
    const w = world();
    const payment = await paid(w);
    await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: payment, reason: '重复支付' });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReverseEntry', reversalId: 'rv-2', account: VILLAGE_ACCOUNT, reversesEventId: payment, reason: '重复支付' }), 'entry_already_reversed', new RegExp(`${payment} is already reversed`));
  });

  t.test('reversing an event the account does not have is refused with reversal_target_not_found', async (t) => {
    const w = world();
    await paid(w);
    const missing = '00000000-0000-4000-8000-000000000000';
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: VILLAGE_ACCOUNT, reversesEventId: missing, reason: '错账' }), 'reversal_target_not_found', new RegExp(`no money event ${missing}`));
  });

  t.test('reversing an appropriation whose money has moved on is refused with amount_exceeds_balance', async (t) => {
    const w = world();
    await standardCounty(w); // ¥30,000 of ap-1 went on to the village
    const appropriation = await eventId(w, 'AppropriationReceived', { appropriationId: 'ap-1' });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: POOL, reversesEventId: appropriation, reason: '文号错误' }), 'amount_exceeds_balance', /has already moved on/);
  });

  t.test('reversing a transfer before it arrives cancels it at the receiver, and a later receipt is refused with unknown_transfer', async (t) => {
    const w = world();
    await standardCounty(w);
    await w.run({ type: 'SendTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000 });
    const sent = await eventId(w, 'TransferSent', { transferId: 'tr-2' });
    const result = await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: POOL, reversesEventId: sent, reason: '收款账户错误' });
    t.same(result.events.map((e) => [e.stream, e.type]), [
      [`account-${POOL}`, 'EntryReversed'],
      [`account-${TOWNSHIP_ACCOUNT}`, 'TransferCancelled'],
    ]);
    const [, cancelled] = await lastEvents(w, 2);
    t.same(cancelled!.data, { transferId: 'tr-2', fromAccount: POOL, reversalId: 'rv-1' });
    t.equal((await account(w, POOL)).balanceFen, 9_000_000, 'the money is back in the pool');
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReceiveTransfer', transferId: 'tr-2', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 500_000 }), 'unknown_transfer', /reversed by its sender before it arrived/);
  });

  t.test('reversing a transfer that has already arrived is refused with transfer_already_received', async (t) => {
    const w = world();
    await standardCounty(w);
    const sent = await eventId(w, 'TransferSent', { transferId: 'tr-1' });
    await refusedWithoutWriting(t, w, () => w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: POOL, reversesEventId: sent, reason: '收款账户错误' }), 'transfer_already_received', new RegExp(`tr-1 has arrived at ${VILLAGE_ACCOUNT}`));
  });

  t.test('reversing the pool side of an integration never leaves the money in two accounts', async (t) => {
    // BUG (domain/deciders/account.ts reverseEntry): a FundsIntegratedOut is reversed on the pool alone;
    // the integration account keeps the repurposed lots and the plan keeps the use, so ¥10,000 exists twice.
    const w = world();
    await planned(w);
    await w.run({ type: 'IntegrateFunds', integrationId: 'in-1', planId: PLAN, fromAccount: POOL, amountFen: 1_000_000, purpose: 'infrastructure' });
    const out = await eventId(w, 'FundsIntegratedOut', { integrationId: 'in-1' });
    const held = async () => (await account(w, POOL)).balanceFen + (await account(w, INTEGRATION_ACCOUNT)).balanceFen;
    t.equal(await held(), 9_000_000);
    await w.run({ type: 'ReverseEntry', reversalId: 'rv-1', account: POOL, reversesEventId: out, reason: '方案外使用' }).catch(() => undefined);
    t.equal(await held(), 9_000_000, 'pool + integration account still hold what the pool held before the integration');
  });
});
