// The audit trail: for every area, account, household, project and loan, the log positions of every event
// that touched it, in order. Only positions are kept (pages of 1,000), so a county's trail of a million
// events costs megabytes, not the events themselves; a reader fetches the events by position for the
// actor, document, effective and recorded time. An event is filed under the one area it happened in; a
// township's or county's trail is the merge, on read, of the trails of the areas inside it.
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

/**
 * The page being filled, remembered on the head under a symbol: JSON (and so the saved view) leaves symbol
 * keys out, and the fold skips building and looking up the page's key for every event.
 */
const OPEN_PAGE = Symbol('open page');
interface OpenPage {
  page: number;
  key: string;
  positions: number[];
}
type LiveHead = TrailHead & { [OPEN_PAGE]?: OpenPage };

function touch(views: Views<TrailView>, entity: string, position: number): void {
  const headKey = trailKey(entity);
  const existing = views.get(headKey) as LiveHead | undefined;
  if (!existing && entity.startsWith('area:')) indexArea(views, entity);
  const head: LiveHead = existing ?? { kind: 'trail', count: 0 };
  const page = Math.floor(head.count / TRAIL_PAGE);
  let open = head[OPEN_PAGE];
  if (!open || open.page !== page) {
    const key = pageKey(entity, page);
    open = { page, key, positions: (views.get(key) as number[] | undefined) ?? [] };
    head[OPEN_PAGE] = open;
  }
  // Updated in place: copying a page of up to 1,000 positions per event made a rebuild quadratic in it.
  open.positions.push(position);
  views.put(open.key, open.positions);
  head.count += 1;
  views.put(headKey, head);
}

function areas(code: string | undefined): string[] {
  return code && /^\d{12}$/.test(code) ? [`area:${code}`] : [];
}

/** Records, once, that an area has a trail, under itself and every area above it, for merged reads. */
function indexArea(views: Views<TrailView>, entity: string): void {
  const code = entity.slice('area:'.length);
  for (const above of areaChain(code)) {
    const key = `areas-under:${above}`;
    const list = (views.get(key) as unknown as string[] | undefined) ?? [];
    list.push(code);
    views.put(key, list as unknown as TrailView);
  }
}

/** The area an account id names (village, township, county pools and funds); project and plan accounts need the index. */
function areaInAccountId(id: string): string | undefined {
  const code = id.slice(id.indexOf(':') + 1, id.indexOf(':') + 13);
  return id.startsWith('project:') || id.startsWith('integration:') || !/^\d{12}$/.test(code) ? undefined : code;
}

/** Which entities an event touches, using small indexes (account → area, household → village, …). */
function entities(views: Views<TrailView>, event: ProjectedEvent): string[] {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const dash = event.stream.indexOf('-');
  const kind = dash < 0 ? event.stream : event.stream.slice(0, dash);
  const id = event.stream.slice(dash + 1);
  const out: string[] = [];
  if (kind === 'account') {
    if (event.type === 'AccountOpened') views.put(`idx:account:${id}`, String(d.areaCode));
    out.push(`account:${id}`, ...areas(areaInAccountId(id) ?? (views.get(`idx:account:${id}`) as string | undefined)));
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

/** One entity's own trail: positions after `after`, at most `limit`, found by binary search over its pages. */
function ownTrail(views: Views<TrailView>, entity: string, after: number, limit: number): { positions: number[]; count: number } {
  const head = views.get(trailKey(entity)) as TrailHead | undefined;
  if (!head) return { positions: [], count: 0 };
  const at = (i: number): number => (views.get(pageKey(entity, Math.floor(i / TRAIL_PAGE))) as number[])[i % TRAIL_PAGE]!;
  let low = 0;
  let high = head.count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (at(mid) <= after) low = mid + 1;
    else high = mid;
  }
  const positions: number[] = [];
  for (let i = low; i < Math.min(head.count, low + limit); i++) positions.push(at(i));
  return { positions, count: head.count };
}

/**
 * The trail of an entity, oldest first: positions after the cursor `after`, at most `limit`. An area's
 * trail merges the trails of every area inside it.
 */
export function trailPositions(views: Views<TrailView>, entity: string, after = 0, limit = 100): { positions: number[]; count: number } {
  if (!entity.startsWith('area:')) return ownTrail(views, entity, after, limit);
  const inside = (views.get(`areas-under:${entity.slice('area:'.length)}`) as unknown as string[] | undefined) ?? [];
  let count = 0;
  const merged: number[] = [];
  for (const code of inside) {
    const part = ownTrail(views, `area:${code}`, after, limit);
    count += part.count;
    merged.push(...part.positions);
  }
  merged.sort((a, b) => a - b);
  return { positions: merged.slice(0, limit), count };
}
