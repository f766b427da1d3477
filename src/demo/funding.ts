// Where the money comes from. Every yuan the generator pays out is first appropriated to a county pool
// (central, provincial, county self-raised, donation) or a sector pool integrated through the year's plan
// (统筹整合), allocated to townships by factors (因素法), sent down each quarter and confirmed received, so
// that each account holds exactly what it will pay: normal accounts end every year empty, and no money sits
// idle unless a planted case leaves it there.
import type { LotChoice } from '../../domain/commands.js';
import type { Purpose } from '../../domain/values.js';
import { addDays, at, quarterOf, yearOf, ymd } from './calendar.js';
import type { County } from './model.js';
import { accountTag, type Case, type Schedule } from './ops.js';

export type Origin = 'central' | 'provincial' | 'self' | 'donation' | 'int:agri' | 'int:water' | 'int:transport' | 'int:housing';

export const POOL_SOURCES: Record<'central' | 'provincial' | 'self' | 'donation', { sourceId: string; doc: string }> = {
  central: { sourceId: 'central-special', doc: '财农' },
  provincial: { sourceId: 'provincial-special', doc: '甘财农' },
  self: { sourceId: 'county-self', doc: '县财预' },
  donation: { sourceId: 'donation-east', doc: '东西协作' },
};

export const SECTORS: Record<'int:agri' | 'int:water' | 'int:transport' | 'int:housing', { sourceId: string; native: Purpose; doc: string }> = {
  'int:agri': { sourceId: 'sector-agri', native: 'industry_development', doc: '甘财农（农业生产发展）' },
  'int:water': { sourceId: 'sector-water', native: 'infrastructure', doc: '甘财农（水利发展）' },
  'int:transport': { sourceId: 'sector-transport', native: 'infrastructure', doc: '甘财建（农村公路）' },
  'int:housing': { sourceId: 'sector-housing', native: 'housing_renovation', doc: '甘财社（农村危房改造）' },
};

export const PLAN_PURPOSES: Purpose[] = ['infrastructure', 'housing_renovation', 'industry_development', 'project_construction'];

const isSector = (o: Origin): o is keyof typeof SECTORS => o.startsWith('int:');

export const planId = (six: string, year: number): string => `plan-${six}-${year}`;
export const poolOf = (county: string, sourceId: string, year: number): string => `pool:${county}:${sourceId}:${year}`;
export const apId = (six: string, year: number, sourceId: string, purpose: Purpose): string => `ap-${six}-${year}-${sourceId}-${purpose}`;

export interface Piece {
  origin: Origin;
  amountFen: number;
}

export interface Lot extends LotChoice {
  /** The account the lot is drawn from at the county level. */
  account: string;
}

/** Day the quarter's money leaves the county pools: after January's appropriations, else the 2nd. */
export function quarterStart(year: number, quarter: number): string {
  return quarter === 0 ? ymd(year, 1, 7) : ymd(year, quarter * 3 + 1, 2);
}

interface Need {
  account: string;
  township: string;
  village?: string;
  year: number;
  quarter: number;
  purpose: Purpose;
  fen: number;
}

export interface ProjectFunding {
  projectId: string;
  year: number;
  purpose: Purpose;
  fundOn: string;
  channels: [Origin, number][];
  fen: number;
  /** Receipt delay per transfer, days. */
  receiveAfter: number;
  /** Cases the receipts prove (idle money, a project funded beyond its budget). */
  receiptCases?: Case[];
}

/**
 * Needs are gathered first (quarterly per village and township account and purpose; per project; direct
 * spends of pools), then plan() turns them into appropriations, the integration plan, allocations and transfers.
 */
export class Funding {
  private readonly needs = new Map<string, Need>();
  private readonly specials = new Map<string, Need & { lots?: Lot[] }>();
  readonly projects: ProjectFunding[] = [];
  /** `{origin}|{year}|{purpose}` → fen spent straight from the pool (or integrated from a sector pool). */
  private readonly poolSpends = new Map<string, number>();
  /** Self-raised funds per year: as designed (selfRaised), and as appropriated after rounding (selfAppropriated). */
  readonly selfRaised = new Map<number, number>();
  readonly selfAppropriated = new Map<number, number>();
  private readonly transferAmounts = new Map<string, number>();
  /** Near-misses the normal postings carry: integrations at exactly the plan's limits, self-raised growth. */
  integrationCase?: Case;
  selfRaisedCase?: Case;

