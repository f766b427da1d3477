import { InvalidArgumentError, Option, type Command } from 'commander';
import { areaWithin } from '../../domain/values.js';
import { FINDING_CODES, type Finding, type FindingCode } from '../../projections/findings/types.js';
import { detectOnCores } from '../detection/parallel.js';
import { openStore } from '../store/open.js';
import { cliLogger, configFrom, isoDate, withStoreOptions } from './common.js';
import { progress } from './progress.js';

function code(value: string): FindingCode {
  if (!(FINDING_CODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${FINDING_CODES.join(', ')}`);
  return value as FindingCode;
}

function areaCode(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('must be a 12-digit area code');
  return value;
}


const yuan = (fen: number): string => (fen / 100).toFixed(2);

/** One CSV field: quoted when it must be, and a leading = + - @ defused so a spreadsheet shows it as text. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const COLUMNS = ['id', 'code', 'severity', 'status', 'effective_date', 'area', 'amount_yuan', 'accounts', 'event_ids', 'explanation_zh', 'explanation_en'] as const;

function row(f: Finding): (string | number)[] {
  return [f.id, f.code, f.severity, f.status, f.effectiveDate, f.areaCode ?? '', yuan(f.amountFen), f.accounts.join(' '), f.eventIds.join(' '), f.explanation.zh, f.explanation.en];
}

function table(findings: Finding[]): string {
  const lines: string[] = [];
  const byCode = new Map<string, Finding[]>();
  for (const f of findings) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  for (const f of findings) {
    lines.push(`${f.effectiveDate}  ${f.code.padEnd(26)} ${f.severity.padEnd(7)} ${f.status.padEnd(9)} ${(f.areaCode ?? '-').padEnd(12)} ${yuan(f.amountFen).padStart(14)}  ${f.id}`);
    lines.push(`    ${f.explanation.en}`);
  }
  lines.push('');
  lines.push('code                        findings   amount at stake (yuan)');
  for (const [c, list] of [...byCode].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`${c.padEnd(27)} ${String(list.length).padStart(8)}   ${yuan(list.reduce((s, f) => s + f.amountFen, 0)).padStart(22)}`);
  }
  lines.push(`${'total'.padEnd(27)} ${String(findings.length).padStart(8)}`);
  return lines.join('\n');
}

export function registerFindings(program: Command): void {
  withStoreOptions(program.command('findings'))
    .description('run every detection rule over the log and list the findings, with the events that prove each')
    .option('--code <code>', 'only this finding code', code)
    .option('--area <code>', 'only findings in this area (a county or township includes the areas under it)', areaCode)
    .option('--as-of <date>', 'what we now know happened by this date (effective dates)', isoDate)
    .option('--status <status>', 'only open, confirmed, dismissed or rectified findings')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .action(async (options: { db?: string; code?: FindingCode; area?: string; asOf?: string; status?: string; format: 'table' | 'json' | 'csv' }) => {
      const config = configFrom(options);
      const store = await openStore(config, cliLogger(config), { readonly: true });
      try {
        const path = config.EVENTSTORE_CONNECTION_STRING ? undefined : config.FUNDTRAIL_DB;
        const result = await detectOnCores(store, { ...(options.asOf ? { asOf: { effectiveDate: options.asOf } } : {}), ...(path ? { path } : {}), progress: (total) => progress('detect', total) });
        const findings = result.findings.filter(
          (f) => (!options.code || f.code === options.code) && (!options.area || (f.areaCode !== null && areaWithin(f.areaCode, options.area))) && (!options.status || f.status === options.status),
        );
        const out = (text: string): boolean => process.stdout.write(`${text}\n`);
        if (options.format === 'json') {
          out(JSON.stringify({ asOf: result.asOf, events: result.events, seconds: Math.round(result.seconds * 100) / 100, threads: result.threads, findings }, null, 2));
        } else if (options.format === 'csv') {
          out(COLUMNS.join(','));
          for (const f of findings) out(row(f).map(csvField).join(','));
        } else {
          out(table(findings));
          out(`${result.events} events read in ${result.seconds.toFixed(1)} s on ${result.threads} thread${result.threads === 1 ? '' : 's'}; findings as of ${result.asOf}`);
        }
      } finally {
        await store.close();
      }
    });
}
