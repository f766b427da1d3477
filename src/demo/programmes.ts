// Household benefits: every programme payment of a month, per village, per household, as a pure function of
// the county and the seed. The generator walks it twice: once to learn how much each village needs each
// quarter (so transfers carry exactly that), once to post the payments.
import type { Purpose } from '../../domain/values.js';
import { lastDayOfMonth, ymd } from './calendar.js';
import { alive, eligible, type County, type Household, type Person } from './model.js';
import type { Case } from './ops.js';
import { unit } from './random.js';

export interface HouseholdPayment {
  account: string;
  date: string;
  programmeId: string;
  period: string;
  purpose: Purpose;
  amountFen: number;
  household: Household;
  /** A person payee (wages); otherwise the household is paid, naming its living head. */
  person?: Person;
  /** Hour of the day it is posted, to keep a day's postings in a natural order. */
  hour: number;
  /** Whether a hook may name this payment (look its cases up). */
  hook: boolean;
}

/** Hooks the planted cases use: payments replaced by a planted version, and normal payments an answer-key case points at. */
export interface PaymentHooks {
  /** Households any hook names: the others skip the lookups. */
  households?: Set<string>;
  skip: Set<string>;
  cases: Map<string, Case[]>;
  /** A fixed amount instead of the computed one (a programme's standard rate in one village). */
  fixed: Map<string, number>;
}

export const hookKey = (householdId: string, programmeId: string, period: string): string => `${householdId}|${programmeId}|${period}`;

const TAG = { pv: 11, pvVillage: 12, job: 13, ranger: 14, medical: 15, edu: 16, industry: 17, housing: 18, training: 19, relief: 20, reliefDay: 21 } as const;

/** Amounts are whole fen; a planted case decides when an amount is a round ¥1,000 multiple, never chance. */
function notRound(fen: number): number {
  return fen % 100_000 === 0 ? fen + 37 : fen;
}

export function pvAmount(seed: number, h: Household, year: number, month: number): number {
  const sunshine = 0.72 + 0.6 * unit(seed, TAG.pvVillage, h.village.index, year, month);
  const share = 0.93 + 0.14 * unit(seed, TAG.pv, h.index, year, month);
  return notRound(Math.max(1_000, Math.round(h.pvBase * sunshine * share)));
}

export const PV_DAY = 20;
export const JOB_DAY = 25;
export const MEDICAL_DAY = 22;

export function monthlyPayments(county: County, seed: number, year: number, month: number, hooks: PaymentHooks, emit: (p: HouseholdPayment) => void): void {
  const monthKey = `${year}-${String(month).padStart(2, '0')}`;
  const pvDate = ymd(year, month, PV_DAY);
  const jobDate = ymd(year, month, JOB_DAY);
  const rangerDate = ymd(year, month, lastDayOfMonth(year, month));
  const quarter = month % 3 === 0 ? `${year}-Q${month / 3}` : undefined;
  const medicalDate = ymd(year, month, MEDICAL_DAY);
  const semester = month === 4 ? `${year}-S1` : month === 10 ? `${year}-S2` : undefined;
  const eduDate = ymd(year, month, 10);
  for (const village of county.villages) {
    const account = `village:${village.code}`;
    for (const h of village.households) {
      if (h.special) continue;
      const hooked = !hooks.households || hooks.households.has(h.id);
      const pay = (programmeId: string, period: string, purpose: Purpose, date: string, amount: () => number, hour: number, person?: Person): void => {
        if (!eligible(h, date) || (person && !alive(person, date))) return;
        let fixed: number | undefined;
        if (hooked) {
          const key = hookKey(h.id, programmeId, period);
          if (hooks.skip.has(key)) return;
          fixed = hooks.fixed.get(key);
        }
        emit({ account, date, programmeId, period, purpose, amountFen: fixed ?? amount(), household: h, ...(person ? { person } : {}), hook: hooked, hour });
      };
      if (h.pv) pay('pv-dividend', monthKey, 'household_benefit', pvDate, () => pvAmount(seed, h, year, month), 10);
      if (h.job) {
        const job = h.job;
        if (job.programmeId === 'welfare-job') {
          pay('welfare-job', monthKey, 'public_welfare_jobs', jobDate, () => notRound(job.rateFen * (18 + Math.floor(9 * unit(seed, TAG.job, h.index, year, month))) + Math.floor(100 * unit(seed, TAG.job, h.index, month))), 11, job.person);
        } else {
          pay('forest-ranger', monthKey, 'public_welfare_jobs', rangerDate, () => notRound(job.rateFen + Math.floor(6_000 * unit(seed, TAG.ranger, h.index, year, month)) - 3_000), 11, job.person);
        }
      }
      if (quarter && h.medical) pay('medical-aid', quarter, 'medical_aid', medicalDate, () => notRound(15_000 + Math.floor(165_000 * unit(seed, TAG.medical, h.index, year, month) ** 2)), 12);
      if (semester && h.students > 0) {
        pay('edu-aid', semester, 'education_aid', eduDate, () => notRound(h.students * (50_000 + 25_000 * Math.floor(4 * unit(seed, TAG.edu, h.index, year))) + Math.floor(30_000 * unit(seed, TAG.edu, h.index, year, month))), 12);
      }
      if (month === 9 && h.industry) pay('industry-award', `${year}`, 'industry_development', ymd(year, 9, 18), () => notRound(120_000 + Math.floor(530_000 * unit(seed, TAG.industry, h.index, year))), 12);
      if (month === 7 && h.housingYear === year) pay('housing', `${year}`, 'housing_renovation', ymd(year, 7, 12 + (village.index % 6)), () => notRound(1_400_000 + Math.floor(2_200_000 * unit(seed, TAG.housing, h.index, year))), 12);
      if (month === 11 && h.trainingYears.includes(year)) pay('training', `${year}`, 'training', ymd(year, 11, 12), () => notRound(60_000 + Math.floor(240_000 * unit(seed, TAG.training, h.index, year))), 12);
      if (h.reliefYears.includes(year)) {
        const reliefMonth = 1 + Math.floor(12 * unit(seed, TAG.reliefDay, h.index, year));
        if (reliefMonth === month) {
          const day = 12 + Math.floor(16 * unit(seed, TAG.reliefDay, h.index, year, 1));
          pay('relief', `${year}`, 'household_benefit', ymd(year, month, day), () => notRound(30_000 + Math.floor(170_000 * unit(seed, TAG.relief, h.index, year))), 13);
        }
      }
    }
  }
}
