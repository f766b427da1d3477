// The deterministic demo county (fundtrail demo): a county of townships, villages and registered households,
// its fund sources, integration plan, programmes, projects, micro-loans and officials, one to five fiscal
// years of postings (three by default, 2018–2020), and planted anomalies with an answer key. Every event goes through CommandExecutor.execute, live
// where the county would post it and as imported history where a preventive control would refuse it; the
// same seed and options always give the same log.
import { writeFileSync } from 'node:fs';
import type { CommandBody, ExecutionContext } from '../../domain/commands.js';
import type { FindingCode } from '../../projections/findings/types.js';
import type { Progress } from '../cli/progress.js';
import { CommandExecutor, type ExecuteResult } from '../domain/executor.js';
import type { EventStore } from '../store/types.js';
import { at, ymd } from './calendar.js';
import { buildContrast, CONTRASTS, postContrast } from './contrast.js';
import { Funding, POOL_SOURCES, SECTORS } from './funding.js';
import { normalLoans, planPayouts, postLoan, type Loan, type LoanPosting } from './loans.js';
import { buildAreas, DEFAULT_OPTIONS, enrol, LAST_YEAR, makeHousehold, PROGRAMMES, recipient, registryHistory, villageOfficials, type County, type DemoOptions } from './model.js';
import { byRecording, Schedule, Vouchers, type Case, type Op } from './ops.js';
import { Planter, type PlantContext } from './planted.js';
import { hookKey, monthlyPayments, type HouseholdPayment, type PaymentHooks } from './programmes.js';
import { BenfordAmounts, contractors, postProject, villageProjects } from './projects.js';
import { IdSource, Rng, unit } from './random.js';
import { CommitBatches } from './loader.js';

export type { DemoOptions };

export interface AnswerKeyEntry {
  code: FindingCode;
  eventIds: string[];
  note: string;
  key?: string;
}

export interface AnswerKey {
  seed: number;
  options: { villages: number; households: number; years: number; fiscalYears: number[] };
  cases: AnswerKeyEntry[];
  nearMisses: AnswerKeyEntry[];
}

export interface DemoResult {
  answerKey: AnswerKey;
  commands: number;
  events: number;
  seconds: number;
  counts: { counties: number; townships: number; villages: number; households: number; persons: number; projects: number; loans: number; householdPayments: number };
  /** Planted imported-history postings that broke no control: a sign the generator drifted from the domain. */
  warnings: string[];
}

const SOURCES: { sourceId: string; name: string; category: string; sourceType: string }[] = [
  { sourceId: POOL_SOURCES.central.sourceId, name: '中央财政专项扶贫资金', category: 'central_special', sourceType: 'grant' },
  { sourceId: POOL_SOURCES.provincial.sourceId, name: '省级财政专项扶贫资金', category: 'provincial_special', sourceType: 'grant' },
  { sourceId: POOL_SOURCES.self.sourceId, name: '县级财政自筹扶贫资金', category: 'county_self_raised', sourceType: 'grant' },
  { sourceId: POOL_SOURCES.donation.sourceId, name: '东西部扶贫协作资金', category: 'donation', sourceType: 'donation' },
  { sourceId: SECTORS['int:agri'].sourceId, name: '农业生产发展资金（统筹整合）', category: 'integrated_sector', sourceType: 'grant' },
  { sourceId: SECTORS['int:water'].sourceId, name: '水利发展资金（统筹整合）', category: 'integrated_sector', sourceType: 'grant' },
  { sourceId: SECTORS['int:transport'].sourceId, name: '车购税农村公路建设资金（统筹整合）', category: 'integrated_sector', sourceType: 'grant' },
  { sourceId: SECTORS['int:housing'].sourceId, name: '农村危房改造补助资金（统筹整合）', category: 'integrated_sector', sourceType: 'grant' },
  { sourceId: 'microcredit', name: '扶贫小额信贷', category: 'micro_credit', sourceType: 'loan' },
  { sourceId: 'riskfund-gov', name: '扶贫小额信贷风险补偿金（政府出资）', category: 'risk_fund', sourceType: 'guarantee' },
  { sourceId: 'riskfund-bank', name: '扶贫小额信贷风险补偿金（合作银行出资）', category: 'risk_fund', sourceType: 'guarantee' },
];

