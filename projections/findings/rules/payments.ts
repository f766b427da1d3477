// Rules over payments to households and people: who was paid (ineligible, related parties), how often
// (duplicates, split payments), when it was written down (late posting), and what the amounts look like
// (round, identical, Benford). Each rule keeps its payments by column (numbers and shared strings) or as
// counters, never whole events, and decides what later facts can change (the registry, officials,
// reversals) in finish(), against the facts as finally known.
import type { DataOf } from '../../../domain/events.js';
import type { RuleParameters } from '../../../domain/rules.js';
import { changeInForce } from '../../../domain/state.js';
import type { ProjectedEvent } from '../../types.js';
import { accountOfStream, effectiveDate, type Facts, type HouseholdFacts } from '../facts.js';
import { yuan, type FinishContext, type ParameterValue, type RaisedFinding, type Rule, type RuleContext, type Severity } from '../types.js';

type Payment = DataOf<'PaymentMade'>;
type Payee = Payment['payee'];
type Reversal = DataOf<'EntryReversed'>;

const DAY_MS = 86_400_000;

/** Day number of an ISO date, cached: dates repeat across thousands of payments, often one after another. */
class Days {
  private readonly cache = new Map<string, number>();
  private lastDate = '';
  private lastDay = 0;
  of(date: string): number {
    if (date === this.lastDate) return this.lastDay;
    let day = this.cache.get(date);
    if (day === undefined) {
      day = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
      this.cache.set(date, day);
    }
    this.lastDate = date;
    this.lastDay = day;
    return day;
  }
}

function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** One string per distinct value, so a million payments hold a few hundred account and date strings. */
class Interner {
  private readonly strings = new Map<string, string>();
  private last = '';
  of(value: string): string {
    // Payment lists come in runs from one account on one date: most lookups are the one just made.
    if (value === this.last) return this.last;
    let seen = this.strings.get(value);
    if (seen === undefined) this.strings.set(value, (seen = value));
    this.last = seen;
    return seen;
  }
}

/**
 * Accounts by the stream their events are posted to, as small integers and one string each. Keyed by the
 * event's own stream string, whose hash every rule shares, rather than by a new slice of it per rule.
 */
class StreamAccounts {
  private readonly byStream = new Map<string, number>();
  private readonly names: string[] = [];
  /** The account's index, or -1 for a stream that is no account. */
  indexOf(stream: string): number {
    let index = this.byStream.get(stream);
    if (index === undefined) {
      const account = accountOfStream(stream);
      index = account === null ? -1 : this.names.push(account) - 1;
      this.byStream.set(stream, index);
    }
    return index;
  }
  /** The account of a stream, one string per account; null for a stream that is no account. */
  of(stream: string): string | null {
    const index = this.indexOf(stream);
    return index < 0 ? null : this.names[index]!;
  }
  name(index: number): string {
    return this.names[index]!;
  }
  get size(): number {
    return this.names.length;
  }
}

/** The rule parameters in force on each date, looked up once per date. */
function parametersOn(ctx: RuleContext): (date: string) => { version: number; parameters: RuleParameters } {
  const cache = new Map<string, { version: number; parameters: RuleParameters }>();
  return (date) => {
    let rules = cache.get(date);
    if (!rules) cache.set(date, (rules = ctx.rulesOn(date)));
    return rules;
  };
}

/** Whether a village lies inside an area (itself, its township, its county): codes nest by prefix. */
function within(village: string, area: string): boolean {
  if (village === area) return true;
  if (area.endsWith('000000')) return village.slice(0, 6) === area.slice(0, 6);
  if (area.endsWith('000')) return village.slice(0, 9) === area.slice(0, 9);
  return village === area;
}

function isVillage(area: string): boolean {
  return !area.endsWith('000');
}

/** A reversal of a payment undoes it: the payment no longer counts for any rule. */
function reversedPayment(event: ProjectedEvent): Reversal | undefined {
  const data = event.data as Reversal;
  return data.reversedType === 'PaymentMade' ? data : undefined;
}

function payeeKey(payee: Payee): string {
  return `${payee.kind}:${payee.id}`;
}

function payeeLabel(payee: { kind: string; id: string; name?: string | undefined }): { zh: string; en: string } {
  const zhKind: Record<string, string> = { household: '农户', person: '个人', contractor: '承包商', cooperative: '合作社', bank: '银行' };
  const name = payee.name ? `（${payee.name}）` : '';
  return { zh: `${zhKind[payee.kind] ?? payee.kind}${payee.id}${name}`, en: `${payee.kind} ${payee.id}${payee.name ? ` (${payee.name})` : ''}` };
}

function householdLabel(facts: Facts, householdId: string): { zh: string; en: string } {
  const name = facts.households.get(householdId)?.headName;
  return { zh: `户${householdId}${name ? `（户主${name}）` : ''}`, en: `household ${householdId}${name ? ` (head ${name})` : ''}` };
}

/** A payment and the registry events that prove a finding about it, oldest (lowest log position) first. */
function proofOrder(positions: Map<string, number>, eventId: string, position: number, others: string[]): string[] {
  const at = (id: string) => (id === eventId ? position : positions.get(id) ?? position);
  return [...new Set([eventId, ...others])].sort((a, b) => at(a) - at(b));
}

// ------------------------------------------------------------------------------------------------------
// ineligible_payee, duplicate_benefit, related_party_benefit: payments to households and their members.

/** A registry entry for an ID number: who carries it. */
type IdEntry = { householdId: string; personId: string };

/** One payment to a household or a person, as the finish phase reads it back from the ledger. */
interface HouseholdPayment {
  row: number;
  position: number;
  eventId: string;
  account: string;
  date: string;
  amountFen: number;
  kind: 'household' | 'person';
  payeeId: string;
  /** The payee's name as paid, kept only where the registry could not name the payee when it was folded. */
  name: string | undefined;
  /** The registry entry of the payee's ID number, or the ID number itself when the registry did not know it. */
  idEntry: IdEntry | undefined;
  idNumber: string | undefined;
  /** As the payment named it (payee household, or the person's householdId). */
  householdId: string | undefined;
}

/**
 * Payments to households and persons, one row each, kept by column: a million payments are a few arrays of
 * numbers and shared strings rather than a million objects for the collector to trace. Strings that repeat
 * (accounts, dates, household and person ids) are interned; an ID number is kept as the registry's entry for
 * it, which already exists, and as a string only when the registry did not know it yet.
 */
class HouseholdLedger {
  readonly ids: string[] = [];
  readonly positions: number[] = [];
  readonly accounts: string[] = [];
  readonly dates: string[] = [];
  readonly amounts: number[] = [];
  readonly persons: (string | undefined)[] = [];
  readonly households: (string | undefined)[] = [];
  readonly idRefs: (IdEntry | string | undefined)[] = [];
  readonly names = new Map<number, string>();

