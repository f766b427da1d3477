// Opening a fundtrail SQLite file: recognising it as ours, refusing foreign, corrupt or newer files, and
// bringing older schemas up to date with numbered migrations.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';

/** "FTR1" in ASCII: marks a SQLite file as a fundtrail store (PRAGMA application_id). */
export const APPLICATION_ID = 0x46545231;

interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Append-only list: never edit a shipped migration, add the next one. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'event log with per-stream revisions and idempotency index',
    sql: `
      CREATE TABLE events (
        position    INTEGER PRIMARY KEY,
        id          TEXT    NOT NULL,
        stream      TEXT    NOT NULL,
        revision    INTEGER NOT NULL,
        type        TEXT    NOT NULL,
        data        TEXT    NOT NULL,
        metadata    TEXT,
        recorded_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX events_by_id ON events (id);
      CREATE UNIQUE INDEX events_by_stream ON events (stream, revision);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events are never updated'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events are never deleted'); END;
      CREATE TABLE schema_migrations (
        version     INTEGER PRIMARY KEY,
        description TEXT    NOT NULL,
        applied_at  TEXT    NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'hash chain over the log, kept by the maintenance worker',
    sql: `
      CREATE TABLE event_chain (
        position INTEGER PRIMARY KEY,
        hash     BLOB    NOT NULL
      );
      CREATE TRIGGER event_chain_no_update BEFORE UPDATE ON event_chain
        BEGIN SELECT RAISE(ABORT, 'the hash chain is append-only'); END;
      CREATE TRIGGER event_chain_no_delete BEFORE DELETE ON event_chain
        BEGIN SELECT RAISE(ABORT, 'the hash chain is append-only'); END;
    `,
  },
  {
    version: 3,
    description: 'projection views and checkpoints (derived data: rebuilt, not appended)',
    sql: `
      CREATE TABLE projection_views (
        projection TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        PRIMARY KEY (projection, key)
      ) WITHOUT ROWID;
      CREATE TABLE projection_checkpoints (
        projection TEXT    PRIMARY KEY,
        version    INTEGER NOT NULL,
        position   INTEGER NOT NULL,
        updated_at TEXT    NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const SQLITE_HEADER = 'SQLite format 3\0';

export interface OpenOptions {
  /** normal survives a process crash; full also survives a power cut (an fsync per commit). */
  sync: 'normal' | 'full';
  readonly?: boolean;
}

export function openStoreDatabase(path: string, options: OpenOptions): Database.Database {
  if (options.readonly && path !== ':memory:' && !existsSync(path)) throw new StoreError('store_file_missing', `${path} does not exist: there is no store there to read`);
  if (path !== ':memory:') assertSqliteFile(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false });
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  try {
    configure(db, options);
    migrate(db, path, options.readonly ?? false);
    return db;
  } catch (error) {
    db.close();
    throw translateSqliteError(error, path);
  }
}

/** A non-empty file that does not start with SQLite's header is refused before SQLite touches it. */
function assertSqliteFile(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new StoreError('store_file_not_fundtrail', `${path} is not a fundtrail store: it is not a SQLite database`);
  }
}

function configure(db: Database.Database, options: OpenOptions): void {
  db.pragma('busy_timeout = 10000');
  // Only takes effect when the file is created. 2 KiB pages halved the bytes of a one-event commit, but
  // once checkpoints moved to the worker thread they no longer made one-event appends faster, and reading a
  // stream back cost twice the page reads: measured over several benchmark runs, 4 KiB is the better choice.
  if (!options.readonly) db.pragma('page_size = 4096');
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
  // A reader (replay) scans the log once from start to end: a page cache would only hold what is never read again.
  db.pragma(options.readonly ? 'cache_size = -8192' : 'cache_size = -65536');
  db.pragma('temp_store = MEMORY');
}

function migrate(db: Database.Database, path: string, readonly: boolean): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number };
    if (tables.n > 0) {
      throw new StoreError('store_file_not_fundtrail', `${path} is not a fundtrail store: it is a SQLite database of another application`);
    }
  } else if (applicationId !== APPLICATION_ID) {
    throw new StoreError('store_file_not_fundtrail', `${path} is not a fundtrail store: its application id is 0x${applicationId.toString(16)}`);
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'store_schema_too_new',
      `${path} has schema version ${version}, newer than this fundtrail understands (${SCHEMA_VERSION}): upgrade fundtrail`,
    );
  }
  const pending = MIGRATIONS.filter((migration) => migration.version > version);
  if (pending.length === 0) return;
  if (readonly) {
    throw new StoreError(
      version === 0 ? 'store_file_missing' : 'store_schema_old',
      version === 0 ? `${path} holds no fundtrail store yet` : `${path} has schema version ${version} and needs migrating to ${SCHEMA_VERSION}: open it once for writing (fundtrail serve) first`,
    );
  }
  db.transaction(() => {
    for (const migration of pending) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.description,
        new Date().toISOString(),
      );
      db.pragma(`user_version = ${migration.version}`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
  }).immediate();
}

/** SQLite's own errors become store errors with a sentence a person can act on. */
export function translateSqliteError(error: unknown, path: string): unknown {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB') {
    return new StoreError('store_file_not_fundtrail', `${path} is not a fundtrail store: it is not a SQLite database`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError('store_file_corrupt', `${path} is corrupt (${code}): restore it from a backup; nothing was written`);
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) {
    return new StoreError('store_unavailable', `${path} is locked by another writer; try again`);
  }
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_')) {
    return new StoreError('store_unavailable', `${path} cannot be opened: check that its folder exists and is writable`);
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_')) {
    return new StoreError('store_unavailable', `${path} is read-only`);
  }
  return error;
}
