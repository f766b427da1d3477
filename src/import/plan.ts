// From rows of cells to the commands they ask for: find the header row, name the kind, read every cell, and
// collect every row's errors (row, column, code, message) instead of stopping at the first.
import { createHash } from 'node:crypto';
import type { CommandType } from '../../domain/commands.js';
import { ImportFileError, type ReadFile, type SheetRow } from './read.js';
import { KIND_NAMES, KINDS, kindNamed, type ColumnSpec, type KindSpec, type PlannedCommand, type Values } from './kinds.js';
import { fold, parseDateTime, parseYuan, UNREADABLE } from './values.js';

export interface RowError {
  row: number;
  /** The column as headed in the file (or the JSON field path); null when the error is about the whole row. */
  column: string | null;
  code: string;
  message: string;
}

export interface PlannedRow {
  row: number;
  kind: string;
  commands: PlannedCommand[];
  /** From the recordedAt column: the command's recording time in a historical import. */
  recordedAt?: string;
  /** Points a refusal of this row's command at a cell: a field or refusal code → the column as headed. */
  blame(key: string): string | null;
}

/** What planning found outside the rows it yields: refused rows and skipped totals rows. */
export interface PlanSink {
  errors: RowError[];
  skippedRows: { row: number; reason: string }[];
}

export interface Plan {
  /** Kinds of the file: one for a sheet; for JSON Lines, filled in while the rows are planned. */
  kinds: Set<string>;
  ignoredColumns: string[];
  /** Data rows of the file, for progress. */
  size: number;
  /**
   * Plans the rows one at a time, in file order; a row that cannot become commands goes to the sink instead.
   * Planned lazily so that a row's cells, values and commands die young, which keeps garbage collection of a
   * 100,000-row file cheap; the plan can be walked again (an import retried after a conflict).
   */
  rows(sink: PlanSink): Generator<PlannedRow>;
}

/** Words that mark a totals row at the foot of a list; its amount is checked against the rows' sum. */
const TOTAL_WORDS = new Set(['合计', '总计', '小计', '合 计', '总 计', 'total']);
/** JSON Lines may carry any command but those only auditors give. */
const NOT_IMPORTABLE = new Set<CommandType>(['SealPeriod', 'ResolveFinding']);

/** A stable short id for business ids derived from the batch (pay-…, a payment list's missing 支付编号). */
export function batchTag(batch: string): string {
  return createHash('sha256').update(batch).digest('hex').slice(0, 10);
}

export function planImport(file: ReadFile, options: { kind?: string; batch: string; historical: boolean }): Plan {
  if (file.format === 'jsonl') return planJsonLines(file.lines, options);
  const chosen = options.kind === undefined ? undefined : kindNamed(options.kind);
  if (options.kind !== undefined && !chosen) throw new ImportFileError('unknown_kind', `no kind ${options.kind}; kinds are ${KIND_NAMES.join(', ')}`);
  const header = findHeader(file.rows, chosen);
  const headers = file.rows[header]!.cells;
  const kind = chosen ?? inferKind(headers);
  const columns = resolveColumns(kind, headers);
  if (!options.historical && columns.has('recordedAt')) {
    throw new ImportFileError('recorded_at_needs_historical', `the column ${columns.get('recordedAt')!.header} gives recording times, which only a historical import carries; a live posting is recorded now`);
  }
  const tag = batchTag(options.batch);
  const blame = blamer(kind, columns);
  return {
    kinds: new Set([kind.name]),
    ignoredColumns: ignored(kind, headers),
    size: file.rows.length - header - 1,
    *rows(sink) {
      let sum = 0n;
      for (let i = header + 1; i < file.rows.length; i++) {
        const sheetRow = file.rows[i]!;
        if (sheetRow.cells.every((c) => c.trim() === '')) continue;
        const first = sheetRow.cells.find((c) => c.trim() !== '')?.trim() ?? '';
        if (TOTAL_WORDS.has(first.toLowerCase())) {
          sink.skippedRows.push({ row: sheetRow.row, reason: `totals row (${first})` });
          checkTotal(sheetRow, columns, sum, sink.errors);
          continue;
        }
        const planned = planRow(kind, columns, sheetRow, tag, blame, sink.errors);
        if (!planned) continue;
        const amount = planned.commands[0]?.amountFen;
        if (typeof amount === 'number') sum += BigInt(amount);
        yield planned;
      }
    },
  };
}

interface Located {
  index: number;
  header: string;
  spec: ColumnSpec;
}

/** The header row: the first of the first ten rows in which at least two cells name columns of a kind. */
function findHeader(rows: SheetRow[], kind: KindSpec | undefined): number {
  const known = new Set((kind ? [kind] : KINDS).flatMap((k) => k.columns.flatMap((c) => [c.key, ...c.aliases].map(fold))));
  for (let i = 0; i < Math.min(rows.length, 10); i++) {
    if (rows[i]!.cells.filter((c) => known.has(fold(c))).length >= 2) return i;
  }
  if (rows.length === 0) throw new ImportFileError('file_empty', 'the file has no rows');
  throw new ImportFileError('no_header', `none of the first ten rows names the columns of ${kind ? `a ${kind.name} list` : 'any kind of list'}; see docs/import-format.md for the headers`);
}

