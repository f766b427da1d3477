// The audit trail: for every area, account, household, project and loan, the log positions of every event
// that touched it, in order. Only positions are kept (pages of 1,000), so a county's trail of a million
// events costs megabytes, not the events themselves; a reader fetches the events by position for the
// actor, document, effective and recorded time.
import { areaChain } from './balances.js';
import type { Projection, ProjectedEvent, Views } from './types.js';

export const TRAIL_PAGE = 1000;

export interface TrailHead {
  kind: 'trail';
  count: number;
}
type TrailView = TrailHead | number[] | string;

export const trailKey = (entity: string): string => `trail:${entity}`;
const pageKey = (entity: string, page: number): string => `trail:${entity}:${page}`;

function touch(views: Views<TrailView>, entity: string, position: number): void {
  const head = (views.get(trailKey(entity)) as TrailHead | undefined) ?? { kind: 'trail', count: 0 };
  const page = Math.floor(head.count / TRAIL_PAGE);
  const positions = (views.get(pageKey(entity, page)) as number[] | undefined) ?? [];
  views.put(pageKey(entity, page), [...positions, position]);
  views.put(trailKey(entity), { kind: 'trail', count: head.count + 1 });
}

function areas(code: string | undefined): string[] {
  return code && /^\d{12}$/.test(code) ? areaChain(code).map((c) => `area:${c}`) : [];
}

/** Which entities an event touches, using small indexes (account → area, household → village, …). */
function entities(views: Views<TrailView>, event: ProjectedEvent): string[] {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const [kind, ...rest] = event.stream.split('-');
  const id = rest.join('-');
  const out: string[] = [];
  if (kind === 'account') {
    if (event.type === 'AccountOpened') views.put(`idx:account:${id}`, String(d.areaCode));
    out.push(`account:${id}`, ...areas(views.get(`idx:account:${id}`) as string | undefined));
    const payee = d.payee as { kind?: string; id?: string; householdId?: string } | undefined;
    const household = payee?.kind === 'household' ? payee.id : payee?.householdId;
    if (household) out.push(`household:${household}`);
    if (typeof d.projectId === 'string') out.push(`project:${d.projectId}`);
    if (id.startsWith('project:')) out.push(`project:${id.slice('project:'.length)}`);
    if (typeof d.loanId === 'string') out.push(`loan:${d.loanId}`);
  } else if (kind === 'household') {
    if (event.type === 'HouseholdRegistered') views.put(`idx:household:${id}`, String(d.villageCode));
    out.push(`household:${id}`, ...areas(views.get(`idx:household:${id}`) as string | undefined));
  } else if (kind === 'project') {
    if (event.type === 'ProjectRegistered') views.put(`idx:project:${id}`, String(d.villageCode));
    out.push(`project:${id}`, ...areas(views.get(`idx:project:${id}`) as string | undefined));
  } else if (kind === 'loan') {
    if (event.type === 'MicroLoanIssued') views.put(`idx:loan:${id}`, String(d.householdId));
    const household = views.get(`idx:loan:${id}`) as string | undefined;
    out.push(`loan:${id}`, ...(household ? [`household:${household}`, ...areas(views.get(`idx:household:${household}`) as string | undefined)] : []));
  } else if (kind === 'official') {
    out.push(...areas(d.villageCode as string | undefined));
  } else if (kind === 'plan') {
    out.push(...areas(d.countyCode as string | undefined));
  } else if (event.stream === 'areas') {
    out.push(...areas(d.code as string | undefined));
  }
  return out;
}

export const auditTrail: Projection<TrailView> = {
  name: 'audit-trail',
  version: 1,
  handles: [
    'AreaRegistered', 'HouseholdRegistered', 'HouseholdStatusChanged', 'HouseholdMemberAdded', 'PersonDied', 'VillageOfficialRegistered', 'RelativeDeclared',
    'ProjectRegistered', 'ProjectAccepted', 'IntegrationPlanApproved', 'IntegrationPlanAmended', 'PlanFundsUsed', 'AccountOpened', 'AppropriationReceived',
    'AllocationMade', 'TransferSent', 'TransferReceived', 'TransferCancelled', 'FundsIntegratedOut', 'FundsIntegratedIn', 'PaymentMade', 'EntryReversed',
    'MicroLoanIssued', 'LoanRepaid', 'LoanDefaulted', 'LoanMisuseFlagged', 'InterestAccrued', 'InterestSubsidyGranted',
  ],
  evolve(views, event) {
    // Each position once per entity, even when two roads (say, payee and project) lead to the same one.
    for (const entity of new Set(entities(views, event))) touch(views, entity, event.position);
  },
};

/** Positions of an entity's trail, oldest first, `limit` from index `from`: the cursor of a paged read. */
export function trailPositions(views: Views<TrailView>, entity: string, from = 0, limit = 100): { positions: number[]; count: number } {
  const head = views.get(trailKey(entity)) as TrailHead | undefined;
  if (!head) return { positions: [], count: 0 };
  const positions: number[] = [];
  for (let i = from; i < Math.min(head.count, from + limit); i++) {
    const page = views.get(pageKey(entity, Math.floor(i / TRAIL_PAGE))) as number[];
    positions.push(page[i % TRAIL_PAGE]!);
  }
  return { positions, count: head.count };
}
