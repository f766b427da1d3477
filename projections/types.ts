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
}

/** The date a fact took effect; an event without one (never written by the executor) falls back to when it was recorded. */
export const effectiveDateOf = (event: ProjectedEvent): string => event.metadata.effectiveDate ?? event.recordedAt.slice(0, 10);

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

/** In-memory views, for tests, time travel and the runner's working set. */
export class MemoryViews<V> implements Views<V> {
  readonly map = new Map<string, V>();
  readonly dirty = new Set<string>();
  /** Time travel keeps nothing, so it need not track what changed. */
  /** The last key read or written and its value: a fold that updates a view in place puts back what it got. */
  private lastKey: string | undefined;
  private lastValue: V | undefined;
  constructor(private readonly track = true) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    this.lastKey = key;
    this.lastValue = value;
    return value;
  }
  put(key: string, value: V): void {
    if (this.track) this.dirty.add(key);
    // Putting back the very object just read under this key changes nothing in the map: skip the second lookup.
    else if (value !== undefined && value === this.lastValue && key === this.lastKey) return;
    this.map.set(key, value);
    this.lastKey = key;
    this.lastValue = value;
  }
}

/** Folds a list of events through a projection into fresh views: the unit of every projection test. */
export function foldAll<V>(projection: Projection<V>, events: ProjectedEvent[], into = new MemoryViews<V>()): MemoryViews<V> {
  const handled = new Set(projection.handles);
  for (const event of events) if (handled.has(event.type)) projection.evolve(into, event);
  return into;
}
