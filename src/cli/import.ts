// `fundtrail import FILE`: a bulk import into the embedded store (or KurrentDB), with a progress bar, every row
// error printed, and exit codes a script can act on: 0 imported (or a clean dry run), 1 refused, 2 usage.
import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KIND_NAMES } from '../import/kinds.js';
import { formatFen } from '../import/money.js';
import { FORMATS, type Format } from '../import/read.js';
import { ImportConflictError, ImportFileError, runImport, type ImportReport } from '../import/run.js';
import { openStore } from '../store/open.js';
import { cliLogger, configFrom, withStoreOptions } from './common.js';
import { progress, type Progress } from './progress.js';

interface ImportCliOptions {
  db?: string;
  kind?: string;
  historical?: boolean;
  dryRun?: boolean;
  batchId?: string;
  format: 'table' | 'json';
  sheet?: string;
  as?: Format;
  actor?: string;
}

function batchId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(value)) throw new InvalidArgumentError('must be 1-64 letters, digits, . _ : -');
  return value;
}

export function registerImport(program: Command): void {
  withStoreOptions(program.command('import'))
    .description('import a ledger (CSV, XLSX or JSON Lines) in one batch: every row is checked first, and nothing is written unless every row passes (docs/import-format.md)')
    .argument('<file>', 'the ledger: .csv (UTF-8 or GBK), .xlsx, or .jsonl')
    .addOption(new Option('--kind <kind>', 'what each row is (default: read from the headers)').choices(KIND_NAMES))
    .option('--historical', 'the rows are history: record what a control would refuse and flag it; a 登记时间 column gives each row its recording time')
    .option('--dry-run', 'check and decide every row, report what would be written, write nothing')
    .option('--batch-id <id>', 'names the batch and seeds the command ids (default: the file\'s SHA-256); rerunning with the same id records nothing twice', batchId)
    .option('--sheet <name>', 'the XLSX sheet to read (default: the first)')
    .addOption(new Option('--as <format>', 'read the file as this format instead of recognising it').choices(FORMATS as string[]))
    .option('--actor <name>', 'who the events name as having posted them (default: cli:<your user name>)')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'json']).default('table'))
    .action(async function (this: Command, file: string, options: ImportCliOptions) {
      let bytes: Buffer;
      try {
        if (!statSync(file).isFile()) throw new Error('not a file');
        bytes = readFileSync(file);
      } catch (error) {
        this.error(`fundtrail import: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { exitCode: 2 });
      }
      const config = configFrom(options);
      const logger = cliLogger(config);
      const store = await openStore(config, logger);
      const bars = new Map<string, { bar: Progress; done: number }>();
      let report: ImportReport;
      try {
        report = await runImport(store, bytes, {
          ...(options.kind ? { kind: options.kind } : {}),
          ...(options.as ? { format: options.as } : {}),
          ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
          ...(options.batchId ? { batchId: options.batchId } : {}),
          historical: options.historical === true,
          dryRun: options.dryRun === true,
          actor: options.actor ?? `cli:${safeUser()}`,
          role: 'finance',
          progress: (phase, done, total) => {
            let shown = bars.get(phase);
            if (!shown) bars.set(phase, (shown = { bar: progress(phase === 'decide' ? 'checking rows' : 'writing events', total, phase === 'decide' ? 'rows' : 'events'), done: 0 }));
            shown.bar.tick(done - shown.done);
            shown.done = done;
          },
        });
      } catch (error) {
        if (error instanceof ImportFileError || error instanceof ImportConflictError) {
          process.stderr.write(`fundtrail import: ${file}: ${error.message} (${error.code})\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      } finally {
        for (const { bar } of bars.values()) bar.stop();
        await store.close();
      }
      // Counts only: the rows name people, and logs are no place for names or ID numbers.
      logger.info({ batch: report.batchId, rows: report.rows, events: report.events, errors: report.errors.length, committed: report.committed }, 'import finished');
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(report)}\n` : table(report, file));
      if (report.errors.length > 0) process.exitCode = 1;
    });
}

function safeUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

function table(report: ImportReport, file: string): string {
  const lines: string[] = [];
  const mode = [report.historical ? 'historical' : 'live', report.dryRun ? 'dry run' : ''].filter(Boolean).join(', ');
  lines.push(`${file}: ${report.format}${report.encoding ? ` (${report.encoding})` : ''}, ${count(report.rows)} rows, ${report.kinds.join(', ') || 'no kind'}; batch ${report.batchId}; ${mode}`);
  for (const total of report.totals) {
    lines.push(`  ${total.kind}: ${count(total.rows)} rows, ${count(total.commands)} new commands, ${count(total.alreadyRecorded)} already recorded, ${count(total.events)} events, ¥${formatFen(BigInt(total.amountFen)).replace(/\B(?=(\d{3})+(?!\d))(?=\d*\.)/g, ',')} (${total.amountFen} fen)`);
  }
  for (const v of report.violations) lines.push(`  flagged: ${v.code} on ${count(v.rows)} rows`);
  for (const s of report.skippedRows) lines.push(`  skipped row ${s.row}: ${s.reason}`);
  if (report.ignoredColumns.length > 0) lines.push(`  ignored columns: ${report.ignoredColumns.join(', ')}`);
  if (report.errors.length > 0) {
    lines.push(`${count(report.errors.length)} errors; nothing was written:`);
    lines.push(['row', 'column', 'code', 'message'].join('\t'));
    for (const e of report.errors) lines.push([e.row, e.column ?? '-', e.code, e.message].join('\t'));
  } else if (report.dryRun) {
    lines.push(`dry run: ${count(report.events)} events would be written; nothing was`);
  } else if (report.committed) {
    lines.push(`written: ${count(report.events)} events, log positions ${report.headBefore + 1}-${report.headAfter}`);
  } else {
    lines.push('nothing new: every row was already recorded');
  }
  return `${lines.join('\n')}\n`;
}
