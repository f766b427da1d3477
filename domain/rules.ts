// Rule parameters by effective period. Each version applies from its date until the next one; a decision
// uses the version in force on the event's effective date, and records that version on the event.
import { z } from 'zod';
import { BasisPoints, Fen, IsoDate, Purpose } from './values.js';

export const SubsidyRatio = z.object({
  /** Interest accrued from this date (inclusive) … */
  from: IsoDate,
  /** … to this date (inclusive) is subsidised at ratioBp / 10000. */
  to: IsoDate,
  ratioBp: BasisPoints,
});

export const RuleParameters = z.object({
  microLoanCapFen: Fen,
  microLoanMaxTermMonths: z.number().int().positive(),
  /** Annual benchmark rate in basis points; micro-loans must be at or under it. */
  benchmarkRateBp: BasisPoints,
  subsidyRatios: z.array(SubsidyRatio),
  /** Days after exit (脱贫) that household policies continue (摘帽不摘政策). */
  postExitWindowDays: z.number().int().nonnegative(),
  prohibitedPurposes: z.array(Purpose),
  /** Single payments at or above this need higher approval; used by the split-payment rule. */
  approvalThresholdFen: Fen,
  splitWindowDays: z.number().int().positive(),
  idleWarningMonths: z.number().int().positive(),
  idleSevereMonths: z.number().int().positive(),
  receiptDeadlineDays: z.number().int().positive(),
  latePostingDays: z.number().int().positive(),
  riskFundRatioBp: BasisPoints,
  riskFundGovernmentShareBp: BasisPoints,
});
export type RuleParameters = z.infer<typeof RuleParameters>;

export interface RuleVersion {
  version: number;
  effectiveFrom: string;
  parameters: RuleParameters;
}

/** The defaults of DOMAIN.md: ¥50,000 and 36 months, 100% subsidy to 2023 and 70% in 2024–25, 3% and 7:3. */
export const DEFAULT_RULES: RuleParameters = {
  microLoanCapFen: 5_000_000,
  microLoanMaxTermMonths: 36,
  benchmarkRateBp: 435,
  subsidyRatios: [
    { from: '2014-01-01', to: '2023-12-31', ratioBp: 10_000 },
    { from: '2024-01-01', to: '2025-12-31', ratioBp: 7_000 },
  ],
  postExitWindowDays: 5 * 365,
  prohibitedPurposes: ['staff_costs', 'bonuses_allowances', 'loss_coverage', 'budget_gap', 'buildings_vehicles', 'debt_repayment'],
  approvalThresholdFen: 5_000_000,
  splitWindowDays: 7,
  idleWarningMonths: 12,
  idleSevereMonths: 24,
  receiptDeadlineDays: 30,
  latePostingDays: 90,
  riskFundRatioBp: 300,
  riskFundGovernmentShareBp: 7_000,
};

/** Version 0 is the built-in default, in force from the beginning until the first recorded version. */
export const DEFAULT_VERSION: RuleVersion = { version: 0, effectiveFrom: '1900-01-01', parameters: DEFAULT_RULES };

export function ruleInForce(versions: RuleVersion[], date: string): RuleVersion {
  let current = DEFAULT_VERSION;
  for (const version of versions) {
    if (version.effectiveFrom > date) continue;
    const later = version.effectiveFrom > current.effectiveFrom;
    if (later || (version.effectiveFrom === current.effectiveFrom && version.version > current.version)) current = version;
  }
  return current;
}

/** The subsidy ratio for interest accrued over [from, to], or null when the window spans two ratios. */
export function subsidyRatioFor(parameters: RuleParameters, from: string, to: string): number | null {
  const ratio = parameters.subsidyRatios.find((r) => r.from <= from && to <= r.to);
  return ratio ? ratio.ratioBp : null;
}
