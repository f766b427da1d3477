// Findings: what the detective controls of DOMAIN.md flag, each with the events that prove it. A rule is a
// pure fold over the log with its own small state; it reads shared facts (registry, rules in force, accounts)
// from Facts, and raises findings through the Detector, which gives each one a stable id.
import type { RuleParameters } from '../../domain/rules.js';
import type { ProjectedEvent } from '../types.js';
import type { Facts } from './facts.js';

export const FINDING_CODES = [
  'overspend',
  'purpose_mismatch',
  'ineligible_payee',
  'duplicate_payment',
  'duplicate_benefit',
  'project_overfunded',
  'subsidy_exceeds_interest',
  'subsidy_on_defaulted_loan',
  'ineligible_loan',
  'related_party_benefit',
  'idle_funds',
  'unreceived_transfer',
  'split_payment',
  'late_posting',
  // From the "more can follow" list of DOMAIN.md.
  'benford_deviation',
  'round_amounts',
  'identical_amounts',
  'risk_fund_ratio',
  'self_raised_funds_low',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'info' | 'warning' | 'severe';

export type ParameterValue = string | number | boolean | null | ParameterValue[] | { [key: string]: ParameterValue };

/** What a rule raises. The detector adds the id, the positions and the resolution state. */
export interface RaisedFinding {
  code: FindingCode;
  /**
   * What makes this finding one finding: the same key raised again updates it instead of adding a second.
   * Usually the id of the event that broke the rule, or the ids of a duplicate pair, sorted.
   */
  key: string;
  severity: Severity;
  /** The area it happened in (village, township or county code), or null when no area is known. */
  areaCode: string | null;
  accounts: string[];
  /** The amount at stake, in fen. */
  amountFen: number;
  /** The events that prove it, oldest first. */
  eventIds: string[];
  /** The parameters the rule used, as they stood when it applied. */
  parameters: Record<string, ParameterValue>;
  /** When it happened (the effective date of the deciding event). */
  effectiveDate: string;
  explanation: { zh: string; en: string };
}

export type Resolution =
  | { resolution: 'confirmed'; reason: string; by: string; on: string; eventId: string }
  | { resolution: 'dismissed'; reason: string; by: string; on: string; eventId: string }
  | { resolution: 'rectified'; reason: string; by: string; on: string; eventId: string; correctingEventIds: string[] };

export interface Finding extends RaisedFinding {
  /** `{code}:{16 hex of sha256(key)}`: stable across replays, so resolutions recorded against it keep applying. */
  id: string;
  /** Open until an auditor resolves it; the last resolution counts, every one is kept. */
  status: 'open' | 'confirmed' | 'dismissed' | 'rectified';
  resolutions: Resolution[];
}

/** What a rule may use while folding one event. */
export interface RuleContext {
  facts: Facts;
  /** The rule parameters in force on a date (DOMAIN.md: rules by effective period). */
  rulesOn(date: string): { version: number; parameters: RuleParameters };
  raise(finding: RaisedFinding): void;
  /** Withdraws a finding raised earlier by this rule (say, a transfer received after all): only before the end. */
  withdraw(code: FindingCode, key: string): void;
}

/** What a rule may use when the fold is over: the date the findings are as of. */
export interface FinishContext extends RuleContext {
  /** Findings are as of this date: the latest effective date in the log, or the date asked for. */
  asOf: string;
}

export interface Rule<S = unknown> {
  /** A name for logs and the docs; one rule may raise several codes. */
  name: string;
  codes: readonly FindingCode[];
  /** Event types the rule folds; empty when it only works at the end from facts. */
  handles: readonly string[];
  initial(): S;
  evolve(state: S, event: ProjectedEvent, ctx: RuleContext): void;
  /** Time-based rules (idle funds, unreceived transfers) and whole-population tests (Benford) decide here. */
  finish?(state: S, ctx: FinishContext): void;
}

/** Days between two ISO dates (b - a). */
export { daysBetween } from '../../domain/values.js';

/** Whole months from a to b, counting a month complete on the same day of the month. */
export function monthsBetween(a: string, b: string): number {
  const [ay, am, ad] = a.split('-').map(Number) as [number, number, number];
  const [by, bm, bd] = b.split('-').map(Number) as [number, number, number];
  return (by - ay) * 12 + (bm - am) - (bd < ad ? 1 : 0);
}

/** Yuan with two decimals, for explanations: 123456 fen → "¥1,234.56". */
export { yuan } from '../../domain/errors.js';
