// Time travel: every projection rebuilt in memory from the log, as of a log position, an effective date
// ("what we now know happened by then") or a recording date ("what the books said then, as recorded then").
// On the embedded store the projections can be split over threads: each thread reads the log itself and
// folds its share, so a rebuild takes about as long as its largest share rather than the sum of all.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '../store/types.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { effectiveDateOf, MemoryViews, type ProjectedEvent, type Projection } from '../../projections/types.js';
import type { Progress } from '../cli/progress.js';
import { logReader } from './log.js';

export interface AsOf {
  /** Only events at or before this log position. */
  position?: number;
  /** Only events that happened (effective date) on or before this day, whenever they were recorded. */
  effectiveDate?: string;
  /** Only events recorded on or before this day (UTC) and effective by then: the books as they stood. */
  recordedBy?: string;
}

/** What a thread other than the caller's reports of a projection it rebuilt: its views stay there. */
export interface RemoteSummary {
  views: number;
  hash: string;
}

export interface ReplayResult {
  events: number;
  folded: number;
  /** Until every projection was folded (hashing the views of other threads comes after). */
  seconds: number;
  /** Threads that read the log and folded (1: all in the caller's). */
  threads: number;
  /** The views of the projections folded in the caller's thread, and of those it asked to `keep`. */
  views: Map<string, MemoryViews<unknown>>;
  /** Projections folded in other threads: the number of views and viewsHash (src/projections/runner.ts). */
  remote: Map<string, RemoteSummary>;
}

export interface ReplayOptions {
  /** Threads to split the projections over (default: one per core, at most one per projection). */
  threads?: number;
  /**
   * Projections whose views the caller needs: a copy is sent back from the thread that folded them (meant
   * for small views, such as the balances), after the rebuild is timed.
   */
  keep?: readonly string[];
}

export function includes(asOf: AsOf, event: ProjectedEvent): boolean {
  if (asOf.position !== undefined && event.position > asOf.position) return false;
  // Without a date nothing below can exclude the event, and its metadata need not be read.
  if (asOf.effectiveDate === undefined && asOf.recordedBy === undefined) return true;
  const effective = effectiveDateOf(event);
  if (asOf.effectiveDate !== undefined && effective > asOf.effectiveDate) return false;
  // The recording time the command carried (an import keeps the original's); the store's own time otherwise.
  const recorded = (event.metadata.recordedAt ?? event.recordedAt).slice(0, 10);
  if (asOf.recordedBy !== undefined && (recorded > asOf.recordedBy || effective > asOf.recordedBy)) return false;
  return true;
}

export interface Folded {
  events: number;
  folded: number;
  views: Map<string, MemoryViews<unknown>>;
}

/**
 * Reads the log from its start and folds every event `asOf` includes into fresh views of each projection.
 * `onPage` hears how many events each page held; between pages the event loop gets a turn.
 */
