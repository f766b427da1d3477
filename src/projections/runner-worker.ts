// A catch-up thread of the projection runner (src/projections/runner.ts): it runs a runner of its own over its
// share of the projections, reading the embedded store's file read-only, folds them from their checkpoints to
// the log's head, saves views and checkpoints as the runner always does, and says so.
import { parentPort, workerData } from 'node:worker_threads';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import { ProjectionRunner, type CatchUpInput, type CatchUpMessage } from './runner.js';

const post = (message: CatchUpMessage): void => parentPort!.postMessage(message);
const input = workerData as CatchUpInput;

try {
  const store = new SqliteEventStore(input.storePath, { readonly: true });
  try {
    // Another catch-up thread may be saving its share: a save waits for it rather than failing after 10 s. A
    // save re-serializes nearly every view while catching up, so this thread saves once, at the head, unless
    // the history takes more than five minutes (a thread that dies is caught up after from its last save).
    const runner = new ProjectionRunner(store, input.viewsPath, ALL_PROJECTIONS.filter((p) => input.names.includes(p.name)), {
      busyTimeoutMs: 120_000,
      flushEvery: Number.POSITIVE_INFINITY,
      catchUpFlushMs: 300_000,
    });
    let reported = 0;
    await runner.catchUpOnly((position) => {
      if (position - reported >= 20_000) post({ kind: 'progress', position: (reported = position) });
    });
    post({ kind: 'saved' });
  } finally {
    await store.close();
  }
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
}
