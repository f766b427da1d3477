// A bulk import: read the file, plan every row, decide every command through the executor against a staging
// store (so a refusal anywhere leaves the log untouched), and only then commit what was decided, on the
// embedded store in one SQLite transaction. Command ids derive from the batch and the row, so running the
// same file again records nothing twice, and an interrupted import (on a store without one big transaction)
// is finished by running it again.
import { createHash } from 'node:crypto';
import type { Command } from '../../domain/commands.js';
import { DomainError } from '../../domain/errors.js';
import { areaWithin } from '../../domain/values.js';
import { CommandExecutor, parseCommand } from '../domain/executor.js';
import { areaOfCommand } from '../http/scope.js';
import { EventIdConflictError, WrongExpectedVersionError } from '../store/errors.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import type { EventStore, StreamAppend } from '../store/types.js';
import { planImport, type Plan, type PlannedRow, type PlanSink, type RowError } from './plan.js';
import { ImportFileError, readImportFile, type Format } from './read.js';
import { StagingStore } from './staging.js';

export { ImportFileError, type RowError };

export interface ImportOptions {
  kind?: string;
  format?: Format;
  sheet?: string;
  historical: boolean;
  dryRun: boolean;
  /** Names the batch in every event's metadata and seeds the command ids; default: the file's SHA-256. */
  batchId?: string;
  actor: string;
  role: string;
  /** The key's areas: a row acting outside all of them is refused. Undefined or empty: every area. */
  areas?: string[];
  now?: () => Date;
  progress?: (phase: 'decide' | 'commit', done: number, total: number) => void;
  /** Rows decided between turns of the event loop, so a server keeps answering during a big import. */
  chunk?: number;
}

export interface KindTotal {
  kind: string;
  rows: number;
  /** New commands and events (already recorded ones are counted apart). */
  commands: number;
  alreadyRecorded: number;
  events: number;
  /** Sum of the new rows' amounts, in fen, as a decimal string: a sum may pass 2^53. */
  amountFen: string;
}

export interface ImportReport {
  batchId: string;
  format: Format;
  encoding?: string;
  kinds: string[];
  historical: boolean;
  dryRun: boolean;
  /** True when this run wrote events; false on a dry run, on errors, or when everything was already recorded. */
  committed: boolean;
  rows: number;
  commands: number;
  alreadyRecorded: number;
  events: number;
  totals: KindTotal[];
  /** Historical imports: the controls the rows broke, recorded and flagged rather than refused. */
  violations: { code: string; rows: number }[];
  skippedRows: { row: number; reason: string }[];
  ignoredColumns: string[];
  errors: RowError[];
  headBefore: number;
  headAfter: number;
}

/** Another writer kept changing the streams the import writes: answered 409, nothing written. */
export class ImportConflictError extends Error {
  readonly code = 'import_conflict';
}

const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const COMMIT_ATTEMPTS = 3;

