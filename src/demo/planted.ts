// The planted anomalies and near-misses of the demo county, and the answer key entries that name them. Each
// case is posted through the same command path as everything else: live where no preventive control would
// refuse it, as imported history (mode 'historical') where one would. Near-misses sit just on the right side
// of a rule's line and must not be flagged.
import type { CommandBody, LotChoice } from '../../domain/commands.js';
import type { Purpose } from '../../domain/values.js';
import type { FindingCode } from '../../projections/findings/types.js';
import { addDays, at, ymd } from './calendar.js';
import type { ContrastCounty } from './contrast.js';
import { apId, poolOf, POOL_SOURCES, SECTORS, type Funding, type Origin } from './funding.js';
import { BANKS, interest, type Loan } from './loans.js';
import { alive, eligible, makeHousehold, recipient, type County, type Household, type Person, type Village } from './model.js';
import type { Case, Op, Schedule, Vouchers } from './ops.js';
import { hookKey, pvAmount, PV_DAY, type PaymentHooks } from './programmes.js';
import { stageShares, type Contractor, type Project, type ProjectPayment } from './projects.js';
import type { Rng } from './random.js';

export interface PlantContext {
  seed: number;
  years: number[];
  first: number;
  last: number;
  setupDate: string;
  lastDate: string;
  county: County;
  rng: Rng;
  schedule: Schedule;
  funding: Funding;
  vouchers: Vouchers;
  hooks: PaymentHooks;
  projects: Project[];
  loans: Loan[];
  builders: Contractor[];
  contrasts: ContrastCounty[];
  /** `{origin}|{year}|{purpose}` → fen a planted posting integrates out of a sector pool itself. */
  integrationExtra: Map<string, number>;
  subsidyAccount: string;
  riskAccount: string;
  /** Risk-compensation payouts the planted cases add (one for a loan not in default). */
  riskPayouts: { loan: Loan; on: string; fen: number; historical?: boolean; cases?: Case[] }[];
  /** 贴息 the planted cases pay themselves, per year: added to the subsidy account's appropriation. */
  extraSubsidy: Map<number, number>;
  /** Near-misses carried by the demo county's risk fund contributions and its project payments. */
  riskCase?: Case;
  benfordCase?: Case;
  revenueCase?: Case;
}

/** Households set aside before the registry history is drawn, each with the history its case needs. */
export interface Specials {
  removed: Household;
  deadAlone: Household;
  deadWorker: Household;
  exitedLong: Household;
  nearWindow: Household;
  nearDeath: Household;
  returned: Household;
  headDied: Household;
  nearRemoval: Household;
  officialOwn: Household;
  relativeByHousehold: Household;
  relativeById: Household;
  relativeLoan: Household;
  relativePerson: Household;
  exitedBorrower: Household;
}

type HouseholdPayee = { kind: 'household'; id: string; name: string; idNumber: string };
type PersonPayee = { kind: 'person'; id: string; name: string; idNumber: string; householdId?: string };
type OtherPayee = { kind: 'contractor' | 'cooperative' | 'bank'; id: string; name: string };
type Payee = HouseholdPayee | PersonPayee | OtherPayee;

const ORIGIN_OF_SOURCE: Record<string, Origin> = { 'central-special': 'central', 'provincial-special': 'provincial', 'county-self': 'self', 'donation-east': 'donation' };

export class Planter {
  private readonly used = new Set<string>();
  private readonly relief = new Set<string>();
  private readonly V: Village[];

  constructor(readonly ctx: PlantContext) {
    this.V = ctx.county.villages;
  }

  village(k: number): Village {
    return this.V[k % this.V.length]!;
  }

  township(k: number) {
    return this.ctx.county.townships[k % this.ctx.county.townships.length]!;
  }

  private mark(list: Case['list'], code: FindingCode, note: string, key?: string): Case {
    return this.ctx.schedule.mark(list, code, note, key);
  }

  case(code: FindingCode, note: string, key?: string): Case {
    return this.mark('cases', code, note, key);
  }

  near(code: FindingCode, note: string, key?: string): Case {
    return this.mark('nearMisses', code, note, key);
  }

  // ------------------------------------------------------------------ households

  private special(village: Village, size: number): Household {
    const { county, rng, first } = this.ctx;
    const h = makeHousehold(county, village, county.households.length, rng, first, size);
    h.special = true;
    h.registeredOn = '2014-10-01';
    this.used.add(h.id);
    return h;
  }

  /** Phase A: the households the cases need, with their registry history set by hand. */
  households(): Specials {
    const { first, last, setupDate } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const removed = this.special(this.village(0), 3);
    removed.changes.push({ status: 'removed', on: L(5, 10), reason: '核查发现家庭有财政供养人员，予以清退', recordOn: L(5, 10) });
    const deadAlone = this.special(this.village(1), 1);
    deadAlone.persons[0]!.diedOn = L(3, 15);
    const deadWorker = this.special(this.village(2), 3);
    deadWorker.persons[0]!.diedOn = L(4, 10);
    const exitedLong = this.special(this.village(3), 2);
    exitedLong.changes.push({ status: 'exited', on: '2015-06-30', reason: '2015年度脱贫退出', recordOn: setupDate });
    const nearWindow = this.special(this.village(4), 2);
    // Exited 1,820 days before its last payment: inside the 1,825-day window.
    nearWindow.changes.push({ status: 'exited', on: addDays(L(12, PV_DAY), -1_820), reason: '2015年度脱贫退出', recordOn: setupDate });
    const nearDeath = this.special(this.village(5), 1);
    nearDeath.persons[0]!.diedOn = L(6, PV_DAY + 1);
    const returned = this.special(this.village(6), 3);
    returned.changes.push({ status: 'exited', on: '2015-05-01', reason: '2015年度脱贫退出', recordOn: setupDate });
    returned.changes.push({ status: 'returned', on: ymd(first, 2, 10), reason: '因病返贫，重新纳入', recordOn: ymd(first, 2, 10) });
    const headDied = this.special(this.village(7), 2);
    headDied.persons[0]!.diedOn = L(2, 10);
    const nearRemoval = this.special(this.village(8), 2);
    nearRemoval.changes.push({ status: 'removed', on: L(8, PV_DAY + 1), reason: '核查发现购置商品房，予以清退', recordOn: L(8, PV_DAY + 1) });
    const officialOwn = this.special(this.village(13), 3);
    const relativeByHousehold = this.special(this.village(14), 4);
    const relativeById = this.special(this.village(15), 3);
    const relativeLoan = this.special(this.village(16), 3);
    const relativePerson = this.special(this.village(17), 3);
    const exitedBorrower = this.special(this.village(18), 3);
    exitedBorrower.changes.push({ status: 'exited', on: ymd(last - 1 >= first ? last - 1 : last, last - 1 >= first ? 11 : 1, 20), reason: '脱贫退出验收', recordOn: ymd(last - 1 >= first ? last - 1 : last, last - 1 >= first ? 11 : 1, 20) });
    return { removed, deadAlone, deadWorker, exitedLong, nearWindow, nearDeath, returned, headDied, nearRemoval, officialOwn, relativeByHousehold, relativeById, relativeLoan, relativePerson, exitedBorrower };
  }

  /** Phase B: officials whose own household or declared relatives are on the registry (after villageOfficials). */
  officials(s: Specials): void {
    const officialOf = (h: Household, i: number) => h.village.officials[i % h.village.officials.length]!;
    officialOf(s.officialOwn, 0).householdId = s.officialOwn.id;
    officialOf(s.relativeByHousehold, 1).relatives.push({ name: s.relativeByHousehold.persons[0]!.name, relation: '兄弟', householdId: s.relativeByHousehold.id });
    officialOf(s.relativeById, 2).relatives.push({ name: s.relativeById.persons[0]!.name, relation: '姐妹', idNumber: s.relativeById.persons[0]!.idNumber });
    officialOf(s.relativeLoan, 0).relatives.push({ name: s.relativeLoan.persons[0]!.name, relation: '堂兄弟', householdId: s.relativeLoan.id });
    officialOf(s.relativePerson, 1).relatives.push({ name: s.relativePerson.persons[1]!.name, relation: '配偶的兄弟', idNumber: s.relativePerson.persons[1]!.idNumber });
  }

  /** A normal household meeting the test, not used by another case; scanned from a seeded start. */
  pick(test: (h: Household) => boolean, from?: Village[]): Household {
    const pool = from ? from.flatMap((v) => v.households) : this.ctx.county.households;
    const start = this.ctx.rng.int(0, Math.max(0, pool.length - 1));
    for (let i = 0; i < pool.length; i++) {
      const h = pool[(start + i) % pool.length]!;
      if (h.special || this.used.has(h.id) || !test(h)) continue;
      this.used.add(h.id);
      return h;
    }
    throw new Error('the demo county is too small for its planted cases: no household fits');
  }

  /** Households for a relief list of the year: eligible on the date, not otherwise paid relief that year. */
  reliefPayees(count: number, date: string, from?: Village[]): Household[] {
    const out: Household[] = [];
    for (let i = 0; i < count; i++) {
      const h = this.pick((x) => eligible(x, date) && !x.reliefYears.includes(Number(date.slice(0, 4))) && !this.relief.has(x.id), from);
      this.relief.add(h.id);
      out.push(h);
    }
    return out;
  }

