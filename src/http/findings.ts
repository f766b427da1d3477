// GET /v1/findings: what detection found, filtered and paged. Auditors see every finding; finance keys the
// findings in their areas. Findings are resolved with POST /v1/commands/resolve-finding (auditors).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AreaCode, areaWithin } from '../../domain/values.js';
import { FINDING_CODES, type Finding } from '../../projections/findings/types.js';
import type { KeyStore } from '../auth/keys.js';
import { allowedIn, requireRole, sendProblem } from './auth.js';
import { Problem, problem } from './problem.js';

export interface FindingRouteDeps {
  keys: KeyStore;
  findings: () => Finding[];
}

/** The cursor is the position in the sorted list (effective date, then id) of the last finding sent. */
const cursorOf = (f: Finding): string => Buffer.from(`${f.effectiveDate}|${f.id}`).toString('base64url');
function decodeCursor(cursor: string): { date: string; id: string } | undefined {
  const [date, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return date && id && /^\d{4}-\d{2}-\d{2}$/.test(date) ? { date, id } : undefined;
}

export function registerFindingRoutes(app: FastifyInstance, deps: FindingRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/findings',
    {
      schema: {
        tags: ['findings'],
        summary: 'findings of the detection rules, oldest first, with the events that prove each; filter by code, area and status',
        security: [{ apiKey: [] }],
        querystring: z
          .object({
            code: z.enum(FINDING_CODES).optional(),
            area: AreaCode.optional(),
            status: z.enum(['open', 'confirmed', 'dismissed', 'rectified']).optional(),
            after: z.string().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          })
          .strict(),
        response: { 200: z.object({ total: z.number().int(), next: z.string().nullable(), findings: z.array(z.record(z.string(), z.unknown())) }), 400: Problem, 401: Problem, 403: Problem },
      },
      onRequest: requireRole(deps.keys, ['auditor', 'finance']),
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { code, area, status, after, limit } = request.query;
      if (area) {
        if (!(await allowedIn(request, reply, ['auditor', 'finance'], area))) return reply;
      }
      const cursor = after === undefined ? undefined : decodeCursor(after);
      if (after !== undefined && !cursor) return sendProblem(reply, problem(400, 'invalid_cursor', 'Bad Request', 'the cursor `after` is not one this API gave out'));
      const visible = deps.findings().filter(
        (f) =>
          (principal.areas.length === 0 || (f.areaCode !== null && principal.areas.some((scope) => areaWithin(f.areaCode!, scope)))) &&
          (!code || f.code === code) &&
          (!area || (f.areaCode !== null && areaWithin(f.areaCode, area))) &&
          (!status || f.status === status),
      );
      const start = cursor ? visible.findIndex((f) => f.effectiveDate > cursor.date || (f.effectiveDate === cursor.date && f.id > cursor.id)) : 0;
      const page = start < 0 ? [] : visible.slice(start, start + limit);
      const more = start >= 0 && start + limit < visible.length;
      return { total: visible.length, next: more ? cursorOf(page[page.length - 1]!) : null, findings: page as unknown as Record<string, unknown>[] };
    },
  );
}
