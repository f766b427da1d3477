// The public notice (公示): per village, what was paid to whom, posted where anyone can read it. Names are
// masked and ID numbers cut to their last four characters before anything is written to a notice view, so
// no reader of a `village:` view can ever see personal data. The index views (`hh:`, `pending:`) do hold
// full names and ID numbers, because masking needs them; only `village:` views may be published.
import type { DataOf } from '../domain/events.js';
import { payeeHousehold } from './household-card.js';
import { effectiveDateOf, intern, Memo, remember, type Projection, type ProjectedEvent, type Views } from './types.js';

export interface NoticeEntry {
  eventId: string;
  effectiveDate: string;
  /** The payee's name, masked by maskName; empty when no name was recorded anywhere. */
  payee: string;
  idNumberLast4: string | null;
  householdId: string | null;
  programmeId?: string;
  purpose: string;
  amountFen: number;
  reversed: boolean;
}

/** The head of a village's notice; its entries are in pages of NOTICE_PAGE under `village:{code}:{page}`. */
export interface VillageNotice {
  villageCode: string;
  count: number;
  /** What was paid and not reversed, per purpose. */
  totalsByPurpose: Record<string, number>;
}

/** A notice read whole: the head and every entry, oldest first. */
export interface NoticeRead extends VillageNotice {
  entries: NoticeEntry[];
}

/**
 * Entries are kept in pages and updated in place, so that a village with thousands of payments costs one
 * small page write per flush instead of rewriting its whole notice on every event.
 */
export const NOTICE_PAGE = 500;

/** The registry facts the notice needs to name a household's payees: full data, never published. */
export interface HouseholdIndex {
  villageCode: string;
  headName: string;
  headIdNumber: string;
  members: { personId: string; name: string; idNumber: string; relation: string }[];
}

/** A payment to a household whose registration has not been folded yet (imported history): placed once it is. */
export interface PendingEntry extends NoticeEntry {
  personId: string | null;
}
export interface PendingNotice {
  entries: PendingEntry[];
}

export type NoticeView = VillageNotice | NoticeEntry[] | HouseholdIndex | PendingNotice;

export const NOTICE_PREFIX = 'village:';
export const noticeKey = (villageCode: string): string => `${NOTICE_PREFIX}${villageCode}`;
export const householdIndexKey = (householdId: string): string => `hh:${householdId}`;
const pendingKey = (householdId: string): string => `pending:${householdId}`;
const pageKey = (villageCode: string, page: number): string => `${NOTICE_PREFIX}${villageCode}:${page}`;

/** A village's notice with all its entries, or undefined when nothing was paid there. */
export function readNotice(views: Views<NoticeView>, villageCode: string): NoticeRead | undefined {
  const head = views.get(noticeKey(villageCode)) as VillageNotice | undefined;
  if (!head) return undefined;
  const entries: NoticeEntry[] = [];
  for (let page = 0; page * NOTICE_PAGE < head.count; page++) entries.push(...((views.get(pageKey(villageCode, page)) as NoticeEntry[] | undefined) ?? []));
  return { ...head, entries };
}

/**
 * Masks a name for public display: the first and last character stay, each one between becomes '*'; a
 * two-character name keeps only its first; a one-character name stays. Works on code points, so a
 * character outside the Basic Multilingual Plane (common in rare surnames) counts as one.
 */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** The last four characters of an ID number: enough for a villager to recognise an entry, too little to use. */
export function lastFour(idNumber: string): string {
  return [...idNumber].slice(-4).join('');
}

function add(into: Record<string, number>, key: string, fen: number): void {
  const next = (into[key] ?? 0) + fen;
  if (next === 0) delete into[key];
  else into[key] = next;
}

/**
 * The head's masked name and ID number, made once per household and kept under a symbol (left out of the
 * saved view): every entry of the household then shares two strings instead of making two new ones.
 */
const MASKED_HEAD = Symbol('masked head');
type IndexedHousehold = HouseholdIndex & { [MASKED_HEAD]?: { name: string; idNumber: string } };

/** The person a payment names in the registry, masked: the paid member, or the head for a household payee. */
function registeredPayee(hh: IndexedHousehold, personId: string | null): { name: string; idNumber: string } | undefined {
  if (personId === null) return hh[MASKED_HEAD] ?? remember(hh, MASKED_HEAD, { name: maskName(hh.headName), idNumber: lastFour(hh.headIdNumber) });
  const member = hh.members.find((m) => m.personId === personId);
  return member ? { name: maskName(member.name), idNumber: lastFour(member.idNumber) } : undefined;
}

