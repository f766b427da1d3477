// Every fact fundtrail records, as past-tense events. Event data carries everything a reader needs; the
// envelope (id, time, actor, document, rule version, import batch) lives in EventMetadata.
import { z } from 'zod';
import { RuleParameters } from './rules.js';
import {
  AreaCode,
  AreaLevel,
  BasisPoints,
  Fen,
  HouseholdStatus,
  Id,
  IdNumber,
  IsoDate,
  PayeeKind,
  Purpose,
  SourceCategory,
  SourceType,
  Text,
  Year,
} from './values.js';

/** A parcel of money that keeps its lineage: which appropriation, source, fiscal year and purpose it came from. */
export const Lot = z.object({
  appropriationId: Id,
  sourceId: Id,
  sourceType: SourceType,
  fiscalYear: Year,
  purpose: Purpose,
  /** Set when an integration plan changed the purpose; the original purpose is kept for 各记其功. */
  planId: Id.optional(),
  originalPurpose: Purpose.optional(),
  amountFen: Fen,
});
export type Lot = z.infer<typeof Lot>;

export const Violation = z.object({ code: z.string(), message: z.string() });
export type Violation = z.infer<typeof Violation>;

export const EventMetadata = z.object({
  commandId: z.string(),
  commandType: z.string(),
  actor: z.string(),
  role: z.string(),
  verifier: z.string().optional(),
  documentNo: z.string().optional(),
  effectiveDate: IsoDate,
  recordedAt: z.string(),
  ruleVersion: z.number().int().nonnegative(),
  importBatch: z.string().optional(),
  correlationId: z.string(),
  causationId: z.string(),
  /** Imported history: recorded even where a preventive control would have refused it. */
  historical: z.boolean().optional(),
  /** The controls this event broke, for the detection rules to turn into findings. */
  violations: z.array(Violation).optional(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

const Stage = z.object({ stage: Id, shareBp: BasisPoints, final: z.boolean().default(false) });
const Payee = z.object({ kind: PayeeKind, id: Id, name: Text.optional(), idNumber: IdNumber.optional(), householdId: Id.optional() });
export type Payee = z.infer<typeof Payee>;
const Member = z.object({ personId: Id, name: Text, idNumber: IdNumber, relation: Text });
const PlanSource = z.object({ sourceId: Id, maxFen: Fen });
const AccountKind = z.enum(['pool', 'integration', 'township', 'village', 'project', 'subsidy', 'riskfund']);
export type AccountKind = z.infer<typeof AccountKind>;

const ev = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), data: z.object(shape) });

