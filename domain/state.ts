// The state each stream folds to, and its evolve. States are owned by whoever folds them (a test, or the
// executor's cache): evolve updates the state it is given, so a 10,000-event account folds in linear time.
// decide never mutates a state.
import type { DataOf, DomainEvent, Folded, Lot } from './events.js';
import { applyLots, type LotBook } from './lots.js';
import type { RuleVersion } from './rules.js';
import type { AccountKind } from './events.js';
import type { AreaLevel, HouseholdStatus, Purpose, SourceType } from './values.js';

export interface Tracked {
  /** Revision of the last folded event; -1 for a stream with no events. */
  revision: number;
  /** Command id → revision of its first event, so a retry is recognised whatever happened since. */
  commands: Map<string, number>;
}

export interface AreasState extends Tracked {
  areas: Map<string, { code: string; level: AreaLevel; name: string; parentCode: string | null }>;
}
export interface SourcesState extends Tracked {
  sources: Map<string, { sourceId: string; name: string; category: string; sourceType: SourceType; prohibitedPurposes: Purpose[] }>;
}
export interface RulesState extends Tracked {
  versions: RuleVersion[];
}
export interface SealsState extends Tracked {
  seals: { sealId: string; from: string; to: string }[];
}
export interface ProgrammesState extends Tracked {
  programmes: Map<string, DataOf<'ProgrammeRegistered'>>;
}
export interface HouseholdState extends Tracked {
  household: DataOf<'HouseholdRegistered'> | undefined;
  statuses: { status: HouseholdStatus; on: string }[];
  persons: Map<string, { name: string; idNumber: string; diedOn?: string }>;
}
export interface OfficialState extends Tracked {
  official: DataOf<'VillageOfficialRegistered'> | undefined;
  relatives: DataOf<'RelativeDeclared'>[];
}
export interface ProjectState extends Tracked {
  project: DataOf<'ProjectRegistered'> | undefined;
  accepted: { on: string; passed: boolean } | undefined;
}
export interface PlanState extends Tracked {
  plan: { countyCode: string; name: string; allowedPurposes: Purpose[]; sources: Map<string, number>; totalFen: number; amendmentNo: number } | undefined;
  usedBySource: Map<string, number>;
  usedFen: number;
}
export interface BudgetState extends Tracked {
  /** Fiscal year → general budget revenue in fen, as last recorded. */
  revenue: Map<number, number>;
}
export interface FindingState extends Tracked {
  resolutions: { resolution: 'confirmed' | 'dismissed' | 'rectified'; reason: string; on: string }[];
}
export interface LoanState extends Tracked {
  loan: DataOf<'MicroLoanIssued'> | undefined;
  repaidFen: number;
  defaultedOn: string | undefined;
  misuseFlaggedOn: string | undefined;
  accruals: { from: string; to: string; interestFen: number }[];
  subsidies: { from: string; to: string; amountFen: number; paymentId: string }[];
}

/** A money entry that a reversal can undo: which way it moved money and which lots. */
export interface Entry {
  type: string;
  /** Whom a payment went to, so its reversal can say so to every reader. */
  payee?: DataOf<'PaymentMade'>['payee'];
  direction: 'in' | 'out';
  amountFen: number;
  lots: Lot[];
  reversed: boolean;
}

export interface AccountState extends Tracked {
  opened: { kind: AccountKind; areaCode: string } | undefined;
  lots: LotBook;
  balanceFen: number;
  /** Allocations decided from this account and not yet transferred, by destination account. */
  allocations: Map<string, number>;
  sent: Map<string, { toAccount: string; amountFen: number; lots: Lot[]; eventId: string }>;
  received: Map<string, { amountFen: number }>;
  /** Transfers to this account that the sender reversed before they arrived. */
  cancelled: Set<string>;
  entries: Map<string, Entry>;
  payments: Map<string, string>;
  lastMovement: string | undefined;
}

const tracked = (): Tracked => ({ revision: -1, commands: new Map() });

