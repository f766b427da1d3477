// Facts about places, people, sources, rules and projects: each registered once, then changed by events.
import { DEFAULT_RULES, ruleInForce } from '../rules.js';
import { must } from '../guard.js';
import { householdStatusOn, type HouseholdState } from '../state.js';
import { streams } from '../streams.js';
import { levelOfCode, type HouseholdStatus } from '../values.js';
import type { Handler, View } from './types.js';

/** The village must be registered as a village. */
export function requireVillage(view: View, code: string): void {
  const area = view.get(streams.areas, 'areas').areas.get(code);
  must(area !== undefined, 'unknown_area', () => `area ${code} is not registered`, { code });
  must(area!.level === 'village', 'unknown_area', () => `area ${code} is a ${area!.level}, not a village`, { code });
}

export const registerArea: Handler<'RegisterArea'> = {
  writes: () => [streams.areas],
  reads: () => [],
  decide(c, view) {
    const areas = view.get(streams.areas, 'areas').areas;
    must(!areas.has(c.code), 'area_already_registered', () => `area ${c.code} is already registered`);
    const level = levelOfCode(c.code);
    if (level === 'county') {
      must(c.parentCode === null, 'area_parent_invalid', () => `county ${c.code} has no parent in fundtrail`);
    } else {
      const parent = c.parentCode ? areas.get(c.parentCode) : undefined;
      const wanted = level === 'township' ? 'county' : 'township';
      must(parent !== undefined, 'area_parent_invalid', () => `the parent of ${level} ${c.code} must be a registered ${wanted}`);
      must(parent!.level === wanted, 'area_parent_invalid', () => `the parent of ${level} ${c.code} must be a ${wanted}, not a ${parent!.level}`);
      const prefix = level === 'township' ? 6 : 9;
      must(c.code.slice(0, prefix) === parent!.code.slice(0, prefix), 'area_parent_invalid', () => `${c.code} does not lie inside ${parent!.code}`);
    }
    return [{ stream: streams.areas, events: [{ type: 'AreaRegistered', data: { code: c.code, level, name: c.name, parentCode: c.parentCode } }] }];
  },
};

export const registerFundSource: Handler<'RegisterFundSource'> = {
  writes: () => [streams.sources],
  reads: () => [],
  decide(c, view, ctx) {
    must(!view.get(streams.sources, 'sources').sources.has(c.sourceId), 'source_already_registered', () => `fund source ${c.sourceId} is already registered`);
    const prohibitedPurposes = c.prohibitedPurposes ?? ctx.rules.prohibitedPurposes;
    return [{ stream: streams.sources, events: [{ type: 'FundSourceRegistered', data: { sourceId: c.sourceId, name: c.name, category: c.category, sourceType: c.sourceType, prohibitedPurposes } }] }];
  },
};

export const setRuleParameters: Handler<'SetRuleParameters'> = {
  writes: () => [streams.rules],
  reads: () => [],
  decide(c, view) {
    const versions = view.get(streams.rules, 'rules').versions;
    // A new version starts from what was in force on its date, so a partial change keeps every other value.
    const base = versions.length > 0 ? ruleInForce(versions, c.effectiveFrom).parameters : DEFAULT_RULES;
    const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
    return [{ stream: streams.rules, events: [{ type: 'RuleParametersSet', data: { version, effectiveFrom: c.effectiveFrom, parameters: { ...base, ...c.parameters } } }] }];
  },
};

export const sealPeriod: Handler<'SealPeriod'> = {
  writes: () => [streams.seals],
  reads: () => [],
  decide(c) {
    must(c.from <= c.to, 'invalid_command', () => `a sealed period must end on or after it starts (${c.from} to ${c.to})`);
    return [{ stream: streams.seals, events: [{ type: 'PeriodSealed', data: { sealId: c.sealId, from: c.from, to: c.to, reason: c.reason } }] }];
  },
};