function lookupFor(kind: KindSpec): Map<string, ColumnSpec> {
  const map = new Map<string, ColumnSpec>();
  for (const spec of kind.columns) for (const name of [spec.key, ...spec.aliases]) map.set(fold(name), spec);
  return map;
}

function resolveColumns(kind: KindSpec, headers: string[]): Map<string, Located> {
  const lookup = lookupFor(kind);
  const columns = new Map<string, Located>();
  headers.forEach((header, index) => {
    const spec = lookup.get(fold(header));
    if (!spec) return;
    const seen = columns.get(spec.key);
    if (seen) throw new ImportFileError('duplicate_column', `the columns ${seen.header} and ${header} both give ${spec.key}; keep one`);
    columns.set(spec.key, { index, header: header.trim(), spec });
  });
  const missing = kind.columns.filter((c) => c.required && !columns.has(c.key)).map((c) => `${c.key} (${c.aliases[0] ?? c.key})`);
  for (const group of kind.oneOf) {
    if (!group.some((key) => columns.has(key))) missing.push(`one of ${group.join(', ')}`);
  }
  if (missing.length > 0) throw new ImportFileError('missing_columns', `a ${kind.name} list needs the columns ${missing.join('; ')}`);
  return columns;
}

function ignored(kind: KindSpec, headers: string[]): string[] {
  const lookup = lookupFor(kind);
  return headers.map((h) => h.trim()).filter((h) => h !== '' && !lookup.has(fold(h)));
}

/** The kind whose required columns are all there and which has the most of its own columns. */
function inferKind(headers: string[]): KindSpec {
  const candidates = KINDS.flatMap((kind) => {
    try {
      resolveColumns(kind, headers);
    } catch (error) {
      if ((error as ImportFileError).code === 'missing_columns') return [];
      throw error;
    }
    const lookup = lookupFor(kind);
    const present = new Set(headers.map((h) => lookup.get(fold(h))?.key).filter((k) => k !== undefined));
    return [{ kind, score: kind.signature.filter((key) => present.has(key)).length }];
  });
  candidates.sort((a, b) => b.score - a.score);
  if (candidates.length === 0) throw new ImportFileError('kind_unknown', `the headers (${headers.filter((h) => h.trim()).join(', ')}) fit no kind of list completely; name one with kind (${KIND_NAMES.join(', ')}) to be told which columns are missing`);
  if (candidates.length > 1 && candidates[0]!.score === candidates[1]!.score) {
    throw new ImportFileError('kind_ambiguous', `the headers fit both ${candidates[0]!.kind.name} and ${candidates[1]!.kind.name}; name the kind`);
  }
  return candidates[0]!.kind;
}

/** Points a field or a refusal code at the column it is about, as headed in the file. */
function blamer(kind: KindSpec, columns: Map<string, Located>): (key: string) => string | null {
  return (key) => {
    const candidates = kind.blame[key] ?? Object.entries(kind.blame).find(([k]) => k.endsWith('_') && key.startsWith(k))?.[1] ?? [key];
    for (const candidate of candidates) {
      const column = columns.get(candidate) ?? columns.get(candidate === 'amountFen' ? 'amount' : candidate);
      if (column) return column.header;
    }
    return null;
  };
}

function planRow(kind: KindSpec, columns: Map<string, Located>, sheetRow: SheetRow, tag: string, blame: (key: string) => string | null, errors: RowError[]): PlannedRow | undefined {
  const values: Values = {};
  let failed = false;
  const fail = (column: string | null, code: string, message: string): void => {
    failed = true;
    errors.push({ row: sheetRow.row, column, code, message });
  };
  for (const { index, header, spec } of columns.values()) {
    const raw = (sheetRow.cells[index] ?? '').trim();
    if (raw.startsWith(UNREADABLE)) {
      fail(header, 'cell_unreadable', raw.slice(1));
      continue;
    }
    if (raw === '') {
      if (spec.required) fail(header, 'missing_value', `${header} is empty`);
      continue;
    }
    const parsed = spec.parse ? spec.parse(raw) : ({ ok: true, value: raw } as const);
    if (!parsed.ok) fail(header, parsed.code, parsed.message);
    else values[spec.as ?? spec.key] = parsed.value;
  }
  for (const group of kind.oneOf) {
    const given = group.filter((key) => columns.has(key));
    if (given.length > 0 && !given.some((key) => (sheetRow.cells[columns.get(key)!.index] ?? '').trim() !== '')) {
      fail(columns.get(given[0]!)!.header, 'missing_value', `give one of ${given.map((key) => columns.get(key)!.header).join(', ')}`);
    }
  }
  if (failed) return undefined;
  const derivedId = (prefix: string): string => `${prefix}-${tag}-${sheetRow.row}`;
  const commands = kind.build(values, derivedId);
  if (values.id !== undefined) commands[0]!.id = values.id;
  const recordedAt = values.recordedAt;
  return { row: sheetRow.row, kind: kind.name, commands, ...(typeof recordedAt === 'string' ? { recordedAt } : {}), blame };
}

