// A projection is a pure fold: given the views it keeps and one recorded event, it updates those views.
// The runner (src/projections/runner.ts) does all I/O: checkpoints, reading the log, saving views.
import type { EventMetadata } from '../domain/events.js';

/** A recorded event as projections see it: typed envelope, data left to each projection to read. */
export interface ProjectedEvent {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: Partial<EventMetadata>;
  recordedAt: string;
  /**
   * `metadata.effectiveDate`, when the reader took it from the stored text without parsing the rest of the
   * metadata (src/projections/log.ts); read it with metadataEffectiveDate or effectiveDateOf.
   */
  effectiveDate?: string;
}

/** The effective date the command recorded in the metadata, if any. */
export const metadataEffectiveDate = (event: ProjectedEvent): string | undefined => event.effectiveDate ?? event.metadata.effectiveDate;

/** The date a fact took effect; an event without one (never written by the executor) falls back to when it was recorded. */
export const effectiveDateOf = (event: ProjectedEvent): string => metadataEffectiveDate(event) ?? event.recordedAt.slice(0, 10);

/**
 * The keyed views a projection reads and writes while folding; the runner tracks what changed. A fold may
 * update a view it got in place, and must then put() it back so that it is saved.
 */
export interface Views<V> {
  get(key: string): V | undefined;
  put(key: string, value: V): void;
}

export interface Projection<V = unknown> {
  name: string;
  /** Bump when the fold changes: the runner then rebuilds the projection from the start of the log. */
  version: number;
  /** Event types the projection folds; others are skipped without a call. */
  handles: readonly string[];
  /** Folds one event. Never throws on a recorded fact: history happened; a rule flags it. */
  evolve(views: Views<V>, event: ProjectedEvent): void;
}

/**
 * Marks on a stored object (symbol keys: JSON, and so the saved views, leave them out): the key it is stored
 * under, and the tracking epoch of the views in which it was last marked changed (an epoch belongs to one
 * MemoryViews). They let put() of an object already stored under its key, and already marked changed,
 * return without a map or set lookup: folds put back what they update in place, several times per event.
 */
const STORED_KEY = Symbol('stored under');
const STORED_EPOCH = Symbol('stored in epoch');
type Marked = { [STORED_KEY]?: string; [STORED_EPOCH]?: object };

/**
 * Marks are not enumerable, so that a copy made with spread (`{ ...view, field }`) does not inherit them and
 * pass for the stored view; defined once, they are then plain writes.
 */
function mark(value: Marked, key: string, epoch: object): void {
  if (value[STORED_EPOCH] === undefined && !Object.prototype.hasOwnProperty.call(value, STORED_EPOCH)) {
    Object.defineProperty(value, STORED_KEY, { value: key, writable: true, enumerable: false, configurable: true });
    Object.defineProperty(value, STORED_EPOCH, { value: epoch, writable: true, enumerable: false, configurable: true });
    return;
  }
  value[STORED_KEY] = key;
  value[STORED_EPOCH] = epoch;
}

/**
 * Keeps something a fold derived (an open page, a masked name) on a view under a symbol, not enumerable: the
 * saved JSON leaves symbols out, and a spread copy (`{ ...view }`, a read serving the view) does not carry it.
 */
export function remember<T>(view: object, slot: symbol, value: T): T {
  if (Object.prototype.hasOwnProperty.call(view, slot)) (view as Record<symbol, unknown>)[slot] = value;
  else Object.defineProperty(view, slot, { value, writable: true, enumerable: false, configurable: true });
  return value;
}

/**
 * In-memory views, for tests, time travel and the runner's working set. Change them through put() (or fill
 * `map` before anything folds into them): a Memo trusts what it found until put() replaces a view.
 */
export class MemoryViews<V> implements Views<V> {
  readonly map = new Map<string, V>();
  readonly dirty = new Set<string>();
  /** Counts puts that stored another value under a key that held one: a Memo's answers are checked again after. */
  replacements = 0;
  /** Renewed whenever the changed set is cleared, so that marks made before no longer count. */
  private epoch: object = {};
  /** Time travel keeps nothing, so it need not track what changed. */
  constructor(private readonly track = true) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  put(key: string, value: V): void {
    const marked = typeof value === 'object' && value !== null ? (value as Marked) : undefined;
    if (marked !== undefined && marked[STORED_EPOCH] === this.epoch && marked[STORED_KEY] === key) return;
    const previous = this.map.get(key) as Marked | undefined;
    if (previous !== undefined && previous !== (value as unknown)) this.replacements += 1;
    // Another object under this key is no longer stored: its mark goes, so nothing mistakes it for the view.
    if (previous !== value && typeof previous === 'object' && previous !== null && previous[STORED_EPOCH] !== undefined) previous[STORED_EPOCH] = undefined;
    this.map.set(key, value);
    if (this.track) this.dirty.add(key);
    if (marked !== undefined) mark(marked, key, this.epoch);
  }
  /** Forgets what changed (after the runner saved it): the next put of every view marks it changed again. */
  clearDirty(): void {
    this.dirty.clear();
    this.epoch = {};
  }
}