  // ------------------------------------------------------------------ postings

  hhPayee(h: Household, date: string): HouseholdPayee {
    const p = recipient(h, date) ?? h.persons[0]!;
    return { kind: 'household', id: h.id, name: p.name, idNumber: p.idNumber };
  }

  personPayee(h: Household, p: Person): PersonPayee {
    return { kind: 'person', id: p.id, name: p.name, idNumber: p.idNumber, householdId: h.id };
  }

  /**
   * A payment from an account. Money for it reaches village and township accounts with the quarter's
   * transfers and pools with their appropriation, unless `fund` says it is already there.
   */
  pay(o: {
    account: string;
    date: string;
    recordOn?: string;
    purpose: Purpose;
    fundPurpose?: Purpose;
    amountFen: number;
    payee: Payee;
    programmeId?: string;
    period?: string;
    projectId?: string;
    loanId?: string;
    lots?: LotChoice[];
    historical?: boolean;
    cases?: Case[];
    fund?: 'auto' | 'none';
    voucherNo?: string;
    bankRef?: string;
    hour?: number;
    onResult?: Op['onResult'];
  }): Op {
    const { schedule, funding, vouchers } = this.ctx;
    const year = Number(o.date.slice(0, 4));
    const v = vouchers.next(o.account, year);
    if ((o.fund ?? 'auto') === 'auto') {
      const purpose = o.fundPurpose ?? o.purpose;
      if (o.account.startsWith('village:') || o.account.startsWith('township:')) funding.addQuarterly(o.account, o.date, purpose, o.amountFen);
      else if (o.account.startsWith('pool:')) funding.addPoolSpend(ORIGIN_OF_SOURCE[o.account.split(':')[2]!]!, year, purpose, o.amountFen);
      else throw new Error(`no automatic funding for a payment from ${o.account}`);
    }
    const toPerson = o.payee.kind === 'household' || o.payee.kind === 'person';
    const bankRef = o.bankRef ?? (toPerson ? vouchers.bankRef(o.date) : undefined);
    const body: CommandBody = {
      type: 'MakePayment',
      paymentId: v.paymentId,
      fromAccount: o.account,
      payee: o.payee,
      amountFen: o.amountFen,
      voucherNo: o.voucherNo ?? v.voucherNo,
      ...(bankRef ? { bankRef } : {}),
      purpose: o.purpose,
      ...(o.programmeId ? { programmeId: o.programmeId } : {}),
      ...(o.period ? { period: o.period } : {}),
      ...(o.projectId ? { projectId: o.projectId } : {}),
      ...(o.loanId ? { loanId: o.loanId } : {}),
      ...(o.lots ? { lots: o.lots } : {}),
    };
    return schedule.add({
      rec: at(o.recordOn ?? o.date, o.hour ?? 16),
      date: o.date,
      actor: o.historical ? 'import' : 'finance-clerk',
      role: o.historical ? 'import' : 'finance',
      ...(o.historical ? { historical: true } : {}),
      ...(o.cases && o.cases.length ? { cases: o.cases } : {}),
      ...(o.onResult ? { onResult: o.onResult } : {}),
      body,
    });
  }

  /** A transfer from a township down to a village, carrying lots the township received for it this quarter. */
  specialTransfer(id: string, township: string, village: string, date: string, purpose: Purpose, fen: number, receive: { on?: string; recordOn?: string; amountFen?: number; historical?: boolean; cases?: Case[] } | null, sendCases?: Case[], onSent?: Op['onResult']): void {
    const { schedule, funding } = this.ctx;
    const from = `township:${township}`;
    const to = `village:${village}`;
    funding.addSpecial(id, from, date, purpose, fen);
    schedule.add({
      rec: at(date, 11),
      date,
      actor: 'finance-township',
      role: 'finance',
      ...(sendCases ? { cases: sendCases } : {}),
      ...(onSent ? { onResult: onSent } : {}),
      body: () => ({ type: 'SendTransfer', transferId: id, fromAccount: from, toAccount: to, amountFen: fen, lots: funding.specialLots(id) }),
    });
    if (receive?.on) {
      schedule.add({
        rec: at(receive.recordOn ?? receive.on, 9, 15),
        date: receive.on,
        actor: receive.historical ? 'import' : 'finance-village',
        role: receive.historical ? 'import' : 'finance',
        ...(receive.historical ? { historical: true } : {}),
        ...(receive.cases ? { cases: receive.cases } : {}),
        body: { type: 'ReceiveTransfer', transferId: id, fromAccount: from, toAccount: to, amountFen: receive.amountFen ?? fen },
      });
    }
  }

  /** A project of the demo, set up by a case, added to the county's list so it is funded and posted. */
  project(p: Partial<Project> & { id: string; village: Village; year: number; name: string; purpose: Purpose; payments: ProjectPayment[]; registerOn: string; fundOn: string }, channels: [Origin, number][] = [['central', 1]]): Project {
    const total = p.payments.reduce((s, x) => s + x.amountFen, 0) + (p.extraFundFen ?? 0);
    const project: Project = {
      channels,
      contractor: this.ctx.builders[this.ctx.rng.int(0, this.ctx.builders.length - 1)]!,
      receiveAfter: 2,
      budgetFen: Math.ceil(total / 100_000) * 100_000,
      beneficiaries: [],
      extraFundFen: 0,
      stages: p.payments.length > 0 ? stageShares(p.payments) : [{ stage: 'works', shareBp: 10_000, final: false }],
      ...p,
    };
    this.ctx.projects.push(project);
    return project;
  }

  // ------------------------------------------------------------------ the cases

  /** Phase C: every planted case and near-miss. */
  plant(s: Specials): void {
    this.ineligiblePayees(s);
    this.duplicates();
    this.relatedParties(s);
    this.loanCases(s);
    this.idleAndProjects();
    this.transfers();
    this.splits();
    this.latePostings();
    this.amountPatterns();
    this.overspendAndPurpose();
    this.countyLevel();
  }

  private ineligiblePayees(s: Specials): void {
    const { last } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const pv = (h: Household, month: number, o: { historical?: boolean; cases: Case[]; payeeDate?: string; day?: number }) => {
      const date = L(month, o.day ?? PV_DAY);
      this.pay({ account: `village:${h.village.code}`, date, purpose: 'household_benefit', amountFen: pvAmount(this.ctx.seed, h, last, month), payee: this.hhPayee(h, o.payeeDate ?? date), programmeId: 'pv-dividend', period: date.slice(0, 7), ...(o.historical ? { historical: true } : {}), cases: o.cases, hour: 10 });
    };
    pv(s.removed, 7, { historical: true, cases: [this.case('ineligible_payee', 'photovoltaic dividend paid two months after the household was removed from the registry (清退)')] });
    pv(s.deadAlone, 6, { historical: true, payeeDate: L(1, 1), cases: [this.case('ineligible_payee', 'dividend paid in the name of the only member of a household, three months after that member died')] });
    const worker = s.deadWorker.persons[0]!;
    this.pay({ account: `village:${s.deadWorker.village.code}`, date: L(5, 25), purpose: 'public_welfare_jobs', amountFen: 98_765, payee: this.personPayee(s.deadWorker, worker), programmeId: 'welfare-job', period: `${last}-05`, historical: true, cases: [this.case('ineligible_payee', 'public-welfare job wage paid to a worker who died the month before')], hour: 11 });
    pv(s.exitedLong, 8, { historical: true, cases: [this.case('ineligible_payee', 'dividend paid to a household that exited poverty on 2015-06-30, beyond the five-year post-exit window')] });
    const other = this.pick((h) => eligible(h, L(4, 15)) && h.village !== this.village(0), this.V.length > 1 ? this.V.filter((v) => v !== this.village(0)) : undefined);
    this.pay({ account: `village:${this.village(0).code}`, date: L(4, 15), purpose: 'household_benefit', amountFen: 66_630, payee: this.hhPayee(other, L(4, 15)), historical: true, cases: [this.case('ineligible_payee', `village ${this.village(0).code} paid a condolence grant to a household registered in another village`)] });
    const ghostId = `hh-${this.village(1).code}-9999`;
    this.pay({ account: `village:${this.village(1).code}`, date: L(5, 14), purpose: 'household_benefit', amountFen: 45_210, payee: { kind: 'household', id: ghostId, name: '王小虎', idNumber: this.ctx.county.ids.next(this.ctx.rng, '1990-01-01', true) }, historical: true, cases: [this.case('ineligible_payee', 'payment to a household id that was never on the registry (虚报冒领)')] });
    this.pay({ account: `village:${this.village(2).code}`, date: L(6, 16), purpose: 'public_welfare_jobs', amountFen: 123_456, payee: { kind: 'person', id: 'laborer-x1', name: '李大山', idNumber: this.ctx.county.ids.next(this.ctx.rng, '1985-05-05', true) }, historical: true, cases: [this.case('ineligible_payee', 'wages paid to a person named in no registered household')] });
    // A cattle-distribution project pays its beneficiary households, and one that is not on its list.
    const v = this.village(2);
    const beneficiaries = [0, 1, 2, 3, 4].map(() => this.pick((h) => eligible(h, L(6, 1)) && eligible(h, L(7, 30)), [v]));
    const outsider = this.pick((h) => eligible(h, L(7, 30)), [v]);
    const cattle = this.project({ id: `prj-${v.code}-${last}-cattle`, village: v, year: last, name: `${v.name}基础母牛到户发放`, purpose: 'industry_development', registerOn: L(5, 10), fundOn: L(5, 16), payments: [], beneficiaries: beneficiaries.map((h) => h.id) }, [['central', 1]]);
    const amounts = [812_340, 798_760, 805_520, 821_190, 809_930];
    beneficiaries.forEach((h, i) => cattle.payments.push({ stage: 'works', date: L(6, 10 + i), amountFen: amounts[i]!, final: false }));
    cattle.stages = [{ stage: 'works', shareBp: 10_000, final: false }];
    cattle.extraFundFen = 0;
    cattle.householdPayees = [...beneficiaries, outsider];
    cattle.payments.push({ stage: 'works', date: L(7, 30), amountFen: 803_370, final: false });
    cattle.budgetFen = Math.ceil(cattle.payments.reduce((s2, p) => s2 + p.amountFen, 0) / 100_000) * 100_000;
    cattle.cases = { payments: [[], [], [], [], [], [this.case('ineligible_payee', 'a cattle-distribution project paid a household that is not on its beneficiary list')]] };
    cattle.historicalPayments = [5];

    // Near-misses: each payment is on the right side of the registry's line.
    pv(s.nearWindow, 12, { cases: [this.near('ineligible_payee', 'dividend paid 1,820 days after exit, inside the 1,825-day post-exit window (摘帽不摘政策)')] });
    pv(s.nearDeath, 6, { cases: [this.near('ineligible_payee', 'dividend paid the day before the only member died')] });
    pv(s.returned, 9, { cases: [this.near('ineligible_payee', 'dividend paid to a household that exited in 2015 and returned to poverty (返贫) later: registered again')] });
    pv(s.headDied, 5, { cases: [this.near('ineligible_payee', 'dividend paid after the head died, in the name of the surviving spouse')] });
    pv(s.nearRemoval, 8, { cases: [this.near('ineligible_payee', 'dividend paid the day before the household was removed from the registry')] });
  }

