// Detection on both cores: the rules are split in two groups, each run on its own thread over the whole log
// (each thread reads and parses the log itself: passing parsed events between threads costs as much as
// parsing them). The findings are merged as if one detector had raised them all.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { mergeFindings } from '../../projections/findings/engine.js';
import { ALL_RULES } from '../../projections/findings/rules/index.js';
import { HEAVY_PAYMENT_RULES } from '../../projections/findings/rules/payments.js';
import type { Progress } from '../cli/progress.js';
import type { AsOf } from '../projections/replay.js';
import type { EventStore } from '../store/types.js';
import { detect, type DetectionResult } from './detect.js';

/**
 * Two groups of about equal weight, measured over the demo county: the household payment ledger with the
 * late-posting and amount-pattern rules, and everything else. Reading and parsing the log, which each thread
 * does, is the larger part of either.
 */
export function ruleGroups(): string[][] {
  const heavy = HEAVY_PAYMENT_RULES.map((rule) => rule.name);
  return [heavy, ALL_RULES.map((rule) => rule.name).filter((name) => !heavy.includes(name))];
}

// Evaluated source, so the thread starts the same from dist/ (JavaScript) and under the test runner.
const WORKER_SOURCE = `
const { parentPort, workerData } = await import('node:worker_threads');
const { detectGroup } = await import(workerData.moduleUrl);
const result = await detectGroup(workerData.path, workerData.ruleNames, workerData.asOf, (read) => parentPort.postMessage({ read }));
parentPort.postMessage({ result });
`;

const GROUP_MODULE = new URL(`./group${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

function runGroup(path: string, ruleNames: string[], asOf: AsOf, onRead: (events: number) => void): Promise<DetectionResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { moduleUrl: GROUP_MODULE, path, ruleNames, asOf } });
    worker.on('message', (message: { read: number } | { result: DetectionResult }) => {
      if ('read' in message) return onRead(message.read);
      resolve(message.result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`detection thread exited with code ${code}`));
    });
  });
}

/**
 * Runs every rule over an embedded store file on two threads; anything else (KurrentDB, memory) and any thread
 * failure runs in this thread instead, with the same result.
 */
export async function detectOnCores(store: EventStore, options: { asOf?: AsOf; path?: string; progress?: (total: number) => Progress }): Promise<DetectionResult & { threads: number }> {
  if (options.path) {
    const started = performance.now();
    const head = await store.headPosition();
    const bar = options.progress?.(options.asOf?.position !== undefined ? Math.min(head, options.asOf.position) : head);
    try {
      // Both threads read the whole log; the bar follows the first.
      const results = await Promise.all(ruleGroups().map((names, i) => runGroup(options.path!, names, options.asOf ?? {}, (read) => i === 0 && bar?.tick(read))));
      bar?.stop();
      // The group with the broken-controls rule first: in one detector its findings are raised first too.
      return { findings: mergeFindings([...results].reverse().map((r) => r.findings)), events: results[0]!.events, seconds: (performance.now() - started) / 1000, asOf: results[0]!.asOf, threads: results.length };
    } catch {
      bar?.stop();
    }
  }
  return { ...(await detect(store, { ...(options.asOf ? { asOf: options.asOf } : {}), ...(options.progress ? { progress: options.progress } : {}) })), threads: 1 };
}