  add(event: ProjectedEvent, d: Payment, facts: Facts, strings: { dates: Interner; ids: Interner }, account: string): number {
    const row = this.ids.length;
    const named = d.payee.kind === 'household' ? d.payee.id : d.payee.householdId;
    const idNumber = d.payee.idNumber;
    this.ids.push(event.id);
    this.positions.push(event.position);
    this.accounts.push(account);
    this.dates.push(strings.dates.of(effectiveDate(event)));
    this.amounts.push(d.amountFen);
    this.persons.push(d.payee.kind === 'person' ? strings.ids.of(d.payee.id) : undefined);
    this.households.push(named === undefined ? undefined : strings.ids.of(named));
    const ref = idNumber === undefined ? undefined : facts.byIdNumber.get(idNumber) ?? idNumber;
    this.idRefs.push(ref);
    // A payee the registry already names (by ID number or household) needs no name of its own.
    if (d.payee.name !== undefined && typeof ref !== 'object' && (named === undefined || !facts.households.has(named))) this.names.set(row, d.payee.name);
    return row;
  }

  /** Reads a row into `into`, a scratch object reused for every row. */
  read(row: number, into: HouseholdPayment, facts: Facts): HouseholdPayment {
    const person = this.persons[row];
    const ref = this.idRefs[row];
    into.row = row;
    into.position = this.positions[row]!;
    into.eventId = this.ids[row]!;
    into.account = this.accounts[row]!;
    into.date = this.dates[row]!;
    into.amountFen = this.amounts[row]!;
    into.kind = person === undefined ? 'household' : 'person';
    into.payeeId = person ?? this.households[row]!;
    into.name = this.names.size > 0 ? this.names.get(row) : undefined;
    into.idEntry = typeof ref === 'string' ? facts.byIdNumber.get(ref) : ref;
    into.idNumber = typeof ref === 'string' ? ref : undefined;
    into.householdId = this.households[row];
    return into;
  }
}

const scratch = (): HouseholdPayment => ({ row: 0, position: 0, eventId: '', account: '', date: '', amountFen: 0, kind: 'household', payeeId: '', name: undefined, idEntry: undefined, idNumber: undefined, householdId: undefined });

interface LoanTuple {
  eventId: string;
  householdId: string;
  villageCode: string;
  principalFen: number;
  date: string;
}

interface HouseholdState {
  ledger: HouseholdLedger;
  /** programme → period → household → the first row paid for it; repeats keep every row, first included. */
  benefits: Map<string, Map<string, Map<string, number>>>;
  benefitRepeats: Map<string, number[]>;
  loans: LoanTuple[];
  reversed: Set<string>;
  /** Log positions of registry events, so proof lists are oldest first. */
  positions: Map<string, number>;
  accounts: StreamAccounts;
  dates: Interner;
  ids: Interner;
}

/** Notes the first payment of a programme and period to each household, and every one after it. */
function recordBenefit(state: HouseholdState, row: number, programmeId: string, period: string): void {
  const ref = state.ledger.idRefs[row];
  const householdId = state.ledger.households[row] ?? (typeof ref === 'object' ? ref.householdId : undefined);
  if (householdId === undefined) return;
  let periods = state.benefits.get(programmeId);
  if (!periods) state.benefits.set(programmeId, (periods = new Map()));
  let paid = periods.get(period);
  if (!paid) periods.set(period, (paid = new Map()));
  const first = paid.get(householdId);
  if (first === undefined) {
    paid.set(householdId, row);
    return;
  }
  const key = `${householdId}\u0000${programmeId}\u0000${period}`;
  const repeats = state.benefitRepeats.get(key);
  if (repeats) repeats.push(row);
  else state.benefitRepeats.set(key, [first, row]);
}

/** The household a payment is for: the one it names, or the one whose member carries the payee's ID number. */
function householdOf(p: HouseholdPayment): string | undefined {
  return p.householdId ?? p.idEntry?.householdId;
}

interface Ineligibility {
  reason: string;
  severity: Severity;
  proof: string[];
  zh: string;
  en: string;
}

/** Why a payment's household or person could not be paid on its date, from the registry as finally known. */
function ineligibility(facts: Facts, p: HouseholdPayment, householdId: string | undefined, area: string | null, rulesOn: (date: string) => { parameters: RuleParameters }, deaths: DeathIndex, dayNumbers: Days): Ineligibility | null {
  if (householdId === undefined) {
    return { reason: 'no_household', severity: 'severe', proof: [], zh: `收款人${p.payeeId}未注明所属的建档立卡户，无法核实资格`, en: `person ${p.payeeId} names no registered household, so no eligibility check could run` };
  }
  const household = facts.households.get(householdId);
  if (!household) return { reason: 'not_registered', severity: 'severe', proof: [], zh: `户${householdId}不在建档立卡登记中`, en: `household ${householdId} is not on the registry` };
  const status = changeInForce(household.statuses, p.date);
  if (!status) {
    return { reason: 'not_yet_registered', severity: 'severe', proof: [household.eventId], zh: `户${householdId}于${household.registeredOn}才登记，支付时尚未登记`, en: `household ${householdId} was only registered on ${household.registeredOn}` };
  }
  if (status.status === 'removed') {
    return { reason: 'removed', severity: 'severe', proof: [status.eventId], zh: `户${householdId}已于${status.on}被清退出登记`, en: `household ${householdId} was removed from the registry on ${status.on}` };
  }
  if (status.status === 'exited') {
    const days = dayNumbers.of(p.date) - dayNumbers.of(status.on);
    const rules = rulesOn(p.date).parameters;
    if (days > rules.postExitWindowDays) {
      return {
        reason: 'exited_beyond_window', severity: 'warning', proof: [status.eventId],
        zh: `户${householdId}已于${status.on}脱贫，距支付${days}天，超过政策延续期${rules.postExitWindowDays}天（postExitWindowDays）`,
        en: `household ${householdId} exited on ${status.on}, ${days} days before; policies continue for ${rules.postExitWindowDays} days (postExitWindowDays)`,
      };
    }
  }
  if (area && !within(household.villageCode, area)) {
    return { reason: 'outside_area', severity: 'severe', proof: [household.eventId], zh: `户${householdId}登记在${household.villageCode}，不在付款账户所属地区${area}内`, en: `household ${householdId} is registered in ${household.villageCode}, outside ${area} that the paying account serves` };
  }
  if (p.kind === 'household' && !deaths.anyDied(household)) return null;
  return deceased(p, household);
}

/** Whether anyone in a household died, asked once per household rather than once per payment. */
class DeathIndex {
  private readonly seen = new Map<string, boolean>();
  anyDied(household: HouseholdFacts): boolean {
    let died = this.seen.get(household.householdId);
    if (died === undefined) {
      died = false;
      for (const person of household.persons.values()) if (person.diedOn !== undefined) died = true;
      this.seen.set(household.householdId, died);
    }
    return died;
  }
}

