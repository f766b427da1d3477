// The generic projection runner: all the I/O around the pure folds in projections/. It reads each
// projection's checkpoint, follows the log after it (history, then live), folds, and saves the changed views
// together with the checkpoint in one transaction. A projection whose version changed is rebuilt from zero.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { openStoreDatabase } from '../store/sqlite/schema.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import type { EventStore, RecordedEvent, Subscription } from '../store/types.js';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { MemoryViews, type ProjectedEvent, type Projection } from '../../projections/types.js';
import { history } from './log.js';
import { splitProjections } from './replay.js';

export interface ProjectionStatus {
  name: string;
  position: number;
  caughtUp: boolean;
}

interface Running {
  projection: Projection<unknown>;
  handles: Set<string>;
  views: MemoryViews<unknown>;
  position: number;
}

export interface RunnerOptions {
  /** While catching up, save after this many events (default 1,000,000)… */
  flushEvery?: number;
  /** …or when this many ms have passed since the last save (default 30,000), whichever comes first. */
  catchUpFlushMs?: number;
  /** Once caught up, save changed views at most this often, in ms (default 1000); stop() always saves. */
  liveFlushMs?: number;
  /**
   * Threads that may catch up on a long history (default 1: this one). With more, on the embedded store, the
   * standard projections are split over that many worker threads, each folding its share and saving it
   * (views and checkpoint in one transaction), while this thread stays free to answer requests; it then
   * loads what they saved and follows the log from there.
   */
  threads?: number;
  /** How far behind the log (events) a projection must be for the threads to be worth starting (default 100,000). */
  threadsFrom?: number;
  /** How long a save waits for another writer of the views file (default: the store's 10 s). */
  busyTimeoutMs?: number;
  logger?: Logger;
}

/** What a catch-up thread (src/projections/runner-worker.ts) is given. */
export interface CatchUpInput {
  storePath: string;
  viewsPath: string;
  names: string[];
}

/** What a catch-up thread reports: how far it has folded, then that it has saved, or why it failed. */
export type CatchUpMessage = { kind: 'progress'; position: number } | { kind: 'saved' } | { kind: 'failed'; message: string };

const CATCH_UP_WORKER = new URL(import.meta.url.endsWith('.ts') ? './runner-worker.ts' : './runner-worker.js', import.meta.url);

export class ProjectionRunner {
  private readonly db: Database.Database;
  private readonly running: Running[];
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private caughtUp = false;
  private readonly flushEvery: number;
  private readonly catchUpFlushMs: number;

  /** `viewsPath` is the embedded store's own file, or a local SQLite file when events live in KurrentDB. */
  constructor(
    private readonly store: EventStore,
    private readonly viewsPath: string,
    projections: Projection<unknown>[],
    private readonly options: RunnerOptions = {},
  ) {
    this.db = openStoreDatabase(viewsPath, { sync: 'normal' });
    if (options.busyTimeoutMs !== undefined) this.db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    // Saving re-serializes every view changed since the last save, and while catching up nearly every household's
    // card and every open page changes between two saves: saving every 20,000 events made a rebuild of the 1M-event
    // demo county take 111 s instead of 30 s. A save while catching up only bounds what a crash would refold.
    this.flushEvery = options.flushEvery ?? 1_000_000;
    this.catchUpFlushMs = options.catchUpFlushMs ?? 30_000;
    this.running = projections.map((projection) => this.load(projection));
  }

