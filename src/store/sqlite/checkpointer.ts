// WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the commit that crosses the
// threshold, on the writer's thread, and took most of the append time when measured. Here the writer never
// checkpoints: a worker with its own connection copies the WAL into the database on the other core.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** Passive checkpoints run this often while there is something to copy. */
  intervalMs: number;
  /**
   * Past this many WAL pages a RESTART checkpoint briefly holds the writers so the WAL can start over;
   * passive checkpoints alone never catch a writer that never pauses.
   */
  restartPages: number;
}

export const DEFAULT_CHECKPOINTER: CheckpointerOptions = { intervalMs: 25, restartPages: 16_384 };

// Plain CommonJS so that the worker runs the same from compiled JavaScript and from TypeScript tests.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 10000');
let stopped = false;
parentPort.on('message', (message) => {
  if (message === 'stop') stopped = true;
});
function tick() {
  if (stopped) {
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.postMessage('stopped');
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result && result.log > workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
  setTimeout(tick, workerData.intervalMs);
}
tick();
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