/** A view a Memo found (or did not), with the key to put() it back under. */
export interface MemoEntry<V> {
  key: string;
  view: V | undefined;
}

/** What a Memo keeps per id: the entry it hands out, and what it last looked up. */
interface KeptEntry<V> extends MemoEntry<V> {
  /** The view get() gave when last looked up: a view a fold has set since is looked up again. */
  found: V | undefined;
  /** The views' replacement count then. */
  replacements: number;
}

/** A memo's entries in one Views, and those views when they count replacements. */
interface MemoTable<V> {
  entries: Map<string, KeptEntry<V>>;
  counted: MemoryViews<unknown> | undefined;
}

/** How many ids a memo keeps per views before it starts over: a bound on memory, never on correctness. */
const MEMO_LIMIT = 200_000;

/**
 * A fold's memo of the views it looks up on nearly every event, by an id taken straight from the event (its
 * stream, a payee's id, a lot's appropriation). Building a key per event and looking it up among a hundred
 * thousand views was most of a rebuild's time; the memo answers from a smaller map keyed by a string the
 * event already has, whose hash is computed once for every projection. In MemoryViews a remembered view is
 * used while no put() has replaced any view in them since it was looked up (folds update their views in
 * place, so replacements are rare) and the fold has not set another view on the entry; otherwise, and in
 * any other Views, the memo looks the key up again. So the memo can change how fast a fold finds a view,
 * never which view it finds: folds stay pure functions of views and event. (Checking marks on the view
 * itself instead cost a read of memory the fold had not touched yet, about a tenth of a rebuild.)
 */
export class Memo<V extends object> {
  private readonly byViews = new WeakMap<object, MemoTable<V>>();
  private lastViews: object | undefined;
  private lastTable: MemoTable<V> | undefined;
  constructor(private readonly keyOf: (id: string) => string) {}

  /** The view stored under keyOf(id), if any, and its key. Set `view` and put() it to store a new one. */
  find(views: Views<unknown>, id: string): MemoEntry<V> {
    let table = this.lastTable;
    if (this.lastViews !== views || table === undefined) {
      table = this.byViews.get(views);
      if (table === undefined) this.byViews.set(views, (table = { entries: new Map(), counted: views instanceof MemoryViews ? views : undefined }));
      this.lastViews = views;
      this.lastTable = table;
    }
    let entry = table.entries.get(id);
    if (entry === undefined) {
      if (table.entries.size >= MEMO_LIMIT) table.entries.clear();
      entry = { key: this.keyOf(id), view: undefined, found: undefined, replacements: -1 };
      table.entries.set(id, entry);
    }
    const view = entry.view;
    if (view !== undefined && view === entry.found && table.counted !== undefined && entry.replacements === table.counted.replacements) return entry;
    entry.view = entry.found = views.get(entry.key) as V | undefined;
    entry.replacements = table.counted?.replacements ?? -1;
    return entry;
  }
}

/** Folds a list of events through a projection into fresh views: the unit of every projection test. */
export function foldAll<V>(projection: Projection<V>, events: ProjectedEvent[], into = new MemoryViews<V>()): MemoryViews<V> {
  const handled = new Set(projection.handles);
  for (const event of events) if (handled.has(event.type)) projection.evolve(into, event);
  return into;
}

/** How many strings `intern` keeps before it starts over: a bound on memory, never on correctness. */
const INTERN_LIMIT = 50_000;
const interned = new Map<string, string>();

/**
 * One shared copy of a string that recurs across many views (a purpose, a date): JSON.parse makes a new
 * string of every value longer than a few characters, and a county's million card rows, notice entries and
 * paid entries each kept their own copy of the same "household_benefit". Only for strings of few values.
 */
export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(value, value);
  return value;
}
