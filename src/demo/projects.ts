// Village projects from the project library (项目库): registered with a budget and stages, funded from several
// channels at once (捆绑使用), paid by progress to their contractor, the last stage after acceptance (验收).
// Stage amounts follow Benford's law across the county: the first digits come from a low-discrepancy sequence
// of log-uniform mantissas, so a county with enough project payments conforms whatever its size.
import type { Purpose } from '../../domain/values.js';
import { addDays, at, ymd } from './calendar.js';
import { recipient, type County, type Household, type Village } from './model.js';
import type { Funding, Origin, ProjectFunding } from './funding.js';
import type { Case, Schedule, Vouchers } from './ops.js';
import type { Rng } from './random.js';

interface Template {
  name: string;
  purpose: Purpose;
  channels: [Origin, number][];
  /** Beneficiary households listed (industry projects that hand out livestock or greenhouses). */
  beneficiaries: boolean;
}

const TEMPLATES: Template[] = [
  { name: '村组道路硬化工程', purpose: 'infrastructure', channels: [['central', 0.4], ['int:transport', 0.6]], beneficiaries: false },
  { name: '农村安全饮水巩固提升工程', purpose: 'infrastructure', channels: [['int:water', 0.7], ['central', 0.3]], beneficiaries: false },
  { name: '日光温室大棚建设', purpose: 'industry_development', channels: [['int:agri', 0.6], ['provincial', 0.4]], beneficiaries: true },
  { name: '肉牛养殖暖棚建设', purpose: 'industry_development', channels: [['int:agri', 0.5], ['central', 0.3], ['donation', 0.2]], beneficiaries: true },
  { name: '村级光伏扶贫电站', purpose: 'project_construction', channels: [['central', 0.5], ['provincial', 0.5]], beneficiaries: false },
  { name: '高标准农田灌溉渠道', purpose: 'infrastructure', channels: [['int:water', 0.5], ['int:agri', 0.5]], beneficiaries: false },
];

const CONTRACTOR_WORDS = ['宏达', '恒通', '金城', '陇原', '鑫源', '永安', '瑞丰', '华建', '兴业', '博远', '天禄', '广厦', '益民', '顺达', '新锐', '盛世', '安泰', '长城', '西北', '丰源'];

export interface Contractor {
  id: string;
  name: string;
  kind: 'contractor' | 'cooperative';
}

export function contractors(countyName: string, count: number, rng: Rng): Contractor[] {
  const out: Contractor[] = [];
  for (let i = 0; i < count; i++) {
    const word = `${rng.pick(CONTRACTOR_WORDS)}${rng.pick(CONTRACTOR_WORDS)}`;
    const cooperative = i % 5 === 4;
    out.push({ id: `${cooperative ? 'coop' : 'ct'}-${String(i + 1).padStart(3, '0')}`, name: cooperative ? `${countyName.slice(0, 2)}${word}种养殖农民专业合作社` : `甘肃${word}建筑工程有限公司`, kind: cooperative ? 'cooperative' : 'contractor' });
  }
  return out;
}

export interface ProjectPayment {
  stage: string;
  date: string;
  amountFen: number;
  final: boolean;
}

export interface Project {
  id: string;
  village: Village;
  year: number;
  name: string;
  purpose: Purpose;
  channels: [Origin, number][];
  contractor: Contractor;
  registerOn: string;
  fundOn: string;
  receiveAfter: number;
  acceptOn?: string;
  budgetFen: number;
  beneficiaries: string[];
  payments: ProjectPayment[];
  /** Funding beyond the payments (money left in the account: idle funds). */
  extraFundFen: number;
  stages: { stage: string; shareBp: number; final: boolean }[];
  cases?: { register?: Case[]; funding?: Case[]; payments?: Case[][] };
  /** Payments to households (a distribution project) instead of the contractor, by payment index. */
  householdPayees?: Household[];
  /** Payments posted as imported history (a control would refuse them), by index. */
  historicalPayments?: number[];
  /** A payment after the last stage that the account cannot cover (imported history). */
  overpay?: { date: string; fen: number; cases: Case[] };
}

/** Benford-conforming amounts: 10^(scale + u) yuan, u from the golden-ratio sequence (low discrepancy). */
export class BenfordAmounts {
  private k = 0;
  constructor(private readonly offset: number) {}
  next(scale: number, cents: number): number {
    const u = (this.offset + this.k++ * 0.6180339887498949) % 1;
    const yuan = 10 ** (scale + u);
    return Math.max(100, Math.round(yuan) * 100 + cents);
  }
}

/** Shares of the stages from the amounts actually paid, summing to 10000 bp. */
export function stageShares(payments: ProjectPayment[]): { stage: string; shareBp: number; final: boolean }[] {
  const total = payments.reduce((s, p) => s + p.amountFen, 0);
  let left = 10_000;
  return payments.map((p, i) => {
    const share = i === payments.length - 1 ? left : Math.max(1, Math.round((p.amountFen * 10_000) / total));
    left -= share;
    return { stage: p.stage, shareBp: share, final: p.final };
  });
}