/** Whether the person paid (a person payee, or a household paid under a member's ID number) was dead, or every member. */
function deceased(p: HouseholdPayment, household: HouseholdFacts): Ineligibility | null {
  const id = household.householdId;
  const byId = p.idEntry;
  const personId = p.kind === 'person' && household.persons.has(p.payeeId) ? p.payeeId : byId?.householdId === id ? byId.personId : undefined;
  if (p.kind === 'person' && personId === undefined) {
    return { reason: 'not_a_member', severity: 'severe', proof: [household.eventId], zh: `${p.payeeId}不是户${id}的成员`, en: `person ${p.payeeId} is not a member of household ${id}` };
  }
  const person = personId !== undefined ? household.persons.get(personId) : undefined;
  if (person?.diedOn !== undefined && person.diedOn <= p.date) {
    return { reason: 'deceased', severity: 'severe', proof: person.deathEventId ? [person.deathEventId] : [], zh: `${person.name}（${personId}）已于${person.diedOn}死亡`, en: `${person.name} (${personId}) died on ${person.diedOn}` };
  }
  if (p.kind !== 'household' || household.persons.size === 0) return null;
  const deaths: string[] = [];
  let last = '';
  for (const member of household.persons.values()) {
    if (member.diedOn === undefined || member.diedOn > p.date) return null;
    if (member.deathEventId) deaths.push(member.deathEventId);
    if (member.diedOn > last) last = member.diedOn;
  }
  return { reason: 'all_members_deceased', severity: 'severe', proof: deaths, zh: `户${id}全部成员已于${last}前死亡`, en: `every member of household ${id} had died by ${last}` };
}

/** Who in the official register a household or ID number belongs to: officials themselves and declared relatives. */
interface Tie {
  official: { officialId: string; name: string; role: string; villageCode: string };
  relation: string;
  name: string;
  eventIds: string[];
}

function tiesIndex(facts: Facts): { byHousehold: Map<string, Tie[]>; byIdNumber: Map<string, Tie[]> } {
  const byHousehold = new Map<string, Tie[]>();
  const byIdNumber = new Map<string, Tie[]>();
  const add = (map: Map<string, Tie[]>, key: string | undefined, tie: Tie) => {
    if (key === undefined) return;
    const list = map.get(key);
    if (!list) map.set(key, [tie]);
    else if (!list.includes(tie)) list.push(tie);
  };
  for (const o of facts.officials.values()) {
    const official = { officialId: o.officialId, name: o.name, role: o.role, villageCode: o.villageCode };
    const self: Tie = { official, relation: 'self', name: o.name, eventIds: [o.eventId] };
    add(byHousehold, o.householdId, self);
    add(byIdNumber, o.idNumber, self);
    add(byHousehold, facts.byIdNumber.get(o.idNumber)?.householdId, self);
    for (const r of o.relatives) {
      const tie: Tie = { official, relation: r.relation, name: r.name, eventIds: [o.eventId, r.eventId] };
      add(byHousehold, r.householdId, tie);
      add(byIdNumber, r.idNumber, tie);
      add(byHousehold, r.idNumber ? facts.byIdNumber.get(r.idNumber)?.householdId : undefined, tie);
    }
  }
  return { byHousehold, byIdNumber };
}

const NO_TIES: Tie[] = [];

/** Ties of the household paid, of the household the payee's ID number belongs to, and of the ID number itself. */
function tiesOf(index: ReturnType<typeof tiesIndex>, householdId: string | undefined, p: HouseholdPayment): Tie[] {
  const own = householdId !== undefined ? index.byHousehold.get(householdId) : undefined;
  const other = p.idEntry !== undefined && p.idEntry.householdId !== householdId ? index.byHousehold.get(p.idEntry.householdId) : undefined;
  const byIdNumber = p.idNumber !== undefined ? index.byIdNumber.get(p.idNumber) : undefined;
  if (!other && !byIdNumber) return own ?? NO_TIES;
  return [...new Set([...(own ?? []), ...(other ?? []), ...(byIdNumber ?? [])])];
}

/** The payee as the registry names it; the name paid under only where the registry does not know the payee. */
function payeeOf(facts: Facts, p: HouseholdPayment, householdId: string | undefined): { kind: string; id: string; name?: string } {
  const household = householdId !== undefined ? facts.households.get(householdId) : undefined;
  const name = p.kind === 'person' ? household?.persons.get(p.payeeId)?.name : household?.headName;
  return { kind: p.kind, id: p.payeeId, ...((name ?? p.name) !== undefined ? { name: (name ?? p.name)! } : {}) };
}

function describeTies(ties: Tie[]): { zh: string; en: string } {
  return {
    zh: ties.map((t) => (t.relation === 'self' ? `${t.official.villageCode}村干部${t.official.name}（${t.official.role}）本人户` : `${t.official.villageCode}村干部${t.official.name}（${t.official.role}）申报的亲属${t.name}（${t.relation}）`)).join('；'),
    en: ties.map((t) => (t.relation === 'self' ? `the household of village official ${t.official.name} (${t.official.role}) of ${t.official.villageCode}` : `${t.name}, declared ${t.relation} of village official ${t.official.name} (${t.official.role}) of ${t.official.villageCode}`)).join('; '),
  };
}

const householdPaymentsRule: Rule<HouseholdState> = {
  name: 'payments to households: eligibility, duplicate benefits, related parties',
  codes: ['ineligible_payee', 'duplicate_benefit', 'related_party_benefit'],
  handles: ['PaymentMade', 'EntryReversed', 'MicroLoanIssued', 'HouseholdRegistered', 'HouseholdStatusChanged', 'PersonDied', 'VillageOfficialRegistered', 'RelativeDeclared'],
  initial: () => ({ ledger: new HouseholdLedger(), benefits: new Map(), benefitRepeats: new Map(), loans: [], reversed: new Set(), positions: new Map(), accounts: new StreamAccounts(), dates: new Interner(), ids: new Interner() }),
  evolve(state, event, ctx) {
    switch (event.type) {
      case 'PaymentMade': {
        const d = event.data as Payment;
        if (d.payee.kind !== 'household' && d.payee.kind !== 'person') return;
        const account = state.accounts.of(event.stream);
        if (account === null) return;
        const row = state.ledger.add(event, d, ctx.facts, state, account);
        if (d.programmeId && d.period) recordBenefit(state, row, d.programmeId, d.period);
        return;
      }
      case 'EntryReversed': {
        const r = reversedPayment(event);
        if (r) state.reversed.add(r.reversesEventId);
        return;
      }
      case 'MicroLoanIssued': {
        const l = event.data as DataOf<'MicroLoanIssued'>;
        state.positions.set(event.id, event.position);
        state.loans.push({ eventId: event.id, householdId: l.householdId, villageCode: l.villageCode, principalFen: l.principalFen, date: effectiveDate(event) });
        return;
      }
      default:
        state.positions.set(event.id, event.position);
    }
  },
  finish(state, ctx) {
    const rulesOn = parametersOn(ctx);
    const ties = tiesIndex(ctx.facts);
    const deaths = new DeathIndex();
    const dayNumbers = new Days();
    const { ledger } = state;
    const p = scratch();
    for (let row = 0; row < ledger.ids.length; row++) {
      if (state.reversed.size > 0 && state.reversed.has(ledger.ids[row]!)) continue;
      ledger.read(row, p, ctx.facts);
      const householdId = householdOf(p);
      const area = ctx.facts.areaOfAccount(p.account);
      checkEligible(state, ctx, p, householdId, area, rulesOn, deaths, dayNumbers);
      checkRelated(state, ctx, p, householdId, area, ties);
    }
    for (const [key, rows] of state.benefitRepeats) {
      const live = rows.filter((row) => !state.reversed.has(ledger.ids[row]!));
      const [householdId, programmeId, period] = key.split('\u0000') as [string, string, string];
      // Each later payment pairs with the first earlier one it repeats: the household paid again, or the same
      // person. Two members each paid their own wage for one month are two benefits, not one paid twice.
      const persons = ledger.persons;
      for (let i = 1; i < live.length; i++) {
        const later = live[i]!;
        const first = live.slice(0, i).find((row) => persons[row] === undefined || persons[later] === undefined || persons[row] === persons[later]);
        if (first !== undefined) raiseDuplicateBenefit(ctx, ledger.read(first, scratch(), ctx.facts), ledger.read(later, scratch(), ctx.facts), householdId, programmeId, period);
      }
    }
    for (const loan of state.loans) checkRelatedLoan(state, ctx, loan, ties);
  },
};

