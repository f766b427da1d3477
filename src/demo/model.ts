// The demo county as plain data before anything is posted: areas, households and their people, registry
// changes over the years, village officials and their declared relatives, and who takes part in which
// programme. Built once from the seed; the postings are derived from it.
import { DEFAULT_RULES } from '../../domain/rules.js';
import type { HouseholdStatus, Purpose } from '../../domain/values.js';
import { addDays, daysBetween, ymd } from './calendar.js';
import { IdNumbers, TOWNSHIP_NAMES, birthDate, fullName, givenName, surname, villageName } from './people.js';
import type { Rng } from './random.js';

export interface DemoOptions {
  seed: number;
  villages: number;
  households: number;
  years: number;
  answerKeyPath?: string;
  /** Commands per SQLite transaction on the embedded store (1: one per command, as a live server commits). */
  commitEvery?: number;
}

export const DEFAULT_OPTIONS: DemoOptions = { seed: 7, villages: 150, households: 25_000, years: 3 };

/** The last fiscal year of the demo: 脱贫攻坚 ended in 2020. */
export const LAST_YEAR = 2020;
/** Days after exit that policies continue (摘帽不摘政策): the generator never pays a household past it. */
export const POST_EXIT_WINDOW_DAYS = DEFAULT_RULES.postExitWindowDays;

export interface Person {
  id: string;
  name: string;
  idNumber: string;
  male: boolean;
  birth: string;
  relation: string;
  diedOn?: string;
  /** Joined the household during the demo (born, married in): recorded with AddHouseholdMember. */
  addedOn?: string;
}

export interface StatusChange {
  status: HouseholdStatus;
  on: string;
  reason: string;
  /** When the registry wrote it down: the setup day for changes before the demo, else the day itself. */
  recordOn: string;
}

export interface Job {
  programmeId: 'welfare-job' | 'forest-ranger';
  person: Person;
  rateFen: number;
}

export interface Household {
  index: number;
  id: string;
  village: Village;
  persons: Person[];
  registeredOn: string;
  changes: StatusChange[];
  /** Kept out of the normal programmes: a planted case decides what it receives. */
  special: boolean;
  /** Shares in the village photovoltaic station's income (光伏收益分配), and the base per month, fen. */
  pv: boolean;
  pvBase: number;
  job?: Job;
  students: number;
  medical: boolean;
  industry: boolean;
  housingYear?: number;
  trainingYears: number[];
  reliefYears: number[];
}

export interface Official {
  id: string;
  village: Village;
  name: string;
  idNumber: string;
  role: string;
  householdId?: string;
  relatives: { name: string; relation: string; householdId?: string; idNumber?: string }[];
}

export interface Village {
  index: number;
  code: string;
  name: string;
  township: Township;
  households: Household[];
  officials: Official[];
}

export interface Township {
  index: number;
  code: string;
  name: string;
  villages: Village[];
}

export interface County {
  code: string;
  six: string;
  name: string;
  townships: Township[];
  villages: Village[];
  households: Household[];
  ids: IdNumbers;
}

export function householdStatusOn(h: Household, date: string): { status: HouseholdStatus; since: string } | undefined {
  if (date < h.registeredOn) return undefined;
  let current: { status: HouseholdStatus; since: string } = { status: 'registered', since: h.registeredOn };
  for (const change of h.changes) if (change.on <= date && change.on >= current.since) current = { status: change.status, since: change.on };
  return current;
}

export function alive(p: Person, date: string): boolean {
  return (p.diedOn === undefined || p.diedOn > date) && (p.addedOn === undefined || p.addedOn <= date);
}

/** Whom a payment to the household names: the head while alive, else the eldest living member. */
export function recipient(h: Household, date: string): Person | undefined {
  return h.persons.find((p) => alive(p, date));
}

/** Whether the registry lets the household be paid on the date (DOMAIN.md control 6, with the post-exit window). */
export function eligible(h: Household, date: string): boolean {
  const status = householdStatusOn(h, date);
  if (!status || status.status === 'removed') return false;
  if (status.status === 'exited' && daysBetween(status.since, date) > POST_EXIT_WINDOW_DAYS) return false;
  return recipient(h, date) !== undefined;
}

/** Whether a micro-loan may go to the household on the date: registered or returned (loan decider). */
export function mayBorrow(h: Household, date: string): boolean {
  const status = householdStatusOn(h, date)?.status;
  return (status === 'registered' || status === 'returned') && recipient(h, date) !== undefined;
}

const townshipCode = (six: string, t: number): string => `${six}${String(101 + t).padStart(3, '0')}000`;
const villageCode = (six: string, t: number, v: number): string => `${six}${String(101 + t).padStart(3, '0')}${String(201 + v).padStart(3, '0')}`;