export async function foldLog(store: EventStore, projections: Projection<unknown>[], asOf: AsOf, onPage: (events: number) => void): Promise<Folded> {
  const views = new Map(projections.map((p) => [p.name, new MemoryViews<unknown>(false)]));
  // The folds that handle each event type, found with one lookup per event rather than one per projection.
  const byType = new Map<string, { p: Projection<unknown>; views: MemoryViews<unknown> }[]>();
  for (const p of projections) for (const type of new Set(p.handles)) byType.set(type, [...(byType.get(type) ?? []), { p, views: views.get(p.name)! }]);
  const read = logReader(store);
  let events = 0;
  let folded = 0;
  for (let after = 0; ; ) {
    const page = await read(after, 2000);
    for (const event of page.events) {
      if (asOf.position !== undefined && event.position > asOf.position) break;
      events += 1;
      if (!includes(asOf, event)) continue;
      folded += 1;
      const folds = byType.get(event.type);
      if (folds !== undefined) for (const f of folds) f.p.evolve(f.views, event);
    }
    onPage(page.events.length);
    after = page.lastPosition;
    if (page.isEnd || (asOf.position !== undefined && after >= asOf.position)) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { events, folded, views };
}

/**
 * What each projection's fold costs per event beyond reading the log, in µs: measured one projection at a
 * time over the benchmark's county (`fundtrail replay --projection NAME --threads 1`, which varies by about
 * 0.4 µs from run to run), rounded so that the two halves of a split over two cores finish together there
 * (card, trail, projects and loans in one; lineage, notice and balances in the other). Used only to balance
 * the split; a projection not listed counts as 1.
 */
const FOLD_COST: Record<string, number> = { 'household-card': 2.0, lineage: 2.0, 'audit-trail': 1.9, 'public-notice': 1.8, balances: 0.4, projects: 0.1, loans: 0.1 };

/**
 * Splits projections into at most `threads` groups of about equal cost, heaviest first into the lightest
 * group; the first group is the caller's. Only the standard projections themselves can be sent to another
 * thread (it finds them by name); others, and a projection that only shares a standard one's name (another
 * version of it), stay with the caller.
 */
export function splitProjections(projections: Projection<unknown>[], threads: number): Projection<unknown>[][] {
  const standard = new Set<Projection<unknown>>(ALL_PROJECTIONS);
  const groups: { cost: number; members: Projection<unknown>[] }[] = Array.from({ length: Math.max(1, Math.min(threads, projections.length)) }, () => ({ cost: 0, members: [] }));
  const cost = (p: Projection<unknown>): number => FOLD_COST[p.name] ?? 1;
  const pinned = projections.filter((p) => !standard.has(p));
  for (const p of pinned) {
    groups[0]!.members.push(p);
    groups[0]!.cost += cost(p);
  }
  for (const p of projections.filter((x) => !pinned.includes(x)).sort((a, b) => cost(b) - cost(a))) {
    const lightest = groups.reduce((min, g) => (g.cost < min.cost ? g : min));
    lightest.members.push(p);
    lightest.cost += cost(p);
  }
  // Keep the caller's projections in their given order, so its views map lists them as asked.
  return groups.filter((g, i) => i === 0 || g.members.length > 0).map((g) => projections.filter((p) => g.members.includes(p)));
}

/** Messages from a replay thread (src/projections/replay-worker.ts). */
export type WorkerMessage =
  | { kind: 'progress'; events: number }
  | { kind: 'folded'; events: number; folded: number }
  | { kind: 'summary'; summaries: [string, RemoteSummary][] }
  | { kind: 'views'; name: string; entries: [string, unknown][] }
  | { kind: 'failed'; message: string };

export interface WorkerInput {
  path: string;
  names: string[];
  asOf: AsOf;
  /** Projections whose views are sent back. */
  send: string[];
}

const WORKER = new URL(import.meta.url.endsWith('.ts') ? './replay-worker.ts' : './replay-worker.js', import.meta.url);

export async function replay(store: EventStore, projections: Projection<unknown>[], asOf: AsOf, progress: (total: number) => Progress, options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const head = await store.headPosition();
  // Every thread folds the log up to the same position: the head as it stood at the start, unless asked for less,
  // so that the projections agree with each other even while the log grows.
  const upTo: AsOf = { ...asOf, position: Math.min(head, asOf.position ?? head) };
  const bar = progress(upTo.position!);
  // Other threads open the store's file themselves: only the embedded store on a file can be shared so.
  const shareable = store instanceof SqliteEventStore && store.path !== ':memory:';
  const threads = shareable ? (options.threads ?? Math.min(availableParallelism(), projections.length)) : 1;
  const [own, ...others] = splitProjections(projections, threads);
  // The bar follows the slowest thread: its count is the least any thread has read.
  const counts = new Array<number>(others.length + 1).fill(0);
  let shown = 0;
  const advance = (thread: number, events: number): void => {
    counts[thread] = events;
    const least = Math.min(...counts);
    if (least > shown) bar.tick(least - shown);
    shown = Math.max(shown, least);
  };
  const remote = new Map<string, RemoteSummary>();
  const keep = options.keep ?? [];
  const workers = others.map((group, i) => {
    const names = group.map((p) => p.name);
    return runWorker({ path: (store as SqliteEventStore).path, names, asOf: upTo, send: names.filter((name) => keep.includes(name)) }, (events) => advance(i + 1, events));
  });
  try {
    let read = 0;
    const local = await foldLog(store, own!, upTo, (events) => advance(0, (read += events)));
    const done = await Promise.all(workers.map((w) => w.folded));
    const seconds = (performance.now() - started) / 1000;
    bar.stop();
    for (const w of workers) {
      for (const [name, summary] of await w.summaries) remote.set(name, summary);
      for (const [name, entries] of await w.views) {
        const views = new MemoryViews<unknown>(false);
        for (const [key, value] of entries) views.map.set(key, value);
        local.views.set(name, views);
      }
    }
    if (done.some((d) => d.events !== local.events || d.folded !== local.folded)) throw new Error('replay threads read different logs');
    return { events: local.events, folded: local.folded, seconds, threads: workers.length + 1, views: local.views, remote };
  } catch (error) {
    bar.stop();
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
}

interface RunningWorker {
  folded: Promise<{ events: number; folded: number }>;
  /** Posted after the views it was asked to send, so by then those are here. */
  summaries: Promise<[string, RemoteSummary][]>;
  views: Map<string, [string, unknown][]>;
  terminate(): Promise<number>;
}

function runWorker(input: WorkerInput, onProgress: (events: number) => void): RunningWorker {
  const worker = new Worker(WORKER, { workerData: input });
  let resolveFolded!: (value: { events: number; folded: number }) => void;
  let resolveSummaries!: (value: [string, RemoteSummary][]) => void;
  let fail!: (error: Error) => void;
  const failures = new Promise<never>((_, reject) => (fail = reject));
  failures.catch(() => {});
  const folded = Promise.race([new Promise<{ events: number; folded: number }>((resolve) => (resolveFolded = resolve)), failures]);
  const summaries = Promise.race([new Promise<[string, RemoteSummary][]>((resolve) => (resolveSummaries = resolve)), failures]);
  // Awaited once the caller's own share is folded; a failure before then is reported there, not as unhandled.
  folded.catch(() => {});
  summaries.catch(() => {});
  const views = new Map<string, [string, unknown][]>();
  worker.on('message', (message: WorkerMessage) => {
    if (message.kind === 'progress') onProgress(message.events);
    else if (message.kind === 'views') views.set(message.name, message.entries);
    else if (message.kind === 'folded') resolveFolded({ events: message.events, folded: message.folded });
    else if (message.kind === 'summary') resolveSummaries(message.summaries);
    else fail(new Error(`replay thread failed: ${message.message}`));
  });
  worker.on('error', (error) => fail(error));
  worker.on('exit', (code) => fail(new Error(`replay thread exited (${code}) before it was done`)));
  return { folded, summaries, views, terminate: () => worker.terminate() };
}