function checkEligible(state: HouseholdState, ctx: FinishContext, p: HouseholdPayment, householdId: string | undefined, area: string | null, rulesOn: (date: string) => { version: number; parameters: RuleParameters }, deaths: DeathIndex, dayNumbers: Days): void {
  const why = ineligibility(ctx.facts, p, householdId, area, rulesOn, deaths, dayNumbers);
  if (!why) return;
  const rules = rulesOn(p.date);
  // The paying village is where the finding belongs (as for the broken control on the same payment); above
  // village level the payee's village says more than a county or township code.
  const village = area !== null && isVillage(area) ? area : (householdId && ctx.facts.households.get(householdId)?.villageCode) || area;
  const payee = payeeLabel(payeeOf(ctx.facts, p, householdId));
  ctx.raise({
    code: 'ineligible_payee',
    key: p.eventId,
    severity: why.severity,
    areaCode: village,
    accounts: [p.account],
    amountFen: p.amountFen,
    eventIds: proofOrder(state.positions, p.eventId, p.position, why.proof),
    parameters: { reason: why.reason, postExitWindowDays: rules.parameters.postExitWindowDays, ruleVersion: rules.version },
    effectiveDate: p.date,
    explanation: {
      zh: `${p.account}于${p.date}向${payee.zh}支付${yuan(p.amountFen)}，但${why.zh}（虚报冒领风险）。`,
      en: `${p.account} paid ${yuan(p.amountFen)} to ${payee.en} on ${p.date}, but ${why.en}.`,
    },
  });
}

function raiseDuplicateBenefit(ctx: FinishContext, first: HouseholdPayment, second: HouseholdPayment, householdId: string, programmeId: string, period: string): void {
  const household = householdLabel(ctx.facts, householdId);
  ctx.raise({
    code: 'duplicate_benefit',
    key: [first.eventId, second.eventId].sort().join('|'),
    severity: 'severe',
    areaCode: ctx.facts.households.get(householdId)?.villageCode ?? ctx.facts.areaOfAccount(second.account),
    accounts: [...new Set([first.account, second.account])],
    amountFen: second.amountFen,
    eventIds: [first.eventId, second.eventId],
    parameters: { programmeId, period },
    effectiveDate: second.date,
    explanation: {
      zh: `${household.zh}就项目${programmeId}的${period}期两次受益：${first.date}由${first.account}支付${yuan(first.amountFen)}，${second.date}又由${second.account}支付${yuan(second.amountFen)}（重复享受）。`,
      en: `${household.en} was paid twice for programme ${programmeId}, period ${period}: ${yuan(first.amountFen)} by ${first.account} on ${first.date} and again ${yuan(second.amountFen)} by ${second.account} on ${second.date}.`,
    },
  });
}

/**
 * A benefit is related-party when the household paid is an official's own or a declared relative's, and the
 * official serves the village of the payment: the paying village account's, or the payee household's village.
 */
function checkRelated(state: HouseholdState, ctx: FinishContext, p: HouseholdPayment, householdId: string | undefined, area: string | null, index: ReturnType<typeof tiesIndex>): void {
  const found = tiesOf(index, householdId, p);
  if (found.length === 0) return;
  const village = householdId ? ctx.facts.households.get(householdId)?.villageCode : undefined;
  const relevant = found.filter((t) => t.official.villageCode === village || (area !== null && isVillage(area) && t.official.villageCode === area));
  if (relevant.length === 0) return;
  const payee = payeeLabel(payeeOf(ctx.facts, p, householdId));
  const who = describeTies(relevant);
  ctx.raise({
    code: 'related_party_benefit',
    key: p.eventId,
    severity: 'warning',
    areaCode: relevant[0]!.official.villageCode,
    accounts: [p.account],
    amountFen: p.amountFen,
    eventIds: proofOrder(state.positions, p.eventId, p.position, relevant.flatMap((t) => t.eventIds)),
    parameters: { officials: [...new Set(relevant.map((t) => t.official.officialId))], relations: relevant.map((t) => t.relation) },
    effectiveDate: p.date,
    explanation: {
      zh: `${p.account}于${p.date}向${payee.zh}支付${yuan(p.amountFen)}，收款户为${who.zh}（优亲厚友风险）。`,
      en: `${p.account} paid ${yuan(p.amountFen)} to ${payee.en} on ${p.date}; the payee is ${who.en}.`,
    },
  });
}

function checkRelatedLoan(state: HouseholdState, ctx: FinishContext, loan: LoanTuple, index: ReturnType<typeof tiesIndex>): void {
  const relevant = (index.byHousehold.get(loan.householdId) ?? NO_TIES).filter((t) => t.official.villageCode === loan.villageCode);
  if (relevant.length === 0) return;
  const who = describeTies(relevant);
  const household = householdLabel(ctx.facts, loan.householdId);
  ctx.raise({
    code: 'related_party_benefit',
    key: loan.eventId,
    severity: 'warning',
    areaCode: loan.villageCode,
    accounts: [],
    amountFen: loan.principalFen,
    eventIds: proofOrder(state.positions, loan.eventId, state.positions.get(loan.eventId) ?? 0, relevant.flatMap((t) => t.eventIds)),
    parameters: { officials: [...new Set(relevant.map((t) => t.official.officialId))], relations: relevant.map((t) => t.relation) },
    effectiveDate: loan.date,
    explanation: {
      zh: `${loan.date}向${household.zh}发放扶贫小额信贷${yuan(loan.principalFen)}，该户为${who.zh}（优亲厚友风险）。`,
      en: `A micro-loan of ${yuan(loan.principalFen)} was issued to ${household.en} on ${loan.date}; it is ${who.en}.`,
    },
  });
}

// ------------------------------------------------------------------------------------------------------
// duplicate_payment: same voucher on one account, same bank reference anywhere, or same payee, amount and
// date (and same purpose, project, stage and programme) under two payment ids.

/** Every payment, one row each, kept by column; the maps below point at rows. */
class PaymentRows {
  readonly ids: string[] = [];
  readonly accounts: string[] = [];
  readonly dates: string[] = [];
  readonly amounts: number[] = [];
  readonly vouchers: string[] = [];
  /** The payee of each payment that repeats an earlier one: the only payees an explanation names. */
  readonly payees = new Map<number, Payee>();
}

