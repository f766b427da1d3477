// The facts every rule may need, folded once from the log before the rules see each event: areas, sources,
// rule versions, the household registry with its dated statuses and persons, village officials and their
// declared relatives, accounts and their areas, projects, plans and loans. Rules stay small because of it.
import type { DataOf } from '../../domain/events.js';
import { DEFAULT_VERSION, ruleInForce, type RuleVersion } from '../../domain/rules.js';
import { changeInForce } from '../../domain/state.js';
import { effectiveDateOf, type ProjectedEvent } from '../types.js';

export interface HouseholdFacts {
  householdId: string;
  villageCode: string;
  registeredOn: string;
  headName: string;
  headIdNumber: string;
  /** Every dated status change, in the order recorded; `statusOn` picks the one in force. */
  statuses: { status: 'registered' | 'exited' | 'returned' | 'removed'; on: string; eventId: string }[];
  persons: Map<string, { name: string; idNumber: string; diedOn?: string; deathEventId?: string }>;
  eventId: string;
}

export interface OfficialFacts {
  officialId: string;
  villageCode: string;
  name: string;
  idNumber: string;
  role: string;
  householdId?: string;
  eventId: string;
  relatives: { name: string; relation: string; householdId?: string; idNumber?: string; eventId: string }[];
}

export interface LoanFacts {
  loan: DataOf<'MicroLoanIssued'>;
  eventId: string;
  defaultedOn?: string;
  defaultEventId?: string;
  misuseFlaggedOn?: string;
  misuseEventId?: string;
  accruals: { from: string; to: string; interestFen: number; eventId: string }[];
}

export class Facts {
  readonly areas = new Map<string, { level: string; parentCode: string | null; name: string }>();
  readonly sources = new Map<string, DataOf<'FundSourceRegistered'>>();
  readonly ruleVersions: RuleVersion[] = [];
  readonly households = new Map<string, HouseholdFacts>();
  /** ID number → household and person, to recognise a person paid under another household's name. */
  readonly byIdNumber = new Map<string, { householdId: string; personId: string }>();
  readonly officials = new Map<string, OfficialFacts>();
  readonly accounts = new Map<string, { kind: string; areaCode: string }>();
  readonly projects = new Map<string, DataOf<'ProjectRegistered'> & { eventId: string }>();
  readonly programmes = new Map<string, DataOf<'ProgrammeRegistered'>>();
  readonly plans = new Map<string, { allowedPurposes: string[]; sources: Map<string, number>; totalFen: number }>();
  readonly loans = new Map<string, LoanFacts>();
  /** `{county}|{fiscalYear}` → general budget revenue as last recorded. */
  readonly budgetRevenue = new Map<string, { fen: number; eventId: string }>();
  /** The latest effective date folded: findings are as of it unless a date is asked for. */
  latestDate = '1900-01-01';

