// The audit trail: for every area, account, household, project and loan, the log positions of every event
// that touched it, in order. Only positions are kept (pages of 1,000), so a county's trail of a million
// events costs megabytes, not the events themselves; a reader fetches the events by position for the
// actor, document, effective and recorded time. An event is filed under the one area it happened in; a
// township's or county's trail is the merge, on read, of the trails of the areas inside it.
import { areaChain } from './balances.js';
import { Memo, remember, type Projection, type ProjectedEvent, type Views } from './types.js';

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

/** Trail heads by entity kind and id (an account's by its stream), found without building a key per event. */
const heads = (kind: string) => new Memo<LiveHead>((id) => trailKey(`${kind}:${id}`));
const ACCOUNT = new Memo<LiveHead>((stream) => trailKey(`account:${stream.slice(stream.indexOf('-') + 1)}`));
const AREA = heads('area');
const HOUSEHOLD = heads('household');
const PROJECT = heads('project');
const LOAN = heads('loan');

function touch(views: Views<TrailView>, memo: Memo<LiveHead>, id: string, position: number): void {
  const found = memo.find(views, id);
  let head = found.view;
  if (head === undefined) {
    if (memo === AREA) indexArea(views, id);
    head = found.view = { kind: 'trail', count: 0 };
  }
  const page = Math.floor(head.count / TRAIL_PAGE);
  let open = head[OPEN_PAGE];
  if (!open || open.page !== page) {
    const key = `${found.key}:${page}`;
    open = { page, key, positions: (views.get(key) as number[] | undefined) ?? [] };
    remember(head, OPEN_PAGE, open);
  }
  // Updated in place: copying a page of up to 1,000 positions per event made a rebuild quadratic in it.
  open.positions.push(position);
  views.put(open.key, open.positions);
  head.count += 1;
  views.put(found.key, head);
}

/** Twelve digits: the only area codes an event is filed under. Checked by hand, being on every event's path. */
function isAreaCode(code: unknown): code is string {
  if (typeof code !== 'string' || code.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = code.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The entities an event is filed under, as (memo, id) pairs; each once, though two roads may lead to one. */
type Targets = (Memo<LiveHead> | string)[];

function once(out: Targets, memo: Memo<LiveHead>, id: string): void {
  for (let i = 0; i < out.length; i += 2) if (out[i] === memo && out[i + 1] === id) return;
  out.push(memo, id);
}

function area(out: Targets, code: string | undefined): void {
  if (isAreaCode(code)) once(out, AREA, code);
}

/** Records, once, that an area has a trail, under itself and every area above it, for merged reads. */
function indexArea(views: Views<TrailView>, code: string): void {
  for (const above of areaChain(code)) {
    const key = `areas-under:${above}`;
    const list = (views.get(key) as unknown as string[] | undefined) ?? [];
    list.push(code);
    views.put(key, list as unknown as TrailView);
  }
}

/** The area an account id names (village, township, county pools and funds); project and plan accounts need the index. */
function areaInAccountId(id: string): string | undefined {
  const colon = id.indexOf(':');
  const code = id.slice(colon + 1, colon + 13);
  return id.startsWith('project:') || id.startsWith('integration:') || !isAreaCode(code) ? undefined : code;
}

/** Which entities an event touches, using small indexes (account → area, household → village, …). */
function entities(views: Views<TrailView>, event: ProjectedEvent): Targets {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const dash = event.stream.indexOf('-');
  const kind = dash < 0 ? event.stream : event.stream.slice(0, dash);
  const out: Targets = [];
  if (kind === 'account') {
    const id = event.stream.slice(dash + 1);
    if (event.type === 'AccountOpened') views.put(`idx:account:${id}`, String(d.areaCode));
    out.push(ACCOUNT, event.stream);
    area(out, areaInAccountId(id) ?? (views.get(`idx:account:${id}`) as string | undefined));
    const payee = d.payee as { kind?: string; id?: string; householdId?: string } | undefined;
    const household = payee?.kind === 'household' ? payee.id : payee?.householdId;
    if (household) once(out, HOUSEHOLD, household);
    if (typeof d.projectId === 'string') once(out, PROJECT, d.projectId);
    if (id.startsWith('project:')) once(out, PROJECT, id.slice('project:'.length));
    if (typeof d.loanId === 'string') once(out, LOAN, d.loanId);
    return out;
  }
  const id = event.stream.slice(dash + 1);
  if (kind === 'household') {
    if (event.type === 'HouseholdRegistered') views.put(`idx:household:${id}`, String(d.villageCode));
    out.push(HOUSEHOLD, id);
    area(out, views.get(`idx:household:${id}`) as string | undefined);
  } else if (kind === 'project') {
    if (event.type === 'ProjectRegistered') views.put(`idx:project:${id}`, String(d.villageCode));
    out.push(PROJECT, id);
    area(out, views.get(`idx:project:${id}`) as string | undefined);
  } else if (kind === 'loan') {
    if (event.type === 'MicroLoanIssued') views.put(`idx:loan:${id}`, String(d.householdId));
    const household = views.get(`idx:loan:${id}`) as string | undefined;
    out.push(LOAN, id);
    if (household) {
      once(out, HOUSEHOLD, household);
      area(out, views.get(`idx:household:${household}`) as string | undefined);
    }
  } else if (kind === 'official') {
    area(out, d.villageCode as string | undefined);
  } else if (kind === 'plan') {
    area(out, d.countyCode as string | undefined);
  } else if (event.stream === 'areas') {
    area(out, d.code as string | undefined);
  }
  return out;
}

export const auditTrail: Projection<TrailView> = {
  name: 'audit-trail',
  version: 2,
  handles: [
    'AreaRegistered', 'HouseholdRegistered', 'HouseholdStatusChanged', 'HouseholdMemberAdded', 'PersonDied', 'VillageOfficialRegistered', 'RelativeDeclared',
    'ProjectRegistered', 'ProjectAccepted', 'IntegrationPlanApproved', 'IntegrationPlanAmended', 'PlanFundsUsed', 'AccountOpened', 'AppropriationReceived',
    'AllocationMade', 'TransferSent', 'TransferReceived', 'TransferCancelled', 'FundsIntegratedOut', 'FundsIntegratedIn', 'PaymentMade', 'EntryReversed',
    'MicroLoanIssued', 'LoanRepaid', 'LoanDefaulted', 'LoanMisuseFlagged', 'InterestAccrued', 'InterestSubsidyGranted',
  ],
  evolve(views, event) {
    const targets = entities(views, event);
    for (let i = 0; i < targets.length; i += 2) touch(views, targets[i] as Memo<LiveHead>, targets[i + 1] as string, event.position);
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