interface DuplicateState {
  rows: PaymentRows;
  /** account → voucher → first row. */
  vouchers: Map<string, Map<string, number>>;
  bankRefs: Map<string, number>;
  same: Map<string, number>;
  /** Only keys seen more than once (`kind\0scope\0key`): the first row and every later one, in log order. */
  repeats: Map<string, number[]>;
  reversed: Set<string>;
  accounts: StreamAccounts;
  dates: Interner;
}

type DuplicateKind = 'v' | 'b' | 's';

function remember(state: DuplicateState, map: Map<string, number>, key: string, kind: DuplicateKind, scope: string, row: number, payee: Payee): void {
  const first = map.get(key);
  if (first === undefined) {
    map.set(key, row);
    return;
  }
  state.rows.payees.set(row, payee);
  const repeatKey = `${kind}\u0000${scope}\u0000${key}`;
  const list = state.repeats.get(repeatKey);
  if (list) list.push(row);
  else state.repeats.set(repeatKey, [first, row]);
}

const REASONS: Record<DuplicateKind, { zh: string; en: string; parameter: string; severity: Severity }> = {
  v: { zh: '同一账户凭证号重复', en: 'the same voucher number on one account', parameter: 'voucherNo', severity: 'severe' },
  b: { zh: '银行流水号重复', en: 'the same bank reference', parameter: 'bankRef', severity: 'severe' },
  s: { zh: '同一收款人、同一金额、同一日期、同一用途', en: 'the same payee, amount, date and purpose', parameter: 'payeeAmountDate', severity: 'warning' },
};

const duplicatePaymentsRule: Rule<DuplicateState> = {
  name: 'duplicate payments',
  codes: ['duplicate_payment'],
  handles: ['PaymentMade', 'EntryReversed'],
  initial: () => ({ rows: new PaymentRows(), vouchers: new Map(), bankRefs: new Map(), same: new Map(), repeats: new Map(), reversed: new Set(), accounts: new StreamAccounts(), dates: new Interner() }),
  evolve(state, event) {
    if (event.type === 'EntryReversed') {
      const r = reversedPayment(event);
      if (r) state.reversed.add(r.reversesEventId);
      return;
    }
    const d = event.data as Payment;
    const account = state.accounts.of(event.stream);
    if (account === null) return;
    const { rows } = state;
    const row = rows.ids.length;
    const date = state.dates.of(effectiveDate(event));
    rows.ids.push(event.id);
    rows.accounts.push(account);
    rows.dates.push(date);
    rows.amounts.push(d.amountFen);
    rows.vouchers.push(d.voucherNo);
    let vouchers = state.vouchers.get(account);
    if (!vouchers) state.vouchers.set(account, (vouchers = new Map()));
    remember(state, vouchers, d.voucherNo, 'v', account, row, d.payee);
    if (d.bankRef) remember(state, state.bankRefs, d.bankRef, 'b', '', row, d.payee);
    // Benefits under a programme and period are duplicates whatever their amount or date (duplicate_benefit);
    // 贴息 repeats are checked against the interest windows by the loan rules.
    if ((d.programmeId && d.period) || d.purpose === 'interest_subsidy') return;
    const same = `${payeeKey(d.payee)}\u0000${d.amountFen}\u0000${date}\u0000${d.purpose}\u0000${d.projectId ?? ''}\u0000${d.stage ?? ''}\u0000${d.programmeId ?? ''}\u0000${d.loanId ?? ''}`;
    remember(state, state.same, same, 's', '', row, d.payee);
  },
  finish(state, ctx) {
    const { rows } = state;
    const pairs = new Map<string, { first: number; later: number; kinds: Set<DuplicateKind>; detail: string[] }>();
    for (const [repeatKey, list] of state.repeats) {
      const live = list.filter((row) => !state.reversed.has(rows.ids[row]!));
      const [kind, , key] = repeatKey.split('\u0000') as [DuplicateKind, string, string];
      for (let i = 1; i < live.length; i++) {
        const first = live[0]!;
        const later = live[i]!;
        const pairKey = [rows.ids[first]!, rows.ids[later]!].sort().join('|');
        let pair = pairs.get(pairKey);
        if (!pair) pairs.set(pairKey, (pair = { first, later, kinds: new Set(), detail: [] }));
        pair.kinds.add(kind);
        if (kind === 'v') pair.detail.push(`voucher ${key}`);
        if (kind === 'b') pair.detail.push(`bank reference ${key}`);
      }
    }
    for (const [key, pair] of pairs) raiseDuplicate(ctx, rows, key, pair.first, pair.later, [...pair.kinds].sort(), pair.detail);
  },
};

function raiseDuplicate(ctx: FinishContext, rows: PaymentRows, key: string, first: number, later: number, kinds: DuplicateKind[], detail: string[]): void {
  const payee = payeeLabel(rows.payees.get(later)!);
  const [account, date, amount, voucher] = [rows.accounts[later]!, rows.dates[later]!, rows.amounts[later]!, rows.vouchers[later]!];
  const [firstAccount, firstDate, firstAmount, firstVoucher] = [rows.accounts[first]!, rows.dates[first]!, rows.amounts[first]!, rows.vouchers[first]!];
  ctx.raise({
    code: 'duplicate_payment',
    key,
    severity: kinds.some((k) => REASONS[k].severity === 'severe') ? 'severe' : 'warning',
    areaCode: ctx.facts.areaOfAccount(account),
    accounts: [...new Set([firstAccount, account])],
    amountFen: amount,
    eventIds: [rows.ids[first]!, rows.ids[later]!],
    parameters: { matchedOn: kinds.map((k) => REASONS[k].parameter) },
    effectiveDate: date,
    explanation: {
      zh: `${account}于${date}向${payee.zh}支付${yuan(amount)}（凭证${voucher}），与${firstDate}${firstAccount}的${yuan(firstAmount)}支付（凭证${firstVoucher}）重复：${kinds.map((k) => REASONS[k].zh).join('、')}。`,
      en: `${account} paid ${yuan(amount)} to ${payee.en} on ${date} (voucher ${voucher}), repeating the ${yuan(firstAmount)} payment by ${firstAccount} on ${firstDate} (voucher ${firstVoucher}): ${kinds.map((k) => REASONS[k].en).join(', ')}${detail.length ? ` (${detail.join(', ')})` : ''}.`,
    },
  });
}

// ------------------------------------------------------------------------------------------------------
// split_payment: several payments from one account to one payee, each under the approval threshold, whose
// effective dates lie within splitWindowDays of the first, together at or above the threshold.

/**
 * Payments by column: payee and account as small integers, dates as day numbers. Grouping by payee waits for
 * finish(), and only for payees paid at least the lowest threshold in all: most never are.
 */
interface SplitState {
  /** Payee key → index; household ids alone, other kinds with their kind, which no household id can equal. */
  payeeIndex: Map<string, number>;
  payees: Payee[];
  /** Per payee, everything paid to it from any account: under the lowest threshold it cannot hold a split. */
  payeeTotals: number[];
  accounts: StreamAccounts;
  rowPayee: number[];
  rowAccount: number[];
  rowDay: number[];
  rowAmount: number[];
  rowPosition: number[];
  rowId: string[];
  reversed: Set<string>;
  days: Days;
}