export const registerProgramme: Handler<'RegisterProgramme'> = {
  writes: () => [streams.programmes],
  reads: () => [],
  decide(c, view) {
    must(!view.get(streams.programmes, 'programmes').programmes.has(c.programmeId), 'programme_already_registered', () => `programme ${c.programmeId} is already registered`);
    return [{ stream: streams.programmes, events: [{ type: 'ProgrammeRegistered', data: { programmeId: c.programmeId, name: c.name, purpose: c.purpose, period: c.period } }] }];
  },
};

export const recordBudgetRevenue: Handler<'RecordBudgetRevenue'> = {
  writes: (c) => [streams.budget(c.countyCode)],
  reads: () => [streams.areas],
  decide(c, view) {
    const area = view.get(streams.areas, 'areas').areas.get(c.countyCode);
    must(area?.level === 'county', 'unknown_area', () => `${c.countyCode} is not a registered county`);
    return [{ stream: streams.budget(c.countyCode), events: [{ type: 'BudgetRevenueRecorded', data: { countyCode: c.countyCode, fiscalYear: c.fiscalYear, generalRevenueFen: c.generalRevenueFen } }] }];
  },
};

export const registerHousehold: Handler<'RegisterHousehold'> = {
  writes: (c) => [streams.household(c.householdId)],
  reads: () => [streams.areas],
  decide(c, view) {
    const stream = streams.household(c.householdId);
    must(view.get(stream, 'household').household === undefined, 'household_already_registered', () => `household ${c.householdId} is already registered`);
    requireVillage(view, c.villageCode);
    const ids = new Set(c.members.map((m) => m.personId));
    must(ids.size === c.members.length, 'invalid_command', () => 'two members share one person id');
    const data = { householdId: c.householdId, villageCode: c.villageCode, headName: c.headName, headIdNumber: c.headIdNumber, registeredOn: c.registeredOn, members: c.members };
    return [{ stream, events: [{ type: 'HouseholdRegistered', data }] }];
  },
};

/** A household's stream and state, refused when it was never registered. */
function registeredHousehold(view: View, householdId: string): { stream: string; state: HouseholdState } {
  const stream = streams.household(householdId);
  const state = view.get(stream, 'household');
  must(state.household !== undefined, 'unknown_household', () => `household ${householdId} is not registered`);
  return { stream, state };
}

/** Which status changes make sense: exit and removal from the registry, return after exit. */
const ALLOWED: Record<HouseholdStatus, HouseholdStatus[]> = {
  registered: ['exited', 'removed'],
  returned: ['exited', 'removed'],
  exited: ['returned', 'removed'],
  removed: ['registered'],
};

export const changeHouseholdStatus: Handler<'ChangeHouseholdStatus'> = {
  writes: (c) => [streams.household(c.householdId)],
  reads: () => [],
  decide(c, view, ctx) {
    const { stream, state } = registeredHousehold(view, c.householdId);
    const current = householdStatusOn(state, c.on)?.status;
    ctx.guard.control(
      current !== undefined && ALLOWED[current].includes(c.status),
      'status_change_not_allowed',
      () => `household ${c.householdId} is ${current ?? 'not yet registered'} on ${c.on}; it cannot become ${c.status}`,
    );
    return [{ stream, events: [{ type: 'HouseholdStatusChanged', data: { householdId: c.householdId, status: c.status, on: c.on, reason: c.reason } }] }];
  },
};

export const addHouseholdMember: Handler<'AddHouseholdMember'> = {
  writes: (c) => [streams.household(c.householdId)],
  reads: () => [],
  decide(c, view) {
    const { stream, state } = registeredHousehold(view, c.householdId);
    must(!state.persons.has(c.personId), 'person_already_registered', () => `person ${c.personId} is already a member of household ${c.householdId}`);
    const data = { householdId: c.householdId, personId: c.personId, name: c.name, idNumber: c.idNumber, relation: c.relation, on: c.effectiveDate };
    return [{ stream, events: [{ type: 'HouseholdMemberAdded', data }] }];
  },
};