/** Fills what the payment itself did not record from the registry, masked. */
function fillFromRegistry(entry: PendingEntry, hh: HouseholdIndex | undefined): NoticeEntry {
  const { personId, ...rest } = entry;
  const person = hh ? registeredPayee(hh, personId) : undefined;
  return { ...rest, payee: rest.payee || (person?.name ?? ''), idNumberLast4: rest.idNumberLast4 ?? person?.idNumber ?? null };
}

/**
 * The masked entry for a payment. The name and ID number on the payment come first, because they say who
 * was actually paid: if that differs from the registry, the village should be able to see it.
 */
function entryOf(event: ProjectedEvent, d: DataOf<'PaymentMade'>, householdId: string | null): PendingEntry {
  const entry: PendingEntry = {
    eventId: event.id,
    effectiveDate: effectiveDateOf(event),
    payee: d.payee.name ? maskName(d.payee.name) : '',
    idNumberLast4: d.payee.idNumber ? lastFour(d.payee.idNumber) : null,
    householdId,
    purpose: d.purpose,
    amountFen: d.amountFen,
    reversed: false,
    personId: d.payee.kind === 'person' ? d.payee.id : null,
  };
  if (d.programmeId !== undefined) entry.programmeId = d.programmeId;
  return entry;
}

/**
 * The page being filled, remembered on the head under a symbol (left out of the saved view), so that a
 * payment does not build and look up its page's key; pages and heads are only ever changed in place.
 */
const OPEN_PAGE = Symbol('open page');
type LiveNotice = VillageNotice & { [OPEN_PAGE]?: { page: number; key: string; entries: NoticeEntry[] } };

function noticeHead(views: Views<NoticeView>, villageCode: string): LiveNotice {
  return (views.get(noticeKey(villageCode)) as VillageNotice | undefined) ?? { villageCode, count: 0, totalsByPurpose: {} };
}

/** Posts one entry on a village's notice, on the page its number falls on. */
function postOne(views: Views<NoticeView>, head: LiveNotice, entry: NoticeEntry): void {
  const page = Math.floor(head.count / NOTICE_PAGE);
  let open = head[OPEN_PAGE];
  if (open === undefined || open.page !== page) {
    const key = pageKey(head.villageCode, page);
    open = { page, key, entries: (views.get(key) as NoticeEntry[] | undefined) ?? [] };
    remember(head, OPEN_PAGE, open);
  }
  open.entries.push(entry);
  views.put(open.key, open.entries);
  head.count += 1;
  if (!entry.reversed) add(head.totalsByPurpose, entry.purpose, entry.amountFen);
  views.put(noticeKey(head.villageCode), head);
}

/** Posts entries on a village's notice. */
function post(views: Views<NoticeView>, villageCode: string, entries: NoticeEntry[]): void {
  const head = noticeHead(views, villageCode);
  for (const entry of entries) postOne(views, head, entry);
  views.put(noticeKey(villageCode), head);
}

/** Holds a household payment until the household's village is known. */
function hold(views: Views<NoticeView>, householdId: string, entry: PendingEntry): void {
  const pending = (views.get(pendingKey(householdId)) as PendingNotice | undefined) ?? { entries: [] };
  pending.entries.push(entry);
  views.put(pendingKey(householdId), pending);
}

/** The village whose notice shows a payment to someone outside any household: the paying village account's. */
function payingVillage(event: ProjectedEvent): string | undefined {
  const prefix = 'account-village:';
  return event.stream.startsWith(prefix) ? event.stream.slice(prefix.length) : undefined;
}

/** The village notice a registered household's payments go on, remembered on its index entry (not saved). */
const VILLAGE_NOTICE = Symbol('village notice');
/** Household index entries by household id, the lookup every payment makes. */
const HOUSEHOLDS = new Memo<HouseholdIndex>(householdIndexKey);

function onPayment(views: Views<NoticeView>, event: ProjectedEvent): void {
  const d = event.data as DataOf<'PaymentMade'>;
  const householdId = payeeHousehold(d.payee) ?? null;
  if (householdId === null) {
    const village = payingVillage(event);
    if (village) post(views, village, [fillFromRegistry(entryOf(event, d, null), undefined)]);
    return;
  }
  const hh = HOUSEHOLDS.find(views, householdId).view as (IndexedHousehold & { [VILLAGE_NOTICE]?: LiveNotice }) | undefined;
  if (!hh) return hold(views, householdId, entryOf(event, d, householdId));
  // The household is registered: the masked entry is made at once, without a pending copy in between.
  const person = d.payee.name && d.payee.idNumber ? undefined : registeredPayee(hh, d.payee.kind === 'person' ? d.payee.id : null);
  const payee = (d.payee.name ? maskName(d.payee.name) : '') || (person?.name ?? '');
  const idNumberLast4 = d.payee.idNumber ? lastFour(d.payee.idNumber) : (person?.idNumber ?? null);
  const { amountFen, programmeId } = d;
  const purpose = intern(d.purpose);
  // Two literals rather than a field added later, so every entry keeps all its fields in the object itself.
  const entry: NoticeEntry =
    programmeId === undefined
      ? { eventId: event.id, effectiveDate: effectiveDateOf(event), payee, idNumberLast4, householdId, purpose, amountFen, reversed: false }
      : { eventId: event.id, effectiveDate: effectiveDateOf(event), payee, idNumberLast4, householdId, purpose, amountFen, reversed: false, programmeId };
  const head = hh[VILLAGE_NOTICE] ?? remember(hh, VILLAGE_NOTICE, noticeHead(views, hh.villageCode));
  postOne(views, head, entry);
}

