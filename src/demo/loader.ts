// How the demo posts a million commands quickly through the one command path, without changing what is
// decided or recorded: on the embedded SQLite store, commands are committed in batches. An outer transaction
// is opened and the store's own per-append transactions become savepoints (better-sqlite3 nests them), so a
// refused command still rolls back alone. A crash loses at most the open batch; the demo only ever loads an
// empty store.
import type { EventStore } from '../store/types.js';

interface BatchableDb {
  exec(sql: string): unknown;
  inTransaction: boolean;
}

/** Commits every `size` commands as one SQLite transaction on the embedded store; a no-op on other stores. */
export class CommitBatches {
  private readonly db: BatchableDb | undefined;
  private open = 0;

  constructor(
    store: EventStore,
    private readonly size: number,
  ) {
    const db = (store as { db?: Partial<BatchableDb> }).db;
    this.db = size > 1 && db && typeof db.exec === 'function' && typeof db.inTransaction === 'boolean' ? (db as BatchableDb) : undefined;
  }

  /** Before a command: opens a batch if none is open. */
  before(): void {
    if (!this.db || this.open > 0 || this.db.inTransaction) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.open = 0;
  }

  /** After a command: commits once the batch is full. */
  after(): void {
    if (!this.db) return;
    this.open += 1;
    if (this.open >= this.size) this.commit();
  }

  commit(): void {
    if (!this.db) return;
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.open = 0;
  }
}
