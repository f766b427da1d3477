// The store's maintenance worker thread, with its own connection, on the other core:
// - WAL checkpoints. SQLite's automatic checkpoint runs inside the commit that crosses the threshold, on the
//   writer's thread, and took most of the append time when measured; here the writer never checkpoints.
// - The hash chain. Hashing in the append path cost about a sixth of a batched append; the worker links new
//   events in batches shortly after they commit, and catches up fully before the store closes.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { chainLink } from '../../audit/chain.js';

export interface CheckpointerOptions {
  /** Passive checkpoints run this often while there is something to copy. */
  intervalMs: number;
  /**
   * Past this many WAL pages a RESTART checkpoint briefly holds the writers so the WAL can start over;
   * passive checkpoints alone never catch a writer that never pauses.
   */
  restartPages: number;
  /** New events are linked into the hash chain this often. */
  chainIntervalMs: number;
}

export const DEFAULT_CHECKPOINTER: CheckpointerOptions = { intervalMs: 25, restartPages: 16_384, chainIntervalMs: 200 };

// Evaluated code runs as an ES module inside a "type": "module" package and as CommonJS elsewhere; dynamic
// import() and createRequire work in both, so the worker starts the same from dist/ and from tests.
const WORKER_SOURCE = `
(async () => {
const { parentPort, workerData } = await import('node:worker_threads');
const { createHash } = await import('node:crypto');
const { createRequire } = await import('node:module');
const Database = createRequire(workerData.driver)(workerData.driver);
const chainLink = ${chainLink.toString()};
const db = new Database(workerData.path);
db.pragma('busy_timeout = 10000');
const lastLink = db.prepare('SELECT position, hash FROM event_chain ORDER BY position DESC LIMIT 1');
const unlinked = db.prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 20000').raw();
const link = db.prepare('INSERT INTO event_chain (position, hash) VALUES (?, ?)');
const linkAll = db.transaction((links) => { for (const [position, hash] of links) link.run(position, hash); });
let stopped = false;
let lastChain = 0;
parentPort.on('message', (message) => {
  if (message === 'stop') stopped = true;
  if (message === 'settle') {
    try { extendChain(true); db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
    parentPort.postMessage('settled');
  }
});
/** Links every event after the chain's end; stops at a gap in positions, which only tampering makes. */
function extendChain(all) {
  do {
    const last = lastLink.get();
    let position = last ? last.position : 0;
    let previous = last ? last.hash : Buffer.alloc(32);
    const rows = unlinked.all(position);
    const links = [];
    for (const row of rows) {
      if (row[0] !== position + 1) break;
      previous = chainLink(createHash, previous, row);
      position = row[0];
      links.push([position, previous]);
    }
    if (links.length === 0) return;
    linkAll(links);
    if (links.length < rows.length || rows.length < 20000) return;
  } while (all);
}
function tick() {
  if (stopped) {
    try { extendChain(true); db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
    db.close();
    parentPort.postMessage('stopped');
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result && result.log > workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
    const now = Date.now();
    if (now - lastChain >= workerData.chainIntervalMs) {
      lastChain = now;
      extendChain(false);
    }
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  setTimeout(tick, workerData.intervalMs);
}
tick();
})().catch((error) => { throw error; });
`;

export class Checkpointer {
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;

  constructor(path: string, options: CheckpointerOptions, onError: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, ...options } });
    this.worker.on('message', (message: unknown) => {
      if (typeof message === 'object' && message && 'error' in message) onError(String((message as { error: unknown }).error));
    });
    this.worker.on('error', (error) => onError(error.message));
    // The worker must not keep a finished CLI command alive.
    this.worker.unref();
  }

  /** Resolves once every event committed so far is linked into the chain and the WAL is checkpointed. */
  settle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const onMessage = (message: unknown): void => {
        if (message !== 'settled') return;
        this.worker.off('message', onMessage);
        this.worker.unref();
        resolve();
      };
      this.worker.on('message', onMessage);
      this.worker.ref();
      this.worker.postMessage('settle');
    });
  }

  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      const done = (): void => resolve();
      this.worker.once('exit', done);
      this.worker.on('message', (message) => {
        if (message === 'stopped') void this.worker.terminate().then(done, done);
      });
      // Hold the process open until the worker has closed its connection.
      this.worker.ref();
      this.worker.postMessage('stop');
    });
    return this.stopping;
  }
}