export async function runImport(store: EventStore, bytes: Buffer, options: ImportOptions): Promise<ImportReport> {
  if (options.batchId !== undefined && !BATCH_ID.test(options.batchId)) throw new ImportFileError('invalid_batch_id', 'a batch id is 1-64 letters, digits, . _ : -');
  const batchId = options.batchId ?? `sha256-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
  const file = await readImportFile(bytes, { ...(options.format ? { format: options.format } : {}), ...(options.sheet !== undefined ? { sheet: options.sheet } : {}) });
  const plan = planImport(file, { ...(options.kind !== undefined ? { kind: options.kind } : {}), batch: batchId, historical: options.historical });
  const headBefore = await store.headPosition();
  for (let attempt = 1; ; attempt++) {
    const decided = await decide(store, plan, batchId, options);
    const report: ImportReport = {
      batchId,
      format: file.format,
      ...('encoding' in file && file.encoding ? { encoding: file.encoding } : {}),
      kinds: [...plan.kinds],
      historical: options.historical,
      dryRun: options.dryRun,
      committed: false,
      rows: decided.rows,
      commands: decided.totals.reduce((n, t) => n + t.commands, 0),
      alreadyRecorded: decided.totals.reduce((n, t) => n + t.alreadyRecorded, 0),
      events: decided.staging.eventCount,
      totals: decided.totals,
      violations: [...decided.violations].map(([code, rows]) => ({ code, rows })).sort((a, b) => a.code.localeCompare(b.code)),
      skippedRows: decided.skippedRows,
      ignoredColumns: plan.ignoredColumns,
      errors: decided.errors,
      headBefore,
      headAfter: headBefore,
    };
    if (report.errors.length > 0 || options.dryRun || decided.staging.groups.length === 0) {
      report.headAfter = await store.headPosition();
      return report;
    }
    try {
      await commit(store, decided.staging.groups, options.progress);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError && attempt < COMMIT_ATTEMPTS) continue;
      if (error instanceof WrongExpectedVersionError) throw new ImportConflictError(`other postings kept changing ${error.stream} while the import was decided; nothing was written, try again`);
      if (error instanceof EventIdConflictError) {
        const row = decided.explicitIds.get(error.eventId) ?? rowOfImportId(batchId, error.eventId) ?? 0;
        report.errors = [{ row, column: null, code: 'command_id_reused_with_different_content', message: `the command id of this row (batch ${batchId}) was already used for different content (${error.differingFields.join(', ')}); use another batch id` }];
        report.events = 0;
        report.headAfter = await store.headPosition();
        return report;
      }
      throw error;
    }
    report.committed = true;
    report.headAfter = await store.headPosition();
    return report;
  }
}

let lastBatch = '';
let lastHead = '';

/**
 * The command id of the index-th command of a row: a UUID (version 8) from the batch and the row, the same on
 * every run. The batch's hash leads and the row follows, so one import's ids are ascending and land side by
 * side in the store's id index instead of all over it (random ids halve the speed of big appends).
 */
export function importCommandId(batch: string, row: number, index: number): string {
  if (batch !== lastBatch) {
    lastBatch = batch;
    lastHead = createHash('sha256').update(`fundtrail-import/${batch}`).digest('hex');
  }
  const head = lastHead;
  const tail = (BigInt(row) * 16n + BigInt(index & 15)).toString(16).padStart(18, '0').slice(-18);
  return `${head.slice(0, 8)}-${head.slice(8, 12)}-8${tail.slice(0, 3)}-8${tail.slice(3, 6)}-${tail.slice(6)}`;
}

/** The row an import command id (or an event id equal to one) was derived from, when it was derived from this batch. */
export function rowOfImportId(batch: string, id: string): number | undefined {
  const probe = importCommandId(batch, 0, 0);
  if (id.slice(0, 13) !== probe.slice(0, 13) || id[14] !== '8' || id[19] !== '8') return undefined;
  const tail = `${id.slice(15, 18)}${id.slice(20, 23)}${id.slice(24)}`;
  return Number(BigInt(`0x${tail}`) / 16n);
}

interface Decided {
  staging: StagingStore;
  rows: number;
  errors: RowError[];
  skippedRows: { row: number; reason: string }[];
  totals: KindTotal[];
  violations: Map<string, number>;
  /** Command ids the file gave itself, by row: for naming the row of a conflict found at commit. */
  explicitIds: Map<string, number>;
}

async function decide(store: EventStore, plan: Plan, batch: string, options: ImportOptions): Promise<Decided> {
  const now = (options.now?.() ?? new Date()).toISOString();
  const staging = await StagingStore.over(store, () => now);
  // Every fact this import reads is either in the store as it was when staging began or staged by it.
  const executor = new CommandExecutor(staging, { syncIntervalMs: Number.POSITIVE_INFINITY, cacheSize: 1_000_000 });
  const sink: PlanSink = { errors: [], skippedRows: [] };
  const errors: RowError[] = [];
  const totals = new Map<string, KindTotal & { sum: bigint }>();
  const violations = new Map<string, number>();
  const explicitIds = new Map<string, number>();
  const chunk = options.chunk ?? 1000;
  let decided = 0;
  for (const row of plan.rows(sink)) {
    if (++decided % chunk === 0) {
      options.progress?.('decide', decided, plan.size);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const total = totals.get(row.kind) ?? { kind: row.kind, rows: 0, commands: 0, alreadyRecorded: 0, events: 0, amountFen: '0', sum: 0n };
    totals.set(row.kind, total);
    for (const command of row.commands) if (typeof command.id === 'string') explicitIds.set(command.id, row.row);
    const outcome = await decideRow(executor, row, batch, now, options);
    if ('error' in outcome) {
      errors.push(outcome.error);
      continue;
    }
    total.rows += 1;
    for (const result of outcome.results) {
      if (result.status === 'already_recorded') total.alreadyRecorded += 1;
      else total.commands += 1;
      if (result.status === 'recorded') total.events += result.events.length;
      for (const code of new Set(result.violations.map((v) => v.code))) violations.set(code, (violations.get(code) ?? 0) + 1);
    }
    if (outcome.results[0]?.status === 'recorded') total.sum += BigInt(outcome.amountFen);
  }
  options.progress?.('decide', plan.size, plan.size);
  const all = [...sink.errors, ...errors].sort((a, b) => a.row - b.row);
  const rows = decided + new Set(sink.errors.map((e) => e.row)).size - sink.skippedRows.filter((s) => sink.errors.some((e) => e.row === s.row)).length;
  return { staging, rows, errors: all, skippedRows: sink.skippedRows, totals: [...totals.values()].map(({ sum, ...t }) => ({ ...t, amountFen: sum.toString() })), violations, explicitIds };
}

type RowOutcome = { error: RowError } | { results: Awaited<ReturnType<CommandExecutor['execute']>>[]; amountFen: number };

/** Decides a row's commands in order; the first refusal is the row's error and its later commands are not tried. */
async function decideRow(executor: CommandExecutor, row: PlannedRow, batch: string, now: string, options: ImportOptions): Promise<RowOutcome> {
  const fail = (column: string | null, code: string, message: string): RowOutcome => ({ error: { row: row.row, column, code, message } });
  if (row.recordedAt !== undefined && row.recordedAt > now) return fail(row.blame('recordedAt'), 'recorded_in_future', `recorded at ${row.recordedAt}, after the import itself (${now})`);
  const results: Awaited<ReturnType<CommandExecutor['execute']>>[] = [];
  for (let k = 0; k < row.commands.length; k++) {
    const planned = row.commands[k]!;
    const input = { ...planned, id: planned.id ?? importCommandId(batch, row.row, k) };
    if (options.areas && options.areas.length > 0) {
      // The area is read from the parsed command; without a scope the executor's own parse is enough.
      let command: Command;
      try {
        command = parseCommand(input);
      } catch (error) {
        return invalid(error, row);
      }
      const area = await areaOfCommand(command, (stream) => executor.load(stream));
      if (area !== null && !options.areas.some((scope) => areaWithin(area, scope))) {
        return fail(row.blame('forbidden_area'), 'forbidden_area', `the row acts in ${area}, outside the key's areas (${options.areas.join(', ')})`);
      }
    }
    try {
      results.push(await executor.execute(input, { actor: options.actor, role: options.role, now: row.recordedAt ?? now, mode: options.historical ? 'historical' : 'live', importBatch: batch }));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_command' && error.details.issues) return invalid(error, row);
      if (!(error instanceof DomainError)) throw error;
      return fail(row.blame(error.code), error.code, error.message);
    }
  }
  const amount = row.commands[0]?.amountFen;
  return { results, amountFen: typeof amount === 'number' ? amount : 0 };
}