/** A totals row's amount must equal the sum of the rows above it: the control total of a payment list. */
function checkTotal(row: SheetRow, columns: Map<string, Located>, sum: bigint, errors: RowError[]): void {
  const column = columns.get('amount') ?? columns.get('amountFen');
  if (!column) return;
  const raw = (row.cells[column.index] ?? '').trim();
  if (raw === '') return;
  const parsed = column.spec.key === 'amount' ? parseYuan(raw) : column.spec.parse!(raw);
  if (!parsed.ok) return void errors.push({ row: row.row, column: column.header, code: parsed.code, message: `the totals row: ${parsed.message}` });
  if (BigInt(parsed.value) !== sum) {
    errors.push({ row: row.row, column: column.header, code: 'control_total_mismatch', message: `the totals row says ${raw} but the rows above add up to ${formatYuan(sum)} yuan` });
  }
}

const formatYuan = (fen: bigint): string => `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;

/** JSON Lines: one command per line, as domain/commands.ts defines it; `id` may be left out, `amountYuan` (a string) stands for amountFen. */
function planJsonLines(lines: { row: number; value: unknown; error?: string }[], options: { kind?: string; historical: boolean }): Plan {
  const chosen = options.kind === undefined ? undefined : kindNamed(options.kind);
  if (options.kind !== undefined && !chosen) throw new ImportFileError('unknown_kind', `no kind ${options.kind}; kinds are ${KIND_NAMES.join(', ')}`);
  if (lines.length === 0) throw new ImportFileError('file_empty', 'the file has no lines');
  const kinds = new Set<string>();
  return {
    kinds,
    ignoredColumns: [],
    size: lines.length,
    *rows(sink) {
      for (const line of lines) {
        const planned = planJsonLine(line, chosen, options.historical, sink.errors);
        if (!planned) continue;
        kinds.add(planned.kind);
        yield planned;
      }
    },
  };
}

/** A JSON field path is its own column; a refusal code names no column. */
const jsonBlame = (key: string): string | null => (/^[a-z]/.test(key) && !key.includes('_') ? key : null);

function planJsonLine(line: { row: number; value: unknown; error?: string }, chosen: KindSpec | undefined, historical: boolean, errors: RowError[]): PlannedRow | undefined {
  const fail = (column: string | null, code: string, message: string): undefined => void errors.push({ row: line.row, column, code, message });
  if (line.error !== undefined) return fail(null, 'invalid_json', line.error);
  if (line.value === null || typeof line.value !== 'object' || Array.isArray(line.value)) return fail(null, 'invalid_json', 'each line is one JSON object: a command');
  const { recordedAt, amountYuan, ...command } = line.value as Record<string, unknown>;
  if (command.type === undefined && chosen?.commandTypes.length === 1) command.type = chosen.commandTypes[0];
  const type = command.type as CommandType;
  if (typeof type !== 'string') return fail('type', 'missing_value', 'each line names its command type');
  if (chosen && !chosen.commandTypes.includes(type)) return fail('type', 'invalid_value', `a ${chosen.name} import takes ${chosen.commandTypes.join(' and ')} lines, not ${type}`);
  if (NOT_IMPORTABLE.has(type)) return fail('type', 'invalid_value', `${type} is given by auditors one at a time, not imported`);
  if (amountYuan !== undefined) {
    if (typeof amountYuan !== 'string') return fail('amountYuan', 'amount_malformed', 'amountYuan is written as a string ("1234.56"), never a JSON number');
    if (command.amountFen !== undefined) return fail('amountYuan', 'invalid_value', 'give amountYuan or amountFen, not both');
    const parsed = parseYuan(amountYuan);
    if (!parsed.ok) return fail('amountYuan', parsed.code, parsed.message);
    command.amountFen = parsed.value;
  }
  let recorded: string | undefined;
  if (recordedAt !== undefined) {
    if (!historical) return fail('recordedAt', 'recorded_at_needs_historical', 'only a historical import carries recording times; a live posting is recorded now');
    const parsed = typeof recordedAt === 'string' ? parseDateTime(recordedAt) : ({ ok: false, code: 'invalid_datetime', message: 'recordedAt is a string' } as const);
    if (!parsed.ok) return fail('recordedAt', parsed.code, parsed.message);
    recorded = parsed.value;
  }
  const kind = KINDS.find((k) => k.commandTypes.includes(type))?.name ?? type;
  return { row: line.row, kind, commands: [command as PlannedCommand], ...(recorded ? { recordedAt: recorded } : {}), blame: jsonBlame };
}
