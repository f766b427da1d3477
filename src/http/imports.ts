// POST /v1/imports: a ledger (CSV, XLSX or JSON Lines) as a multipart upload, imported in one batch. Finance
// keys import within their areas, live or historical; auditor keys import historical ledgers only (live
// postings are the bureau's, as on the command routes); dashboards and the public never.
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KeyStore } from '../auth/keys.js';
import { KIND_NAMES } from '../import/kinds.js';
import { FORMATS } from '../import/read.js';
import { ImportConflictError, ImportFileError, runImport, type ImportReport } from '../import/run.js';
import type { EventStore } from '../store/types.js';
import { requireRole, sendProblem } from './auth.js';
import { Problem, problem } from './problem.js';

export interface ImportRouteDeps {
  store: EventStore;
  keys: KeyStore;
  now?: () => Date;
  /** Largest file accepted; 50 MiB by default (about 500,000 payment lines). */
  maxFileBytes?: number;
}

/** Row errors listed in one answer; past this the answer says how many more there were. */
const MAX_LISTED_ERRORS = 10_000;

const Flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const Fields = z.object({
  file: z
    .any()
    .refine((value) => Buffer.isBuffer(value), 'attach the ledger as one file part named file')
    .meta({ type: 'string', format: 'binary', description: 'the ledger: CSV (UTF-8 or GBK), XLSX, or JSON Lines; at most 50 MiB' }),
  kind: z.enum(KIND_NAMES as [string, ...string[]]).optional().meta({ description: 'what each row is; default: read from the headers' }),
  historical: Flag.optional().meta({ description: 'the rows are history: record and flag what a control would refuse' }),
  dryRun: Flag.optional().meta({ description: 'decide every row and report, write nothing' }),
  batchId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/).optional().meta({ description: 'names the batch and seeds the command ids; default: the file\'s SHA-256' }),
  sheet: z.string().min(1).max(100).optional().meta({ description: 'the XLSX sheet (default: the first)' }),
  format: z.enum(FORMATS as [string, ...string[]]).optional().meta({ description: 'read the file as this format instead of recognising it' }),
});

const RowError = z.object({ row: z.number().int(), column: z.string().nullable(), code: z.string(), message: z.string() });

const Summary = z.object({
  batchId: z.string(),
  format: z.string(),
  encoding: z.string().optional(),
  kinds: z.array(z.string()),
  historical: z.boolean(),
  dryRun: z.boolean(),
  committed: z.boolean(),
  rows: z.number().int(),
  commands: z.number().int(),
  alreadyRecorded: z.number().int(),
  events: z.number().int(),
  totals: z.array(z.object({ kind: z.string(), rows: z.number().int(), commands: z.number().int(), alreadyRecorded: z.number().int(), events: z.number().int(), amountFen: z.string() })),
  violations: z.array(z.object({ code: z.string(), rows: z.number().int() })),
  skippedRows: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  ignoredColumns: z.array(z.string()),
  headBefore: z.number().int(),
  headAfter: z.number().int(),
});

/** A refused import: the row errors (at most 10,000 listed), how many there were, and what was decided. */
const RowProblem = Problem.extend({ rowErrors: z.array(RowError), errorCount: z.number().int(), summary: Summary });
/** 403 is a key's role (no rows) or rows outside its areas (with them). */
const ForbiddenProblem = Problem.extend({ rowErrors: z.array(RowError).optional(), errorCount: z.number().int().optional(), summary: Summary.optional() });

export async function registerImportRoutes(app: FastifyInstance, deps: ImportRouteDeps): Promise<void> {
  const maxFileBytes = deps.maxFileBytes ?? 50 * 1024 * 1024;
  // Multipart is parsed in this route's scope only; everywhere else the 1 MiB JSON body limit stands.
  await app.register(async (scope) => {
    await scope.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: maxFileBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12 } });
    // The multipart parser throws plain errors (a body cut short, a broken boundary) before the handler runs:
    // they are the client's malformed body, not the server's fault. Errors from the handler go on as they are.
    const started = new WeakSet<object>();
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (started.has(request) || error.statusCode !== undefined || (error as { validation?: unknown }).validation) throw error;
      request.log.info({ code: 'malformed_multipart' }, 'request refused');
      return sendProblem(reply, problem(400, 'malformed_multipart', 'Bad Request', `the upload is not a well-formed multipart/form-data body: ${error.message}`));
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/v1/imports',
      {
        schema: {
          summary: 'import a ledger in one batch',
          description: 'Every row is checked and decided first; nothing is written unless every row passes. See docs/import-format.md.',
          tags: ['imports'],
          security: [{ apiKey: [] }],
          consumes: ['multipart/form-data'],
          body: Fields,
          response: { 200: Summary, 201: Summary, 400: Problem, 401: Problem, 403: ForbiddenProblem, 409: Problem, 413: Problem, 415: Problem, 422: RowProblem },
        },
        onRequest: requireRole(deps.keys, ['finance', 'auditor']),
      },
      async (request, reply) => {
        started.add(request);
        const principal = request.principal!;
        const body = request.body;
        const historical = body.historical ?? false;
        if (principal.role === 'auditor' && !historical) {
          return sendProblem(reply, problem(403, 'forbidden_role', 'Forbidden', 'an auditor key imports historical ledgers only (historical=true); live postings are the finance bureau\'s'));
        }
        let report: ImportReport;
        try {
          report = await runImport(deps.store, body.file as Buffer, {
            ...(body.kind ? { kind: body.kind } : {}),
            ...(body.format ? { format: body.format as 'csv' | 'xlsx' | 'jsonl' } : {}),
            ...(body.sheet ? { sheet: body.sheet } : {}),
            ...(body.batchId ? { batchId: body.batchId } : {}),
            historical,
            dryRun: body.dryRun ?? false,
            actor: principal.name,
            role: principal.role,
            areas: principal.areas,
            ...(deps.now ? { now: deps.now } : {}),
          });
        } catch (error) {
          if (error instanceof ImportFileError) return sendProblem(reply, problem(400, error.code, 'Bad Request', error.message));
          if (error instanceof ImportConflictError) return sendProblem(reply, problem(409, error.code, 'Conflict', error.message));
          throw error;
        }
        // Counts only: the rows name people and their ID numbers, which logs must not hold.
        request.log.info({ batch: report.batchId, rows: report.rows, events: report.events, errors: report.errors.length, committed: report.committed }, 'import finished');
        const { errors, ...summary } = report;
        if (errors.length > 0) {
          const outside = errors.some((e) => e.code === 'forbidden_area');
          const status = outside ? 403 : 422;
          const detail = `${errors.length} row error${errors.length === 1 ? '' : 's'}${outside ? ', rows outside the key\'s areas among them' : ''}; nothing was written`;
          return sendProblem(reply, { ...problem(status, outside ? 'forbidden_area' : 'import_rows_refused', outside ? 'Forbidden' : 'Unprocessable Content', detail), rowErrors: errors.slice(0, MAX_LISTED_ERRORS), errorCount: errors.length, summary } as Problem);
        }
        return reply.code(report.committed ? 201 : 200).send(summary);
      },
    );
  });
}
