// Integration plans (统筹整合) and payments (支付/兑付): where money changes purpose, and where it leaves.
import type { CommandOf } from '../commands.js';
import { yuan } from '../errors.js';
import type { Lot } from '../events.js';
import { must, type Guard } from '../guard.js';
import { drawLots } from '../lots.js';
import { householdStatusOn, type HouseholdState, type ProjectState } from '../state.js';
import { parseAccount, streams } from '../streams.js';
import { daysBetween, type Purpose } from '../values.js';
import { accountArea, accountReads, opening } from './account.js';
import type { DecideContext, Handler, View } from './types.js';

export const approveIntegrationPlan: Handler<'ApproveIntegrationPlan'> = {
  writes: (c) => [streams.plan(c.planId)],
  reads: () => [streams.areas, streams.sources],
  decide(c, view) {
    const stream = streams.plan(c.planId);
    must(view.get(stream, 'plan').plan === undefined, 'plan_already_approved', () => `integration plan ${c.planId} is already approved`);
    const county = view.get(streams.areas, 'areas').areas.get(c.countyCode);
    must(county?.level === 'county', 'unknown_area', () => `county ${c.countyCode} is not registered`);
    checkPlanSources(view, c.sources, c.totalFen);
    const data = { planId: c.planId, countyCode: c.countyCode, name: c.name, allowedPurposes: c.allowedPurposes, sources: c.sources, totalFen: c.totalFen };
    return [{ stream, events: [{ type: 'IntegrationPlanApproved', data }] }];
  },
};

export const amendIntegrationPlan: Handler<'AmendIntegrationPlan'> = {
  writes: (c) => [streams.plan(c.planId)],
  reads: () => [streams.sources],
  decide(c, view) {
    const stream = streams.plan(c.planId);
    const state = view.get(stream, 'plan');
    must(state.plan !== undefined, 'unknown_plan', () => `integration plan ${c.planId} is not approved`);
    checkPlanSources(view, c.sources, c.totalFen);
    must(c.totalFen >= state.usedFen, 'amount_exceeds_plan_total', () => `${yuan(state.usedFen)} is already integrated under the plan, more than the amended total ${yuan(c.totalFen)}`);
    const data = { planId: c.planId, amendmentNo: state.plan!.amendmentNo + 1, allowedPurposes: c.allowedPurposes, sources: c.sources, totalFen: c.totalFen };
    return [{ stream, events: [{ type: 'IntegrationPlanAmended', data }] }];
  },
};

function checkPlanSources(view: View, sources: { sourceId: string; maxFen: number }[], totalFen: number): void {
  const known = view.get(streams.sources, 'sources').sources;
  for (const { sourceId } of sources) must(known.has(sourceId), 'unknown_source', () => `fund source ${sourceId} is not registered`);
  must(new Set(sources.map((s) => s.sourceId)).size === sources.length, 'invalid_command', () => 'a source appears twice in the plan');
}

export const integrateFunds: Handler<'IntegrateFunds'> = {
  writes: (c) => [streams.account(c.fromAccount), streams.account(`integration:${c.planId}`), streams.plan(c.planId)],
  reads: (c) => [streams.sources, ...accountReads(`integration:${c.planId}`)],
  decide(c, view, ctx) {
    const planStream = streams.plan(c.planId);
    const plan = view.get(planStream, 'plan');
    must(plan.plan !== undefined, 'unknown_plan', () => `integration plan ${c.planId} is not approved`);
    const ref = parseAccount(c.fromAccount);
    must(ref.kind === 'pool', 'invalid_command', () => 'funds are integrated from a county pool account');
    const fromStream = streams.account(c.fromAccount);
    const from = view.get(fromStream, 'account');
    must(from.opened !== undefined, 'unknown_account', () => `account ${c.fromAccount} has never received money`);
    const { guard } = ctx;
    guard.control(plan.plan!.allowedPurposes.includes(c.purpose), 'purpose_outside_plan_scope', () => `plan ${c.planId} allows ${plan.plan!.allowedPurposes.join(', ')}, not ${c.purpose}`);
    guard.control(plan.usedFen + c.amountFen <= plan.plan!.totalFen, 'amount_exceeds_plan_total', () => `plan ${c.planId} totals ${yuan(plan.plan!.totalFen)}; ${yuan(plan.usedFen)} is used`);
    const out = drawLots(from.lots, c.amountFen, c.lots, guard, { fiscalYear: Number(c.effectiveDate.slice(0, 4)), purpose: undefined });
    // The plan's scope is checked against the sources of the money actually drawn, not the pool's name.
    const bySource = new Map<string, number>();
    for (const lot of out) bySource.set(lot.sourceId, (bySource.get(lot.sourceId) ?? 0) + lot.amountFen);
    for (const [sourceId, amountFen] of bySource) {
      const cap = plan.plan!.sources.get(sourceId);
      guard.control(cap !== undefined, 'source_not_in_plan', () => `fund source ${sourceId} is not part of plan ${c.planId}`);
      const used = plan.usedBySource.get(sourceId) ?? 0;
      guard.control(cap === undefined || used + amountFen <= cap, 'amount_exceeds_plan_source_limit', () => `plan ${c.planId} allows ${yuan(cap ?? 0)} from ${sourceId}; ${yuan(used)} is used`);
    }
    const repurposed: Lot[] = out.map((lot) => ({ ...lot, purpose: c.purpose, planId: c.planId, originalPurpose: lot.originalPurpose ?? lot.purpose }));
    const toId = `integration:${c.planId}`;
    const toStream = streams.account(toId);
    const to = view.get(toStream, 'account');
    return [
      { stream: fromStream, events: [{ type: 'FundsIntegratedOut', data: { integrationId: c.integrationId, planId: c.planId, toAccount: toId, amountFen: c.amountFen, lots: out } }] },
      { stream: toStream, events: [...opening(to, toId, accountArea(view, toId)), { type: 'FundsIntegratedIn', data: { integrationId: c.integrationId, planId: c.planId, fromAccount: c.fromAccount, amountFen: c.amountFen, lots: repurposed } }] },
      { stream: planStream, events: [...bySource].map(([sourceId, amountFen]) => ({ type: 'PlanFundsUsed' as const, data: { planId: c.planId, integrationId: c.integrationId, sourceId, amountFen } })) },
    ];
  },
};