export const initial = {
  areas: (): AreasState => ({ ...tracked(), areas: new Map() }),
  sources: (): SourcesState => ({ ...tracked(), sources: new Map() }),
  rules: (): RulesState => ({ ...tracked(), versions: [] }),
  seals: (): SealsState => ({ ...tracked(), seals: [] }),
  programmes: (): ProgrammesState => ({ ...tracked(), programmes: new Map() }),
  household: (): HouseholdState => ({ ...tracked(), household: undefined, statuses: [], persons: new Map() }),
  official: (): OfficialState => ({ ...tracked(), official: undefined, relatives: [] }),
  project: (): ProjectState => ({ ...tracked(), project: undefined, accepted: undefined }),
  plan: (): PlanState => ({ ...tracked(), plan: undefined, usedBySource: new Map(), usedFen: 0 }),
  budget: (): BudgetState => ({ ...tracked(), revenue: new Map() }),
  finding: (): FindingState => ({ ...tracked(), resolutions: [] }),
  loan: (): LoanState => ({ ...tracked(), loan: undefined, repaidFen: 0, defaultedOn: undefined, misuseFlaggedOn: undefined, accruals: [], subsidies: [] }),
  account: (): AccountState => ({
    ...tracked(),
    opened: undefined,
    lots: new Map(),
    balanceFen: 0,
    allocations: new Map(),
    sent: new Map(),
    received: new Map(),
    cancelled: new Set(),
    entries: new Map(),
    payments: new Map(),
    lastMovement: undefined,
  }),
};

export type StreamKind = keyof typeof initial;
export type StateOf<K extends StreamKind> = ReturnType<(typeof initial)[K]>;

/** Which state a stream folds to, from its name. */
export function kindOfStream(stream: string): StreamKind {
  if (stream === 'areas' || stream === 'sources' || stream === 'rules' || stream === 'seals' || stream === 'programmes') return stream;
  const kind = stream.slice(0, stream.indexOf('-'));
  if (kind === 'household' || kind === 'official' || kind === 'project' || kind === 'plan' || kind === 'loan' || kind === 'account' || kind === 'finding' || kind === 'budget') return kind;
  throw new Error(`no state for stream ${stream}`);
}

/** Folds one recorded event into the state of its stream. Never throws on a recorded fact. */
export function evolve(state: Tracked, folded: Folded): void {
  if (!state.commands.has(folded.commandId)) state.commands.set(folded.commandId, folded.revision);
  state.revision = folded.revision;
  const handler = handlers[folded.event.type] as ((s: Tracked, d: unknown, f: Folded) => void) | undefined;
  handler?.(state, folded.event.data, folded);
}

type Handlers = { [T in DomainEvent['type']]?: (state: never, data: DataOf<T>, folded: Folded) => void };