  constructor(
    readonly county: County,
    readonly years: number[],
  ) {}

  private townshipOf(account: string): { township: string; village?: string } {
    const code = account.slice(account.indexOf(':') + 1);
    if (account.startsWith('village:')) return { township: `${code.slice(0, 9)}000`, village: code };
    if (account.startsWith('township:')) return { township: code };
    throw new Error(`quarterly funding is for village and township accounts, not ${account}`);
  }

  /** A payment (or other outflow) from a village or township account, funded by the quarter's transfers. */
  addQuarterly(account: string, date: string, purpose: Purpose, fen: number): void {
    const year = yearOf(date);
    const quarter = quarterOf(date);
    const key = `${account}|${year}|${quarter}|${purpose}`;
    const need = this.needs.get(key);
    if (need) need.fen += fen;
    else this.needs.set(key, { account, ...this.townshipOf(account), year, quarter, purpose, fen });
  }

  /** An outflow of a township account whose lots the generator names: a special transfer down to a village. */
  addSpecial(id: string, account: string, date: string, purpose: Purpose, fen: number): void {
    this.specials.set(id, { account, ...this.townshipOf(account), year: yearOf(date), quarter: quarterOf(date), purpose, fen });
  }

  /** The amount of a transfer plan() scheduled. */
  transferAmount(transferId: string): number {
    const fen = this.transferAmounts.get(transferId);
    if (fen === undefined) throw new Error(`no transfer ${transferId} was planned`);
    return fen;
  }

  /** The lots a special outflow carries (after plan()). */
  specialLots(id: string): LotChoice[] {
    const special = this.specials.get(id);
    if (!special?.lots) throw new Error(`no lots planned for ${id}`);
    return special.lots.map(({ appropriationId, purpose, amountFen }) => ({ appropriationId, purpose, amountFen }));
  }

  /** Money spent straight from a county pool (or integrated out of a sector pool) by a planted posting. */
  addPoolSpend(origin: Origin, year: number, purpose: Purpose, fen: number): void {
    const key = `${origin}|${year}|${purpose}`;
    this.poolSpends.set(key, (this.poolSpends.get(key) ?? 0) + fen);
  }

  addProject(p: ProjectFunding): void {
    this.projects.push(p);
  }

  /** The account a lot of `origin` sits in at the county level, and its appropriation id. */
  lotOf(origin: Origin, year: number, purpose: Purpose): { account: string; appropriationId: string } {
    const six = this.county.six;
    if (isSector(origin)) {
      const sector = SECTORS[origin];
      return { account: `integration:${planId(six, year)}`, appropriationId: apId(six, year, sector.sourceId, sector.native) };
    }
    const source = POOL_SOURCES[origin].sourceId;
    return { account: poolOf(this.county.code, source, year), appropriationId: apId(six, year, source, purpose) };
  }

  /** Which origins pay for a purpose at village level, and in what shares. */
  private mix(purpose: Purpose, year: number, selfShare: Map<string, number>): [Origin, number][] {
    const self = selfShare.get(`${year}|${purpose}`);
    if (self !== undefined) return self >= 1 ? [['self', 1]] : self <= 0 ? [['provincial', 1]] : [['self', self], ['provincial', 1 - self]];
    switch (purpose) {
      case 'household_benefit':
        return [['central', 0.6], ['provincial', 0.4]];
      case 'industry_development':
        return [['central', 0.5], ['provincial', 0.5]];
      case 'housing_renovation':
        return [['int:housing', 1]];
      case 'medical_aid':
      case 'training':
      case 'public_welfare_jobs':
        return [['provincial', 1]];
      default:
        return [['central', 1]];
    }
  }

