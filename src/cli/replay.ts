import { InvalidArgumentError, type Command } from 'commander';
import { isRealDate } from '../../domain/values.js';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import type { AreaBalance } from '../../projections/balances.js';
import { replay, type AsOf } from '../projections/replay.js';
import { viewsHash } from '../projections/runner.js';
import { openStore } from '../store/open.js';
import { cliLogger, configFrom, positiveInt, withStoreOptions } from './common.js';
import { progress } from './progress.js';

function date(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isRealDate(value)) throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return value;
}

const yuan = (fen: number): string => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function registerReplay(program: Command): void {
  withStoreOptions(program.command('replay'))
    .description('rebuild projections in memory from the log, as of a date or position, and print a summary')
    .option('--as-of <date>', 'what we now know happened by this date (effective dates)', date)
    .option('--recorded-by <date>', 'the books as recorded by this date', date)
    .option('--position <n>', 'the log up to this position', positiveInt)
    .option('--projection <name>', `one projection (${ALL_PROJECTIONS.map((p) => p.name).join(', ')})`)
    .action(async function (this: Command, options: { db?: string; asOf?: string; recordedBy?: string; position?: number; projection?: string }) {
      const projections = options.projection ? ALL_PROJECTIONS.filter((p) => p.name === options.projection) : ALL_PROJECTIONS;
      if (projections.length === 0) this.error(`fundtrail replay: no projection named ${options.projection}`, { exitCode: 2 });
      const config = configFrom(options);
      const store = await openStore(config, cliLogger(config));
      try {
        const asOf: AsOf = { ...(options.asOf ? { effectiveDate: options.asOf } : {}), ...(options.recordedBy ? { recordedBy: options.recordedBy } : {}), ...(options.position ? { position: options.position } : {}) };
        const result = await replay(store, projections, asOf, (total) => progress('replay', total));
        const out = (line: string): boolean => process.stdout.write(`${line}\n`);
        out(`events read: ${result.events}, folded: ${result.folded}, ${Math.round(result.events / Math.max(result.seconds, 1e-6))} events/s`);
        for (const [name, views] of result.views) out(`${name}: ${views.map.size} views, hash ${viewsHash(views)}`);
        const balances = result.views.get('balances');
        for (const view of balances?.map.values() ?? []) {
          const area = view as AreaBalance;
          if (area.view !== 'area' || area.level !== 'county') continue;
          const held = Object.entries(area.heldBySourceType).map(([type, fen]) => `${type} ${yuan(fen)}`).join(', ') || 'nothing';
          const inFlight = Object.entries(area.inFlightBySourceType).map(([type, fen]) => `${type} ${yuan(fen)}`).join(', ') || 'nothing';
          out(`county ${area.areaCode}: held ${held}; in flight ${inFlight}`);
        }
      } finally {
        await store.close();
      }
    });
}