export const DomainEvent = z.discriminatedUnion('type', [
  ev('AreaRegistered', { code: AreaCode, level: AreaLevel, name: Text, parentCode: AreaCode.nullable() }),
  ev('FundSourceRegistered', { sourceId: Id, name: Text, category: SourceCategory, sourceType: SourceType, prohibitedPurposes: z.array(Purpose) }),
  ev('RuleParametersSet', { version: z.number().int().positive(), effectiveFrom: IsoDate, parameters: RuleParameters }),
  ev('PeriodSealed', { sealId: Id, from: IsoDate, to: IsoDate, reason: Text }),
  ev('HouseholdRegistered', { householdId: Id, villageCode: AreaCode, headName: Text, headIdNumber: IdNumber, registeredOn: IsoDate, members: z.array(Member) }),
  ev('HouseholdStatusChanged', { householdId: Id, status: HouseholdStatus, on: IsoDate, reason: Text }),
  ev('HouseholdMemberAdded', { householdId: Id, personId: Id, name: Text, idNumber: IdNumber, relation: Text, on: IsoDate }),
  ev('PersonDied', { householdId: Id, personId: Id, on: IsoDate }),
  ev('VillageOfficialRegistered', { officialId: Id, villageCode: AreaCode, name: Text, idNumber: IdNumber, role: Text, householdId: Id.optional(), from: IsoDate }),
  ev('RelativeDeclared', { officialId: Id, name: Text, relation: Text, householdId: Id.optional(), idNumber: IdNumber.optional() }),
  ev('ProjectRegistered', { projectId: Id, villageCode: AreaCode, name: Text, purpose: Purpose, budgetFen: Fen, beneficiaryHouseholds: z.array(Id), stages: z.array(Stage) }),
  ev('ProjectAccepted', { projectId: Id, acceptedOn: IsoDate, passed: z.boolean() }),
  ev('ProgrammeRegistered', { programmeId: Id, name: Text, purpose: Purpose, period: z.enum(['month', 'quarter', 'semester', 'year']) }),
  ev('IntegrationPlanApproved', { planId: Id, countyCode: AreaCode, name: Text, allowedPurposes: z.array(Purpose), sources: z.array(PlanSource), totalFen: Fen }),
  ev('IntegrationPlanAmended', { planId: Id, amendmentNo: z.number().int().positive(), allowedPurposes: z.array(Purpose), sources: z.array(PlanSource), totalFen: Fen }),
  ev('PlanFundsUsed', { planId: Id, integrationId: Id, sourceId: Id, amountFen: Fen }),
  ev('AccountOpened', { accountId: z.string(), kind: AccountKind, areaCode: AreaCode }),
  ev('AppropriationReceived', { appropriationId: Id, sourceId: Id, sourceType: SourceType, fiscalYear: Year, purpose: Purpose, amountFen: Fen, party: z.enum(['government', 'bank', 'donor']).optional() }),
  ev('AllocationMade', { allocationId: Id, toAccount: z.string(), amountFen: Fen, factors: z.array(z.object({ name: Text, value: z.number() })) }),
  ev('TransferSent', { transferId: Id, toAccount: z.string(), amountFen: Fen, lots: z.array(Lot) }),
  ev('TransferReceived', { transferId: Id, fromAccount: z.string(), amountFen: Fen, lots: z.array(Lot) }),
  ev('TransferCancelled', { transferId: Id, fromAccount: z.string(), reversalId: Id }),
  ev('FundsIntegratedOut', { integrationId: Id, planId: Id, toAccount: z.string(), amountFen: Fen, lots: z.array(Lot) }),
  ev('FundsIntegratedIn', { integrationId: Id, planId: Id, fromAccount: z.string(), amountFen: Fen, lots: z.array(Lot) }),
  ev('PaymentMade', {
    paymentId: Id,
    payee: Payee,
    amountFen: Fen,
    voucherNo: Text,
    bankRef: Text.optional(),
    purpose: Purpose,
    programmeId: Id.optional(),
    period: Text.optional(),
    projectId: Id.optional(),
    stage: Id.optional(),
    loanId: Id.optional(),
    lots: z.array(Lot),
  }),
  ev('EntryReversed', { reversalId: Id, reversesEventId: z.string(), reversedType: z.string(), amountFen: Fen, lots: z.array(Lot), reason: Text, payee: Payee.optional() }),
  ev('MicroLoanIssued', { loanId: Id, householdId: Id, villageCode: AreaCode, bank: Text, principalFen: Fen, termMonths: z.number().int().positive(), annualRateBp: BasisPoints, issuedOn: IsoDate }),
  ev('LoanRepaid', { loanId: Id, amountFen: Fen, on: IsoDate }),
  ev('LoanDefaulted', { loanId: Id, on: IsoDate, reason: Text }),
  ev('LoanMisuseFlagged', { loanId: Id, on: IsoDate, reason: Text }),
  ev('InterestAccrued', { loanId: Id, windowFrom: IsoDate, windowTo: IsoDate, interestFen: Fen }),
  ev('BudgetRevenueRecorded', { countyCode: AreaCode, fiscalYear: Year, generalRevenueFen: Fen }),
  ev('FindingResolved', { findingId: Id, resolution: z.enum(['confirmed', 'dismissed', 'rectified']), reason: Text, correctingEventIds: z.array(z.string()) }),
  ev('InterestSubsidyGranted', { loanId: Id, paymentId: Id, windowFrom: IsoDate, windowTo: IsoDate, amountFen: Fen, ratioBp: BasisPoints, fromAccount: z.string() }),
]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type EventType = DomainEvent['type'];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
export type DataOf<T extends EventType> = EventOf<T>['data'];

/** An event as a decider sees it when folding: its data, and the envelope facts a fold may need. */
export interface Folded<E extends DomainEvent = DomainEvent> {
  event: E;
  id: string;
  commandId: string;
  effectiveDate: string;
  revision: number;
}