export const recordDeath: Handler<'RecordDeath'> = {
  writes: (c) => [streams.household(c.householdId)],
  reads: () => [],
  decide(c, view) {
    const { stream, state } = registeredHousehold(view, c.householdId);
    const person = state.persons.get(c.personId);
    must(person !== undefined, 'unknown_person', () => `household ${c.householdId} has no member ${c.personId}`);
    must(person!.diedOn === undefined, 'status_change_not_allowed', () => `person ${c.personId} is already recorded as deceased on ${person!.diedOn}`);
    return [{ stream, events: [{ type: 'PersonDied', data: { householdId: c.householdId, personId: c.personId, on: c.on } }] }];
  },
};

export const registerVillageOfficial: Handler<'RegisterVillageOfficial'> = {
  writes: (c) => [streams.official(c.officialId)],
  reads: () => [streams.areas],
  decide(c, view) {
    const stream = streams.official(c.officialId);
    must(view.get(stream, 'official').official === undefined, 'official_already_registered', () => `official ${c.officialId} is already registered`);
    requireVillage(view, c.villageCode);
    const data = { officialId: c.officialId, villageCode: c.villageCode, name: c.name, idNumber: c.idNumber, role: c.role, from: c.effectiveDate, ...(c.householdId ? { householdId: c.householdId } : {}) };
    return [{ stream, events: [{ type: 'VillageOfficialRegistered', data }] }];
  },
};

export const declareRelative: Handler<'DeclareRelative'> = {
  writes: (c) => [streams.official(c.officialId)],
  reads: () => [],
  decide(c, view) {
    const stream = streams.official(c.officialId);
    must(view.get(stream, 'official').official !== undefined, 'unknown_official', () => `official ${c.officialId} is not registered`);
    must(c.householdId !== undefined || c.idNumber !== undefined, 'invalid_command', () => 'a declared relative needs a household id or an ID number');
    const data = { officialId: c.officialId, name: c.name, relation: c.relation, ...(c.householdId ? { householdId: c.householdId } : {}), ...(c.idNumber ? { idNumber: c.idNumber } : {}) };
    return [{ stream, events: [{ type: 'RelativeDeclared', data }] }];
  },
};

export const registerProject: Handler<'RegisterProject'> = {
  writes: (c) => [streams.project(c.projectId)],
  reads: () => [streams.areas],
  decide(c, view) {
    const stream = streams.project(c.projectId);
    must(view.get(stream, 'project').project === undefined, 'project_already_registered', () => `project ${c.projectId} is already registered`);
    requireVillage(view, c.villageCode);
    const shares = c.stages.reduce((sum, s) => sum + s.shareBp, 0);
    must(shares === 10_000, 'invalid_command', () => `stage shares must add up to 100% (10000 bp), not ${shares} bp`);
    must(new Set(c.stages.map((s) => s.stage)).size === c.stages.length, 'invalid_command', () => 'two stages share one name');
    const data = { projectId: c.projectId, villageCode: c.villageCode, name: c.name, purpose: c.purpose, budgetFen: c.budgetFen, beneficiaryHouseholds: c.beneficiaryHouseholds, stages: c.stages };
    return [{ stream, events: [{ type: 'ProjectRegistered', data }] }];
  },
};

export const acceptProject: Handler<'AcceptProject'> = {
  writes: (c) => [streams.project(c.projectId)],
  reads: () => [],
  decide(c, view) {
    const stream = streams.project(c.projectId);
    const state = view.get(stream, 'project');
    must(state.project !== undefined, 'unknown_project', () => `project ${c.projectId} is not registered`);
    must(!state.accepted?.passed, 'project_already_accepted', () => `project ${c.projectId} already passed acceptance on ${state.accepted?.on}`);
    return [{ stream, events: [{ type: 'ProjectAccepted', data: { projectId: c.projectId, acceptedOn: c.acceptedOn, passed: c.passed } }] }];
  },
};
