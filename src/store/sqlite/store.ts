// The embedded event store: one SQLite file in WAL mode, one writer, every append one transaction.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { catchUpSubscription, HeadSignal, resolveRetry, retryResult } from '../catchup.js';
import { StoreError, WrongExpectedVersionError } from '../errors.js';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  JsonObject,
  MultiAppendResult,
  NewEvent,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  StoreInfo,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from '../types.js';
import { expectationHolds, validateAppends } from '../validate.js';
import { Checkpointer, DEFAULT_CHECKPOINTER, type CheckpointerOptions } from './checkpointer.js';
import { openStoreDatabase, translateSqliteError, type OpenOptions } from './schema.js';

const COLUMNS = 'position, id, stream, revision, type, data, metadata, recorded_at';
type Row = [number, string, string, number, string, string, string | null, number];

/** How often a subscription looks for events appended by another process. */
const POLL_MS = 200;

export interface SqliteStoreOptions extends Partial<OpenOptions> {
  now?: () => Date;
  /** WAL checkpoints on a worker thread (the default), or false for SQLite's automatic ones. */
  checkpointer?: CheckpointerOptions | false;
  /** Told when the checkpoint worker fails and the store falls back to automatic checkpoints. */
  onWarning?: (message: string) => void;
}

export class SqliteEventStore implements EventStore {
  readonly db: Database.Database;
  private readonly head = new HeadSignal();
  private readonly now: () => Date;
  private readonly statements;
  private readonly filtered = new Map<string, Database.Statement>();
  private readonly write: (appends: StreamAppend[], recordedAt: number, trustCache: boolean) => MultiAppendResult;
  /**
   * Last revision of recently written streams, to spare a SELECT per append. It can only lag the file
   * (another process appended), never lead it: a lagging entry makes the insert hit the unique
   * (stream, revision) index, and the append is then redone with revisions read from the file.
   */
  private readonly revisions = new Map<string, number>();
  private readonly checkpointer: Checkpointer | undefined;
  private closed = false;
  /** Open atomically() calls: appends inside one wake subscribers once, after the commit. */
  private atomicDepth = 0;

  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = openStoreDatabase(path, { sync: options.sync ?? 'normal', readonly: options.readonly ?? false });
    this.now = options.now ?? (() => new Date());
    const db = this.db;
    const checkpoints = options.checkpointer ?? DEFAULT_CHECKPOINTER;
    if (checkpoints && path !== ':memory:' && !options.readonly) {
      db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Checkpointer(path, checkpoints, (message) => {
        // Without the worker the WAL would only grow: hand checkpoints back to SQLite.
        if (!this.closed) db.pragma('wal_autocheckpoint = 1000');
        options.onWarning?.(`WAL checkpoint worker failed (${message}); using automatic checkpoints`);
      });
    }
    this.statements = {
      revision: db.prepare('SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1').pluck(),
      insert: db.prepare("INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      byId: db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = ?`).raw(),
      whole: db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? ORDER BY revision`).raw(),
      forwards: db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`).raw(),
      backwards: db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw(),
      all: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw(),
      // A bare max() on the rowid is one b-tree seek; wrapped in coalesce() SQLite scans the whole table.
      head: db.prepare('SELECT max(position) FROM events').pluck(),
    };
    this.write = db.transaction((appends: StreamAppend[], recordedAt: number, trustCache: boolean) => this.writeAppends(appends, recordedAt, trustCache)).immediate;
  }

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    const result = this.appendSync([{ stream, events, expectedRevision }]);
    return { nextExpectedRevision: result.streams[0]!.nextExpectedRevision, position: result.position, alreadyRecorded: result.alreadyRecorded };
  }

  async appendMulti(appends: StreamAppend[]): Promise<MultiAppendResult> {
    return this.appendSync(appends);
  }

  /**
   * Writes in one IMMEDIATE transaction, so the expectation check and the insert see the same stream.
   * The fast path does no idempotency lookup: a reused id is caught by the unique index, and only then
   * are the recorded events compared to tell a retry from a conflict.
   */
  appendSync(appends: StreamAppend[]): MultiAppendResult {
    this.assertOpen();
    validateAppends(appends);
    try {
      const result = this.writeRemembering(appends);
      if (this.atomicDepth === 0) this.head.notify();
      return result;
    } catch (error) {
      const refused = translateSqliteError(error, this.path);
      if (!(refused instanceof WrongExpectedVersionError) && !isDuplicateId(refused)) throw refused;
      const retried = appends.map(({ stream, events }) => resolveRetry(stream, events, (id) => this.findById(id)));
      if (retried.every((recorded) => recorded !== null)) return retryResult(appends, retried as RecordedEvent[][]);
      throw refused;
    }
  }

  /**
   * Runs `work` in one IMMEDIATE transaction: every append it makes (appendSync) commits together, or none
   * does. Appends inside become savepoints, so `work` may catch one refused append and go on. `work` must be
   * synchronous: were it to wait, other work on this connection (another request's append, a projection
   * reading the log) would run inside the open transaction, joining it or reading what may still be rolled
   * back. When `work` throws, everything is rolled back and the stream revisions remembered meanwhile are
   * forgotten, since they may name rolled-back events; the next append reads them from the file.
   */
  atomically<T>(work: () => T extends PromiseLike<unknown> ? never : T): T {
    this.assertOpen();
    const run = this.db.transaction(() => {
      const value = work();
      if (value !== null && typeof (value as { then?: unknown } | undefined)?.then === 'function') {
        throw new TypeError('atomically() takes a synchronous function: the transaction cannot stay open across a wait');
      }
      return value;
    });
    this.atomicDepth += 1;
    let result: T;
    try {
      result = run.immediate();
    } catch (error) {
      this.revisions.clear();
      throw translateSqliteError(error, this.path);
    } finally {
      this.atomicDepth -= 1;
    }
    if (this.atomicDepth === 0) this.head.notify();
    return result;
  }

  private writeRemembering(appends: StreamAppend[]): MultiAppendResult {
    const recordedAt = this.now().getTime();
    let result: MultiAppendResult;
    try {
      result = this.write(appends, recordedAt, true);
    } catch (error) {
      if (!isStaleRevision(error)) throw error;
      for (const { stream } of appends) this.revisions.delete(stream);
      result = this.write(appends, recordedAt, false);
    }
    if (this.revisions.size > 100_000) this.revisions.clear();
    for (const { stream, nextExpectedRevision } of result.streams) this.revisions.set(stream, nextExpectedRevision);
    return result;
  }

  /** The stream's last revision: remembered when this store wrote it last and the caller's expectation agrees. */
  private currentRevision(stream: string, expected: ExpectedRevision, trustCache: boolean): number | null {
    const remembered = trustCache ? this.revisions.get(stream) : undefined;
    // A remembered revision is exact unless another process appended since; then the insert below fails
    // on the unique index and the append is redone without trusting it.
    if (remembered !== undefined && (expected === 'any' || expected === 'stream_exists' || expected === remembered)) return remembered;
    return (this.statements.revision.get(stream) as number | undefined) ?? null;
  }

  /** Checks every expectation, then inserts; runs inside one IMMEDIATE transaction built once per store. */
  private writeAppends(appends: StreamAppend[], recordedAt: number, trustCache: boolean): MultiAppendResult {
    const { insert } = this.statements;
    const streams: MultiAppendResult['streams'] = [];
    let position = 0;
    for (const { stream, events, expectedRevision } of appends) {
      const actual = this.currentRevision(stream, expectedRevision, trustCache);
      if (!expectationHolds(expectedRevision, actual)) {
        throw new WrongExpectedVersionError(stream, expectedRevision, actual);
      }
      let next = actual ?? -1;
      for (const event of events) {
        next += 1;
        const metadata = event.metadata && Object.keys(event.metadata).length > 0 ? JSON.stringify(event.metadata) : null;
        const info = insert.run(event.id, stream, next, event.type, JSON.stringify(event.data), metadata, recordedAt);
        position = Number(info.lastInsertRowid);
      }
      streams.push({ stream, nextExpectedRevision: next });
    }
    return { position, streams, alreadyRecorded: false };
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    try {
      return Promise.resolve(this.readStreamSync(stream, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The hot path of loading an aggregate: one indexed query, no closures, no async machinery. */
  readStreamSync(stream: string, options?: ReadStreamOptions): RecordedEvent[] {
    this.assertOpen();
    try {
      if (options === undefined) return toRecordedAll(this.statements.whole.all(stream) as Row[]);
      const max = options.maxCount ?? -1;
      const rows =
        options.direction === 'backwards'
          ? this.statements.backwards.all(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, max)
          : this.statements.forwards.all(stream, options.fromRevision ?? 0, max);
      return toRecordedAll(rows as Row[]);
    } catch (error) {
      throw translateSqliteError(error, this.path);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    return this.readAllSync(options);
  }

  readAllSync(options: ReadAllOptions = {}): ReadAllPage {
    this.assertOpen();
    const after = options.afterPosition ?? 0;
    const max = options.maxCount ?? 1000;
    const filter = options.filter;
    if (!filter || (!filter.eventTypes?.length && !filter.streamPrefixes?.length)) {
      const rows = this.run(() => this.statements.all.all(after, max)) as Row[];
      const last = rows.length > 0 ? rows[rows.length - 1]![0] : after;
      return { events: toRecordedAll(rows), lastPosition: last, isEnd: rows.length < max };
    }
    // With a filter, read up to the head as it is now: a short page then proves everything up to the head
    // was scanned, so the next read starts after the head instead of rescanning skipped events.
    const head = ((this.run(() => this.statements.head.get()) as number | null) ?? 0);
    const rows = this.run(() => this.filterStatement(filter).all(after, head, max)) as Row[];
    if (rows.length < max) return { events: toRecordedAll(rows), lastPosition: Math.max(head, after), isEnd: true };
    return { events: toRecordedAll(rows), lastPosition: rows[rows.length - 1]![0], isEnd: false };
  }

  private filterStatement(filter: EventFilter): Database.Statement {
    const types = filter.eventTypes ?? [];
    const prefixes = filter.streamPrefixes ?? [];
    const key = JSON.stringify([types, prefixes]);
    let statement = this.filtered.get(key);
    if (!statement) {
      const clauses: string[] = [];
      if (types.length > 0) clauses.push(`type IN (${types.map((type) => sqlString(type)).join(', ')})`);
      for (const prefix of prefixes) clauses.push(`substr(stream, 1, ${[...prefix].length}) = ${sqlString(prefix)}`);
      statement = this.db
        .prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? AND (${clauses.join(' OR ')}) ORDER BY position LIMIT ?`)
        .raw();
      this.filtered.set(key, statement);
    }
    return statement;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    return catchUpSubscription((o) => this.readAll(o), this.head, options, POLL_MS);
  }

  async streamRevision(stream: string): Promise<number | null> {
    this.assertOpen();
    return (this.run(() => this.statements.revision.get(stream)) as number | undefined) ?? null;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return ((this.run(() => this.statements.head.get()) as number | null) ?? 0);
  }

  async info(): Promise<StoreInfo> {
    return { adapter: 'sqlite', location: this.path, headPosition: await this.headPosition() };
  }

  /**
   * Waits for the maintenance worker to link every committed event into the hash chain and checkpoint the
   * WAL. Appends never wait for this; a benchmark or an audit export may.
   */
  async settle(): Promise<void> {
    this.assertOpen();
    await this.checkpointer?.settle();
  }

  /** The last event linked into the hash chain: what an auditor exports and later verifies against. */
  chainHead(): { position: number; hash: string } | undefined {
    this.assertOpen();
    const row = this.run(() => this.db.prepare('SELECT position, hash FROM event_chain ORDER BY position DESC LIMIT 1').get()) as { position: number; hash: Buffer | string } | undefined;
    if (!row) return undefined;
    return { position: row.position, hash: typeof row.hash === 'string' ? row.hash : row.hash.toString('hex') };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.head.notify();
    await this.checkpointer?.stop();
    this.db.close();
  }

  private findById(id: string): RecordedEvent | undefined {
    const row = this.statements.byId.get(id) as Row | undefined;
    return row ? toRecorded(row) : undefined;
  }

  private run<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw translateSqliteError(error, this.path);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('store_closed', 'the event store is closed');
  }
}

function isStaleRevision(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && (message ?? '').includes('events.stream');
}

function isDuplicateId(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && (message ?? '').includes('events.id');
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function toRecordedAll(rows: Row[]): RecordedEvent[] {
  const events = new Array<RecordedEvent>(rows.length);
  for (let i = 0; i < rows.length; i++) events[i] = toRecorded(rows[i]!);
  return events;
}

function toRecorded(row: Row): RecordedEvent {
  return {
    position: row[0],
    id: row[1],
    stream: row[2],
    revision: row[3],
    type: row[4],
    data: JSON.parse(row[5]),
    metadata: row[6] === null ? {} : (JSON.parse(row[6]) as JsonObject),
    recordedAt: isoTime(row[7]),
  };
}

// Events of one append share their recording time, so one remembered conversion saves most of the work.
let lastMs = Number.NaN;
let lastIso = '';
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