  private duplicates(): void {
    const { last, builders } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const ct = (i: number): OtherPayee => ({ kind: builders[i % builders.length]!.kind, id: builders[i % builders.length]!.id, name: builders[i % builders.length]!.name });
    const vil = (k: number) => `village:${this.village(k).code}`;
    // The same voucher twice on one account.
    const voucherCase = this.case('duplicate_payment', 'two different payments on one village account carry the same voucher number');
    const first = this.ctx.vouchers.next(vil(3), last);
    this.pay({ account: vil(3), date: L(3, 15), purpose: 'infrastructure', amountFen: 1_873_260, payee: ct(0), voucherNo: first.voucherNo, cases: [voucherCase] });
    this.pay({ account: vil(3), date: L(3, 28), purpose: 'infrastructure', amountFen: 912_480, payee: ct(1), voucherNo: first.voucherNo, cases: [voucherCase] });
    // The same bank reference on two payments.
    const bankCase = this.case('duplicate_payment', 'two condolence grants to different households went out under one bank reference');
    const ref = this.ctx.vouchers.bankRef(L(4, 22));
    const [b1, b2] = [0, 1].map(() => this.pick((h) => eligible(h, L(4, 22)), [this.village(4)]));
    this.pay({ account: vil(4), date: L(4, 22), purpose: 'household_benefit', amountFen: 52_340, payee: this.hhPayee(b1!, L(4, 22)), bankRef: ref, cases: [bankCase] });
    this.pay({ account: vil(4), date: L(4, 22), purpose: 'household_benefit', amountFen: 47_810, payee: this.hhPayee(b2!, L(4, 22)), bankRef: ref, cases: [bankCase] });
    // Same payee, amount and date under two payment ids.
    const sameCase = this.case('duplicate_payment', 'a cooperative paid the same amount twice on one day under two payment ids');
    const coop: OtherPayee = { kind: 'cooperative', id: 'coop-dup-1', name: '陇原金穗种植农民专业合作社' };
    for (let i = 0; i < 2; i++) this.pay({ account: vil(5), date: L(6, 12), purpose: 'industry_development', amountFen: 2_345_678, payee: coop, cases: [sameCase] });
    // Near-misses.
    const twoAccounts = this.near('duplicate_payment', 'one voucher number on two different village accounts (each keeps its own sequence)');
    // A number outside every account's running sequence, so neither account uses it for anything else.
    const shared = `记-${last}-900001`;
    this.pay({ account: vil(7), date: L(3, 12), purpose: 'infrastructure', amountFen: 673_210, payee: ct(2), voucherNo: shared, cases: [twoAccounts] });
    this.pay({ account: vil(8) === vil(7) ? `township:${this.village(7).township.code}` : vil(8), date: L(3, 13), purpose: 'infrastructure', amountFen: 548_390, payee: ct(3), voucherNo: shared, cases: [twoAccounts] });
    const monthly = this.near('duplicate_payment', 'a monthly service fee: same payee and amount, a month apart');
    const service: OtherPayee = { kind: 'cooperative', id: 'coop-service-1', name: '益民农机服务专业合作社' };
    this.pay({ account: vil(9), date: L(3, 13), purpose: 'industry_development', amountFen: 1_234_560, payee: service, cases: [monthly] });
    this.pay({ account: vil(9), date: L(4, 13), purpose: 'industry_development', amountFen: 1_234_560, payee: service, cases: [monthly] });
    const twoPayees = this.near('duplicate_payment', 'the same amount to two different households on one day');
    for (const h of [0, 1].map(() => this.pick((x) => eligible(x, L(5, 19)), [this.village(10)]))) {
      this.pay({ account: vil(10), date: L(5, 19), purpose: 'household_benefit', amountFen: 88_888, payee: this.hhPayee(h, L(5, 19)), cases: [twoPayees] });
    }
    const reversedCase = this.near('duplicate_payment', 'a payment entered twice by mistake and reversed the next day');
    const mistaken: OtherPayee = { kind: 'cooperative', id: 'coop-rev-1', name: '瑞丰养殖农民专业合作社' };
    this.pay({ account: vil(11), date: L(7, 14), purpose: 'industry_development', amountFen: 1_432_100, payee: mistaken, cases: [reversedCase] });
    this.reversed({ account: vil(11), date: L(7, 14), reverseOn: L(7, 15), purpose: 'industry_development', amountFen: 1_432_100, payee: mistaken, cases: [reversedCase], reason: '重复录入，冲销' });

    // duplicate_benefit
    const L2 = L;
    const dbPv = this.pick((h) => h.pv && eligible(h, L2(2, 27)) && eligible(h, L2(2, PV_DAY)), [this.village(12)]);
    const pvCase = this.case('duplicate_benefit', 'a household paid the February dividend twice, a week apart');
    this.ctx.hooks.cases.set(hookKey(dbPv.id, 'pv-dividend', `${last}-02`), [pvCase]);
    this.pay({ account: vil(12), date: L(2, 27), purpose: 'household_benefit', amountFen: pvAmount(this.ctx.seed, dbPv, last, 1), payee: this.hhPayee(dbPv, L(2, 27)), programmeId: 'pv-dividend', period: `${last}-02`, cases: [pvCase] });
    const t1 = this.township(1);
    const student = this.pick((h) => h.students > 0 && eligible(h, L(4, 10)) && eligible(h, L(4, 25)), t1.villages);
    const eduCase = this.case('duplicate_benefit', 'education aid for one semester paid by the village and again by the township');
    this.ctx.hooks.cases.set(hookKey(student.id, 'edu-aid', `${last}-S1`), [eduCase]);
    this.pay({ account: `township:${t1.code}`, date: L(4, 25), purpose: 'education_aid', amountFen: 101_250, payee: this.hhPayee(student, L(4, 25)), programmeId: 'edu-aid', period: `${last}-S1`, cases: [eduCase] });
    const jobber = this.pick((h) => h.job?.programmeId === 'welfare-job' && eligible(h, L(6, 28)) && alive(h.job.person, L(6, 28)) && eligible(h, L(6, 25)));
    const jobCase = this.case('duplicate_benefit', 'a public-welfare job wage for June paid twice to the same worker');
    this.ctx.hooks.cases.set(hookKey(jobber.id, 'welfare-job', `${last}-06`), [jobCase]);
    this.pay({ account: `village:${jobber.village.code}`, date: L(6, 28), purpose: 'public_welfare_jobs', amountFen: 104_320, payee: this.personPayee(jobber, jobber.job!.person), programmeId: 'welfare-job', period: `${last}-06`, cases: [jobCase], hour: 11 });
    const sick = this.pick((h) => !h.medical && eligible(h, L(5, 22)), [this.village(19)]);
    const medCase = this.case('duplicate_benefit', 'medical aid for one quarter paid twice on the same day, same amount (a payment list imported twice)');
    for (let i = 0; i < 2; i++) this.pay({ account: vil(19), date: L(5, 22), purpose: 'medical_aid', amountFen: 76_540, payee: this.hhPayee(sick, L(5, 22)), programmeId: 'medical-aid', period: `${last}-Q2`, cases: [medCase], hour: 12 });
    // Near-misses.
    const fixedCase = this.near('duplicate_benefit', 'a dividend entered with a typo, reversed, and paid again correctly for the same month');
    const typo = this.pick((h) => h.pv && eligible(h, L(3, 20)) && eligible(h, L(3, 24)), [this.village(20)]);
    this.ctx.hooks.skip.add(hookKey(typo.id, 'pv-dividend', `${last}-03`));
    const right = pvAmount(this.ctx.seed, typo, last, 3);
    this.reversed({ account: vil(20), date: L(3, PV_DAY), reverseOn: L(3, 23), purpose: 'household_benefit', amountFen: right - 900, payee: this.hhPayee(typo, L(3, PV_DAY)), programmeId: 'pv-dividend', period: `${last}-03`, cases: [fixedCase], reason: '金额录入错误，冲销后重新发放', fund: false });
    this.pay({ account: vil(20), date: L(3, 24), purpose: 'household_benefit', amountFen: right, payee: this.hhPayee(typo, L(3, 24)), programmeId: 'pv-dividend', period: `${last}-03`, cases: [fixedCase], hour: 10 });
    const months = this.near('duplicate_benefit', 'the same programme paid to one household in consecutive periods');
    const steady = this.pick((h) => h.pv && eligible(h, L(1, PV_DAY)) && eligible(h, L(2, PV_DAY)), [this.village(21)]);
    this.ctx.hooks.cases.set(hookKey(steady.id, 'pv-dividend', `${last}-01`), [months]);
    this.ctx.hooks.cases.set(hookKey(steady.id, 'pv-dividend', `${last}-02`), [months]);
    const programmes = this.near('duplicate_benefit', 'one household paid by two programmes for the same month (dividend and job wage)');
    const both = this.pick((h) => h.pv && h.job?.programmeId === 'welfare-job' && eligible(h, ymd(last, 5, 25)) && alive(h.job.person, ymd(last, 5, 25)) && eligible(h, L(5, PV_DAY)));
    this.ctx.hooks.cases.set(hookKey(both.id, 'pv-dividend', `${last}-05`), [programmes]);
    this.ctx.hooks.cases.set(hookKey(both.id, 'welfare-job', `${last}-05`), [programmes]);
  }