/** A command the row built but the schema refuses: the first issue, pointed at its column. */
function invalid(error: unknown, row: PlannedRow): RowOutcome {
  if (!(error instanceof DomainError)) throw error;
  const issue = ((error.details.issues as { path: string; message: string }[] | undefined) ?? [])[0];
  return { error: { row: row.row, column: issue ? row.blame(issue.path) : null, code: 'invalid_value', message: issue ? `${issue.path}: ${issue.message}` : error.message } };
}

/** Writes the staged appends in their order: in one transaction on the embedded store, one by one elsewhere. */
async function commit(store: EventStore, staged: StreamAppend[][], progress: ImportOptions['progress']): Promise<void> {
  const groups = coalesce(staged);
  const events = groups.reduce((n, g) => n + g.reduce((m, a) => m + a.events.length, 0), 0);
  progress?.('commit', 0, events);
  if (store instanceof SqliteEventStore) {
    store.atomically(() => {
      for (const group of groups) store.appendSync(group);
    });
    progress?.('commit', events, events);
    return;
  }
  // KurrentDB has no transaction this large: each append is atomic, and the deterministic ids let a re-run
  // of an interrupted import skip what was written and write the rest.
  let done = 0;
  for (const group of groups) {
    if (group.length === 1) await store.append(group[0]!.stream, group[0]!.events, group[0]!.expectedRevision);
    else await store.appendMulti(group);
    done += group.reduce((m, a) => m + a.events.length, 0);
    progress?.('commit', done, events);
  }
}

/** At most this many events in one append: KurrentDB refuses appends over 1 MiB. */
const MAX_MERGED = 500;

/**
 * Joins runs of appends to the same single stream (a payment list sorted by village) into one append each. The
 * log's order is unchanged: only neighbours are joined, and their expected revisions follow on from each other.
 */
function coalesce(groups: StreamAppend[][]): StreamAppend[][] {
  const out: StreamAppend[][] = [];
  let open: StreamAppend | undefined;
  for (const group of groups) {
    const only = group.length === 1 ? group[0]! : undefined;
    if (only && open && open.stream === only.stream && open.events.length + only.events.length <= MAX_MERGED) {
      open.events.push(...only.events);
      continue;
    }
    if (only) {
      open = { stream: only.stream, expectedRevision: only.expectedRevision, events: [...only.events] };
      out.push([open]);
    } else {
      open = undefined;
      out.push(group);
    }
  }
  return out;
}