/** The lowest approval threshold of any rule version: a payee paid less than that in all is never a split. */
function lowestThreshold(facts: Facts): number {
  let lowest = facts.rulesOn('1900-01-01').parameters.approvalThresholdFen;
  for (const version of facts.ruleVersions) lowest = Math.min(lowest, version.parameters.approvalThresholdFen);
  return lowest;
}

const splitPaymentsRule: Rule<SplitState> = {
  name: 'split payments',
  codes: ['split_payment'],
  handles: ['PaymentMade', 'EntryReversed'],
  initial: () => ({ payeeIndex: new Map(), payees: [], payeeTotals: [], accounts: new StreamAccounts(), rowPayee: [], rowAccount: [], rowDay: [], rowAmount: [], rowPosition: [], rowId: [], reversed: new Set(), days: new Days() }),
  evolve(state, event) {
    if (event.type === 'EntryReversed') {
      const r = reversedPayment(event);
      if (r) state.reversed.add(r.reversesEventId);
      return;
    }
    const d = event.data as Payment;
    const account = state.accounts.indexOf(event.stream);
    if (account < 0 || d.purpose === 'interest_subsidy') return;
    const key = d.payee.kind === 'household' ? d.payee.id : `${d.payee.kind}\u0000${d.payee.id}`;
    let payee = state.payeeIndex.get(key);
    if (payee === undefined) {
      payee = state.payees.length;
      state.payeeIndex.set(key, payee);
      state.payees.push(d.payee);
      state.payeeTotals.push(0);
    }
    state.payeeTotals[payee]! += d.amountFen;
    state.rowPayee.push(payee);
    state.rowAccount.push(account);
    state.rowDay.push(state.days.of(effectiveDate(event)));
    state.rowAmount.push(d.amountFen);
    state.rowPosition.push(event.position);
    state.rowId.push(event.id);
  },
  finish(state, ctx) {
    const rulesOn = parametersOn(ctx);
    const lowest = lowestThreshold(ctx.facts);
    const isoDays = new Map<number, string>();
    const iso = (day: number): string => {
      let date = isoDays.get(day);
      if (date === undefined) isoDays.set(day, (date = isoOfDay(day)));
      return date;
    };
    // Rows of the payees that could hold a split, grouped by payee and account.
    const groups = new Map<number, number[]>();
    const width = state.accounts.size;
    for (let row = 0; row < state.rowId.length; row++) {
      const payee = state.rowPayee[row]!;
      if (state.payeeTotals[payee]! < lowest) continue;
      const key = payee * width + state.rowAccount[row]!;
      const rows = groups.get(key);
      if (rows) rows.push(row);
      else groups.set(key, [row]);
    }
    for (const rows of groups.values()) {
      if (rows.length < 2) continue;
      for (const cluster of splitClusters(state, rows, (day) => rulesOn(iso(day)))) raiseSplit(ctx, state, cluster, iso);
    }
  },
};

interface SplitCluster {
  rows: number[];
  sum: number;
  rules: { version: number; parameters: RuleParameters };
}

/** From each payment in date order: the payments under the threshold within the window of it, if they reach it. */
function splitClusters(state: SplitState, all: number[], rulesOn: (day: number) => { version: number; parameters: RuleParameters }): SplitCluster[] {
  const { rowDay: day, rowAmount: amount, rowPosition: position } = state;
  const rows = state.reversed.size === 0 ? all : all.filter((row) => !state.reversed.has(state.rowId[row]!));
  rows.sort((a, b) => day[a]! - day[b]! || position[a]! - position[b]!);
  const clusters: SplitCluster[] = [];
  for (let i = 0; i < rows.length; ) {
    const start = rows[i]!;
    const rules = rulesOn(day[start]!);
    const { approvalThresholdFen: threshold, splitWindowDays: window } = rules.parameters;
    if (amount[start]! >= threshold) {
      i++;
      continue;
    }
    let j = i;
    let sum = 0;
    const members: number[] = [];
    for (; j < rows.length && day[rows[j]!]! - day[start]! <= window; j++) {
      if (amount[rows[j]!]! < threshold) {
        members.push(rows[j]!);
        sum += amount[rows[j]!]!;
      }
    }
    // Every member is under the threshold, so reaching it takes two or more.
    if (sum >= threshold) {
      clusters.push({ rows: members, sum, rules });
      i = j;
    } else i++;
  }
  return clusters;
}

function raiseSplit(ctx: FinishContext, state: SplitState, { rows, sum, rules }: SplitCluster, iso: (day: number) => string): void {
  const account = state.accounts.name(state.rowAccount[rows[0]!]!);
  const dates = rows.map((row) => iso(state.rowDay[row]!));
  const parts = rows.map((row) => yuan(state.rowAmount[row]!)).join(' + ');
  const byLog = [...rows].sort((a, b) => state.rowPosition[a]! - state.rowPosition[b]!);
  const payee = payeeLabel(state.payees[state.rowPayee[rows[0]!]!]!);
  const { approvalThresholdFen, splitWindowDays } = rules.parameters;
  ctx.raise({
    code: 'split_payment',
    key: state.rowId[rows[0]!]!,
    severity: 'warning',
    areaCode: ctx.facts.areaOfAccount(account),
    accounts: [account],
    amountFen: sum,
    eventIds: byLog.map((row) => state.rowId[row]!),
    parameters: { approvalThresholdFen, splitWindowDays, ruleVersion: rules.version, payments: rows.length },
    effectiveDate: dates[dates.length - 1]!,
    explanation: {
      zh: `${account}在${dates[0]}至${dates[dates.length - 1]}的${splitWindowDays}天窗口内向${payee.zh}分${rows.length}笔支付（${parts}），每笔均低于审批限额${yuan(approvalThresholdFen)}，合计${yuan(sum)}达到限额（拆分支付规避审批）。`,
      en: `${account} paid ${payee.en} ${rows.length} times between ${dates[0]} and ${dates[dates.length - 1]} (${parts}), within the ${splitWindowDays}-day window; each is under the ${yuan(approvalThresholdFen)} approval threshold, together ${yuan(sum)} reaches it.`,
    },
  });
}

// ------------------------------------------------------------------------------------------------------
// late_posting: a money event recorded more than latePostingDays after it took effect; over four times that,
// severe. The recording time is the command's (metadata.recordedAt), not when an import wrote it.

const MONEY_EVENTS = ['PaymentMade', 'TransferSent', 'TransferReceived', 'AppropriationReceived', 'AllocationMade', 'InterestSubsidyGranted', 'MicroLoanIssued', 'EntryReversed'] as const;