/** The household a payment is for, when the payee is a household or one of its members. */
function payeeHousehold(c: CommandOf<'MakePayment'>): string | undefined {
  if (c.payee.kind === 'household') return c.payee.id;
  if (c.payee.kind === 'person') return c.payee.householdId;
  return undefined;
}

function projectOf(c: CommandOf<'MakePayment'>): string | undefined {
  const ref = parseAccount(c.fromAccount);
  return c.projectId ?? (ref.kind === 'project' ? ref.projectId : undefined);
}

export const makePayment: Handler<'MakePayment'> = {
  writes: (c) => [streams.account(c.fromAccount)],
  reads(c) {
    const household = payeeHousehold(c);
    const project = projectOf(c);
    return [
      streams.sources,
      streams.programmes,
      ...accountReads(c.fromAccount),
      ...(household ? [streams.household(household)] : []),
      ...(project ? [streams.project(project)] : []),
      ...(c.loanId ? [streams.loan(c.loanId)] : []),
    ];
  },
  decide(c, view, ctx) {
    const stream = streams.account(c.fromAccount);
    const state = view.get(stream, 'account');
    must(state.opened !== undefined, 'unknown_account', () => `account ${c.fromAccount} has never received money`);
    must(!state.payments.has(c.paymentId), 'invalid_command', () => `payment ${c.paymentId} is already recorded on ${c.fromAccount}`);
    if (c.programmeId) must(view.get(streams.programmes, 'programmes').programmes.has(c.programmeId), 'unknown_programme', () => `programme ${c.programmeId} is not registered`);
    // 贴息 goes through PayInterestSubsidy, which checks the interest due and the subsidy windows.
    must(c.purpose !== 'interest_subsidy', 'invalid_command', () => 'interest subsidies are paid with PayInterestSubsidy, which checks them against the interest due');
    if (c.loanId) checkLoanPayment(c, view, ctx);
    // A person is paid as a member of a registered household; without one no beneficiary check could run.
    ctx.guard.control(c.payee.kind !== 'person' || c.payee.householdId !== undefined, 'payee_not_registered_in_village', () => `person ${c.payee.id} is paid without naming the registered household they belong to`);
    const household = payeeHousehold(c);
    if (household) checkBeneficiary(c, view.get(streams.household(household), 'household'), accountArea(view, c.fromAccount), ctx);
    const project = projectOf(c);
    if (project) checkProjectPayment(c, view.get(streams.project(project), 'project'), household, ctx.guard);
    const lots = drawLots(state.lots, c.amountFen, c.lots, ctx.guard, { fiscalYear: Number(c.effectiveDate.slice(0, 4)), purpose: c.purpose });
    checkPurpose(view, lots, c.purpose, ctx);
    const { lots: _chosen, type: _type, id: _id, effectiveDate: _date, documentNo: _doc, verifier: _verifier, fromAccount: _from, ...fields } = c;
    return [{ stream, events: [{ type: 'PaymentMade', data: { ...fields, lots } }] }];
  },
};

/** A payment naming a loan: the loan must exist, and risk compensation is only paid for a loan in default. */
function checkLoanPayment(c: CommandOf<'MakePayment'>, view: View, ctx: DecideContext): void {
  const loan = view.get(streams.loan(c.loanId!), 'loan');
  must(loan.loan !== undefined, 'unknown_loan', () => `micro-loan ${c.loanId} is not recorded`);
  if (c.purpose === 'risk_compensation') {
    ctx.guard.control(loan.defaultedOn !== undefined && loan.defaultedOn <= c.effectiveDate, 'loan_not_active', () => `risk compensation for micro-loan ${c.loanId} is paid only once it has defaulted`);
  }
}