  /**
   * County self-raised funds: a designed amount growing 25% a year (seed 000 asks for at least 20%), spent
   * first on medical aid, training and public-welfare jobs; the provincial fund pays the rest of those.
   */
  private selfShares(): Map<string, number> {
    const byYear = new Map<number, Map<Purpose, number>>();
    const add = (n: Need): void => {
      let m = byYear.get(n.year);
      if (!m) byYear.set(n.year, (m = new Map()));
      m.set(n.purpose, (m.get(n.purpose) ?? 0) + n.fen);
    };
    for (const n of this.needs.values()) add(n);
    for (const n of this.specials.values()) add(n);
    const order: Purpose[] = ['medical_aid', 'training', 'public_welfare_jobs'];
    const total = (y: number): number => order.reduce((sum, p) => sum + (byYear.get(y)?.get(p) ?? 0), 0);
    const k = this.years.length - 1;
    const least = Math.min(...this.years.map(total));
    const base = Math.max(1_000_000, Math.floor((0.5 * least) / 1.25 ** k / 1_000_000) * 1_000_000);
    const shares = new Map<string, number>();
    this.years.forEach((y, i) => {
      let left = Math.round(base * 1.25 ** i);
      this.selfRaised.set(y, left);
      for (const p of order) {
        const need = byYear.get(y)?.get(p) ?? 0;
        if (need === 0) continue;
        const take = Math.min(need, left);
        shares.set(`${y}|${p}`, take / need);
        left -= take;
      }
    });
    return shares;
  }

