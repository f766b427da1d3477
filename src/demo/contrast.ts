// Neighbouring counties of the same prefecture, small, loaded beside the demo county so that the per-county
// rules (one county cannot be both clean and anomalous) have something to tell apart: one whose project
// payments do not follow Benford's law and whose self-raised funds grow only 10%; one whose risk fund holds 2%
// of its micro-loans, whose self-raised funds shrink, and whose 400 made-up project payments are too few for
// Benford; one with a 6:4 risk fund and self-raised funds growing exactly 20%; one exactly at the 3% and 7:3
// risk-fund lines whose self-raised funds are only 1.5% of its general budget revenue. Everything else in
// them is clean: every pool and project account ends empty.
import { addDays, at, ymd } from './calendar.js';
import { apId, poolOf, POOL_SOURCES } from './funding.js';
import { buildAreas, makeHousehold, type County, type Household } from './model.js';
import type { Case, Schedule, Vouchers } from './ops.js';
import { Rng, unit } from './random.js';

export interface ContrastSpec {
  six: string;
  name: string;
  /** Self-raised appropriations: first year, and the growth factor each year after. */
  selfBaseFen: number;
  selfGrowth: number;
  /** Self-raised funds as a share of general budget revenue (seed 000: at least 2%), basis points. */
  selfShareBp: number;
  /** Project payments with made-up first digits (too many 4s and 9s). */
  skewedPayments: number;
  loans?: { count: number; principalFen: number; fundFen: number; governmentShareBp: number };
}

export const CONTRASTS: ContrastSpec[] = [
  { six: '620424', name: '云岭县', selfBaseFen: 200_000_000, selfGrowth: 1.1, selfShareBp: 300, skewedPayments: 520 },
  { six: '620425', name: '石川县', selfBaseFen: 150_000_000, selfGrowth: 14 / 15, selfShareBp: 300, skewedPayments: 400, loans: { count: 10, principalFen: 4_000_000, fundFen: 800_000, governmentShareBp: 7_000 } },
  { six: '620426', name: '河湾县', selfBaseFen: 100_000_000, selfGrowth: 1.2, selfShareBp: 250, skewedPayments: 0, loans: { count: 10, principalFen: 5_000_000, fundFen: 1_750_000, governmentShareBp: 6_000 } },
  { six: '620427', name: '青岘县', selfBaseFen: 80_000_000, selfGrowth: 1.3, selfShareBp: 150, skewedPayments: 0, loans: { count: 20, principalFen: 5_000_000, fundFen: 3_000_000, governmentShareBp: 7_000 } },
];

export interface ContrastCounty {
  spec: ContrastSpec;
  county: County;
  households: Household[];
  /** Case marks: filled in by the planted module. */
  cases: { benford?: Case; selfRaised?: Case; selfShare?: Case; riskFund?: Case };
}

export function buildContrast(spec: ContrastSpec, firstYear: number, seed: number): ContrastCounty {
  const rng = new Rng(seed, `contrast-${spec.six}`);
  const county = buildAreas(spec.six, spec.name, 1, 1, rng);
  const village = county.villages[0]!;
  const households: Household[] = [];
  const count = Math.max(12, (spec.loans?.count ?? 0) + 4);
  for (let i = 0; i < count; i++) {
    const h = makeHousehold(county, village, 1_000_000 + i, rng, firstYear);
    h.special = true;
    households.push(h);
  }
  return { spec, county, households, cases: {} };
}

const digitWeights = [0, 8, 8, 8, 45, 6, 6, 6, 6, 15];

