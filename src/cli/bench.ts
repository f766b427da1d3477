import { InvalidArgumentError, Option, type Command } from 'commander';
import { importBenchCommand } from '../bench/import-bench.js';
import { runBench } from '../bench/run.js';
import { configFrom, positiveInt, withStoreOptions } from './common.js';
import { progress, silentProgress } from './progress.js';

export function registerBench(program: Command): void {
  withStoreOptions(program.command('bench'))
    .description('measure the store (W1–W4) against a plain better-sqlite3 baseline, and the HTTP server against a plain fastify one, in the same run; ends with one JSON line')
    .option('--events <n>', 'events per workload', positiveInt, 100_000)
    .option('--streams <n>', 'streams the events are spread over', positiveInt, 10_000)
    .option('--rounds <n>', 'rounds per side; the median is reported', positiveInt, 5)
    .option('--rebuild-events <n>', 'also rebuild every projection over a synthetic county of N events (1000000 for the full-size figure)', wholeNumber, 0)
    .option('--no-http', 'skip the HTTP workloads (reads of a village balance and payments against the server on 127.0.0.1)')
    .option('--http-seconds <n>', 'length of each measured HTTP run, per side', positiveInt, 5)
    .option('--http-connections <n>', 'connections autocannon keeps open, one request in flight on each', positiveInt, 10)
    .option('--import [rows]', 'only the bulk-import benchmark: a payment list of ROWS lines (default 100000) into a 150-village county; target ≤ 10 s', positiveInt)
    .option('--dir <path>', 'folder for the benchmark files (default: a temporary folder, removed after)')
    .addOption(new Option('--quiet', 'no progress output'))
    .action(async function (this: Command, options: { db?: string; events: number; streams: number; rounds: number; dir?: string; quiet?: boolean; rebuildEvents: number; http: boolean; httpSeconds: number; httpConnections: number; import?: number | true }) {
      if (options.import !== undefined) {
        const pass = await importBenchCommand({ rows: options.import === true ? 100_000 : options.import, sync: configFrom(options).FUNDTRAIL_SYNC, ...(options.dir ? { dir: options.dir } : {}), out: (line) => process.stdout.write(`${line}\n`) });
        if (!pass) process.exitCode = 1;
        return;
      }
      if (options.events % (options.streams * 10) !== 0 || options.streams % 10 !== 0) {
        this.error('fundtrail bench: --events must be a multiple of 10 × --streams, and --streams a multiple of 10 (a warm-up round runs a tenth of both)', { exitCode: 2 });
      }
      const config = configFrom(options);
      const report = await runBench({
        events: options.events,
        streams: options.streams,
        rounds: options.rounds,
        sync: config.FUNDTRAIL_SYNC,
        ...(options.dir ? { dir: options.dir } : {}),
        rebuildEvents: options.rebuildEvents,
        http: options.http ? { seconds: options.httpSeconds, connections: options.httpConnections } : false,
        note: options.quiet ? () => {} : (line) => process.stderr.write(`${line}\n`),
        progress: options.quiet ? () => silentProgress : (label, total) => progress(label, total),
        out: (line) => process.stdout.write(`${line}\n`),
      });
      if (!report.pass) process.exitCode = 1;
    });
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}