  /**
   * Turns the needs into postings: appropriations (one per source, year and purpose, exactly what leaves the
   * pool), the year's integration plan and integrations, allocations to townships and the quarterly transfers.
   * `integrationExtra` is money a planted posting integrates out of a sector pool itself.
   */
  plan(schedule: Schedule, integrationExtra: Map<string, number>): void {
    const county = this.county;
    const six = county.six;
    const shares = this.selfShares();
    // origin account → township → year|quarter → lot key → lot
    const toTownship = new Map<string, Map<string, Lot>>();
    const toVillage = new Map<string, Map<string, Lot>>();
    const outflow = new Map<string, number>(); // `${origin}|${year}|${purpose}` (purpose of the lot, post-integration for sectors)
    const addLot = (map: Map<string, Map<string, Lot>>, key: string, lot: Lot): void => {
      let lots = map.get(key);
      if (!lots) map.set(key, (lots = new Map()));
      const k = `${lot.account}|${lot.appropriationId}|${lot.purpose}`;
      const seen = lots.get(k);
      if (seen) seen.amountFen += lot.amountFen;
      else lots.set(k, { ...lot });
    };
    const pieces = (n: Need): Lot[] => {
      const mix = this.mix(n.purpose, n.year, shares);
      const out: Lot[] = [];
      let left = n.fen;
      mix.forEach(([origin, share], i) => {
        const part = i === mix.length - 1 ? left : Math.floor(n.fen * share);
        left -= part;
        if (part <= 0) return;
        const where = this.lotOf(origin, n.year, n.purpose);
        out.push({ account: where.account, appropriationId: where.appropriationId, purpose: n.purpose, amountFen: part });
        const key = `${origin}|${n.year}|${n.purpose}`;
        outflow.set(key, (outflow.get(key) ?? 0) + part);
      });
      return out;
    };
    const route = (n: Need, lots: Lot[]): void => {
      for (const lot of lots) {
        addLot(toTownship, `${lot.account}|${n.township}|${n.year}|${n.quarter}`, lot);
        if (n.village) addLot(toVillage, `${n.township}|${n.village}|${n.year}|${n.quarter}`, { ...lot, account: `township:${n.township}` });
      }
    };
    for (const key of [...this.needs.keys()].sort()) {
      const n = this.needs.get(key)!;
      route(n, pieces(n));
    }
    for (const id of [...this.specials.keys()].sort()) {
      const s = this.specials.get(id)!;
      s.lots = pieces(s);
      route({ ...s, village: undefined } as Need, s.lots);
    }
    // Projects: each channel sends its share to the project account.
    const projectTransfers: { p: ProjectFunding; lots: Lot[] }[] = [];
    for (const p of this.projects) {
      const lots: Lot[] = [];
      let left = p.fen;
      p.channels.forEach(([origin, share], i) => {
        const part = i === p.channels.length - 1 ? left : Math.floor(p.fen * share);
        left -= part;
        if (part <= 0) return;
        const where = this.lotOf(origin, p.year, p.purpose);
        lots.push({ account: where.account, appropriationId: where.appropriationId, purpose: p.purpose, amountFen: part });
        const key = `${origin}|${p.year}|${p.purpose}`;
        outflow.set(key, (outflow.get(key) ?? 0) + part);
      });
      projectTransfers.push({ p, lots });
    }
    for (const [key, fen] of this.poolSpends) outflow.set(key, (outflow.get(key) ?? 0) + fen);

    for (const year of this.years) {
      // Appropriations into the pools, one per source and purpose.
      const appropriations = new Map<string, { origin: Origin; sourceId: string; purpose: Purpose; fen: number }>();
      const integrations: { origin: keyof typeof SECTORS; purpose: Purpose; fen: number }[] = [];
      for (const [key, fen] of [...outflow].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const [origin, y, purpose] = key.split('|') as [Origin, string, Purpose];
        if (Number(y) !== year || fen <= 0) continue;
        if (isSector(origin)) {
          const sector = SECTORS[origin];
          const extra = integrationExtra.get(`${origin}|${year}|${purpose}`) ?? 0;
          if (fen - extra > 0) integrations.push({ origin, purpose, fen: fen - extra });
          const k = `${sector.sourceId}|${sector.native}`;
          const a = appropriations.get(k);
          if (a) a.fen += fen;
          else appropriations.set(k, { origin, sourceId: sector.sourceId, purpose: sector.native, fen });
        } else {
          const sourceId = POOL_SOURCES[origin].sourceId;
          appropriations.set(`${sourceId}|${purpose}`, { origin, sourceId, purpose, fen });
          if (origin === 'self') this.selfAppropriated.set(year, (this.selfAppropriated.get(year) ?? 0) + fen);
        }
      }
      let docNo = 10;
      for (const [, a] of [...appropriations].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        const doc = isSector(a.origin) ? SECTORS[a.origin].doc : POOL_SOURCES[a.origin as keyof typeof POOL_SOURCES].doc;
        const selfCase = a.origin === 'self' && this.selfRaisedCase ? { cases: [this.selfRaisedCase] } : {};
        schedule.add({
          rec: at(ymd(year, 1, 3), 9),
          date: ymd(year, 1, 3),
          actor: 'finance-budget',
          role: 'finance',
          ...selfCase,
          body: {
            type: 'RecordAppropriation',
            appropriationId: apId(six, year, a.sourceId, a.purpose),
            countyCode: county.code,
            sourceId: a.sourceId,
            fiscalYear: year,
            purpose: a.purpose,
            amountFen: a.fen,
            documentNo: `${doc}〔${year}〕${docNo++}号`,
            verifier: '县财政局预算股',
          },
        });
      }
      // The year's integration plan, at exactly what it integrates, and the integrations themselves.
      if (integrations.length > 0) {
        const bySource = new Map<string, number>();
        for (const i of integrations) bySource.set(SECTORS[i.origin].sourceId, (bySource.get(SECTORS[i.origin].sourceId) ?? 0) + i.fen);
        const totalFen = [...bySource.values()].reduce((s, v) => s + v, 0);
        schedule.add({
          rec: at(ymd(year, 1, 4), 9),
          date: ymd(year, 1, 4),
          actor: 'finance-budget',
          role: 'finance',
          body: {
            type: 'ApproveIntegrationPlan',
            planId: planId(six, year),
            countyCode: county.code,
            name: `${county.name}${year}年度统筹整合使用财政涉农资金实施方案`,
            allowedPurposes: PLAN_PURPOSES,
            sources: [...bySource].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([sourceId, maxFen]) => ({ sourceId, maxFen })),
            totalFen,
            documentNo: `县政发〔${year}〕3号`,
          },
        });
        for (const i of integrations) {
          const sector = SECTORS[i.origin];
          schedule.add({
            rec: at(ymd(year, 1, 5), 10),
            date: ymd(year, 1, 5),
            actor: 'finance-budget',
            role: 'finance',
            ...(year === this.years[this.years.length - 1] && this.integrationCase ? { cases: [this.integrationCase] } : {}),
            body: {
              type: 'IntegrateFunds',
              integrationId: `int-${year}-${sector.sourceId}-${i.purpose}`,
              planId: planId(six, year),
              fromAccount: poolOf(county.code, sector.sourceId, year),
              amountFen: i.fen,
              purpose: i.purpose,
              lots: [{ appropriationId: apId(six, year, sector.sourceId, sector.native), purpose: sector.native, amountFen: i.fen }],
            },
          });
        }
      }
      // Allocations to townships by factors, then the quarterly transfers.
      const allocated = new Map<string, number>();
      for (const [key, lots] of toTownship) {
        const [account, township, y] = key.split('|') as [string, string, string];
        if (Number(y) !== year || !account.startsWith('pool:')) continue;
        const k = `${account}|${township}`;
        allocated.set(k, (allocated.get(k) ?? 0) + [...lots.values()].reduce((s, l) => s + l.amountFen, 0));
      }
      for (const [k, fen] of [...allocated].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const [account, township] = k.split('|') as [string, string];
        const t = county.townships.find((x) => x.code === township)!;
        const households = t.villages.reduce((s, v) => s + v.households.length, 0);
        const people = t.villages.reduce((s, v) => s + v.households.reduce((n, h) => n + h.persons.length, 0), 0);
        schedule.add({
          rec: at(ymd(year, 1, 6), 10),
          date: ymd(year, 1, 6),
          actor: 'finance-budget',
          role: 'finance',
          body: {
            type: 'AllocateFunds',
            allocationId: `al-${year}-${accountTag(account)}-${township.slice(6, 9)}`,
            fromAccount: account,
            toAccount: `township:${township}`,
            amountFen: fen,
            factors: [
              { name: '建档立卡户数', value: households },
              { name: '建档立卡人口', value: people },
              { name: '贫困村个数', value: t.villages.length },
            ],
          },
        });
      }
      for (let q = 0; q < 4; q++) {
        const start = quarterStart(year, q);
        const day = (n: number): string => ymd(year, Number(start.slice(5, 7)), Number(start.slice(8, 10)) + n);
        for (const [key, lots] of [...toTownship].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
          const [account, township, y, qq] = key.split('|') as [string, string, string, string];
          if (Number(y) !== year || Number(qq) !== q) continue;
          const transferId = `tq-${year}q${q + 1}-${accountTag(account)}-${township.slice(6, 9)}`;
          this.transfer(schedule, transferId, account, `township:${township}`, [...lots.values()], day(0), day(1));
        }
        for (const [key, lots] of [...toVillage].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
          const [township, village, y, qq] = key.split('|') as [string, string, string, string];
          if (Number(y) !== year || Number(qq) !== q) continue;
          const transferId = `tq-${year}q${q + 1}-v${village}`;
          this.transfer(schedule, transferId, `township:${township}`, `village:${village}`, [...lots.values()], day(2), day(3 + (Number(village.slice(-1)) % 2)));
        }
      }
    }
    // Project funding: one transfer per channel account, received a day or three later.
    for (const { p, lots } of projectTransfers) {
      const byAccount = new Map<string, Lot[]>();
      for (const lot of lots) byAccount.set(lot.account, [...(byAccount.get(lot.account) ?? []), lot]);
      let n = 0;
      for (const [account, group] of [...byAccount].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        n += 1;
        this.transfer(schedule, `tp-${p.projectId}-${n}`, account, `project:${p.projectId}`, group, p.fundOn, addDays(p.fundOn, p.receiveAfter), p.receiptCases);
      }
    }
  }

  private transfer(schedule: Schedule, transferId: string, from: string, to: string, lots: Lot[], sendOn: string, receiveOn: string, receiptCases?: Case[]): void {
    const amountFen = lots.reduce((s, l) => s + l.amountFen, 0);
    if (amountFen <= 0) return;
    this.transferAmounts.set(transferId, amountFen);
    const choices = lots
      .filter((l) => l.amountFen > 0)
      .sort((a, b) => (a.appropriationId < b.appropriationId ? -1 : a.appropriationId > b.appropriationId ? 1 : a.purpose < b.purpose ? -1 : 1))
      .map(({ appropriationId, purpose, amountFen }) => ({ appropriationId, purpose, amountFen }));
    schedule.add({ rec: at(sendOn, 10), date: sendOn, actor: 'finance-treasury', role: 'finance', body: { type: 'SendTransfer', transferId, fromAccount: from, toAccount: to, amountFen, lots: choices, documentNo: `拨${sendOn.slice(0, 4)}-${transferId.slice(-12)}` } });
    schedule.add({
      rec: at(receiveOn, 9),
      date: receiveOn,
      actor: 'finance-receipt',
      role: 'finance',
      ...(receiptCases ? { cases: receiptCases } : {}),
      body: { type: 'ReceiveTransfer', transferId, fromAccount: from, toAccount: to, amountFen },
    });
  }
}