/** Money of one year: self-raised appropriation, the central top-up, projects and their payments. */
export function postContrast(c: ContrastCounty, years: number[], seed: number, schedule: Schedule, vouchers: Vouchers): void {
  const { county, spec } = c;
  const rng = new Rng(seed, `contrast-flows-${spec.six}`);
  const village = county.villages[0]!;
  const self = POOL_SOURCES.self.sourceId;
  const central = POOL_SOURCES.central.sourceId;
  const projectsPerYear = spec.skewedPayments > 0 ? Math.ceil(spec.skewedPayments / 10 / years.length) : 2;
  let skewedLeft = spec.skewedPayments;
  let projectNo = 0;
  years.forEach((year, i) => {
    const selfFen = Math.round(spec.selfBaseFen * spec.selfGrowth ** i);
    // Projects of the year and their payments.
    const projects: { id: string; registerOn: string; payments: { date: string; fen: number }[] }[] = [];
    for (let p = 0; p < projectsPerYear; p++) {
      const id = `prj-${village.code}-${year}-${++projectNo}`;
      const registerOn = ymd(year, 2 + (p % 5), 1 + ((p * 7) % 27));
      const payments: { date: string; fen: number }[] = [];
      if (spec.skewedPayments > 0) {
        for (let k = 0; k < 10 && skewedLeft > 0; k++, skewedLeft--) {
          const digit = rng.weighted(digitWeights);
          const fen = (digit * 10_000 + rng.int(0, 9_999)) * 100 + rng.int(1, 99);
          payments.push({ date: addDays(registerOn, 20 + 12 * k), fen });
        }
      } else {
        // Two projects share the year's self-raised money exactly, in three stages each.
        const half = p === 0 ? Math.floor(selfFen / 2) : selfFen - Math.floor(selfFen / 2);
        const a = Math.floor(half * (0.3 + 0.1 * unit(seed, 301, year, p)));
        const b = Math.floor(half * (0.35 + 0.1 * unit(seed, 302, year, p)));
        [a, b, half - a - b].forEach((fen, k) => payments.push({ date: addDays(registerOn, 25 + 45 * k), fen }));
      }
      if (payments.length > 0) projects.push({ id, registerOn, payments });
    }
    const needs = projects.map((p) => p.payments.reduce((s, x) => s + x.fen, 0));
    const totalNeed = needs.reduce((s, n) => s + n, 0);
    if (totalNeed < selfFen) throw new Error(`contrast county ${spec.six}: projects of ${year} need less than its self-raised funds`);
    const centralFen = totalNeed - selfFen;
    const appropriate = (sourceId: string, fen: number, doc: string): void => {
      if (fen <= 0) return;
      schedule.add({
        rec: at(ymd(year, 1, 3), 9, 30),
        date: ymd(year, 1, 3),
        actor: `finance-${spec.six}`,
        role: 'finance',
        ...(sourceId === self && c.cases.selfRaised ? { cases: [c.cases.selfRaised] } : {}),
        body: { type: 'RecordAppropriation', appropriationId: apId(spec.six, year, sourceId, 'infrastructure'), countyCode: county.code, sourceId, fiscalYear: year, purpose: 'infrastructure', amountFen: fen, documentNo: `${doc}〔${year}〕2号` },
      });
    };
    appropriate(self, selfFen, `${spec.name.slice(0, 2)}财预`);
    const revenue = Math.round((selfFen * 10_000) / spec.selfShareBp);
    schedule.add({
      rec: at(ymd(year, 1, 3), 8, 50),
      date: ymd(year, 1, 3),
      actor: `finance-${spec.six}`,
      role: 'finance',
      ...(c.cases.selfShare ? { cases: [c.cases.selfShare] } : {}),
      body: { type: 'RecordBudgetRevenue', countyCode: county.code, fiscalYear: year, generalRevenueFen: revenue, documentNo: `${spec.name}${year}年一般公共预算收入` },
    });
    appropriate(central, centralFen, '财农');
    // Self-raised money fills the projects in order, central pays the rest.
    let selfLeft = selfFen;
    projects.forEach((p, n) => {
      const need = needs[n]!;
      const fromSelf = Math.min(need, selfLeft);
      selfLeft -= fromSelf;
      const account = `project:${p.id}`;
      const contractor = { kind: 'contractor' as const, id: `ct-${spec.six}-${String((n % 7) + 1).padStart(2, '0')}`, name: `${spec.name}第${(n % 7) + 1}建筑工程公司` };
      const total = need;
      schedule.add({
        rec: at(p.registerOn, 8, 30),
        date: p.registerOn,
        actor: `poverty-office-${spec.six}`,
        role: 'poverty_office',
        body: { type: 'RegisterProject', projectId: p.id, villageCode: village.code, name: `${village.name}道路及配套工程${n + 1}`, purpose: 'infrastructure', budgetFen: Math.ceil(total / 100_000) * 100_000, beneficiaryHouseholds: [], stages: [{ stage: 'works', shareBp: 10_000, final: false }] },
      });
      const fundOn = addDays(p.registerOn, 5);
      const sends: [string, string, number][] = [
        [poolOf(county.code, self, year), apId(spec.six, year, self, 'infrastructure'), fromSelf],
        [poolOf(county.code, central, year), apId(spec.six, year, central, 'infrastructure'), need - fromSelf],
      ];
      sends.forEach(([from, appropriationId, fen], k) => {
        if (fen <= 0) return;
        const transferId = `tp-${p.id}-${k + 1}`;
        schedule.add({ rec: at(fundOn, 10), date: fundOn, actor: `finance-${spec.six}`, role: 'finance', body: { type: 'SendTransfer', transferId, fromAccount: from, toAccount: account, amountFen: fen, lots: [{ appropriationId, purpose: 'infrastructure', amountFen: fen }] } });
        schedule.add({ rec: at(addDays(fundOn, 2), 9), date: addDays(fundOn, 2), actor: `finance-${spec.six}`, role: 'finance', body: { type: 'ReceiveTransfer', transferId, fromAccount: from, toAccount: account, amountFen: fen } });
      });
      for (const pay of p.payments) {
        const v = vouchers.next(account, year);
        schedule.add({
          rec: at(pay.date, 15),
          date: pay.date,
          actor: `finance-${spec.six}`,
          role: 'finance',
          ...(spec.skewedPayments > 0 && c.cases.benford ? { cases: [c.cases.benford] } : {}),
          body: { type: 'MakePayment', paymentId: v.paymentId, fromAccount: account, payee: contractor, amountFen: pay.fen, voucherNo: v.voucherNo, purpose: 'infrastructure', projectId: p.id, stage: 'works' },
        });
      }
    });
  });
  // Micro-loans of the last year and the risk compensation fund contributed before them.
  const loans = spec.loans;
  if (loans) {
    const year = years[years.length - 1]!;
    const government = Math.round((loans.fundFen * loans.governmentShareBp) / 10_000);
    const parts: ['government' | 'bank', number, string][] = [
      ['government', government, 'riskfund-gov'],
      ['bank', loans.fundFen - government, 'riskfund-bank'],
    ];
    for (const [party, fen, sourceId] of parts) {
      schedule.add({
        rec: at(ymd(year, 1, 15), 10),
        date: ymd(year, 1, 15),
        actor: `finance-${spec.six}`,
        role: 'finance',
        ...(c.cases.riskFund ? { cases: [c.cases.riskFund] } : {}),
        body: { type: 'RecordAppropriation', appropriationId: `rf-${spec.six}-${year}-${party}`, countyCode: county.code, sourceId, fiscalYear: year, purpose: 'risk_compensation', amountFen: fen, toAccount: `riskfund:${county.code}`, party, documentNo: `风险补偿金〔${year}〕1号` },
      });
    }
    for (let i = 0; i < loans.count; i++) {
      const h = c.households[i % c.households.length]!;
      const issuedOn = ymd(year, 3 + (i % 3), 5 + i);
      schedule.add({
        rec: at(issuedOn, 9),
        date: issuedOn,
        actor: 'bank-bank-rcc',
        role: 'bank',
        ...(c.cases.riskFund ? { cases: [c.cases.riskFund] } : {}),
        body: { type: 'IssueMicroLoan', loanId: `loan-${village.code}-${String(i + 1).padStart(5, '0')}`, householdId: h.id, bank: '甘肃省农村信用社', principalFen: loans.principalFen, termMonths: 36, annualRateBp: 435, issuedOn },
      });
    }
  }
}