const latePostingRule: Rule<Days> = {
  name: 'late posting',
  codes: ['late_posting'],
  handles: MONEY_EVENTS,
  initial: () => new Days(),
  evolve(dayNumbers, event, ctx) {
    const recorded = (event.metadata.recordedAt ?? event.recordedAt).slice(0, 10);
    const date = effectiveDate(event);
    const days = dayNumbers.of(recorded) - dayNumbers.of(date);
    // Written the day it happened (or earlier): on time under any rules, no need to look them up.
    if (days <= 0) return;
    const rules = ctx.rulesOn(date);
    const limit = rules.parameters.latePostingDays;
    if (days <= limit) return;
    const d = event.data as { amountFen?: number; principalFen?: number; fromAccount?: string; villageCode?: string };
    const account = accountOfStream(event.stream) ?? (event.type === 'InterestSubsidyGranted' ? d.fromAccount ?? null : null);
    const severe = days > 4 * limit;
    ctx.raise({
      code: 'late_posting',
      key: event.id,
      severity: severe ? 'severe' : 'warning',
      areaCode: account ? ctx.facts.areaOfAccount(account) : d.villageCode ?? null,
      accounts: account ? [account] : [],
      amountFen: d.amountFen ?? d.principalFen ?? 0,
      eventIds: [event.id],
      parameters: { latePostingDays: limit, severeAfterDays: 4 * limit, daysLate: days, recordedOn: recorded, ruleVersion: rules.version },
      effectiveDate: date,
      explanation: {
        zh: `${event.type}（${yuan(d.amountFen ?? d.principalFen ?? 0)}）记为${date}发生，却在${recorded}才入账，晚了${days}天，超过${limit}天的期限${severe ? '四倍以上' : ''}（补记、倒签风险）。`,
        en: `${event.type} of ${yuan(d.amountFen ?? d.principalFen ?? 0)} dated ${date} was recorded on ${recorded}, ${days} days later, beyond the ${limit}-day limit (latePostingDays)${severe ? ' by more than four times' : ''}.`,
      },
    });
  },
};

// ------------------------------------------------------------------------------------------------------
// round_amounts, identical_amounts, benford_deviation: what the amounts of many payments look like together.

/** Round amounts: an account whose household and person payments are mostly whole multiples of ¥1,000. */
const ROUND = { minItems: 20, share: 0.8, unitFen: 100_000, maxEvidence: 50 };
/**
 * Identical amounts: one account paying the same amount that is not a whole multiple of ¥100 to at least five
 * different payees on one effective date. Programme payments (fixed per-household rates) and 贴息 are left
 * out: identical amounts are what those schemes should produce.
 */
const IDENTICAL = { minPayees: 5, roundUnitFen: 10_000 };
/** Benford on project spending per county (Nigrini: chi-square at p < 0.05 with 8 df, and first-digit MAD). */
const BENFORD = { minItems: 500, chiSquareCritical: 15.51, madThreshold: 0.015, maxEvidence: 50 };
const BENFORD_P = [0, ...Array.from({ length: 9 }, (_, i) => Math.log10(1 + 1 / (i + 1)))];

interface RoundCounts {
  n: number;
  round: number;
  roundFen: number;
  lastDate: string;
  evidence: string[];
}

interface BenfordCounts {
  counts: number[];
  n: number;
  totalFen: number;
  lastDate: string;
  /** Per digit, the first payments with it (event id and account), for the proof. */
  evidence: { id: string; account: string }[][];
}

interface AmountState {
  round: Map<string, RoundCounts>;
  /** account, date, amount → flat pairs of payee key and event id. */
  identical: Map<string, string[]>;
  benford: Map<string, BenfordCounts>;
  /** Project payments counted for Benford → their county, so a reversal takes them out again. */
  benfordCounted: Map<string, string>;
  reversed: Set<string>;
  accounts: StreamAccounts;
  dates: Interner;
}

const firstDigit = (fen: number): number => String(fen).charCodeAt(0) - 48;

const amountPatternsRule: Rule<AmountState> = {
  name: 'round, identical and Benford amounts',
  codes: ['round_amounts', 'identical_amounts', 'benford_deviation'],
  handles: ['PaymentMade', 'EntryReversed'],
  initial: () => ({ round: new Map(), identical: new Map(), benford: new Map(), benfordCounted: new Map(), reversed: new Set(), accounts: new StreamAccounts(), dates: new Interner() }),
  evolve(state, event, ctx) {
    if (event.type === 'EntryReversed') {
      unfoldReversal(state, event);
      return;
    }
    const d = event.data as Payment;
    const account = state.accounts.of(event.stream);
    if (account === null || d.purpose === 'interest_subsidy') return;
    const date = state.dates.of(effectiveDate(event));
    if (d.payee.kind === 'household' || d.payee.kind === 'person') {
      let r = state.round.get(account);
      if (!r) state.round.set(account, (r = { n: 0, round: 0, roundFen: 0, lastDate: date, evidence: [] }));
      r.n += 1;
      if (date > r.lastDate) r.lastDate = date;
      if (d.amountFen % ROUND.unitFen === 0) {
        r.round += 1;
        r.roundFen += d.amountFen;
        if (r.evidence.length < ROUND.maxEvidence) r.evidence.push(event.id);
      }
    }
    if (!d.programmeId && d.amountFen % IDENTICAL.roundUnitFen !== 0) {
      const key = `${account}|${date}|${d.amountFen}`;
      const list = state.identical.get(key);
      if (list) list.push(payeeKey(d.payee), event.id);
      else state.identical.set(key, [payeeKey(d.payee), event.id]);
    }
    if (!d.programmeId && (d.projectId || account.startsWith('project:'))) {
      const area = ctx.facts.areaOfAccount(account);
      if (!area) return;
      const county = ctx.facts.countyOf(area);
      let b = state.benford.get(county);
      if (!b) state.benford.set(county, (b = { counts: new Array<number>(10).fill(0), n: 0, totalFen: 0, lastDate: date, evidence: Array.from({ length: 10 }, () => []) }));
      const digit = firstDigit(d.amountFen);
      b.counts[digit]! += 1;
      b.n += 1;
      b.totalFen += d.amountFen;
      if (date > b.lastDate) b.lastDate = date;
      if (b.evidence[digit]!.length < BENFORD.maxEvidence) b.evidence[digit]!.push({ id: event.id, account });
      state.benfordCounted.set(event.id, county);
    }
  },
  finish(state, ctx) {
    finishRound(state, ctx);
    finishIdentical(state, ctx);
    finishBenford(state, ctx);
  },
};

/** Counters are taken back at once; identical-amount groups skip reversed payments when they are judged. */
function unfoldReversal(state: AmountState, event: ProjectedEvent): void {
  const r = reversedPayment(event);
  if (!r) return;
  state.reversed.add(r.reversesEventId);
  const account = state.accounts.of(event.stream);
  const round = account !== null ? state.round.get(account) : undefined;
  if (round && (r.payee?.kind === 'household' || r.payee?.kind === 'person')) {
    const at = round.evidence.indexOf(r.reversesEventId);
    // Only payments the rule counted: 贴息 goes to banks, so household and person payees were all counted.
    round.n -= 1;
    if (r.amountFen % ROUND.unitFen === 0) {
      round.round -= 1;
      round.roundFen -= r.amountFen;
    }
    if (at >= 0) round.evidence.splice(at, 1);
  }
  const county = state.benfordCounted.get(r.reversesEventId);
  const b = county !== undefined ? state.benford.get(county) : undefined;
  if (b) {
    const digit = firstDigit(r.amountFen);
    b.counts[digit]! -= 1;
    b.n -= 1;
    b.totalFen -= r.amountFen;
    const evidence = b.evidence[digit]!;
    const at = evidence.findIndex((e) => e.id === r.reversesEventId);
    if (at >= 0) evidence.splice(at, 1);
    state.benfordCounted.delete(r.reversesEventId);
  }
}