function onRegistered(views: Views<NoticeView>, event: ProjectedEvent): void {
  const d = event.data as DataOf<'HouseholdRegistered'>;
  const hh: HouseholdIndex = { villageCode: d.villageCode, headName: d.headName, headIdNumber: d.headIdNumber, members: d.members.map((m) => ({ ...m })) };
  views.put(householdIndexKey(d.householdId), hh);
  const pending = views.get(pendingKey(d.householdId)) as PendingNotice | undefined;
  if (!pending || pending.entries.length === 0) return;
  post(views, d.villageCode, pending.entries.map((entry) => fillFromRegistry(entry, hh)));
  views.put(pendingKey(d.householdId), { entries: [] });
}

function onMemberAdded(views: Views<NoticeView>, event: ProjectedEvent): void {
  const d = event.data as DataOf<'HouseholdMemberAdded'>;
  const hh = views.get(householdIndexKey(d.householdId)) as HouseholdIndex | undefined;
  if (!hh) return;
  const member = { personId: d.personId, name: d.name, idNumber: d.idNumber, relation: d.relation };
  hh.members = [...hh.members.filter((m) => m.personId !== d.personId), member];
  views.put(householdIndexKey(d.householdId), hh);
}

/**
 * Where a reversed payment's entry is: the reversal names the payee, hence the household and its village (or
 * the paying village), and the entry is found in that village's pages, newest first, or among the payments
 * still waiting for the household's registration.
 */
function locate(views: Views<NoticeView>, event: ProjectedEvent, d: DataOf<'EntryReversed'>): { key: string; village?: string } | undefined {
  const householdId = d.payee ? (payeeHousehold(d.payee) ?? null) : null;
  const hh = householdId ? (views.get(householdIndexKey(householdId)) as HouseholdIndex | undefined) : undefined;
  const village = hh?.villageCode ?? (householdId === null ? payingVillage(event) : undefined);
  if (village !== undefined) {
    const head = views.get(noticeKey(village)) as VillageNotice | undefined;
    for (let page = Math.floor(((head?.count ?? 1) - 1) / NOTICE_PAGE); page >= 0; page--) {
      const entries = views.get(pageKey(village, page)) as NoticeEntry[] | undefined;
      if (entries?.some((e) => e.eventId === d.reversesEventId)) return { key: pageKey(village, page), village };
    }
  }
  return householdId ? { key: pendingKey(householdId) } : undefined;
}

function onReversed(views: Views<NoticeView>, event: ProjectedEvent): void {
  const d = event.data as DataOf<'EntryReversed'>;
  if (d.reversedType !== 'PaymentMade') return;
  const at = locate(views, event, d);
  if (!at) return;
  const holder = views.get(at.key) as NoticeEntry[] | PendingNotice | undefined;
  const list = Array.isArray(holder) ? holder : holder?.entries;
  const target = list?.find((e) => e.eventId === d.reversesEventId);
  // A reversal already marked is not taken out of the totals a second time.
  if (!holder || !target || target.reversed) return;
  target.reversed = true;
  views.put(at.key, holder);
  if (at.village === undefined) return;
  const head = views.get(noticeKey(at.village)) as VillageNotice;
  add(head.totalsByPurpose, target.purpose, -target.amountFen);
  views.put(noticeKey(at.village), head);
}

type Handler = (views: Views<NoticeView>, event: ProjectedEvent) => void;

const handlers: Record<string, Handler> = {
  HouseholdRegistered: onRegistered,
  HouseholdMemberAdded: onMemberAdded,
  PaymentMade: onPayment,
  EntryReversed: onReversed,
};

export const publicNotice: Projection<NoticeView> = {
  name: 'public-notice',
  version: 1,
  handles: Object.keys(handlers),
  evolve(views, event) {
    handlers[event.type]?.(views, event);
  },
};
