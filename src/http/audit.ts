// What auditors take away: the log itself as NDJSON, page by page from a position, and the hash-chain head
// (position:hash) that lets them prove later that nothing before it changed (`fundtrail verify --head`).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KeyStore } from '../auth/keys.js';
import type { EventStore } from '../store/types.js';
import { requireRole, sendProblem } from './auth.js';
import { Problem, problem } from './problem.js';

export interface AuditRouteDeps {
  store: EventStore;
  keys: KeyStore;
  /** The embedded store's chain head; absent on a store without a hash chain (KurrentDB). */
  chainHead?: () => { position: number; hash: string } | undefined;
}

const EXPORT_MAX = 100_000;

export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/events',
    {
      schema: {
        tags: ['audit'],
        summary: 'the log as NDJSON, one recorded event per line, after a position',
        security: [{ apiKey: [] }],
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(EXPORT_MAX).default(10_000),
        }).strict(),
        response: { 200: z.string().describe('application/x-ndjson: one recorded event per line, as JSON'), 400: Problem, 401: Problem, 403: Problem },
      },
      onRequest: requireRole(deps.keys, ['auditor']),
    },
    async (request, reply) => {
      const { after, limit } = request.query;
      const head = await deps.store.headPosition();
      // The cursor for the next page: the last position this answer will hold, known before streaming starts.
      async function* lines(): AsyncGenerator<string> {
        let from = after;
        let left = limit;
        while (left > 0) {
          const page = await deps.store.readAll({ afterPosition: from, maxCount: Math.min(left, 1000) });
          for (const event of page.events) yield `${JSON.stringify(event)}\n`;
          left -= page.events.length;
          from = page.lastPosition;
          if (page.isEnd || page.events.length === 0) return;
        }
      }
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('x-log-head', String(head))
        .send(Readable.from(lines()) as never);
    },
  );
  typed.get(
    '/v1/chain/head',
    {
      schema: {
        tags: ['audit'],
        summary: 'the hash-chain head: position and hash of the last linked event',
        security: [{ apiKey: [] }],
        response: { 200: z.object({ position: z.number().int(), hash: z.string(), head: z.string() }), 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, ['auditor']),
    },
    async (_request, reply) => {
      const head = deps.chainHead?.();
      if (!head) return sendProblem(reply, problem(404, 'no_chain_head', 'Not Found', deps.chainHead ? 'no event has been linked into the hash chain yet' : 'this store keeps no hash chain (only the embedded store does)'));
      return { ...head, head: `${head.position}:${head.hash}` };
    },
  );
}