/** Counties, townships and villages: `villages` split over round(villages / 10) townships (at least two). */
export function buildAreas(six: string, name: string, villages: number, townshipCount: number, rng: Rng): County {
  const county: County = { code: `${six}000000`, six, name, townships: [], villages: [], households: [], ids: new IdNumbers(six) };
  const names = new Set<string>();
  const perTownship = Math.ceil(villages / townshipCount);
  let made = 0;
  for (let t = 0; t < townshipCount && made < villages; t++) {
    const township: Township = { index: t, code: townshipCode(six, t), name: townshipCount <= TOWNSHIP_NAMES.length ? TOWNSHIP_NAMES[t]! : `第${t + 1}乡镇`, villages: [] };
    county.townships.push(township);
    for (let v = 0; v < perTownship && made < villages; v++, made++) {
      const village: Village = { index: made, code: villageCode(six, t, v), name: villageName(rng, names), township, households: [], officials: [] };
      township.villages.push(village);
      county.villages.push(village);
    }
  }
  return county;
}

const AGE_WEIGHTS = [1, 1.5, 2, 2.5, 2, 1.5, 1]; // head's age band 30..99 by decades-ish

/** A household of 1 to 6 people registered on the poverty registry in 2014 (建档立卡). */
export function makeHousehold(county: County, village: Village, index: number, rng: Rng, firstYear: number, fixedSize?: number): Household {
  const id = `hh-${village.code}-${String(village.households.length + 1).padStart(4, '0')}`;
  const drawn = 1 + rng.weighted([10, 15, 20, 25, 20, 10]);
  const size = fixedSize ?? drawn;
  const family = surname(rng);
  const headMale = rng.chance(0.85);
  const headAge = 28 + 7 * rng.weighted(AGE_WEIGHTS) + rng.int(0, 6);
  const persons: Person[] = [];
  const add = (relation: string, male: boolean, age: number, familyName?: string): void => {
    const birth = birthDate(rng, firstYear, Math.max(0, age));
    persons.push({ id: `${id}-p${persons.length + 1}`, name: fullName(rng, male, familyName), idNumber: county.ids.next(rng, birth, male), male, birth, relation });
  };
  add('户主', headMale, headAge, family);
  if (size >= 2) add(headMale ? '配偶' : '丈夫', !headMale, headAge + rng.int(-5, 3));
  for (let i = 2; i < size; i++) {
    if (i === size - 1 && size >= 5 && headAge < 60) add(rng.chance(0.5) ? '父亲' : '母亲', rng.chance(0.4), headAge + rng.int(22, 30), family);
    else {
      const male = rng.chance(0.52);
      add(male ? '儿子' : '女儿', male, Math.max(0, headAge - rng.int(20, 34)), family);
    }
  }
  const h: Household = {
    index,
    id,
    village,
    persons,
    registeredOn: rng.chance(0.9) ? '2014-10-01' : ymd(2015, rng.int(3, 11), rng.int(1, 28)),
    changes: [],
    special: false,
    pv: false,
    pvBase: Math.round((3_500 + 2_300 * Math.min(size, 5)) * (0.8 + 0.4 * rng.next())),
    students: persons.filter((p) => ageOn(p, `${firstYear}-09-01`) >= 6 && ageOn(p, `${firstYear}-09-01`) <= 21).length,
    medical: rng.chance(0.15),
    industry: rng.chance(0.3),
    trainingYears: [],
    reliefYears: [],
  };
  village.households.push(h);
  county.households.push(h);
  return h;
}

export function ageOn(p: Person, date: string): number {
  return Number(date.slice(0, 4)) - Number(p.birth.slice(0, 4)) - (date.slice(5) < p.birth.slice(5) ? 1 : 0);
}

/**
 * Registry history over the demo years: exits before the demo (recorded at setup), exits at each year's
 * assessment, returns to poverty (返贫), removals after checks (清退), deaths and births.
 */
export function registryHistory(county: County, years: number[], setupDate: string, rng: Rng): void {
  const first = years[0]!;
  const exitShare: Record<number, number> = { 2016: 0.15, 2017: 0.2, 2018: 0.3, 2019: 0.45, 2020: 0.75 };
  for (const h of county.households) {
    if (h.special) continue;
    // Before the demo: exits of 2016–2017, written into the registry the day it was loaded.
    for (let y = 2016; y < first; y++) {
      if (h.changes.length === 0 && rng.chance(exitShare[y] ?? 0.2)) {
        h.changes.push({ status: 'exited', on: ymd(y, rng.int(10, 12), rng.int(1, 28)), reason: `${y}年度脱贫验收`, recordOn: setupDate });
      }
    }
    for (const y of years) {
      for (const p of h.persons) {
        if (p.diedOn) continue;
        const age = ageOn(p, `${y}-07-01`);
        const q = age < 60 ? 0.002 : age < 75 ? 0.015 : 0.06;
        if (rng.chance(q)) p.diedOn = ymd(y, rng.int(1, 12), rng.int(3, 28));
      }
      // Candidate changes of the year, applied in date order where the registry allows them.
      const candidates: { status: HouseholdStatus; on: string; reason: string; p: number }[] = [
        { status: 'returned', on: ymd(y, rng.int(3, 8), rng.int(1, 28)), reason: '因病返贫，重新纳入', p: 0.012 },
        { status: 'removed', on: ymd(y, rng.int(2, 10), rng.int(1, 28)), reason: '动态调整核查不符合识别标准，予以清退', p: 0.002 },
        { status: 'exited', on: ymd(y, 11, rng.int(10, 30)), reason: `${y}年度脱贫退出验收`, p: exitShare[y] ?? 0.3 },
      ];
      const draws = candidates.map((c) => rng.chance(c.p));
      candidates
        .map((c, i) => ({ ...c, drawn: draws[i]! }))
        .filter((c) => c.drawn)
        .sort((a, b) => (a.on < b.on ? -1 : 1))
        .forEach((c) => {
          const status = householdStatusOn(h, c.on)?.status ?? 'registered';
          const allowed = c.status === 'returned' ? status === 'exited' : c.status === 'removed' ? status !== 'removed' : status === 'registered' || status === 'returned';
          if (allowed && recipient(h, c.on) !== undefined) h.changes.push({ status: c.status, on: c.on, reason: c.reason, recordOn: c.on });
        });
      if (rng.chance(0.012) && h.persons.length < 8) {
        const on = ymd(y, rng.int(1, 12), rng.int(3, 28));
        const male = rng.chance(0.5);
        const birth = addDays(on, -rng.int(3, 60));
        const head = h.persons[0]!;
        h.persons.push({ id: `${h.id}-p${h.persons.length + 1}`, name: fullName(rng, male, head.male ? head.name[0] : undefined), idNumber: county.ids.next(rng, birth, male), male, birth, relation: male ? '孙子' : '孙女', addedOn: on });
      }
    }
  }
}

