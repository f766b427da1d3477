// Commands: what a finance bureau, an auditor or an import asks fundtrail to record. Validated with zod
// at the trust boundary (HTTP, import files); deciders take the parsed, plain values.
import { z } from 'zod';
import { Lot } from './events.js';
import { RuleParameters } from './rules.js';
import {
  AreaCode,
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
  Uuid,
  Year,
} from './values.js';

/** pool:{county}:{source}:{fiscal year}, integration:{plan}, township:{code}, village:{code}, project:{id}, subsidy:{county}, riskfund:{county}. */
export const AccountId = z
  .string()
  .regex(
    /^(pool:\d{12}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}:\d{4}|integration:[A-Za-z0-9][A-Za-z0-9._-]{0,63}|township:\d{12}|village:\d{12}|project:[A-Za-z0-9][A-Za-z0-9._-]{0,63}|subsidy:\d{12}|riskfund:\d{12})$/,
    'account ids are pool:{county}:{source}:{year}, integration:{plan}, township:{code}, village:{code}, project:{id}, subsidy:{county} or riskfund:{county}',
  );

const LotChoice = z.object({ appropriationId: Id, purpose: Purpose, amountFen: Fen });
export type LotChoice = z.infer<typeof LotChoice>;
const Factor = z.object({ name: Text, value: z.number().finite() });
const Stage = z.object({ stage: Id, shareBp: BasisPoints, final: z.boolean().default(false) });
const Member = z.object({ personId: Id, name: Text, idNumber: IdNumber, relation: Text });
const PlanSource = z.object({ sourceId: Id, maxFen: Fen });

/** Fields every command carries: the client's idempotency key and the document behind it. */
const envelope = {
  id: Uuid,
  effectiveDate: IsoDate,
  documentNo: Text.optional(),
  verifier: Text.optional(),
};
const cmd = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.object({ type: z.literal(type), ...envelope, ...shape }).strict();