const handlers: Handlers = {
  AreaRegistered: (s: AreasState, d) => void s.areas.set(d.code, d),
  FundSourceRegistered: (s: SourcesState, d) => void s.sources.set(d.sourceId, d),
  RuleParametersSet: (s: RulesState, d) => void s.versions.push({ version: d.version, effectiveFrom: d.effectiveFrom, parameters: d.parameters }),
  PeriodSealed: (s: SealsState, d) => void s.seals.push({ sealId: d.sealId, from: d.from, to: d.to }),
  ProgrammeRegistered: (s: ProgrammesState, d) => void s.programmes.set(d.programmeId, d),
  HouseholdRegistered: (s: HouseholdState, d) => {
    s.household = d;
    s.statuses.push({ status: 'registered', on: d.registeredOn });
    for (const m of d.members) s.persons.set(m.personId, { name: m.name, idNumber: m.idNumber });
  },
  HouseholdStatusChanged: (s: HouseholdState, d) => void s.statuses.push({ status: d.status, on: d.on }),
  HouseholdMemberAdded: (s: HouseholdState, d) => void s.persons.set(d.personId, { name: d.name, idNumber: d.idNumber }),
  PersonDied: (s: HouseholdState, d) => {
    const person = s.persons.get(d.personId);
    if (person) person.diedOn = d.on;
  },
  VillageOfficialRegistered: (s: OfficialState, d) => void (s.official = d),
  RelativeDeclared: (s: OfficialState, d) => void s.relatives.push(d),
  ProjectRegistered: (s: ProjectState, d) => void (s.project = d),
  BudgetRevenueRecorded: (s: BudgetState, d) => void s.revenue.set(d.fiscalYear, d.generalRevenueFen),
  FindingResolved: (s: FindingState, d, f) => void s.resolutions.push({ resolution: d.resolution, reason: d.reason, on: f.effectiveDate }),
  ProjectAccepted: (s: ProjectState, d) => void (s.accepted = { on: d.acceptedOn, passed: d.passed }),
  IntegrationPlanApproved: (s: PlanState, d) =>
    void (s.plan = { countyCode: d.countyCode, name: d.name, allowedPurposes: d.allowedPurposes, sources: new Map(d.sources.map((x) => [x.sourceId, x.maxFen])), totalFen: d.totalFen, amendmentNo: 0 }),
  IntegrationPlanAmended: (s: PlanState, d) => {
    if (!s.plan) return;
    s.plan = { ...s.plan, allowedPurposes: d.allowedPurposes, sources: new Map(d.sources.map((x) => [x.sourceId, x.maxFen])), totalFen: d.totalFen, amendmentNo: d.amendmentNo };
  },
  PlanFundsUsed: (s: PlanState, d) => {
    s.usedBySource.set(d.sourceId, (s.usedBySource.get(d.sourceId) ?? 0) + d.amountFen);
    s.usedFen += d.amountFen;
  },
  MicroLoanIssued: (s: LoanState, d) => void (s.loan = d),
  LoanRepaid: (s: LoanState, d) => void (s.repaidFen += d.amountFen),
  LoanDefaulted: (s: LoanState, d) => void (s.defaultedOn ??= d.on),
  LoanMisuseFlagged: (s: LoanState, d) => void (s.misuseFlaggedOn ??= d.on),
  InterestAccrued: (s: LoanState, d) => void s.accruals.push({ from: d.windowFrom, to: d.windowTo, interestFen: d.interestFen }),
  InterestSubsidyGranted: (s: LoanState, d) => void s.subsidies.push({ from: d.windowFrom, to: d.windowTo, amountFen: d.amountFen, paymentId: d.paymentId }),
  AccountOpened: (s: AccountState, d) => void (s.opened = { kind: d.kind, areaCode: d.areaCode }),
  AppropriationReceived: (s: AccountState, d, f) =>
    moveIn(s, f, [{ appropriationId: d.appropriationId, sourceId: d.sourceId, sourceType: d.sourceType, fiscalYear: d.fiscalYear, purpose: d.purpose, amountFen: d.amountFen }]),
  AllocationMade: (s: AccountState, d) => void s.allocations.set(d.toAccount, (s.allocations.get(d.toAccount) ?? 0) + d.amountFen),
  TransferSent: (s: AccountState, d, f) => {
    moveOut(s, f, d.lots);
    s.sent.set(d.transferId, { toAccount: d.toAccount, amountFen: d.amountFen, lots: d.lots, eventId: f.id });
    const allocated = s.allocations.get(d.toAccount);
    if (allocated !== undefined) s.allocations.set(d.toAccount, Math.max(0, allocated - d.amountFen));
  },
  TransferReceived: (s: AccountState, d, f) => {
    moveIn(s, f, d.lots);
    s.received.set(d.transferId, { amountFen: d.amountFen });
  },
  TransferCancelled: (s: AccountState, d) => void s.cancelled.add(d.transferId),
  FundsIntegratedOut: (s: AccountState, d, f) => moveOut(s, f, d.lots),
  FundsIntegratedIn: (s: AccountState, d, f) => moveIn(s, f, d.lots),
  PaymentMade: (s: AccountState, d, f) => {
    moveOut(s, f, d.lots);
    s.entries.get(f.id)!.payee = d.payee;
    s.payments.set(d.paymentId, f.id);
  },
  EntryReversed: (s: AccountState, d, f) => {
    const entry = s.entries.get(d.reversesEventId);
    if (entry) entry.reversed = true;
    // Undo the original movement: money that went out comes back, money that came in leaves.
    applyLots(s.lots, d.lots, entry?.direction === 'in' ? -1 : 1);
    s.balanceFen += entry?.direction === 'in' ? -d.amountFen : d.amountFen;
    s.lastMovement = f.effectiveDate;
  },
};

function moveIn(s: AccountState, f: Folded, lots: Lot[]): void {
  applyLots(s.lots, lots, 1);
  const amount = lots.reduce((sum, lot) => sum + lot.amountFen, 0);
  s.balanceFen += amount;
  s.entries.set(f.id, { type: f.event.type, direction: 'in', amountFen: amount, lots, reversed: false });
  s.lastMovement = f.effectiveDate;
}

function moveOut(s: AccountState, f: Folded, lots: Lot[]): void {
  applyLots(s.lots, lots, -1);
  const amount = lots.reduce((sum, lot) => sum + lot.amountFen, 0);
  s.balanceFen -= amount;
  s.entries.set(f.id, { type: f.event.type, direction: 'out', amountFen: amount, lots, reversed: false });
  s.lastMovement = f.effectiveDate;
}

/**
 * The dated change in force on a date: the latest dated on or before it, whatever order the changes were
 * recorded in (imports); of two on the same day, the one recorded later.
 */
export function changeInForce<T extends { on: string }>(changes: readonly T[], date: string): T | undefined {
  let current: T | undefined;
  for (const change of changes) if (change.on <= date && (!current || change.on >= current.on)) current = change;
  return current;
}

/** A household's status on a date: the last change on or before it. */
export function householdStatusOn(state: HouseholdState, date: string): { status: HouseholdStatus; since: string } | undefined {
  const change = changeInForce(state.statuses, date);
  return change && { status: change.status, since: change.on };
}