  /** Loads saved views, or discards them when the projection's version changed since they were saved. */
  private load(projection: Projection<unknown>): Running {
    const saved = this.checkpoint(projection);
    const views = new MemoryViews<unknown>();
    if (saved && saved.version === projection.version) {
      for (const row of this.savedViews(projection)) views.map.set(row[0], JSON.parse(row[1]));
      return { projection, handles: new Set(projection.handles), views, position: saved.position };
    }
    if (saved) this.options.logger?.info({ projection: projection.name, from: saved.version, to: projection.version }, 'projection version changed: rebuilding from the start of the log');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projection_views WHERE projection = ?').run(projection.name);
      this.db.prepare('DELETE FROM projection_checkpoints WHERE projection = ?').run(projection.name);
    })();
    return { projection, handles: new Set(projection.handles), views, position: 0 };
  }

  private checkpoint(projection: Projection<unknown>): { version: number; position: number } | undefined {
    return this.db.prepare('SELECT version, position FROM projection_checkpoints WHERE projection = ?').get(projection.name) as { version: number; position: number } | undefined;
  }

  private savedViews(projection: Projection<unknown>): Iterable<[string, string]> {
    return this.db.prepare('SELECT key, value FROM projection_views WHERE projection = ?').raw().iterate(projection.name) as Iterable<[string, string]>;
  }

  /** Starts following the log in the background: history first, then live events. */
  start(): void {
    this.loop = this.run().catch((error: unknown) => {
      this.options.logger?.error({ err: error }, 'projection runner stopped');
    });
  }

  private stopping = false;

  private async run(): Promise<void> {
    if (await this.worthThreads()) await this.catchUpInThreads();
    if (this.stopping) return;
    await this.catchUp();
    if (this.stopping) return;
    const from = Math.min(...this.running.map((r) => r.position));
    this.subscription = this.store.subscribeToAll({ afterPosition: from, batchSize: 2000 });
    await this.follow(this.subscription);
  }

  /**
   * Catches up to the log's head as it stands, saves, and closes: what a catch-up thread does with its share.
   * `onPage` hears the position folded after each page.
   */
  async catchUpOnly(onPage?: (position: number) => void): Promise<void> {
    await this.catchUp(onPage);
    this.db.close();
  }

  /**
   * History is read with the log reader replay uses (on the embedded store it leaves an event's metadata
   * unparsed until a fold asks for it), saving every `flushEvery` events and giving the event loop a turn
   * between pages, so a server answers /ready with the lag meanwhile. The subscription then takes over.
   */
  private async catchUp(onPage?: (position: number) => void): Promise<void> {
    let pending = 0;
    let savedAt = performance.now();
    for await (const events of history(this.store, Math.min(...this.running.map((r) => r.position)))) {
      this.apply(events as unknown as RecordedEvent[]);
      onPage?.(events[events.length - 1]!.position);
      pending += events.length;
      if (pending >= this.flushEvery || performance.now() - savedAt >= this.catchUpFlushMs) {
        this.flush();
        pending = 0;
        savedAt = performance.now();
      }
      if (this.stopping) break;
    }
    if (pending > 0) this.flush();
  }

  private async follow(subscription: Subscription): Promise<void> {
    let pending = 0;
    for await (const message of subscription) {
      if (message.kind === 'caught_up') {
        // Live, the log is read to its end after every command: saving views then would re-serialize every view
        // a payment touched (the village notice, trail pages) per command, most of a payment's cost. The views in
        // memory are current at once; they are saved at most every `liveFlushMs`, and on stop. After a crash the
        // runner refolds from the last saved checkpoint, at most that much of the log.
        if (pending > 0) this.scheduleFlush();
        pending = 0;
        this.caughtUp = true;
        continue;
      }
      this.caughtUp = false;
      this.apply(message.events);
      pending += message.events.length;
      if (pending >= this.flushEvery) {
        this.flush();
        pending = 0;
      }
    }
  }

  /** What catch-up threads may fold: the standard projections (a thread finds them by name). */
  private threadable(): Running[] {
    return this.running.filter((r) => ALL_PROJECTIONS.includes(r.projection));
  }

  /** Threads pay off only on the embedded store's file, with more than one allowed, far enough behind. */
  private async worthThreads(): Promise<boolean> {
    if ((this.options.threads ?? 1) < 2 || !(this.store instanceof SqliteEventStore) || this.store.path === ':memory:' || this.viewsPath === ':memory:') return false;
    const standard = this.threadable();
    if (standard.length === 0) return false;
    const head = await this.store.headPosition();
    return head - Math.min(...standard.map((r) => r.position)) >= (this.options.threadsFrom ?? 100_000);
  }

  private workers: Worker[] = [];
  /**
   * Projections a catch-up thread is folding and saving, by name, with how far it has said it got. Until
   * their saved views are loaded here, this runner neither saves them (its views and positions for them are
   * stale: saving would set a checkpoint that does not match the saved views) nor folds them.
   */
  private readonly delegated = new Map<string, number>();

  /**
   * Catch-up in worker threads: each folds its share of the standard projections from their checkpoints to
   * the log's head and saves them as this runner would; this thread then loads what they saved, a slice at a
   * time with turns for the event loop, and catchUp() folds whatever was appended meanwhile. A thread that
   * fails is logged, and its projections are caught up here from what it last saved.
   */
  private async catchUpInThreads(): Promise<void> {
    const store = this.store as SqliteEventStore;
    const standard = this.threadable().map((r) => r.projection);
    const groups = splitProjections(standard, this.options.threads ?? 1);
    for (const projection of standard) this.delegated.set(projection.name, 0);
    this.options.logger?.info({ threads: groups.length, groups: groups.map((g) => g.map((p) => p.name)) }, 'catching up on the log in worker threads');
    await Promise.all(
      groups.map(async (group) => {
        const names = group.map((p) => p.name);
        try {
          await this.runCatchUpWorker({ storePath: store.path, viewsPath: this.viewsPath, names }, (position) => {
            for (const name of names) this.delegated.set(name, position);
          });
        } catch (error) {
          if (this.stopping) return;
          this.options.logger?.error({ err: error, projections: names }, 'a catch-up thread failed: catching up here from what it saved');
        }
      }),
    );
    // Loaded once every thread has ended and its heap is gone, so that their views and these are not all in memory at once.
    for (const projection of standard) {
      if (this.stopping) return;
      await this.reload(projection);
    }
  }

  private runCatchUpWorker(input: CatchUpInput, onProgress: (position: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(CATCH_UP_WORKER, { workerData: input });
      this.workers.push(worker);
      let saved = false;
      worker.on('message', (message: CatchUpMessage) => {
        if (message.kind === 'progress') onProgress(message.position);
        else if (message.kind === 'saved') saved = true;
        else reject(new Error(message.message));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        this.workers = this.workers.filter((w) => w !== worker);
        if (saved) resolve();
        else reject(new Error(this.stopping ? 'stopped' : `catch-up thread exited (${code}) before it had saved`));
      });
    });
  }

  /** Replaces a projection's views with what is saved, parsing a slice of rows per turn of the event loop. */
  private async reload(projection: Projection<unknown>): Promise<void> {
    const at = this.running.findIndex((r) => r.projection === projection);
    const saved = this.checkpoint(projection);
    const views = new MemoryViews<unknown>();
    if (saved && saved.version === projection.version) {
      let slice = performance.now();
      for (const row of this.savedViews(projection)) {
        views.map.set(row[0], JSON.parse(row[1]));
        if (this.stopping) return;
        if (performance.now() - slice > 20) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
    }
    // Installed whole, so a reader never sees half of them; the position is what was saved with them.
    this.running[at] = { projection, handles: new Set(projection.handles), views, position: saved && saved.version === projection.version ? saved.position : 0 };
    this.delegated.delete(projection.name);
  }

  /** Folds events into every projection that has not seen them yet. */
  apply(events: RecordedEvent[]): void {
    for (const event of events) {
      const projected = event as unknown as ProjectedEvent;
      for (const r of this.running) {
        if (event.position <= r.position) continue;
        if (r.handles.has(event.type)) r.projection.evolve(r.views, projected);
        r.position = event.position;
      }
    }
  }

  /** Saves every changed view and the checkpoints in one transaction. */
  flush(): void {
    const upsert = this.db.prepare('INSERT INTO projection_views (projection, key, value) VALUES (?, ?, ?) ON CONFLICT (projection, key) DO UPDATE SET value = excluded.value');
    const checkpoint = this.db.prepare(
      'INSERT INTO projection_checkpoints (projection, version, position, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position, updated_at = excluded.updated_at',
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of this.running) {
        if (this.delegated.has(r.projection.name)) continue;
        for (const key of r.views.dirty) upsert.run(r.projection.name, key, JSON.stringify(r.views.map.get(key)));
        r.views.clearDirty();
        checkpoint.run(r.projection.name, r.projection.version, r.position, now);
      }
    }).immediate();
  }

  status(): ProjectionStatus[] {
    return this.running.map((r) => ({ name: r.projection.name, position: Math.max(r.position, this.delegated.get(r.projection.name) ?? 0), caughtUp: this.caughtUp }));
  }

  views<V>(name: string): MemoryViews<V> {
    const r = this.running.find((x) => x.projection.name === name);
    if (!r) throw new Error(`no projection named ${name}`);
    return r.views as MemoryViews<V>;
  }

  private flushTimer: NodeJS.Timeout | undefined;

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      try {
        this.flush();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'saving projection views failed; retrying at the next flush');
      }
    }, this.options.liveFlushMs ?? 1000);
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    // A catch-up thread stopped mid-save leaves its last committed save: SQLite rolls the rest back.
    await Promise.all(this.workers.map((w) => w.terminate()));
    await this.subscription?.close();
    await this.loop;
    this.flush();
    this.db.close();
  }
}

/** A hash over every view of a projection, keys in order: equal hashes mean byte-identical views. */
export function viewsHash(views: MemoryViews<unknown>): string {
  const hash = createHash('sha256');
  for (const key of [...views.map.keys()].sort()) hash.update(key).update('\0').update(JSON.stringify(views.map.get(key))).update('\n');
  return hash.digest('hex');
}
