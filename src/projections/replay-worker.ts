// One thread of a split replay (src/projections/replay.ts): opens the embedded store's file read-only, folds
// its share of the projections over the log, says so, then hashes its views for the caller.
import { parentPort, workerData } from 'node:worker_threads';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import { foldLog, type WorkerInput, type WorkerMessage } from './replay.js';
import { viewsHash } from './runner.js';

const post = (message: WorkerMessage): void => parentPort!.postMessage(message);
const input = workerData as WorkerInput;

try {
  const store = new SqliteEventStore(input.path, { readonly: true });
  try {
    const projections = ALL_PROJECTIONS.filter((p) => input.names.includes(p.name));
    let read = 0;
    let reported = 0;
    const result = await foldLog(store, projections, input.asOf, (events) => {
      read += events;
      if (read - reported >= 20_000) post({ kind: 'progress', events: (reported = read) });
    });
    post({ kind: 'progress', events: read });
    post({ kind: 'folded', events: result.events, folded: result.folded });
    for (const name of input.send) post({ kind: 'views', name, entries: [...result.views.get(name)!.map] });
    post({ kind: 'summary', summaries: [...result.views].map(([name, views]) => [name, { views: views.map.size, hash: viewsHash(views) }]) });
  } finally {
    await store.close();
  }
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
}
