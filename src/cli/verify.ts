import { InvalidArgumentError, type Command } from 'commander';
import { formatHead, parseHead, verifyStore, type Head } from '../audit/verify.js';
import { configFrom, withStoreOptions } from './common.js';
import { progress } from './progress.js';

function head(value: string): Head {
  const parsed = parseHead(value);
  if (!parsed) throw new InvalidArgumentError('must be POSITION:HASH, the hash as 64 hex digits');
  return parsed;
}

export function registerVerify(program: Command): void {
  withStoreOptions(program.command('verify'))
    .description('recompute the hash chain over the whole log; name the first position that was changed, removed or inserted')
    .option('--head <position:hash>', 'also prove the log up to POSITION still hashes to HASH (a head exported earlier)', head)
    .action((options: { db?: string; head?: Head }) => {
      const config = configFrom(options);
      const report = verifyStore(config.FUNDTRAIL_DB, { ...(options.head ? { head: options.head } : {}), progress: (total) => progress('verify', total) });
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      out(`events: ${report.events}`);
      out(`linked by the store: ${report.chained}${report.events > report.chained ? ` (${report.events - report.chained} newest not yet linked; recomputed)` : ''}`);
      if (options.head && report.ok) out(`exported head ${formatHead(options.head)}: matches`);
      if (!report.ok) {
        out(`BROKEN at position ${report.brokenAt}: ${report.reason}`);
        process.exitCode = 1;
        return;
      }
      out(`intact`);
      if (report.head) out(`head ${formatHead(report.head)}`);
    });
}