  /** A payment and, a day or more later, its reversal (ReverseEntry naming the payment's event). */
  private reversed(o: { account: string; date: string; reverseOn: string; purpose: Purpose; amountFen: number; payee: Payee; programmeId?: string; period?: string; cases: Case[]; reason: string; fund?: boolean }): void {
    let paymentEvent = '';
    this.pay({
      account: o.account,
      date: o.date,
      purpose: o.purpose,
      amountFen: o.amountFen,
      payee: o.payee,
      ...(o.programmeId ? { programmeId: o.programmeId, period: o.period! } : {}),
      cases: o.cases,
      fund: o.fund === false ? 'none' : 'auto',
      hour: 10,
      onResult: (r) => {
        paymentEvent = r.events.find((e) => e.type === 'PaymentMade')!.id;
      },
    });
    this.ctx.schedule.add({
      rec: at(o.reverseOn, 17),
      date: o.reverseOn,
      actor: 'finance-clerk',
      role: 'finance',
      cases: o.cases,
      body: () => ({ type: 'ReverseEntry', reversalId: `rev-${paymentEvent.slice(0, 8)}`, account: o.account, reversesEventId: paymentEvent, reason: o.reason }),
    });
  }

  private relatedParties(s: Specials): void {
    const { last } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const vil = (h: Household) => `village:${h.village.code}`;
    this.pay({ account: vil(s.officialOwn), date: L(7, 15), purpose: 'housing_renovation', amountFen: 2_876_540, payee: this.hhPayee(s.officialOwn, L(7, 15)), programmeId: 'housing', period: `${last}`, cases: [this.case('related_party_benefit', "a housing-renovation grant to the village party secretary's own household")] });
    this.pay({ account: vil(s.relativeByHousehold), date: L(9, 18), purpose: 'industry_development', amountFen: 587_650, payee: this.hhPayee(s.relativeByHousehold, L(9, 18)), programmeId: 'industry-award', period: `${last}`, cases: [this.case('related_party_benefit', "an industry award to the household of the village head's declared brother (by household id)")] });
    this.pay({ account: vil(s.relativeById), date: L(10, 10), purpose: 'education_aid', amountFen: 143_210, payee: this.hhPayee(s.relativeById, L(10, 10)), programmeId: 'edu-aid', period: `${last}-S2`, cases: [this.case('related_party_benefit', "education aid to the declared sister of a village clerk, matched by her ID number")] });
    const spouse = s.relativePerson.persons[1]!;
    this.pay({ account: vil(s.relativePerson), date: L(3, 25), purpose: 'public_welfare_jobs', amountFen: 112_340, payee: this.personPayee(s.relativePerson, spouse), programmeId: 'welfare-job', period: `${last}-03`, cases: [this.case('related_party_benefit', "a public-welfare job wage to an official's declared relative, paid as a person (ID number)")], hour: 11 });
    // Near-miss: a relative who shares a name with a household head, but not the ID number.
    const v = this.village(22);
    const namesake = this.pick((h) => h.pv && eligible(h, L(1, PV_DAY)), [v]);
    v.officials[0]!.relatives.push({ name: namesake.persons[0]!.name, relation: '堂兄弟', idNumber: this.ctx.county.ids.next(this.ctx.rng, '1975-05-05', true) });
    this.ctx.hooks.cases.set(hookKey(namesake.id, 'pv-dividend', `${last}-01`), [this.near('related_party_benefit', "a dividend to a household whose head shares a name with an official's declared relative, with another ID number")]);
  }

  private loanCases(s: Specials): void {
    const { last, loans, county } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const bank = BANKS[0]!;
    const borrower = (k: number, date: string) => this.pick((h) => h.persons.length > 1 && eligible(h, date) && householdRegistered(h, date), [this.village(k)]);
    const add = (l: Partial<Loan> & { id: string; household: Household; principalFen: number; termMonths: number; rateBp: number; issuedOn: string }): Loan => {
      const loan: Loan = { bank, ...l };
      loans.push(loan);
      return loan;
    };
    // ineligible_loan, as imported history (each breaks a control of the loan decider).
    const overCap = add({ id: `loan-${this.village(23).code}-p0001`, household: borrower(23, L(3, 12)), principalFen: 8_000_000, termMonths: 36, rateBp: 435, issuedOn: L(3, 12), historical: true, noSchedule: true, cases: [this.case('ineligible_loan', 'a ¥80,000 micro-loan, over the ¥50,000 cap')] });
    add({ id: `loan-${this.village(24).code}-p0002`, household: borrower(24, L(3, 18)), principalFen: 3_000_000, termMonths: 48, rateBp: 435, issuedOn: L(3, 18), historical: true, noSchedule: true, cases: [this.case('ineligible_loan', 'a 48-month micro-loan, over the 36-month limit')] });
    add({ id: `loan-${this.village(25).code}-p0003`, household: borrower(25, L(4, 2)), principalFen: 2_000_000, termMonths: 24, rateBp: 600, issuedOn: L(4, 2), historical: true, noSchedule: true, cases: [this.case('ineligible_loan', 'a micro-loan at 6.00%, above the 4.35% benchmark')] });
    add({ id: `loan-${s.exitedBorrower.village.code}-p0004`, household: s.exitedBorrower, principalFen: 5_000_000, termMonths: 36, rateBp: 435, issuedOn: L(4, 8), historical: true, noSchedule: true, cases: [this.case('ineligible_loan', 'a micro-loan to a household that had already exited poverty (borrowers must be registered)')] });
    const ghost = makeGhost(this.village(26), county.ids.next(this.ctx.rng, '1982-12-12', true));
    add({ id: `loan-${this.village(26).code}-p0005`, household: ghost, principalFen: 5_000_000, termMonths: 36, rateBp: 435, issuedOn: L(4, 12), historical: true, noSchedule: true, cases: [this.case('ineligible_loan', 'a micro-loan to a household id that is not on the registry')] });
    add({ id: `loan-${s.returned.village.code}-p0006`, household: s.returned, principalFen: 5_000_000, termMonths: 36, rateBp: 435, issuedOn: L(3, 10), noSchedule: true, cases: [this.near('ineligible_loan', 'a micro-loan exactly at the limits (¥50,000, 36 months, 4.35%) to a household that returned to poverty')] });
    // related_party_benefit: a loan to the household of an official's declared cousin.
    add({ id: `loan-${s.relativeLoan.village.code}-p0007`, household: s.relativeLoan, principalFen: 3_000_000, termMonths: 36, rateBp: 435, issuedOn: L(4, 16), noSchedule: true, cases: [this.case('related_party_benefit', "a micro-loan to the household of an official's declared cousin")] });

    // subsidy_exceeds_interest: 贴息 on the whole interest of the over-cap loan (one window, imported).
    const from = overCap.issuedOn;
    const to = L(6, 20);
    const accrued = interest(overCap.principalFen, overCap.rateBp, from, to);
    this.accrual(overCap, from, to, accrued);
    this.subsidy(overCap, from, to, accrued, addDays(to, 5), true, [this.case('subsidy_exceeds_interest', '贴息 on the full interest of an ¥80,000 loan: interest on the part above ¥50,000 is not subsidised')]);
    // A normal loan with one window subsidised ¥120 more than its interest, another subsidised twice.
    const extra = this.loanFor(27, L(3, 5));
    const ew = { from: extra.issuedOn, to: L(6, 20) };
    const ewi = interest(extra.principalFen, extra.rateBp, ew.from, ew.to);
    extra.tweaks = [{ to: ew.to, amountFen: ewi + 12_000, historical: true, cases: [this.case('subsidy_exceeds_interest', '贴息 ¥120 above the interest accrued for the window')] }];
    const twice = this.loanFor(28, L(3, 8));
    const tw = { from: twice.issuedOn, to: L(6, 20) };
    twice.tweaks = [{ to: tw.to, again: { on: addDays(tw.to, 15), historical: true, cases: [this.case('subsidy_exceeds_interest', 'the same window subsidised a second time, ten days after the first')] } }];
    twice.nearCases = { exactSubsidy: this.near('subsidy_exceeds_interest', '贴息 exactly equal to the interest accrued for the window') };

    // subsidy_on_defaulted_loan.
    const defaulted = this.loanFor(29, L(3, 2));
    defaulted.defaultOn = L(6, 23);
    defaulted.lateSubsidy = { to: L(6, 20), paidOn: L(7, 10), historical: true, cases: [this.case('subsidy_on_defaulted_loan', '贴息 paid in July for a loan that defaulted on 23 June')] };
    defaulted.nearCases = { subsidyBeforeDefault: this.near('subsidy_on_defaulted_loan', '贴息 paid before the loan defaulted, for a window that ended before it') };
    const misused = this.loanFor(30, L(3, 4));
    misused.misuseOn = L(5, 6);
    misused.repaidOn = L(8, 10);
    misused.misuseCases = [this.case('subsidy_on_defaulted_loan', '贴息 paid for a loan the bank had flagged as misused (used to buy a car)')];
    const active = this.loanFor(31, L(3, 6));
    this.ctx.riskPayouts.push({ loan: active, on: L(9, 15), fen: 1_400_000, historical: true, cases: [this.case('subsidy_on_defaulted_loan', 'risk compensation paid to the bank for a loan that never defaulted')] });
  }