/** One or two projects per village per year, with three stage payments spread over the working season. */
export function villageProjects(county: County, years: number[], amounts: BenfordAmounts, builders: Contractor[], rng: Rng): Project[] {
  const projects: Project[] = [];
  for (const y of years) {
    for (const village of county.villages) {
      const count = 1 + (rng.chance(0.6) ? 1 : 0);
      for (let n = 1; n <= count; n++) {
        const template = rng.pick(TEMPLATES);
        const registerOn = ymd(y, rng.int(2, 4), rng.int(1, 28));
        const fundOn = addDays(registerOn, rng.int(5, 10));
        const receiveAfter = rng.int(1, 3);
        const advanceOn = addDays(fundOn, receiveAfter + rng.int(15, 25));
        const progressOn = addDays(advanceOn, rng.int(60, 100));
        const acceptOn = addDays(progressOn, rng.int(40, 60));
        const finalOn = addDays(acceptOn, rng.int(5, 15));
        const scale = rng.chance(0.7) ? 4 : 5;
        const raw = [0, 1, 2].map(() => amounts.next(scale, rng.int(0, 99))).sort((a, b) => b - a);
        const payments: ProjectPayment[] = [
          { stage: 'advance', date: advanceOn, amountFen: raw[1]!, final: false },
          { stage: 'progress', date: progressOn, amountFen: raw[0]!, final: false },
          { stage: 'final', date: finalOn, amountFen: raw[2]!, final: true },
        ];
        const total = payments.reduce((s, p) => s + p.amountFen, 0);
        projects.push({
          id: `prj-${village.code}-${y}-${n}`,
          village,
          year: y,
          name: `${village.name}${template.name}`,
          purpose: template.purpose,
          channels: template.channels,
          contractor: builders[rng.int(0, builders.length - 1)]!,
          registerOn,
          fundOn,
          receiveAfter,
          acceptOn,
          budgetFen: Math.ceil(total / 100_000) * 100_000,
          beneficiaries: template.beneficiaries ? village.households.filter((h) => !h.special).slice(0, 15).map((h) => h.id) : [],
          payments,
          extraFundFen: 0,
          stages: stageShares(payments),
        });
      }
    }
  }
  return projects;
}

/** Registers, funds, pays and accepts a project; the funding transfers come from Funding.plan(). */
export function postProject(schedule: Schedule, funding: Funding, p: Project, vouchers: Vouchers, normalCases: Case[] = []): void {
  const account = `project:${p.id}`;
  schedule.add({
    rec: at(p.registerOn, 8, 30),
    date: p.registerOn,
    actor: 'poverty-office',
    role: 'poverty_office',
    ...(p.cases?.register ? { cases: p.cases.register } : {}),
    body: { type: 'RegisterProject', projectId: p.id, villageCode: p.village.code, name: p.name, purpose: p.purpose, budgetFen: p.budgetFen, beneficiaryHouseholds: p.beneficiaries, stages: p.stages, documentNo: `项目库${p.year}-${p.id.slice(-16)}` },
  });
  const fen = p.payments.reduce((s, x) => s + x.amountFen, 0) + p.extraFundFen;
  if (fen > 0) {
    const pf: ProjectFunding = { projectId: p.id, year: p.year, purpose: p.purpose, fundOn: p.fundOn, channels: p.channels, fen, receiveAfter: p.receiveAfter, ...(p.cases?.funding ? { receiptCases: p.cases.funding } : {}) };
    funding.addProject(pf);
  }
  const contractor = { kind: p.contractor.kind, id: p.contractor.id, name: p.contractor.name };
  const post = (date: string, amountFen: number, stage: string | undefined, historical: boolean, cases: Case[], household?: Household): void => {
    const v = vouchers.next(account, Number(date.slice(0, 4)));
    const person = household ? recipient(household, date) ?? household.persons[0]! : undefined;
    schedule.add({
      rec: at(date, 15),
      date,
      actor: historical ? 'import' : 'finance-projects',
      role: historical ? 'import' : 'finance',
      ...(historical ? { historical: true } : {}),
      ...(cases.length ? { cases } : {}),
      body: {
        type: 'MakePayment',
        paymentId: v.paymentId,
        fromAccount: account,
        payee: household && person ? { kind: 'household', id: household.id, name: person.name, idNumber: person.idNumber } : contractor,
        amountFen,
        voucherNo: v.voucherNo,
        ...(household ? { bankRef: vouchers.bankRef(date) } : {}),
        purpose: p.purpose,
        projectId: p.id,
        ...(stage ? { stage } : {}),
      },
    });
  };
  p.payments.forEach((pay, i) => {
    const cases = [...(p.cases?.payments?.[i] ?? []), ...normalCases];
    post(pay.date, pay.amountFen, pay.stage, p.historicalPayments?.includes(i) ?? false, cases, p.householdPayees?.[i]);
  });
  if (p.overpay) post(p.overpay.date, p.overpay.fen, undefined, true, p.overpay.cases);
  if (p.acceptOn) {
    schedule.add({ rec: at(p.acceptOn, 8, 45), date: p.acceptOn, actor: 'poverty-office', role: 'poverty_office', body: { type: 'AcceptProject', projectId: p.id, acceptedOn: p.acceptOn, passed: true } });
  }
}