  apply(event: ProjectedEvent): void {
    const date = effectiveDate(event);
    if (date > this.latestDate) this.latestDate = date;
    const d = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'AreaRegistered': {
        const a = d as DataOf<'AreaRegistered'>;
        this.areas.set(a.code, { level: a.level, parentCode: a.parentCode, name: a.name });
        break;
      }
      case 'FundSourceRegistered':
        this.sources.set((d as DataOf<'FundSourceRegistered'>).sourceId, d as DataOf<'FundSourceRegistered'>);
        break;
      case 'RuleParametersSet': {
        const r = d as DataOf<'RuleParametersSet'>;
        this.ruleVersions.push({ version: r.version, effectiveFrom: r.effectiveFrom, parameters: r.parameters });
        break;
      }
      case 'HouseholdRegistered': {
        const h = d as DataOf<'HouseholdRegistered'>;
        const persons = new Map(h.members.map((m) => [m.personId, { name: m.name, idNumber: m.idNumber }]));
        this.households.set(h.householdId, {
          householdId: h.householdId, villageCode: h.villageCode, registeredOn: h.registeredOn, headName: h.headName, headIdNumber: h.headIdNumber,
          statuses: [{ status: 'registered', on: h.registeredOn, eventId: event.id }], persons, eventId: event.id,
        });
        for (const m of h.members) this.byIdNumber.set(m.idNumber, { householdId: h.householdId, personId: m.personId });
        break;
      }
      case 'HouseholdStatusChanged': {
        const s = d as DataOf<'HouseholdStatusChanged'>;
        this.households.get(s.householdId)?.statuses.push({ status: s.status, on: s.on, eventId: event.id });
        break;
      }
      case 'HouseholdMemberAdded': {
        const m = d as DataOf<'HouseholdMemberAdded'>;
        this.households.get(m.householdId)?.persons.set(m.personId, { name: m.name, idNumber: m.idNumber });
        this.byIdNumber.set(m.idNumber, { householdId: m.householdId, personId: m.personId });
        break;
      }
      case 'PersonDied': {
        const p = d as DataOf<'PersonDied'>;
        const person = this.households.get(p.householdId)?.persons.get(p.personId);
        if (person) {
          person.diedOn = p.on;
          person.deathEventId = event.id;
        }
        break;
      }
      case 'VillageOfficialRegistered': {
        const o = d as DataOf<'VillageOfficialRegistered'>;
        this.officials.set(o.officialId, { officialId: o.officialId, villageCode: o.villageCode, name: o.name, idNumber: o.idNumber, role: o.role, ...(o.householdId ? { householdId: o.householdId } : {}), eventId: event.id, relatives: [] });
        break;
      }
      case 'RelativeDeclared': {
        const r = d as DataOf<'RelativeDeclared'>;
        this.officials.get(r.officialId)?.relatives.push({ name: r.name, relation: r.relation, ...(r.householdId ? { householdId: r.householdId } : {}), ...(r.idNumber ? { idNumber: r.idNumber } : {}), eventId: event.id });
        break;
      }
      case 'AccountOpened': {
        const a = d as DataOf<'AccountOpened'>;
        this.accounts.set(a.accountId, { kind: a.kind, areaCode: a.areaCode });
        break;
      }
      case 'ProjectRegistered': {
        const p = d as DataOf<'ProjectRegistered'>;
        this.projects.set(p.projectId, { ...p, eventId: event.id });
        break;
      }
      case 'ProgrammeRegistered':
        this.programmes.set((d as DataOf<'ProgrammeRegistered'>).programmeId, d as DataOf<'ProgrammeRegistered'>);
        break;
      case 'IntegrationPlanApproved':
      case 'IntegrationPlanAmended': {
        const p = d as DataOf<'IntegrationPlanApproved'>;
        this.plans.set(p.planId, { allowedPurposes: p.allowedPurposes, sources: new Map(p.sources.map((s) => [s.sourceId, s.maxFen])), totalFen: p.totalFen });
        break;
      }
      case 'BudgetRevenueRecorded': {
        const b = d as DataOf<'BudgetRevenueRecorded'>;
        this.budgetRevenue.set(`${b.countyCode}|${b.fiscalYear}`, { fen: b.generalRevenueFen, eventId: event.id });
        break;
      }
      case 'MicroLoanIssued': {
        const l = d as DataOf<'MicroLoanIssued'>;
        this.loans.set(l.loanId, { loan: l, eventId: event.id, accruals: [] });
        break;
      }
      case 'LoanDefaulted': {
        const loan = this.loans.get((d as DataOf<'LoanDefaulted'>).loanId);
        if (loan && loan.defaultedOn === undefined) {
          loan.defaultedOn = (d as DataOf<'LoanDefaulted'>).on;
          loan.defaultEventId = event.id;
        }
        break;
      }
      case 'LoanMisuseFlagged': {
        const loan = this.loans.get((d as DataOf<'LoanMisuseFlagged'>).loanId);
        if (loan && loan.misuseFlaggedOn === undefined) {
          loan.misuseFlaggedOn = (d as DataOf<'LoanMisuseFlagged'>).on;
          loan.misuseEventId = event.id;
        }
        break;
      }
      case 'InterestAccrued': {
        const a = d as DataOf<'InterestAccrued'>;
        this.loans.get(a.loanId)?.accruals.push({ from: a.windowFrom, to: a.windowTo, interestFen: a.interestFen, eventId: event.id });
        break;
      }
    }
  }

  rulesOn(date: string): RuleVersion {
    return this.ruleVersions.length === 0 ? DEFAULT_VERSION : ruleInForce(this.ruleVersions, date);
  }

  /** A household's status on a date: the latest change dated on or before it, whatever order it was recorded in. */
  statusOn(household: HouseholdFacts, date: string): { status: HouseholdFacts['statuses'][number]['status']; since: string; eventId: string } | undefined {
    const change = changeInForce(household.statuses, date);
    return change && { status: change.status, since: change.on, eventId: change.eventId };
  }

  /** The area an account belongs to: from its opening, or read from its id (village:, township:, pool:…). */
  areaOfAccount(accountId: string): string | null {
    const opened = this.accounts.get(accountId);
    if (opened) return opened.areaCode;
    const match = /^(?:pool|township|village|subsidy|riskfund):(\d{12})/.exec(accountId);
    if (match) return match[1]!;
    if (accountId.startsWith('project:')) return this.projects.get(accountId.slice('project:'.length))?.villageCode ?? null;
    return null;
  }

  /** The county an area lies in: up the parents, or the first six digits padded (codes nest by prefix). */
  countyOf(areaCode: string): string {
    let code: string | null = areaCode;
    for (let i = 0; code && i < 3; i++) {
      const area = this.areas.get(code);
      if (!area) break;
      if (area.level === 'county') return code;
      code = area.parentCode;
    }
    return `${areaCode.slice(0, 6)}000000`;
  }
}

/** The date a fact took effect (the projections' own reading of it). */
export const effectiveDate = effectiveDateOf;

/** The account a money event was posted to: account streams are `account-{accountId}`. */
export function accountOfStream(stream: string): string | null {
  return stream.startsWith('account-') ? stream.slice('account-'.length) : null;
}