  /** A fresh normal loan for a case: a registered household of the village borrows ¥20,000 for 36 months. */
  private loanFor(k: number, issuedOn: string): Loan {
    const h = this.pick((x) => x.persons.length > 1 && eligible(x, issuedOn) && householdRegistered(x, issuedOn), [this.village(k)]);
    const loan: Loan = { id: `loan-${h.village.code}-c${String(k).padStart(4, '0')}`, household: h, bank: BANKS[1]!, principalFen: 2_000_000, termMonths: 36, rateBp: 435, issuedOn };
    this.ctx.loans.push(loan);
    return loan;
  }

  accrual(loan: Loan, from: string, to: string, fen: number): void {
    this.ctx.schedule.add({ rec: at(to, 9, 30), date: to, actor: `bank-${loan.bank.id}`, role: 'bank', body: { type: 'RecordInterestAccrual', loanId: loan.id, windowFrom: from, windowTo: to, interestFen: fen } });
  }

  subsidy(loan: Loan, from: string, to: string, fen: number, paidOn: string, historical: boolean, cases: Case[]): void {
    const { subsidyAccount, vouchers, schedule } = this.ctx;
    const v = vouchers.next(subsidyAccount, Number(paidOn.slice(0, 4)), '贴');
    const extra = this.ctx.extraSubsidy;
    const year = Number(paidOn.slice(0, 4));
    extra.set(year, (extra.get(year) ?? 0) + fen);
    schedule.add({
      rec: at(paidOn, 14, 30),
      date: paidOn,
      actor: historical ? 'import' : 'finance-subsidy',
      role: historical ? 'import' : 'finance',
      ...(historical ? { historical: true } : {}),
      cases,
      body: { type: 'PayInterestSubsidy', paymentId: v.paymentId, loanId: loan.id, fromAccount: subsidyAccount, windowFrom: from, windowTo: to, amountFen: fen, voucherNo: v.voucherNo },
    });
  }

  private idleAndProjects(): void {
    const { last, first, years } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const prev = years.length >= 2 ? last - 1 : undefined;
    const stage = (date: string, fen: number, name = 'works'): ProjectPayment => ({ stage: name, date, amountFen: fen, final: false });
    const idleProject = (k: number, year: number, fundOn: string, fen: number, paid: ProjectPayment[], c: Case): void => {
      const v = this.village(k);
      const p = this.project({ id: `prj-${v.code}-${year}-idle${k}`, village: v, year, name: `${v.name}农产品冷链仓储项目`, purpose: 'industry_development', registerOn: addDays(fundOn, -7), fundOn, payments: paid, extraFundFen: fen });
      p.stages = [{ stage: 'works', shareBp: 10_000, final: false }];
      p.budgetFen = Math.ceil((fen + paid.reduce((s, x) => s + x.amountFen, 0)) / 100_000) * 100_000;
      p.cases = { funding: [c] };
      c.key = `project:${p.id}`;
    };
    if (prev !== undefined) {
      idleProject(32, prev, ymd(prev, 5, 10), 86_543_210, [], this.case('idle_funds', 'a project funded in May of the year before and never started: the money sits in its account'));
      idleProject(33, prev, ymd(prev, 4, 15), 43_210_980, [stage(ymd(prev, 5, 20), 12_345_670)], this.case('idle_funds', 'a project that paid its advance and stalled: the rest has sat for over a year'));
    }
    if (years.length >= 3) {
      idleProject(34, first, ymd(first, 3, 10), 65_432_100, [], this.case('idle_funds', 'a project funded in March of the first year and never started: idle over 24 months (severe)'));
    }
    idleProject(35, last, L(2, 10), 54_321_090, [], this.near('idle_funds', 'a project funded in February of the last year, not yet started: 10 months, under the 12-month line'));
    idleProject(36, last, L(2, 5), 32_109_870, [stage(L(3, 20), 9_876_540)], this.near('idle_funds', 'a project that paid its advance in March of the last year; the rest has waited 10 months'));

    // project_overfunded
    const over = this.village(37);
    const po = this.project({ id: `prj-${over.code}-${last}-over`, village: over, year: last, name: `${over.name}村组道路硬化工程`, purpose: 'infrastructure', registerOn: L(3, 1), fundOn: L(3, 8), payments: [stage(L(4, 2), 18_765_430, 'advance'), stage(L(6, 15), 23_456_780, 'progress'), stage(L(8, 20), 12_777_790, 'final')] }, [['central', 0.5], ['int:transport', 0.5]]);
    po.payments[2]!.final = true;
    po.stages = stageShares(po.payments);
    po.acceptOn = L(8, 10);
    po.budgetFen = 40_000_000;
    const poCase = this.case('project_overfunded', 'a road budgeted at ¥400,000 received ¥550,000 from the central fund and the transport sector fund (交叉重复)', `project:${po.id}`);
    po.cases = { funding: [poCase] };
    const early = this.village(38);
    const pe = this.project({ id: `prj-${early.code}-${last}-early`, village: early, year: last, name: `${early.name}安全饮水巩固提升工程`, purpose: 'infrastructure', registerOn: L(3, 3), fundOn: L(3, 9), payments: [stage(L(4, 6), 15_432_100, 'advance'), stage(L(6, 18), 21_098_760, 'progress'), stage(L(7, 25), 8_765_430, 'final')] });
    pe.payments[2]!.final = true;
    pe.stages = stageShares(pe.payments);
    pe.acceptOn = L(9, 5);
    pe.cases = { payments: [[], [], [this.case('project_overfunded', 'the final payment of a project made before it passed acceptance (imported history)')]] };
    pe.historicalPayments = [2];
    const twice = this.village(39);
    const pt = this.project({ id: `prj-${twice.code}-${last}-twice`, village: twice, year: last, name: `${twice.name}日光温室大棚建设`, purpose: 'industry_development', registerOn: L(3, 5), fundOn: L(3, 12), payments: [stage(L(4, 8), 31_234_560, 'advance'), stage(L(7, 8), 26_543_210, 'progress')] }, [['int:agri', 0.6], ['provincial', 0.4]]);
    pt.budgetFen = 57_777_770;
    const ptCase = this.case('project_overfunded', 'a greenhouse project funded to its budget, and the village paid its contractor ¥60,000 more from its own account (two channels)', `project:${pt.id}`);
    pt.cases = { funding: [ptCase] };
    this.pay({ account: `village:${twice.code}`, date: L(7, 28), purpose: 'industry_development', amountFen: 6_000_000, payee: { kind: pt.contractor.kind, id: pt.contractor.id, name: pt.contractor.name }, projectId: pt.id, cases: [ptCase] });
    const exact = this.village(40);
    const px = this.project({ id: `prj-${exact.code}-${last}-exact`, village: exact, year: last, name: `${exact.name}肉牛养殖暖棚建设`, purpose: 'industry_development', registerOn: L(3, 6), fundOn: L(3, 14), payments: [stage(L(4, 9), 21_111_110, 'advance'), stage(L(6, 9), 33_333_330, 'progress')] }, [['central', 0.4], ['provincial', 0.4], ['donation', 0.2]]);
    px.budgetFen = 54_444_440;
    px.cases = { funding: [this.near('project_overfunded', 'a project funded from three channels to exactly its budget', `project:${px.id}`)] };
  }

