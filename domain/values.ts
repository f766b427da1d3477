// Value types shared by commands and events: money in fen, dates, area codes, ids and purposes.
import { z } from 'zod';

/** ¥1 = 100 fen. Every amount is a positive integer number of fen, never a float. */
export const Fen = z.number().int('amounts are whole fen').positive('amounts must be positive').max(Number.MAX_SAFE_INTEGER);
export const FenOrZero = z.number().int('amounts are whole fen').nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A calendar date, YYYY-MM-DD, that exists. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD')
  .refine(isRealDate, 'no such date');

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a YYYY-MM-DD that names a day of the Gregorian calendar (checked without building a Date). */
export function isRealDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** 12-digit administrative code: county ends in 000000, township in 000. */
export const AreaCode = z.string().regex(/^\d{12}$/, 'area codes are 12 digits');
export const AreaLevel = z.enum(['county', 'township', 'village']);
export type AreaLevel = z.infer<typeof AreaLevel>;

export function levelOfCode(code: string): AreaLevel {
  if (code.endsWith('000000')) return 'county';
  if (code.endsWith('000')) return 'township';
  return 'village';
}

/** Identifiers chosen by the bureaus (project numbers, voucher-independent ids). */
export const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'ids are 1-64 letters, digits, . _ : -');
export const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lowercase UUID');
export const Text = z.string().trim().min(1).max(200);
/** Resident identity card number: 17 digits and a digit or X. */
export const IdNumber = z.string().regex(/^\d{17}[\dX]$/, 'ID numbers are 17 digits and a digit or X');
export const Year = z.number().int().min(2000).max(2100);
/** An amount in basis points (1/100 of a percent): 10000 = 100%. */
export const BasisPoints = z.number().int().min(0).max(10_000);

/** What money is spent on. The last six are the purposes most sources forbid (DOMAIN.md, control 4). */
export const Purpose = z.enum([
  'industry_development',
  'infrastructure',
  'household_benefit',
  'education_aid',
  'housing_renovation',
  'medical_aid',
  'public_welfare_jobs',
  'relocation',
  'training',
  'interest_subsidy',
  'risk_compensation',
  'project_construction',
  'administration',
  'staff_costs',
  'bonuses_allowances',
  'loss_coverage',
  'budget_gap',
  'buildings_vehicles',
  'debt_repayment',
]);
export type Purpose = z.infer<typeof Purpose>;

export const SourceCategory = z.enum([
  'central_special',
  'provincial_special',
  'city_special',
  'county_self_raised',
  'integrated_sector',
  'donation',
  'policy_loan',
  'micro_credit',
  'land_quota_revenue',
  'risk_fund',
]);
export const SourceType = z.enum(['grant', 'loan', 'guarantee', 'donation']);
export type SourceType = z.infer<typeof SourceType>;

export const HouseholdStatus = z.enum(['registered', 'exited', 'returned', 'removed']);
export type HouseholdStatus = z.infer<typeof HouseholdStatus>;

export const PayeeKind = z.enum(['household', 'person', 'contractor', 'cooperative', 'bank']);

/** Days between two ISO dates (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** Whether `code` lies in `scope`: a county (…000000) holds its townships and villages, a township (…000) its villages. */
export function areaWithin(code: string, scope: string): boolean {
  if (scope.endsWith('000000')) return code.startsWith(scope.slice(0, 6));
  if (scope.endsWith('000')) return code.startsWith(scope.slice(0, 9));
  return code === scope;
}
