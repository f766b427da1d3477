// Reads of the caught-up projections. Here: a household's card (finance within the household's village,
// auditors; never dashboards: it names people) and a village's public notice (anyone: names are masked before
// they reach the view). Area reads are in areas.ts; projects, loans, lineage and trails in entities.ts.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AreaCode, Id } from '../../domain/values.js';
import { readCard, type CardView } from '../../projections/household-card.js';
import { readNotice, type NoticeView } from '../../projections/public-notice.js';
import type { Views } from '../../projections/types.js';
import type { KeyStore } from '../auth/keys.js';
import type { EventStore } from '../store/types.js';
import { registerAreaRoutes } from './areas.js';
import { allowedIn, requireRole, sendProblem } from './auth.js';
import { registerEntityRoutes } from './entities.js';
import { Problem, problem } from './problem.js';

export interface ReadRouteDeps {
  keys: KeyStore;
  /** The runner's views of a projection, by name. */
  views: (projection: string) => Views<unknown>;
  /** The log, for answers as of a past date and for the events an audit trail lists. */
  store: EventStore;
}

const notFound = (code: string, detail: string): Problem => problem(404, code, 'Not Found', detail);

export function registerReadRoutes(app: FastifyInstance, deps: ReadRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  registerAreaRoutes(app, deps);
  registerEntityRoutes(app, deps);
  typed.get(
    '/v1/households/:id/card',
    {
      schema: {
        tags: ['reads'],
        summary: 'a household card (明白卡): everything the household received, by programme, period and channel',
        security: [{ apiKey: [] }],
        params: z.object({ id: Id }),
        response: { 200: z.record(z.string(), z.unknown()), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, ['finance', 'auditor']),
    },
    async (request, reply) => {
      const card = readCard(deps.views('household-card') as Views<CardView>, request.params.id);
      if (!card) return sendProblem(reply, notFound('unknown_household', `no card for household ${request.params.id}`));
      // A card whose village is not known yet (history imported out of order) is for keys without an area limit.
      if (!(await allowedIn(request, reply, ['finance', 'auditor'], card.villageCode ?? undefined))) return reply;
      return card as unknown as Record<string, unknown>;
    },
  );
  typed.get(
    '/v1/villages/:code/notice',
    {
      schema: {
        tags: ['reads'],
        summary: 'the public notice (公示) of a village: what was paid to whom, names masked and ID numbers cut to their last four characters',
        params: z.object({ code: AreaCode }),
        response: { 200: z.record(z.string(), z.unknown()), 400: Problem, 404: Problem },
      },
    },
    async (request, reply) => {
      const notice = readNotice(deps.views('public-notice') as Views<NoticeView>, request.params.code);
      if (!notice) return sendProblem(reply, notFound('no_notice', `nothing has been paid in village ${request.params.code}`));
      return notice as unknown as Record<string, unknown>;
    },
  );
}