  private transfers(): void {
    const { last, county } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const t0 = this.township(0);
    const t1 = this.township(1);
    const v0 = t0.villages[0]!;
    const v0b = t0.villages[1 % t0.villages.length]!;
    const v1 = t1.villages[0]!;
    const v1b = t1.villages[1 % t1.villages.length]!;
    const coop = (i: number): OtherPayee => ({ kind: 'cooperative', id: `coop-tr-${i}`, name: `新锐种养殖农民专业合作社${i}号` });
    // Pool to township, never received.
    const central = poolOf(county.code, POOL_SOURCES.central.sourceId, last);
    const never = this.case('unreceived_transfer', 'industry money sent from the central pool to a township in June and never confirmed received (截留?)');
    this.ctx.funding.addPoolSpend('central', last, 'industry_development', 15_000_000);
    this.ctx.schedule.add({ rec: at(L(6, 10), 11), date: L(6, 10), actor: 'finance-treasury', role: 'finance', cases: [never], body: { type: 'SendTransfer', transferId: `tx-${last}-ut1`, fromAccount: central, toAccount: `township:${t0.code}`, amountFen: 15_000_000, lots: [{ appropriationId: apId(county.six, last, POOL_SOURCES.central.sourceId, 'industry_development'), purpose: 'industry_development', amountFen: 15_000_000 }] } });
    // Township to village, never received.
    this.specialTransfer(`tx-${last}-ut2`, t0.code, v0.code, L(5, 12), 'household_benefit', 4_567_890, null, [this.case('unreceived_transfer', 'a township sent household-benefit money to a village in May and the village never confirmed it')]);
    // Received short (imported history): the village spends what arrived.
    const short = this.case('unreceived_transfer', 'a village confirmed ¥2,000 less than its township sent (received short)');
    this.specialTransfer(`tx-${last}-ut3`, t1.code, v1.code, L(3, 12), 'industry_development', 5_432_100, { on: L(3, 15), amountFen: 5_232_100, historical: true, cases: [short] });
    this.pay({ account: `village:${v1.code}`, date: L(3, 20), purpose: 'industry_development', amountFen: 5_232_100, payee: coop(1), fund: 'none' });
    // Received 45 days later.
    this.specialTransfer(`tx-${last}-ut4`, t0.code, v0b.code, L(4, 12), 'industry_development', 3_456_780, { on: L(5, 27), cases: [this.case('unreceived_transfer', 'a transfer confirmed received 45 days after it was sent, past the 30-day deadline')] });
    this.pay({ account: `village:${v0b.code}`, date: L(6, 5), purpose: 'industry_development', amountFen: 3_456_780, payee: coop(2), fund: 'none' });
    // Near-misses.
    this.specialTransfer(`tx-${last}-un1`, t1.code, v1b.code, L(7, 10), 'industry_development', 2_345_670, { on: L(8, 9), cases: [this.near('unreceived_transfer', 'a transfer confirmed received exactly 30 days after it was sent')] });
    this.pay({ account: `village:${v1b.code}`, date: L(8, 15), purpose: 'industry_development', amountFen: 2_345_670, payee: coop(3), fund: 'none' });
    const late = this.near('unreceived_transfer', 'a transfer sent on 20 December, eleven days before the books close: not yet due');
    this.ctx.funding.addPoolSpend('central', last, 'industry_development', 7_654_320);
    this.ctx.schedule.add({ rec: at(L(12, 20), 11), date: L(12, 20), actor: 'finance-treasury', role: 'finance', cases: [late], body: { type: 'SendTransfer', transferId: `tx-${last}-un2`, fromAccount: central, toAccount: `township:${t1.code}`, amountFen: 7_654_320, lots: [{ appropriationId: apId(county.six, last, POOL_SOURCES.central.sourceId, 'industry_development'), purpose: 'industry_development', amountFen: 7_654_320 }] } });
    // Sent to the wrong village, reversed before it arrived, sent again to the right one.
    const cancelled = this.near('unreceived_transfer', 'a transfer sent to the wrong village and reversed by the township before it arrived');
    const wrong = t0.villages[2 % t0.villages.length]!;
    const rightV = t0.villages[0]!;
    let sentEvent = '';
    this.specialTransfer(`tx-${last}-un3`, t0.code, wrong.code, L(9, 12), 'industry_development', 1_987_650, null, [cancelled], (r) => {
      sentEvent = r.events.find((e) => e.type === 'TransferSent')!.id;
    });
    this.ctx.schedule.add({ rec: at(L(9, 15), 17), date: L(9, 15), actor: 'finance-township', role: 'finance', cases: [cancelled], body: () => ({ type: 'ReverseEntry', reversalId: `rev-${last}-un3`, account: `township:${t0.code}`, reversesEventId: sentEvent, reason: '拨错村，撤回重拨' }) });
    this.ctx.schedule.add({ rec: at(L(9, 16), 11), date: L(9, 16), actor: 'finance-township', role: 'finance', body: () => ({ type: 'SendTransfer', transferId: `tx-${last}-un3b`, fromAccount: `township:${t0.code}`, toAccount: `village:${rightV.code}`, amountFen: 1_987_650, lots: this.ctx.funding.specialLots(`tx-${last}-un3`) }) });
    this.ctx.schedule.add({ rec: at(L(9, 18), 9, 15), date: L(9, 18), actor: 'finance-village', role: 'finance', body: { type: 'ReceiveTransfer', transferId: `tx-${last}-un3b`, fromAccount: `township:${t0.code}`, toAccount: `village:${rightV.code}`, amountFen: 1_987_650 } });
    this.pay({ account: `village:${rightV.code}`, date: L(9, 25), purpose: 'industry_development', amountFen: 1_987_650, payee: coop(4), fund: 'none' });
    // A quarterly transfer received a second time (imported history): money counted twice.
    const dupV = this.village(6);
    this.ctx.schedule.add({
      rec: at(L(10, 26), 9, 15),
      date: L(10, 26),
      actor: 'import',
      role: 'import',
      historical: true,
      cases: [this.case('duplicate_payment', 'a quarterly transfer confirmed received twice by the village (imported ledger)')],
      body: () => ({ type: 'ReceiveTransfer', transferId: `tq-${last}q4-v${dupV.code}`, fromAccount: `township:${dupV.township.code}`, toAccount: `village:${dupV.code}`, amountFen: this.ctx.funding.transferAmount(`tq-${last}q4-v${dupV.code}`) }),
    });
  }

