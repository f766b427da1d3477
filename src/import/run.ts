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
import { planImport, type Plan, type PlannedRow, type RowError } from './plan.js';
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
    const errors = [...plan.errors, ...decided.errors].sort((a, b) => a.row - b.row);
    const report: ImportReport = {
      batchId,
      format: file.format,
      ...('encoding' in file && file.encoding ? { encoding: file.encoding } : {}),
      kinds: plan.kinds,
      historical: options.historical,
      dryRun: options.dryRun,
      committed: false,
      rows: plan.rows.length + new Set(plan.errors.map((e) => e.row)).size,
      commands: decided.totals.reduce((n, t) => n + t.commands, 0),
      alreadyRecorded: decided.totals.reduce((n, t) => n + t.alreadyRecorded, 0),
      events: decided.staging.eventCount,
      totals: decided.totals,
      violations: [...decided.violations].map(([code, rows]) => ({ code, rows })).sort((a, b) => a.code.localeCompare(b.code)),
      skippedRows: plan.skippedRows,
      ignoredColumns: plan.ignoredColumns,
      errors,
      headBefore,
      headAfter: headBefore,
    };
    if (errors.length > 0 || options.dryRun || decided.staging.groups.length === 0) {
      report.headAfter = await store.headPosition();
      return report;
    }
    try {
      await commit(store, decided.staging.groups, options.progress);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError && attempt < COMMIT_ATTEMPTS) continue;
      if (error instanceof WrongExpectedVersionError) throw new ImportConflictError(`other postings kept changing ${error.stream} while the import was decided; nothing was written, try again`);
      if (error instanceof EventIdConflictError) {
        report.errors = [{ row: decided.rowOfEvent.get(error.eventId) ?? 0, column: null, code: 'command_id_reused_with_different_content', message: `the command id of this row (batch ${batchId}) was already used for different content (${error.differingFields.join(', ')}); use another batch id` }];
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

/** The command id of the index-th command of a row: a UUID from the batch and the row, the same on every run. */
export function importCommandId(batch: string, row: number, index: number): string {
  const hex = createHash('sha256').update(`fundtrail-import/${batch}/${row}/${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Decided {
  staging: StagingStore;
  errors: RowError[];
  totals: KindTotal[];
  violations: Map<string, number>;
  rowOfEvent: Map<string, number>;
}

async function decide(store: EventStore, plan: Plan, batch: string, options: ImportOptions): Promise<Decided> {
  const now = (options.now?.() ?? new Date()).toISOString();
  const staging = await StagingStore.over(store, () => now);
  // Every fact this import reads is either in the store as it was when staging began or staged by it.
  const executor = new CommandExecutor(staging, { syncIntervalMs: Number.POSITIVE_INFINITY, cacheSize: 1_000_000 });
  const errors: RowError[] = [];
  const totals = new Map<string, KindTotal & { sum: bigint }>();
  const violations = new Map<string, number>();
  const chunk = options.chunk ?? 1000;
  for (let i = 0; i < plan.rows.length; i++) {
    if (i % chunk === 0 && i > 0) {
      options.progress?.('decide', i, plan.rows.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const row = plan.rows[i]!;
    const total = totals.get(row.kind) ?? { kind: row.kind, rows: 0, commands: 0, alreadyRecorded: 0, events: 0, amountFen: '0', sum: 0n };
    totals.set(row.kind, total);
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
  options.progress?.('decide', plan.rows.length, plan.rows.length);
  const rowOfCommand = new Map<string, number>();
  for (const row of plan.rows) row.commands.forEach((c, k) => rowOfCommand.set((c.id as string | undefined) ?? importCommandId(batch, row.row, k), row.row));
  const rowOfEvent = new Map<string, number>();
  for (const group of staging.groups) {
    for (const append of group) for (const event of append.events) rowOfEvent.set(event.id, rowOfCommand.get((event.metadata as { commandId?: string }).commandId ?? '') ?? 0);
  }
  return { staging, errors, totals: [...totals.values()].map(({ sum, ...t }) => ({ ...t, amountFen: sum.toString() })), violations, rowOfEvent };
}

type RowOutcome = { error: RowError } | { results: Awaited<ReturnType<CommandExecutor['execute']>>[]; amountFen: number };

/** Decides a row's commands in order; the first refusal is the row's error and its later commands are not tried. */
async function decideRow(executor: CommandExecutor, row: PlannedRow, batch: string, now: string, options: ImportOptions): Promise<RowOutcome> {
  const fail = (column: string | null, code: string, message: string): RowOutcome => ({ error: { row: row.row, column, code, message } });
  if (row.recordedAt !== undefined && row.recordedAt > now) return fail(row.blame('recordedAt'), 'recorded_in_future', `recorded at ${row.recordedAt}, after the import itself (${now})`);
  const results: Awaited<ReturnType<CommandExecutor['execute']>>[] = [];
  for (let k = 0; k < row.commands.length; k++) {
    const planned = row.commands[k]!;
    let command: Command;
    try {
      command = parseCommand({ ...planned, id: planned.id ?? importCommandId(batch, row.row, k) });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const issue = ((error.details.issues as { path: string; message: string }[] | undefined) ?? [])[0];
      return fail(issue ? row.blame(issue.path) : null, 'invalid_value', issue ? `${issue.path}: ${issue.message}` : error.message);
    }
    if (options.areas && options.areas.length > 0) {
      const area = await areaOfCommand(command, (stream) => executor.load(stream));
      if (area !== null && !options.areas.some((scope) => areaWithin(area, scope))) {
        return fail(row.blame('forbidden_area'), 'forbidden_area', `the row acts in ${area}, outside the key's areas (${options.areas.join(', ')})`);
      }
    }
    try {
      results.push(await executor.execute(command, { actor: options.actor, role: options.role, now: row.recordedAt ?? now, mode: options.historical ? 'historical' : 'live', importBatch: batch }));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return fail(row.blame(error.code), error.code, error.message);
    }
  }
  const amount = row.commands[0]?.amountFen;
  return { results, amountFen: typeof amount === 'number' ? amount : 0 };
}

/** Writes the staged appends in their order: in one transaction on the embedded store, one by one elsewhere. */
async function commit(store: EventStore, groups: StreamAppend[][], progress: ImportOptions['progress']): Promise<void> {
  const events = groups.reduce((n, g) => n + g.reduce((m, a) => m + a.events.length, 0), 0);
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
    if (done % 1000 < group.length) progress?.('commit', done, events);
  }
  progress?.('commit', events, events);
}