const OFFICIAL_ROLES = ['村党支部书记', '村委会主任', '村文书'];
const RELATIONS = ['配偶', '兄弟', '姐妹', '子女', '父母', '堂兄弟'];

/** Three officials per village with one to three declared relatives each, none of them on the poverty registry. */
export function villageOfficials(county: County, firstYear: number, rng: Rng): void {
  for (const village of county.villages) {
    OFFICIAL_ROLES.forEach((role, i) => {
      const male = rng.chance(0.8);
      const family = surname(rng);
      const birth = birthDate(rng, firstYear, rng.int(35, 60));
      const official: Official = {
        id: `off-${village.code}-${i + 1}`,
        village,
        name: family + givenName(rng, male),
        idNumber: county.ids.next(rng, birth, male),
        role,
        relatives: [],
      };
      const count = rng.int(1, 3);
      for (let r = 0; r < count; r++) {
        const relation = rng.pick(RELATIONS);
        const rMale = rng.chance(0.5);
        const rBirth = birthDate(rng, firstYear, rng.int(18, 70));
        official.relatives.push({ name: fullName(rng, rMale, relation === '配偶' ? undefined : family), relation, idNumber: county.ids.next(rng, rBirth, rMale) });
      }
      village.officials.push(official);
    });
  }
}

/** Who takes part in which programme, for households not set aside for a planted case. */
export function enrol(county: County, years: number[], rng: Rng): void {
  const first = years[0]!;
  for (const h of county.households) {
    if (h.special) continue;
    h.pv = rng.chance(0.8);
    const r = rng.next();
    if (r < 0.13) {
      const start = `${first}-01-01`;
      const workers = h.persons.filter((p) => alive(p, start) && ageOn(p, start) >= 18 && ageOn(p, start) <= 58);
      if (workers.length > 0) {
        const programmeId = r < 0.08 ? 'welfare-job' : 'forest-ranger';
        h.job = { programmeId, person: rng.pick(workers), rateFen: programmeId === 'welfare-job' ? rng.int(3_800, 6_200) : rng.int(76_000, 88_000) };
      }
    }
    for (const y of years) {
      if (h.housingYear === undefined && rng.chance(0.015)) h.housingYear = y;
      if (rng.chance(0.04)) h.trainingYears.push(y);
      if (rng.chance(0.01)) h.reliefYears.push(y);
    }
  }
}

/** Programmes paid per household per period (帮扶政策), each from the village account. */
export const PROGRAMMES: { programmeId: string; name: string; purpose: Purpose; period: 'month' | 'quarter' | 'semester' | 'year' }[] = [
  { programmeId: 'pv-dividend', name: '村级光伏扶贫电站收益分配', purpose: 'household_benefit', period: 'month' },
  { programmeId: 'welfare-job', name: '公益性岗位工资', purpose: 'public_welfare_jobs', period: 'month' },
  { programmeId: 'forest-ranger', name: '生态护林员补助', purpose: 'public_welfare_jobs', period: 'month' },
  { programmeId: 'edu-aid', name: '教育扶贫资助（雨露计划）', purpose: 'education_aid', period: 'semester' },
  { programmeId: 'medical-aid', name: '健康扶贫医疗救助', purpose: 'medical_aid', period: 'quarter' },
  { programmeId: 'industry-award', name: '到户产业奖补', purpose: 'industry_development', period: 'year' },
  { programmeId: 'housing', name: '农村危房改造补助', purpose: 'housing_renovation', period: 'year' },
  { programmeId: 'training', name: '技能培训补贴', purpose: 'training', period: 'year' },
  { programmeId: 'relief', name: '临时救助', purpose: 'household_benefit', period: 'year' },
];