  private splits(): void {
    const { last } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const ct = (id: string, name: string): OtherPayee => ({ kind: 'contractor', id, name });
    const s1 = this.case('split_payment', 'a contractor paid ¥30,500 and ¥24,800.50 three days apart, each under the ¥50,000 approval line');
    const a = ct('ct-split-a', '甘肃天禄路桥工程有限公司');
    this.pay({ account: `village:${this.village(41).code}`, date: L(5, 13), purpose: 'infrastructure', amountFen: 3_050_000, payee: a, cases: [s1] });
    this.pay({ account: `village:${this.village(41).code}`, date: L(5, 16), purpose: 'infrastructure', amountFen: 2_480_050, payee: a, cases: [s1] });
    const s2 = this.case('split_payment', 'a township paid one cooperative three times in six days, each under ¥20,000, ¥55,770 in all');
    const b: OtherPayee = { kind: 'cooperative', id: 'coop-split-b', name: '丰源中药材种植农民专业合作社' };
    const t1 = `township:${this.township(1).code}`;
    [[15, 1_980_000], [17, 1_865_000], [21, 1_732_000]].forEach(([d, fen]) => this.pay({ account: t1, date: L(6, d!), purpose: 'industry_development', amountFen: fen!, payee: b, cases: [s2] }));
    const s3 = this.case('split_payment', 'a project account paid its contractor ¥28,000 and ¥26,500 four days apart');
    const v = this.village(42);
    const p = this.project({ id: `prj-${v.code}-${last}-split`, village: v, year: last, name: `${v.name}产业路维修`, purpose: 'infrastructure', registerOn: L(4, 1), fundOn: L(4, 6), payments: [{ stage: 'works', date: L(5, 6), amountFen: 2_800_000, final: false }, { stage: 'works', date: L(5, 10), amountFen: 2_650_000, final: false }] });
    p.stages = [{ stage: 'works', shareBp: 10_000, final: false }];
    p.cases = { payments: [[s3], [s3]] };
    // Near-misses.
    const n1 = this.near('split_payment', 'two payments to one contractor within three days, together ¥45,000: under the line');
    const c = ct('ct-split-n1', '甘肃广厦建筑工程有限公司');
    this.pay({ account: `village:${this.village(43).code}`, date: L(8, 3), purpose: 'infrastructure', amountFen: 2_000_000, payee: c, cases: [n1] });
    this.pay({ account: `village:${this.village(43).code}`, date: L(8, 6), purpose: 'infrastructure', amountFen: 2_500_000, payee: c, cases: [n1] });
    const n2 = this.near('split_payment', 'two ¥30,000 payments to one contractor ten days apart: outside the seven-day window');
    const d = ct('ct-split-n2', '甘肃博远建筑工程有限公司');
    this.pay({ account: `village:${this.village(44).code}`, date: L(8, 4), purpose: 'infrastructure', amountFen: 3_000_000, payee: d, cases: [n2] });
    this.pay({ account: `village:${this.village(44).code}`, date: L(8, 14), purpose: 'infrastructure', amountFen: 3_000_000, payee: d, cases: [n2] });
    const n3 = this.near('split_payment', 'a ¥60,000 payment (approved as such) and an ¥8,000 one two days later');
    const e = ct('ct-split-n3', '甘肃安泰建筑工程有限公司');
    this.pay({ account: `village:${this.village(45).code}`, date: L(9, 7), purpose: 'infrastructure', amountFen: 6_000_000, payee: e, cases: [n3] });
    this.pay({ account: `village:${this.village(45).code}`, date: L(9, 9), purpose: 'infrastructure', amountFen: 800_000, payee: e, cases: [n3] });
  }

  private latePostings(): void {
    const { last, first, years } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const lateHh = this.pick((h) => h.pv && eligible(h, L(2, PV_DAY)), [this.village(46)]);
    this.ctx.hooks.skip.add(hookKey(lateHh.id, 'pv-dividend', `${last}-02`));
    this.pay({ account: `village:${lateHh.village.code}`, date: L(2, PV_DAY), recordOn: L(6, 19), purpose: 'household_benefit', amountFen: pvAmount(this.ctx.seed, lateHh, last, 2), payee: this.hhPayee(lateHh, L(2, PV_DAY)), programmeId: 'pv-dividend', period: `${last}-02`, cases: [this.case('late_posting', 'a February dividend written into the books 120 days later')], hour: 10 });
    this.pay({ account: `village:${this.village(47).code}`, date: L(1, 15), recordOn: L(12, 28), purpose: 'infrastructure', amountFen: 3_456_789, payee: { kind: 'contractor', id: 'ct-late-1', name: '甘肃永安建筑工程有限公司' }, cases: [this.case('late_posting', 'a contractor payment dated 15 January recorded on 28 December (back-dated)')] });
    if (years.length >= 2) {
      this.pay({ account: `village:${this.village(48).code}`, date: ymd(first, 11, 20), recordOn: ymd(first + 1, 5, 10), purpose: 'infrastructure', amountFen: 2_109_876, payee: { kind: 'contractor', id: 'ct-late-2', name: '甘肃鑫源建筑工程有限公司' }, historical: true, cases: [this.case('late_posting', `a payment dated in ${first}, a year auditors sealed, recorded the next May (imported)`)] });
    }
    // A receipt dated two days after the send but recorded three months later.
    const t0 = this.township(0);
    const v = t0.villages[t0.villages.length - 1]!;
    this.specialTransfer(`tx-${last}-lp4`, t0.code, v.code, L(2, 8), 'industry_development', 1_765_430, { on: L(2, 10), recordOn: L(5, 25), cases: [this.case('late_posting', 'a transfer receipt dated 10 February entered on 25 May')] });
    this.pay({ account: `village:${v.code}`, date: L(6, 2), purpose: 'industry_development', amountFen: 1_765_430, payee: { kind: 'cooperative', id: 'coop-late-1', name: '永宁中药材种植农民专业合作社' }, fund: 'none' });
    // Near-misses.
    this.pay({ account: `village:${this.village(49).code}`, date: L(3, 2), recordOn: L(5, 31), purpose: 'infrastructure', amountFen: 1_357_913, payee: { kind: 'contractor', id: 'ct-late-n1', name: '甘肃华建建筑工程有限公司' }, cases: [this.near('late_posting', 'a payment recorded exactly 90 days after its date: at the limit, not beyond it')] });
    this.pay({ account: `village:${this.village(50).code}`, date: L(4, 9), recordOn: L(5, 9), purpose: 'infrastructure', amountFen: 975_310, payee: { kind: 'contractor', id: 'ct-late-n2', name: '甘肃兴业建筑工程有限公司' }, cases: [this.near('late_posting', 'a payment recorded 30 days after its date')] });
  }

  private amountPatterns(): void {
    const { last, county } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    const t0 = this.township(0);
    const t1 = this.township(1);
    const relief = (account: string, payees: Household[], amounts: number[], c: Case, month: number): void => {
      payees.forEach((h, i) => {
        const date = L(month + (i % 3), 12 + (i % 9));
        this.pay({ account, date, purpose: 'household_benefit', amountFen: amounts[i]!, payee: this.hhPayee(h, date), programmeId: 'relief', period: `${last}`, cases: [c], hour: 13 });
      });
    };
    const roundList = (n: number, round: number): number[] => Array.from({ length: n }, (_, i) => (i < round ? (1 + (i % 3)) * 100_000 : 73_450 + 1_117 * i));
    const ra1 = `township:${t0.code}`;
    relief(ra1, this.reliefPayees(24, L(5, 30), t0.villages), roundList(24, 20), this.case('round_amounts', 'a township relief list: 20 of 24 grants are exact ¥1,000 multiples', ra1), 3);
    const ra2 = poolOf(county.code, POOL_SOURCES.provincial.sourceId, last);
    relief(ra2, this.reliefPayees(21, L(7, 30)), roundList(21, 21), this.case('round_amounts', 'relief paid straight from the provincial pool: 21 grants, all exact ¥1,000 multiples', ra2), 5);
    const rn1 = `township:${t1.code}`;
    relief(rn1, this.reliefPayees(25, L(5, 30), t1.villages), roundList(25, 19), this.near('round_amounts', 'a township relief list with 19 of 25 round grants (76%): under the 80% line', rn1), 3);
    const rn2 = poolOf(county.code, POOL_SOURCES.central.sourceId, last);
    relief(rn2, this.reliefPayees(19, L(9, 30)), roundList(19, 19), this.near('round_amounts', 'relief from the central pool: 19 grants, all round, fewer than the 20 the rule needs', rn2), 7);

    const ia1 = this.village(51);
    const same1 = this.case('identical_amounts', 'a Spring Festival condolence list: 12 households paid exactly ¥1,234.56 on one day');
    for (const h of this.reliefPayees(12, L(1, 23), [ia1])) this.pay({ account: `village:${ia1.code}`, date: L(1, 23), purpose: 'household_benefit', amountFen: 123_456, payee: this.hhPayee(h, L(1, 23)), cases: [same1], hour: 13 });
    const ia2 = this.village(52);
    const same2 = this.case('identical_amounts', 'a work-subsidy list: 15 people paid exactly ¥1,388.88 on one day');
    for (const h of this.reliefPayees(15, L(8, 7), [ia2])) {
      const person = h.persons.find((p) => alive(p, L(8, 7)))!;
      this.pay({ account: `village:${ia2.code}`, date: L(8, 7), purpose: 'public_welfare_jobs', amountFen: 138_888, payee: this.personPayee(h, person), cases: [same2], hour: 13 });
    }
    const in1 = this.village(53);
    const round = this.near('identical_amounts', '12 households paid the same round ¥1,000.00 on one day (round amounts are not "identical amounts")');
    for (const h of this.reliefPayees(12, L(2, 7), [in1])) this.pay({ account: `village:${in1.code}`, date: L(2, 7), purpose: 'household_benefit', amountFen: 100_000, payee: this.hhPayee(h, L(2, 7)), cases: [round], hour: 13 });
    const in2 = this.village(54);
    const four = this.near('identical_amounts', 'four households paid the same ¥777.77 on one day: fewer than five payees');
    for (const h of this.reliefPayees(4, L(3, 9), [in2])) this.pay({ account: `village:${in2.code}`, date: L(3, 9), purpose: 'household_benefit', amountFen: 77_777, payee: this.hhPayee(h, L(3, 9)), cases: [four], hour: 13 });
    // A programme's standard rate: identical amounts are what a fixed-rate scheme produces.
    const in3 = this.village(55);
    const fixed = this.near('identical_amounts', 'education aid paid at the standard ¥1,250.00 per household in one village for a semester (a fixed-rate programme)');
    let n = 0;
    for (const h of in3.households) {
      if (h.special || h.students === 0 || !eligible(h, L(4, 10))) continue;
      const key = hookKey(h.id, 'edu-aid', `${last}-S1`);
      if (this.ctx.hooks.cases.has(key) || this.ctx.hooks.skip.has(key)) continue;
      this.ctx.hooks.fixed.set(key, 125_000);
      this.ctx.hooks.cases.set(key, [fixed]);
      n += 1;
    }
    if (n < 5) fixed.note += ` (only ${n} households in this small county)`;
  }