function finishRound(state: AmountState, ctx: FinishContext): void {
  for (const [account, r] of state.round) {
    if (r.n < ROUND.minItems || r.round < ROUND.share * r.n) continue;
    const share = r.round / r.n;
    const percent = `${(share * 100).toFixed(1)}%`;
    ctx.raise({
      code: 'round_amounts',
      key: account,
      severity: 'info',
      areaCode: ctx.facts.areaOfAccount(account),
      accounts: [account],
      amountFen: r.roundFen,
      eventIds: r.evidence,
      parameters: { minItems: ROUND.minItems, share: ROUND.share, unitFen: ROUND.unitFen, payments: r.n, roundPayments: r.round, observedShare: Number(share.toFixed(4)) },
      effectiveDate: r.lastDate,
      explanation: {
        zh: `${account}向农户和个人支付${r.n}笔，其中${r.round}笔（${percent}，合计${yuan(r.roundFen)}）恰为${yuan(ROUND.unitFen)}的整数倍，达到${ROUND.share * 100}%的提示线（至少${ROUND.minItems}笔）；整数金额多见于估算或编造的名单。证据列出前${ROUND.maxEvidence}笔。`,
        en: `${account} made ${r.n} payments to households and persons, ${r.round} of them (${percent}, ${yuan(r.roundFen)} in all) exact multiples of ${yuan(ROUND.unitFen)}, at or above the ${ROUND.share * 100}% line (at least ${ROUND.minItems} payments); round amounts suggest estimated or invented lists. The proof lists the first ${ROUND.maxEvidence}.`,
      },
    });
  }
}

function finishIdentical(state: AmountState, ctx: FinishContext): void {
  for (const [key, list] of state.identical) {
    if (list.length < 2 * IDENTICAL.minPayees) continue;
    const payees = new Set<string>();
    const ids: string[] = [];
    for (let i = 0; i < list.length; i += 2) {
      if (state.reversed.has(list[i + 1]!)) continue;
      payees.add(list[i]!);
      ids.push(list[i + 1]!);
    }
    if (payees.size < IDENTICAL.minPayees) continue;
    const [account, date, amount] = key.split('|') as [string, string, string];
    const amountFen = Number(amount);
    ctx.raise({
      code: 'identical_amounts',
      key,
      severity: 'warning',
      areaCode: ctx.facts.areaOfAccount(account),
      accounts: [account],
      amountFen: amountFen * ids.length,
      eventIds: ids,
      parameters: { minPayees: IDENTICAL.minPayees, roundUnitFen: IDENTICAL.roundUnitFen, amountFen, payees: payees.size },
      effectiveDate: date,
      explanation: {
        zh: `${account}于${date}向${payees.size}个不同收款人各支付了同样的非整数金额${yuan(amountFen)}（共${ids.length}笔，合计${yuan(amountFen * ids.length)}；不含定额项目和贴息），可能是复制的虚假名单。`,
        en: `${account} paid the same non-round amount ${yuan(amountFen)} to ${payees.size} different payees on ${date} (${ids.length} payments, ${yuan(amountFen * ids.length)} in all; programme payments and interest subsidies left out), as a copied or invented list would.`,
      },
    });
  }
}

function finishBenford(state: AmountState, ctx: FinishContext): void {
  for (const [county, b] of state.benford) {
    if (b.n < BENFORD.minItems) continue;
    let chiSquare = 0;
    let mad = 0;
    let worst = 1;
    for (let d = 1; d <= 9; d++) {
      const expected = b.n * BENFORD_P[d]!;
      chiSquare += (b.counts[d]! - expected) ** 2 / expected;
      mad += Math.abs(b.counts[d]! / b.n - BENFORD_P[d]!) / 9;
      if (b.counts[d]! / b.n - BENFORD_P[d]! > b.counts[worst]! / b.n - BENFORD_P[worst]!) worst = d;
    }
    if (chiSquare <= BENFORD.chiSquareCritical || mad <= BENFORD.madThreshold) continue;
    const evidence = b.evidence[worst]!;
    const observed = b.counts[worst]! / b.n;
    const parameters: Record<string, ParameterValue> = {
      minItems: BENFORD.minItems, chiSquareCritical: BENFORD.chiSquareCritical, madThreshold: BENFORD.madThreshold,
      n: b.n, chiSquare: Number(chiSquare.toFixed(2)), mad: Number(mad.toFixed(4)), digit: worst,
      observedShare: Number(observed.toFixed(4)), expectedShare: Number(BENFORD_P[worst]!.toFixed(4)),
    };
    const finding: RaisedFinding = {
      code: 'benford_deviation',
      key: county,
      severity: 'warning',
      areaCode: county,
      accounts: [...new Set(evidence.map((e) => e.account))],
      amountFen: b.totalFen,
      eventIds: evidence.map((e) => e.id),
      parameters,
      effectiveDate: b.lastDate,
      explanation: {
        zh: `${county}的${b.n}笔项目支出（合计${yuan(b.totalFen)}，不含定额项目和贴息）首位数字分布偏离本福特定律：卡方${chiSquare.toFixed(2)}（临界值${BENFORD.chiSquareCritical}，自由度8，p<0.05），平均绝对偏差${mad.toFixed(4)}（超过${BENFORD.madThreshold}）；首位为${worst}的占${(observed * 100).toFixed(1)}%，应为${(BENFORD_P[worst]! * 100).toFixed(1)}%。证据列出首位为${worst}的前${evidence.length}笔支付。`,
        en: `The first digits of ${b.n} project payments in ${county} (${yuan(b.totalFen)}, programme payments and interest subsidies left out) depart from Benford's law: chi-square ${chiSquare.toFixed(2)} over ${BENFORD.chiSquareCritical} (8 df, p < 0.05) and MAD ${mad.toFixed(4)} over ${BENFORD.madThreshold}; ${(observed * 100).toFixed(1)}% start with ${worst} where ${(BENFORD_P[worst]! * 100).toFixed(1)}% are expected. The proof lists the first ${evidence.length} payments starting with ${worst}, the most over-represented digit.`,
      },
    };
    ctx.raise(finding);
  }
}

// Each rule keeps its own state type; the engine only hands a rule back what its initial() made.
export const PAYMENT_RULES: Rule<any>[] = [householdPaymentsRule, duplicatePaymentsRule, splitPaymentsRule, latePostingRule, amountPatternsRule];

/** The heaviest payment rule (the household ledger) and two light ones: one detection thread's share. */
export const HEAVY_PAYMENT_RULES: Rule<any>[] = [householdPaymentsRule, latePostingRule, amountPatternsRule];