export function resolveOptions(options: Partial<DemoOptions>): DemoOptions {
  const o = { ...DEFAULT_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as DemoOptions;
  for (const key of ['villages', 'households', 'years'] as const) {
    if (!Number.isSafeInteger(o[key]) || o[key] < 1) throw new RangeError(`${key} must be a positive whole number`);
  }
  if (!Number.isSafeInteger(o.seed)) throw new RangeError('seed must be a whole number');
  if (o.villages < 4) throw new RangeError('the demo county needs at least 4 villages for its planted cases');
  if (o.households < o.villages * 60) throw new RangeError(`the demo county needs at least 60 households per village (${o.villages * 60} for ${o.villages} villages)`);
  if (o.years > 5) throw new RangeError('the demo covers at most 5 fiscal years (2016–2020)');
  return o;
}

/** Builds the county and every posting, then executes them in recording order through the executor. */
export async function generateDemo(store: EventStore, input: Partial<DemoOptions> = {}, progress?: (total: number) => Progress): Promise<DemoResult> {
  const started = performance.now();
  const options = resolveOptions(input);
  const { seed } = options;
  const years = Array.from({ length: options.years }, (_, i) => LAST_YEAR - options.years + 1 + i);
  const first = years[0]!;
  const last = years[years.length - 1]!;
  const setupDate = ymd(first, 1, 2);
  const lastDate = ymd(last, 12, 31);

  // ---------------------------------------------------------------- the county as data
  const rng = new Rng(seed, 'county');
  const townships = Math.max(2, Math.round(options.villages / 10));
  const county = buildAreas('620423', '安宁县', options.villages, townships, rng);
  populate(county, options.households, first, rng);
  const contrasts = CONTRASTS.map((spec) => buildContrast(spec, first, seed));
  const schedule = new Schedule();
  const funding = new Funding(county, years);
  const vouchers = new Vouchers();
  const hooks: PaymentHooks = { skip: new Set(), cases: new Map(), fixed: new Map() };
  const builders = contractors(county.name, 40, new Rng(seed, 'contractors'));
  const ctx: PlantContext = {
    seed, years, first, last, setupDate, lastDate, county, rng: new Rng(seed, 'planted'), schedule, funding, vouchers, hooks,
    projects: [], loans: [], builders, contrasts, integrationExtra: new Map(), subsidyAccount: `subsidy:${county.code}`, riskAccount: `riskfund:${county.code}`,
    riskPayouts: [], extraSubsidy: new Map(),
  };
  const planter = new Planter(ctx);
  const specials = planter.households();
  registryHistory(county, years, setupDate, new Rng(seed, 'registry'));
  villageOfficials(county, first, new Rng(seed, 'officials'));
  planter.officials(specials);
  enrol(county, years, new Rng(seed, 'programmes'));
  const normalProjects = villageProjects(county, years, new BenfordAmounts(unit(seed, 401)), builders, new Rng(seed, 'projects'));
  ctx.projects.push(...normalProjects);
  const loans = normalLoans(county, years, lastDate, new Rng(seed, 'loans'));
  ctx.loans.push(...loans);
  planter.plant(specials);
  planPayouts(ctx.loans, lastDate);
  hooks.households = new Set([...hooks.skip, ...hooks.cases.keys(), ...hooks.fixed.keys()].map((key) => key.slice(0, key.indexOf('|'))));

  // ---------------------------------------------------------------- postings
  setup(schedule, county, contrasts.map((c) => c.county), setupDate);
  registry(schedule, county, setupDate);
  for (const p of ctx.projects) postProject(schedule, funding, p, vouchers, normalProjects.includes(p) && ctx.benfordCase ? [ctx.benfordCase] : []);
  const posting: LoanPosting = { subsidyByYear: new Map() };
  for (const loan of ctx.loans) postLoan(schedule, loan, ctx.subsidyAccount, lastDate, vouchers, posting);
  riskFund(schedule, ctx, years, vouchers);
  for (const c of contrasts) postContrast(c, years, seed, schedule, vouchers);
  let householdPayments = 0;
  for (const y of years) {
    for (let m = 1; m <= 12; m++) {
      monthlyPayments(county, seed, y, m, hooks, (p) => {
        householdPayments += 1;
        funding.addQuarterly(p.account, p.date, p.purpose, p.amountFen);
      });
    }
  }
  funding.plan(schedule, ctx.integrationExtra);
  // General budget revenue (一般公共预算收入): self-raised poverty funds are exactly 2% of it.
  for (const y of years) {
    const self = funding.selfAppropriated.get(y) ?? 0;
    if (self <= 0) continue;
    schedule.add({ rec: at(ymd(y, 1, 3), 8, 50), date: ymd(y, 1, 3), actor: 'finance-budget', role: 'finance', ...(ctx.revenueCase ? { cases: [ctx.revenueCase] } : {}), body: { type: 'RecordBudgetRevenue', countyCode: county.code, fiscalYear: y, generalRevenueFen: self * 50, documentNo: `${county.name}${y}年一般公共预算收入` } });
  }
  for (const y of years) {
    const fen = (posting.subsidyByYear.get(y) ?? 0) + (ctx.extraSubsidy.get(y) ?? 0);
    if (fen <= 0) continue;
    // On 2 January, before the first 贴息 of the year (a loan repaid late in December is settled then).
    schedule.add({
      rec: at(ymd(y, 1, 2), 8, 40),
      date: ymd(y, 1, 2),
      actor: 'finance-budget',
      role: 'finance',
      body: { type: 'RecordAppropriation', appropriationId: `ap-${county.six}-${y}-${POOL_SOURCES.provincial.sourceId}-interest_subsidy`, countyCode: county.code, sourceId: POOL_SOURCES.provincial.sourceId, fiscalYear: y, purpose: 'interest_subsidy', amountFen: fen, toAccount: ctx.subsidyAccount, documentNo: `甘财农〔${y}〕8号（贴息）` },
    });
  }
  if (years.length >= 2) {
    schedule.add({ rec: at(ymd(first + 1, 3, 31), 18), date: ymd(first + 1, 3, 31), actor: 'audit-office', role: 'auditor', body: { type: 'SealPeriod', sealId: `audit-${first}`, from: ymd(first, 1, 1), to: ymd(first, 12, 31), reason: `${first}年度扶贫资金专项审计结束，账期封存` } });
  }

  // ---------------------------------------------------------------- execution, in recording order
  const total = schedule.size + householdPayments;
  const bar = progress?.(total);
  const executor = new CommandExecutor(store, { cacheSize: 1_000_000 });
  const batches = new CommitBatches(store, options.commitEvery ?? 5_000);
  const ids = new IdSource(seed);
  const warnings: string[] = [];
  let commands = 0;
  let events = 0;
  let generatedSeq = 1e12;
  const run = async (op: Op): Promise<void> => {
    const body = typeof op.body === 'function' ? op.body() : op.body;
    const command = { id: ids.next(), effectiveDate: op.date, ...body };
    const context: ExecutionContext = { actor: op.actor, role: op.role, now: op.rec, mode: op.historical ? 'historical' : 'live', ...(op.historical ? { importBatch: `demo-${seed}-${op.rec.slice(0, 7)}` } : {}) };
    let result: ExecuteResult;
    try {
      batches.before();
      result = await executor.execute(command, context);
      batches.after();
    } catch (error) {
      batches.commit();
      throw new Error(`demo posting ${commands + 1} (${body.type}, effective ${op.date}, recorded ${op.rec}) was refused: ${(error as Error).message}`, { cause: error });
    }
    commands += 1;
    events += result.events.length;
    if (op.historical && result.violations.length === 0) warnings.push(`imported ${body.type} of ${op.date} broke no control`);
    if (op.cases) {
      const proof = result.events.filter((e) => e.type !== 'AccountOpened').map((e) => e.id);
      for (const c of op.cases) for (const id of proof) if (!c.eventIds.includes(id)) c.eventIds.push(id);
    }
    op.onResult?.(result);
    if (++pending === 256) {
      bar?.tick(pending);
      pending = 0;
    }
  };
  let pending = 0;
  const months = new Set(schedule.months());
  for (const y of years) for (let m = 1; m <= 12; m++) months.add(`${y}-${String(m).padStart(2, '0')}`);
  for (const month of [...months].sort()) {
    const ops = schedule.take(month);
    const [y, m] = month.split('-').map(Number) as [number, number];
    if (years.includes(y)) {
      monthlyPayments(county, seed, y, m, hooks, (p) => ops.push(paymentOp(p, vouchers, hooks, generatedSeq++)));
    }
    ops.sort(byRecording);
    for (const op of ops) await run(op);
  }
  batches.commit();
  bar?.tick(pending);
  bar?.stop();

  const entries = (list: Case['list']): AnswerKeyEntry[] =>
    schedule.cases.filter((c) => c.list === list).map((c) => ({ code: c.code, eventIds: c.eventIds, note: c.note, ...(c.key ? { key: c.key } : {}) }));
  const answerKey: AnswerKey = { seed, options: { villages: options.villages, households: options.households, years: options.years, fiscalYears: years }, cases: entries('cases'), nearMisses: entries('nearMisses') };
  for (const c of schedule.cases) if (c.eventIds.length === 0 && !c.key) warnings.push(`${c.list} ${c.code} "${c.note}" names no event`);
  if (options.answerKeyPath) writeFileSync(options.answerKeyPath, `${JSON.stringify(answerKey, null, 2)}\n`);
  const households = county.households.length + contrasts.reduce((s, c) => s + c.households.length, 0);
  return {
    answerKey,
    commands,
    events,
    seconds: (performance.now() - started) / 1000,
    counts: {
      counties: 1 + contrasts.length,
      townships: county.townships.length + contrasts.length,
      villages: county.villages.length + contrasts.length,
      households,
      persons: county.households.reduce((s, h) => s + h.persons.length, 0) + contrasts.reduce((s, c) => s + c.households.reduce((n, h) => n + h.persons.length, 0), 0),
      projects: ctx.projects.length,
      loans: ctx.loans.length,
      householdPayments,
    },
    warnings,
  };
}

/** Households spread over the villages, some villages larger than others. */
function populate(county: County, households: number, firstYear: number, rng: Rng): void {
  const weights = county.villages.map(() => 0.6 + 0.8 * rng.next());
  const sum = weights.reduce((s, w) => s + w, 0);
  let made = 0;
  county.villages.forEach((village, i) => {
    const count = i === county.villages.length - 1 ? households - made : Math.max(1, Math.round((households * weights[i]!) / sum));
    for (let n = 0; n < count && made < households; n++, made++) makeHousehold(county, village, made, rng, firstYear);
  });
}

function paymentOp(p: HouseholdPayment, vouchers: Vouchers, hooks: PaymentHooks, seq: number): Op {
  const year = Number(p.date.slice(0, 4));
  const v = vouchers.next(p.account, year);
  const h = p.household;
  const who = p.person ?? recipient(h, p.date)!;
  const payee = p.person ? { kind: 'person' as const, id: who.id, name: who.name, idNumber: who.idNumber, householdId: h.id } : { kind: 'household' as const, id: h.id, name: who.name, idNumber: who.idNumber };
  const cases = p.hook ? hooks.cases.get(hookKey(h.id, p.programmeId, p.period)) : undefined;
  return {
    rec: at(p.date, p.hour),
    seq,
    date: p.date,
    actor: `finance-${p.account.slice(-6)}`,
    role: 'finance',
    ...(cases ? { cases } : {}),
    body: { type: 'MakePayment', paymentId: v.paymentId, fromAccount: p.account, payee, amountFen: p.amountFen, voucherNo: v.voucherNo, bankRef: vouchers.bankRef(p.date), purpose: p.purpose, programmeId: p.programmeId, period: p.period },
  };
}

/** The first day: areas, fund sources, programmes, the registry as loaded, village officials and their relatives. */
function setup(schedule: Schedule, county: County, others: County[], date: string): void {
  const add = (body: CommandBody, minute: number): void => void schedule.add({ rec: at(date, 8, minute), date, actor: 'system-setup', role: 'administrator', body });
  for (const c of [county, ...others]) {
    add({ type: 'RegisterArea', code: c.code, name: c.name, parentCode: null }, 0);
    for (const t of c.townships) {
      add({ type: 'RegisterArea', code: t.code, name: t.name, parentCode: c.code }, 0);
      for (const v of t.villages) add({ type: 'RegisterArea', code: v.code, name: v.name, parentCode: t.code }, 0);
    }
  }
  for (const s of SOURCES) add({ type: 'RegisterFundSource', sourceId: s.sourceId, name: s.name, category: s.category, sourceType: s.sourceType } as CommandBody, 1);
  for (const p of PROGRAMMES) add({ type: 'RegisterProgramme', ...p }, 2);
  for (const c of [county, ...others]) {
    for (const h of c.households) {
      const head = h.persons[0]!;
      const members = h.persons.filter((p) => !p.addedOn).map((p) => ({ personId: p.id, name: p.name, idNumber: p.idNumber, relation: p.relation }));
      schedule.add({ rec: at(date, 9), date, actor: 'poverty-office', role: 'poverty_office', body: { type: 'RegisterHousehold', householdId: h.id, villageCode: h.village.code, headName: head.name, headIdNumber: head.idNumber, registeredOn: h.registeredOn, members, documentNo: `建档立卡${h.registeredOn.slice(0, 4)}` } });
      for (const change of h.changes) {
        if (change.recordOn !== date) continue;
        schedule.add({ rec: at(date, 9, 30), date, actor: 'poverty-office', role: 'poverty_office', body: { type: 'ChangeHouseholdStatus', householdId: h.id, status: change.status, on: change.on, reason: change.reason } });
      }
    }
    for (const v of c.villages) {
      for (const o of v.officials) {
        schedule.add({ rec: at(date, 10), date, actor: 'township-office', role: 'township', body: { type: 'RegisterVillageOfficial', officialId: o.id, villageCode: v.code, name: o.name, idNumber: o.idNumber, role: o.role, ...(o.householdId ? { householdId: o.householdId } : {}) } });
        for (const r of o.relatives) {
          schedule.add({ rec: at(date, 10, 5), date, actor: 'township-office', role: 'township', body: { type: 'DeclareRelative', officialId: o.id, name: r.name, relation: r.relation, ...(r.householdId ? { householdId: r.householdId } : {}), ...(r.idNumber ? { idNumber: r.idNumber } : {}) } });
        }
      }
    }
  }
}

/** Registry changes over the years: exits, returns, removals, deaths and new members, each the day it happened. */
function registry(schedule: Schedule, county: County, setupDate: string): void {
  for (const h of county.households) {
    for (const change of h.changes) {
      if (change.recordOn === setupDate && change.on < setupDate) continue;
      schedule.add({ rec: at(change.recordOn, 8, 15), date: change.on, actor: 'poverty-office', role: 'poverty_office', body: { type: 'ChangeHouseholdStatus', householdId: h.id, status: change.status, on: change.on, reason: change.reason } });
    }
    for (const p of h.persons) {
      if (p.addedOn) schedule.add({ rec: at(p.addedOn, 8, 20), date: p.addedOn, actor: 'poverty-office', role: 'poverty_office', body: { type: 'AddHouseholdMember', householdId: h.id, personId: p.id, name: p.name, idNumber: p.idNumber, relation: p.relation } });
      if (p.diedOn) schedule.add({ rec: at(p.diedOn, 8, 25), date: p.diedOn, actor: 'poverty-office', role: 'poverty_office', body: { type: 'RecordDeath', householdId: h.id, personId: p.id, on: p.diedOn } });
    }
  }
}

/**
 * The demo county's risk compensation fund: each January government and banks contribute 7:3 enough to keep
 * it at 4% of the principal that may be outstanding that year, plus that year's payouts; payouts after a
 * default draw 70% on government money and 30% on bank money.
 */
function riskFund(schedule: Schedule, ctx: PlantContext, years: number[], vouchers: Vouchers): void {
  const { county, riskAccount } = ctx;
  const payouts = [
    ...ctx.loans.filter((l) => l.payout).map((l) => ({ loan: l, on: l.payout!.on, fen: l.payout!.fen, historical: false, cases: undefined as Case[] | undefined })),
    ...ctx.riskPayouts.map((p) => ({ loan: p.loan, on: p.on, fen: p.fen, historical: p.historical ?? false, cases: p.cases })),
  ].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.loan.id < b.loan.id ? -1 : 1));
  const lots: { id: string; party: 'government' | 'bank'; left: number }[] = [];
  let contributed = 0;
  let paidOut = 0;
  const principal = (l: Loan) => l.principalFen;
  for (const y of years) {
    const start = ymd(y, 1, 1);
    const outstanding = ctx.loans.filter((l) => l.issuedOn < start && !(l.repaidOn && l.repaidOn < start)).reduce((s, l) => s + principal(l), 0);
    const issued = ctx.loans.filter((l) => l.issuedOn.startsWith(`${y}-`)).reduce((s, l) => s + principal(l), 0);
    const yearPayouts = payouts.filter((p) => p.on.startsWith(`${y}-`)).reduce((s, p) => s + p.fen, 0);
    const need = Math.ceil(0.04 * (outstanding + issued)) + yearPayouts - (contributed - paidOut);
    const c = Math.max(0, Math.ceil(need / 1_000) * 1_000);
    if (c > 0) {
      const parts: ['government' | 'bank', number, string][] = [
        ['government', (c * 7) / 10, 'riskfund-gov'],
        ['bank', (c * 3) / 10, 'riskfund-bank'],
      ];
      for (const [party, fen, sourceId] of parts) {
        const id = `rf-${county.six}-${y}-${party}`;
        lots.push({ id, party, left: fen });
        schedule.add({ rec: at(ymd(y, 1, 15), 10), date: ymd(y, 1, 15), actor: 'finance-budget', role: 'finance', ...(ctx.riskCase ? { cases: [ctx.riskCase] } : {}), body: { type: 'RecordAppropriation', appropriationId: id, countyCode: county.code, sourceId, fiscalYear: y, purpose: 'risk_compensation', amountFen: fen, toAccount: riskAccount, party, documentNo: `风险补偿金〔${y}〕1号` } });
      }
      contributed += c;
    }
    for (const p of payouts.filter((x) => x.on.startsWith(`${y}-`))) {
      const choices: { appropriationId: string; purpose: 'risk_compensation'; amountFen: number }[] = [];
      for (const [party, share] of [['government', 7], ['bank', 3]] as const) {
        let want = (p.fen * share) / 10;
        for (const lot of lots) {
          if (want === 0) break;
          if (lot.party !== party || lot.left === 0) continue;
          const take = Math.min(want, lot.left);
          lot.left -= take;
          want -= take;
          choices.push({ appropriationId: lot.id, purpose: 'risk_compensation', amountFen: take });
        }
        if (want > 0) throw new Error('the demo risk fund cannot cover a payout');
      }
      paidOut += p.fen;
      const v = vouchers.next(riskAccount, y, '补');
      schedule.add({
        rec: at(p.on, 14, 15),
        date: p.on,
        actor: p.historical ? 'import' : 'finance-riskfund',
        role: p.historical ? 'import' : 'finance',
        ...(p.historical ? { historical: true } : {}),
        ...(p.cases ? { cases: p.cases } : {}),
        body: { type: 'MakePayment', paymentId: v.paymentId, fromAccount: riskAccount, payee: { kind: 'bank', id: p.loan.bank.id, name: p.loan.bank.name }, amountFen: p.fen, voucherNo: v.voucherNo, purpose: 'risk_compensation', loanId: p.loan.id, lots: choices },
      });
    }
  }
}