  private overspendAndPurpose(): void {
    const { last, first, county, projects } = this.ctx;
    const L = (m: number, d: number): string => ymd(last, m, d);
    // A finished project of the first year pays its contractor again after its last stage (imported history).
    const done = projects.find((p) => p.year === first && p.acceptOn && p.payments.length === 3 && p.payments[2]!.date < ymd(first, 11, 15) && !p.cases);
    if (!done) throw new Error('the demo county is too small for its planted cases: no finished project in the first year');
    done.overpay = { date: addDays(done.payments[2]!.date, 25), fen: 8_642_000, cases: [this.case('overspend', 'a finished project paid its contractor ¥86,420 more than the project account ever received (imported)')] };
    const exact = projects.find((p) => p !== done && p.year === first && p.payments.length === 3 && !p.cases);
    if (exact) exact.cases = { payments: [[], [], [this.near('overspend', 'a project\'s last stage payment takes its account to exactly zero')]] };
    // A township pays road works out of household-benefit money (imported): overspent for the purpose, and off purpose.
    const t0 = this.township(0);
    const o2 = [this.case('overspend', 'a township paid road works with household-benefit money: more than it held for infrastructure'), this.case('purpose_mismatch', 'household-benefit money spent on road works without an integration plan (挪用)')];
    this.pay({ account: `township:${t0.code}`, date: L(10, 20), purpose: 'infrastructure', fundPurpose: 'household_benefit', amountFen: 3_500_000, payee: { kind: 'contractor', id: 'ct-divert-1', name: '甘肃长城路桥工程有限公司' }, historical: true, cases: o2 });
    // An allocation of money the pool no longer holds (imported).
    const pool = poolOf(county.code, POOL_SOURCES.central.sourceId, first);
    this.ctx.schedule.add({ rec: at(ymd(first, 12, 20), 10), date: ymd(first, 12, 20), actor: 'import', role: 'import', historical: true, cases: [this.case('overspend', `an allocation of ¥500,000 from the ${first} central pool after it had sent all it held`)], body: { type: 'AllocateFunds', allocationId: `al-${first}-over`, fromAccount: pool, toAccount: `township:${t0.code}`, amountFen: 50_000_000, factors: [{ name: '追加分配', value: 1 }] } });

    // purpose_mismatch: staff bonuses from the provincial fund (imported).
    const prov = poolOf(county.code, POOL_SOURCES.provincial.sourceId, first);
    this.pay({ account: prov, date: ymd(first, 6, 30), purpose: 'bonuses_allowances', amountFen: 8_640_000, payee: { kind: 'contractor', id: 'fpb-office', name: '县扶贫开发办公室' }, historical: true, cases: [this.case('purpose_mismatch', 'provincial poverty money paid out as staff bonuses and allowances (prohibited purpose)')] });
    // Sector money integrated for vehicles, outside the plan, then spent on them (imported).
    const plan = `plan-${county.six}-${last}`;
    const agri = SECTORS['int:agri'];
    const agriAp = apId(county.six, last, agri.sourceId, agri.native);
    this.ctx.funding.addPoolSpend('int:agri', last, 'buildings_vehicles', 30_000_000);
    this.ctx.integrationExtra.set(`int:agri|${last}|buildings_vehicles`, 30_000_000);
    this.ctx.schedule.add({ rec: at(L(6, 18), 10), date: L(6, 18), actor: 'import', role: 'import', historical: true, cases: [this.case('purpose_mismatch', 'agricultural sector money integrated for vehicles, outside the plan scope')], body: { type: 'IntegrateFunds', integrationId: `int-${last}-vehicles`, planId: plan, fromAccount: poolOf(county.code, agri.sourceId, last), amountFen: 30_000_000, purpose: 'buildings_vehicles', lots: [{ appropriationId: agriAp, purpose: agri.native, amountFen: 30_000_000 }] } });
    this.pay({ account: `integration:${plan}`, date: L(7, 2), purpose: 'buildings_vehicles', amountFen: 30_000_000, payee: { kind: 'contractor', id: 'ct-auto-1', name: '金城汽车销售服务有限公司' }, lots: [{ appropriationId: agriAp, purpose: 'buildings_vehicles', amountFen: 30_000_000 }], historical: true, fund: 'none', cases: [this.case('purpose_mismatch', 'integrated money spent on vehicles (a prohibited purpose)')] });
    // Provincial money integrated although the plan does not list it (imported), then spent on a road: allowed.
    const provAp = apId(county.six, last, POOL_SOURCES.provincial.sourceId, 'industry_development');
    this.ctx.funding.addPoolSpend('provincial', last, 'industry_development', 12_000_000);
    this.ctx.schedule.add({ rec: at(L(8, 5), 10), date: L(8, 5), actor: 'import', role: 'import', historical: true, cases: [this.case('purpose_mismatch', 'provincial special funds integrated under a plan that does not list them')], body: { type: 'IntegrateFunds', integrationId: `int-${last}-prov`, planId: plan, fromAccount: poolOf(county.code, POOL_SOURCES.provincial.sourceId, last), amountFen: 12_000_000, purpose: 'infrastructure', lots: [{ appropriationId: provAp, purpose: 'industry_development', amountFen: 12_000_000 }] } });
    this.pay({ account: `integration:${plan}`, date: L(8, 20), purpose: 'infrastructure', amountFen: 12_000_000, payee: { kind: 'contractor', id: 'ct-road-9', name: '甘肃陇原路桥工程有限公司' }, lots: [{ appropriationId: provAp, purpose: 'infrastructure', amountFen: 12_000_000 }], fund: 'none', cases: [this.near('purpose_mismatch', 'integrated money spent on infrastructure, a purpose the plan allows')] });
    this.ctx.funding.integrationCase = this.near('purpose_mismatch', 'sector funds integrated up to exactly the plan total and source limits');
  }

  private countyLevel(): void {
    const [a, b, c, d] = this.ctx.contrasts as [ContrastCounty, ContrastCounty, ContrastCounty, ContrastCounty];
    const main = this.ctx.county.code;
    a.cases.benford = this.case('benford_deviation', `county ${a.county.name}: 520 project payments with made-up first digits (too many 4s and 9s)`, a.county.code);
    b.cases.benford = this.near('benford_deviation', `county ${b.county.name}: 400 project payments with the same made-up digits, fewer than the 500 the test needs`, b.county.code);
    if (this.ctx.years.length >= 2) {
      // Growth needs two fiscal years to compare.
      a.cases.selfRaised = this.case('self_raised_funds_low', `county ${a.county.name}: self-raised poverty funds grow only 10% a year`, a.county.code);
      b.cases.selfRaised = this.case('self_raised_funds_low', `county ${b.county.name}: self-raised poverty funds shrink`, b.county.code);
      c.cases.selfRaised = this.near('self_raised_funds_low', `county ${c.county.name}: self-raised poverty funds grow exactly 20% a year`, c.county.code);
      this.ctx.funding.selfRaisedCase = this.near('self_raised_funds_low', 'the demo county: self-raised poverty funds grow 25% a year', main);
    }
    d.cases.selfShare = this.case('self_raised_funds_low', `county ${d.county.name}: self-raised poverty funds only 1.5% of its general budget revenue (at least 2% asked)`, d.county.code);
    this.ctx.revenueCase = this.near('self_raised_funds_low', 'the demo county: self-raised poverty funds exactly 2% of its general budget revenue', main);
    b.cases.riskFund = this.case('risk_fund_ratio', `county ${b.county.name}: risk compensation fund at 2% of the micro-loans outstanding`, b.county.code);
    c.cases.riskFund = this.case('risk_fund_ratio', `county ${c.county.name}: government and bank contributed 6:4, not 7:3`, c.county.code);
    d.cases.riskFund = this.near('risk_fund_ratio', `county ${d.county.name}: risk fund exactly 3% of loans outstanding, contributed exactly 7:3`, d.county.code);
    this.ctx.riskCase = this.near('risk_fund_ratio', 'the demo county: risk fund topped up each January to 4% of loans, contributed 7:3', main);
    this.ctx.benfordCase = this.near('benford_deviation', 'the demo county: stage payments of its projects follow Benford (tested once there are 500 or more)', main);
  }
}

function householdRegistered(h: Household, date: string): boolean {
  return h.changes.every((c) => c.on > date);
}

/** A household that is not on the registry: for a loan to an unregistered borrower. */
function makeGhost(village: Village, idNumber: string): Household {
  return { index: -1, id: `hh-${village.code}-ghost`, village, persons: [{ id: 'ghost-p1', name: '赵无名', idNumber, male: true, birth: '1982-12-12', relation: '户主' }], registeredOn: '2099-01-01', changes: [], special: true, pv: false, pvBase: 0, students: 0, medical: false, industry: false, trainingYears: [], reliefYears: [] };
}