/** Control 4: no lot may pay for a purpose its source forbids, nor the rules in force. */
export function checkPurpose(view: View, lots: Lot[], purpose: Purpose, ctx: DecideContext): void {
  const sources = view.get(streams.sources, 'sources').sources;
  for (const lot of lots) {
    const forbidden = sources.get(lot.sourceId)?.prohibitedPurposes ?? [];
    const banned = forbidden.includes(purpose) || ctx.rules.prohibitedPurposes.includes(purpose);
    ctx.guard.control(!banned, 'purpose_not_allowed_for_source', () => `money from ${lot.sourceId} may not be spent on ${purpose}`, { sourceId: lot.sourceId, purpose });
  }
}

/** Control 6: a household payment goes to a household registered in that place on that date, alive. */
function checkBeneficiary(c: CommandOf<'MakePayment'>, household: HouseholdState, area: string, ctx: DecideContext): void {
  const { guard, rules } = ctx;
  const registered = household.household;
  const date = c.effectiveDate;
  const inArea = registered !== undefined && villageWithin(registered.villageCode, area);
  guard.control(inArea, 'payee_not_registered_in_village', () =>
    registered ? `household ${registered.householdId} is registered in ${registered.villageCode}, outside ${area}` : `household ${payeeHousehold(c)} is not on the registry`,
  );
  if (!registered) return;
  const status = householdStatusOn(household, date);
  guard.control(status !== undefined, 'payee_not_registered_in_village', () => `household ${registered.householdId} was not yet registered on ${date}`);
  guard.control(status?.status !== 'removed', 'payee_removed_from_registry', () => `household ${registered.householdId} was removed from the registry on ${status?.since}`);
  if (status?.status === 'exited') {
    const days = daysBetween(status.since, date);
    guard.control(days <= rules.postExitWindowDays, 'payee_exited_beyond_policy_window', () => `household ${registered.householdId} exited on ${status.since}, ${days} days before; policies continue for ${rules.postExitWindowDays} days`);
  }
  checkAlive(c, household, guard);
}

function checkAlive(c: CommandOf<'MakePayment'>, household: HouseholdState, guard: Guard): void {
  const date = c.effectiveDate;
  if (c.payee.kind === 'person') {
    const person = household.persons.get(c.payee.id);
    guard.control(person !== undefined, 'payee_not_registered_in_village', () => `person ${c.payee.id} is not a member of household ${household.household?.householdId}`);
    guard.control(!person?.diedOn || person.diedOn > date, 'payee_deceased', () => `person ${c.payee.id} died on ${person?.diedOn}`);
    return;
  }
  const head = [...household.persons.values()].find((p) => p.idNumber === household.household?.headIdNumber);
  const everyone = [...household.persons.values()];
  const allDead = everyone.length > 0 && everyone.every((p) => p.diedOn !== undefined && p.diedOn <= date);
  guard.control(!allDead, 'payee_deceased', () => `every member of household ${household.household?.householdId} had died by ${date}`);
  guard.control(!head?.diedOn || head.diedOn > date || !c.payee.idNumber || c.payee.idNumber !== head.idNumber, 'payee_deceased', () => `the payee ${c.payee.idNumber} died on ${head?.diedOn}`);
}

function villageWithin(village: string, area: string): boolean {
  if (area.endsWith('000000')) return village.slice(0, 6) === area.slice(0, 6);
  if (area.endsWith('000')) return village.slice(0, 9) === area.slice(0, 9);
  return village === area;
}

function checkProjectPayment(c: CommandOf<'MakePayment'>, state: ProjectState, household: string | undefined, guard: Guard): void {
  const project = state.project;
  must(project !== undefined, 'unknown_project', () => `project ${projectOf(c)} is not registered`);
  if (household && project!.beneficiaryHouseholds.length > 0) {
    guard.control(project!.beneficiaryHouseholds.includes(household), 'payee_not_project_beneficiary', () => `household ${household} is not a beneficiary of project ${project!.projectId}`);
  }
  if (!c.stage) return;
  const stage = project!.stages.find((s) => s.stage === c.stage);
  must(stage !== undefined, 'invalid_command', () => `project ${project!.projectId} has no stage ${c.stage}`);
  if (stage!.final) {
    const accepted = state.accepted?.passed === true && state.accepted.on <= c.effectiveDate;
    guard.control(accepted, 'final_payment_before_acceptance', () => `stage ${c.stage} of project ${project!.projectId} is paid after acceptance, which it has not passed by ${c.effectiveDate}`);
  }
}