export const Command = z.discriminatedUnion('type', [
  cmd('RegisterArea', { code: AreaCode, name: Text, parentCode: AreaCode.nullable().default(null) }),
  cmd('RegisterFundSource', { sourceId: Id, name: Text, category: SourceCategory, sourceType: SourceType, prohibitedPurposes: z.array(Purpose).optional() }),
  cmd('SetRuleParameters', {
    effectiveFrom: IsoDate,
    parameters: RuleParameters.partial().strict().refine((p) => Object.keys(p).length > 0, 'name at least one parameter to change'),
  }),
  cmd('SealPeriod', { sealId: Id, from: IsoDate, to: IsoDate, reason: Text }),
  cmd('RegisterHousehold', { householdId: Id, villageCode: AreaCode, headName: Text, headIdNumber: IdNumber, registeredOn: IsoDate, members: z.array(Member).default([]) }),
  cmd('ChangeHouseholdStatus', { householdId: Id, status: HouseholdStatus, on: IsoDate, reason: Text }),
  cmd('AddHouseholdMember', { householdId: Id, personId: Id, name: Text, idNumber: IdNumber, relation: Text }),
  cmd('RecordDeath', { householdId: Id, personId: Id, on: IsoDate }),
  cmd('RegisterVillageOfficial', { officialId: Id, villageCode: AreaCode, name: Text, idNumber: IdNumber, role: Text, householdId: Id.optional() }),
  cmd('DeclareRelative', { officialId: Id, name: Text, relation: Text, householdId: Id.optional(), idNumber: IdNumber.optional() }),
  cmd('RegisterProject', { projectId: Id, villageCode: AreaCode, name: Text, purpose: Purpose, budgetFen: Fen, beneficiaryHouseholds: z.array(Id).default([]), stages: z.array(Stage).min(1) }),
  cmd('AcceptProject', { projectId: Id, acceptedOn: IsoDate, passed: z.boolean() }),
  cmd('RegisterProgramme', { programmeId: Id, name: Text, purpose: Purpose, period: z.enum(['month', 'quarter', 'semester', 'year']) }),
  cmd('ApproveIntegrationPlan', { planId: Id, countyCode: AreaCode, name: Text, allowedPurposes: z.array(Purpose).min(1), sources: z.array(PlanSource).min(1), totalFen: Fen }),
  cmd('AmendIntegrationPlan', { planId: Id, allowedPurposes: z.array(Purpose).min(1), sources: z.array(PlanSource).min(1), totalFen: Fen }),
  cmd('RecordAppropriation', {
    appropriationId: Id,
    countyCode: AreaCode,
    sourceId: Id,
    fiscalYear: Year,
    purpose: Purpose,
    amountFen: Fen,
    /** Defaults to the county pool of the source and year; a risk fund takes contributions directly. */
    toAccount: AccountId.optional(),
    party: z.enum(['government', 'bank', 'donor']).optional(),
  }),
  cmd('AllocateFunds', { allocationId: Id, fromAccount: AccountId, toAccount: AccountId, amountFen: Fen, factors: z.array(Factor).default([]) }),
  cmd('SendTransfer', { transferId: Id, fromAccount: AccountId, toAccount: AccountId, amountFen: Fen, lots: z.array(LotChoice).optional() }),
  cmd('ReceiveTransfer', { transferId: Id, fromAccount: AccountId, toAccount: AccountId, amountFen: Fen }),
  cmd('IntegrateFunds', { integrationId: Id, planId: Id, fromAccount: AccountId, amountFen: Fen, purpose: Purpose, lots: z.array(LotChoice).optional() }),
  cmd('MakePayment', {
    paymentId: Id,
    fromAccount: AccountId,
    payee: z.object({ kind: PayeeKind, id: Id, name: Text.optional(), idNumber: IdNumber.optional(), householdId: Id.optional() }).strict(),
    amountFen: Fen,
    voucherNo: Text,
    bankRef: Text.optional(),
    purpose: Purpose,
    programmeId: Id.optional(),
    period: Text.optional(),
    projectId: Id.optional(),
    stage: Id.optional(),
    loanId: Id.optional(),
    lots: z.array(LotChoice).optional(),
  }),
  cmd('ReverseEntry', { reversalId: Id, account: AccountId, reversesEventId: Uuid, reason: Text }),
  cmd('IssueMicroLoan', { loanId: Id, householdId: Id, bank: Text, principalFen: Fen, termMonths: z.number().int().positive().max(600), annualRateBp: BasisPoints, issuedOn: IsoDate }),
  cmd('RecordLoanRepayment', { loanId: Id, amountFen: Fen, on: IsoDate }),
  cmd('RecordLoanDefault', { loanId: Id, on: IsoDate, reason: Text }),
  cmd('FlagLoanMisuse', { loanId: Id, on: IsoDate, reason: Text }),
  cmd('RecordInterestAccrual', { loanId: Id, windowFrom: IsoDate, windowTo: IsoDate, interestFen: Fen }),
  /** A county's general budget revenue for a fiscal year (一般公共预算收入); a later record restates it. */
  cmd('RecordBudgetRevenue', { countyCode: AreaCode, fiscalYear: Year, generalRevenueFen: Fen }),
  cmd('ResolveFinding', {
    findingId: Id,
    resolution: z.enum(['confirmed', 'dismissed', 'rectified']),
    reason: Text,
    /** The events that corrected what the finding flagged (reversals, repayments); required for rectified. */
    correctingEventIds: z.array(Uuid).default([]),
  }),
  cmd('PayInterestSubsidy', { paymentId: Id, loanId: Id, fromAccount: AccountId, windowFrom: IsoDate, windowTo: IsoDate, amountFen: Fen, voucherNo: Text }),
]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export type { Lot };

/** Who asks, when, and how: the context a command is executed in. */
export interface ExecutionContext {
  actor: string;
  role: string;
  /** The recording time; decisions never read the clock themselves. */
  now: string;
  /** historical: record imported history even where a control would refuse, and flag it. */
  mode: 'live' | 'historical';
  importBatch?: string;
  correlationId?: string;
  causationId?: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command without its envelope (id, date), as code that fills those in writes it; defaults may be left out. */
export type CommandBody = DistributiveOmit<z.input<typeof Command>, 'id' | 'effectiveDate'>;
