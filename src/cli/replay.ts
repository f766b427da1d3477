import { Option, type Command } from 'commander';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { areaBalance, areasWithAccounts, type BalanceView } from '../../projections/balances.js';
import type { Views } from '../../projections/types.js';
import { replay, type AsOf } from '../projections/replay.js';
import { viewsHash } from '../projections/runner.js';
import { openStore } from '../store/open.js';
import { cliLogger, configFrom, isoDate, positiveInt, withStoreOptions } from './common.js';
import { progress } from './progress.js';

const yuan = (fen: number): string => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function registerReplay(program: Command): void {
  withStoreOptions(program.command('replay'))
    .description('rebuild projections in memory from the log, as of a date or position, and print a summary')
    .option('--as-of <date>', 'what we now know happened by this date (effective dates)', isoDate)
    .option('--recorded-by <date>', 'the books as recorded by this date', isoDate)
    .option('--position <n>', 'the log up to this position', positiveInt)
    .option('--projection <name>', `one projection (${ALL_PROJECTIONS.map((p) => p.name).join(', ')})`)
    .option('--threads <n>', 'threads to split the projections over, each reading the log (embedded store; default: one per core)', positiveInt)
    .addOption(new Option('--measure-reads', 'time balance reads from the rebuilt views (used by the benchmark)').hideHelp())
    .action(async function (this: Command, options: { db?: string; asOf?: string; recordedBy?: string; position?: number; projection?: string; threads?: number; measureReads?: boolean }) {
      const projections = options.projection ? ALL_PROJECTIONS.filter((p) => p.name === options.projection) : ALL_PROJECTIONS;
      if (projections.length === 0) this.error(`fundtrail replay: no projection named ${options.projection}`, { exitCode: 2 });
      const config = configFrom(options);
      const store = await openStore(config, cliLogger(config), { readonly: true });
      try {
        const asOf: AsOf = { ...(options.asOf ? { effectiveDate: options.asOf } : {}), ...(options.recordedBy ? { recordedBy: options.recordedBy } : {}), ...(options.position ? { position: options.position } : {}) };
        // The county summary and the read timings need the balances here; the other views may stay in their threads.
        const result = await replay(store, projections, asOf, (total) => progress('replay', total), { keep: ['balances'], ...(options.threads ? { threads: options.threads } : {}) });
        const out = (line: string): boolean => process.stdout.write(`${line}\n`);
        const threads = result.threads === 1 ? '1 thread' : `${result.threads} threads`;
        out(`events read: ${result.events}, folded: ${result.folded}, ${Math.round(result.events / Math.max(result.seconds, 1e-6))} events/s (${threads})`);
        for (const p of projections) {
          const views = result.views.get(p.name);
          const summary = views ? { views: views.map.size, hash: viewsHash(views) } : result.remote.get(p.name)!;
          out(`${p.name}: ${summary.views} views, hash ${summary.hash}`);
        }
        const balances = result.views.get('balances');
        for (const code of balances ? areasWithAccounts(balances) : []) {
          const area = areaBalance(balances as unknown as Views<BalanceView>, code);
          if (area.level !== 'county') continue;
          const held = Object.entries(area.heldBySourceType).map(([type, fen]) => `${type} ${yuan(fen)}`).join(', ') || 'nothing';
          const inFlight = Object.entries(area.inFlightBySourceType).map(([type, fen]) => `${type} ${yuan(fen)}`).join(', ') || 'nothing';
          out(`county ${area.areaCode}: held ${held}; in flight ${inFlight}`);
        }
        out(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
        if (options.measureReads && balances) out(measureReads(balances.map));
      } finally {
        await store.close();
      }
    });
}

/** Reads of account and area balances as an HTTP handler would serve them: look up, serialise. */
function measureReads(views: Map<string, unknown>): string {
  const keys = [...views.keys()].filter((key) => key.startsWith('account:') || key.startsWith('area-accounts:'));
  const typed = { get: (key: string) => views.get(key), put: () => {} } as unknown as Views<BalanceView>;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 10_000 && keys.length > 0; i++) {
    const key = keys[(i * 7919) % keys.length]!;
    const started = performance.now();
    // An area's balance is summed from its accounts on every read; an account's is a lookup.
    const view = key.startsWith('area-accounts:') ? areaBalance(typed, key.slice('area-accounts:'.length)) : views.get(key);
    bytes += JSON.stringify(view).length;
    times.push((performance.now() - started) * 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): string => (times[Math.floor(q * (times.length - 1))] ?? 0).toFixed(1);
  return `balance read p50 ${at(0.5)} µs, p99 ${at(0.99)} µs (${keys.length} views, ${bytes} bytes served)`;
}
