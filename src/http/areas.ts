// Area reads for finance bureaus, auditors and dashboards: an area's balance with its breakdown by source
// type, source and purpose, its children's balances, and the accounts inside it — now, or as of a past date
// (`asOf`: what we now know had happened by then; with `recorded=true`: the books as they were recorded by
// then) or a log position. None of these name people, so dashboards read them within their areas.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AreaCode, IsoDate } from '../../domain/values.js';
import type { AccountBalance, BalanceView } from '../../projections/balances.js';
import type { Views } from '../../projections/types.js';
import type { KeyStore, Role } from '../auth/keys.js';
import type { AsOf } from '../projections/replay.js';
import { accountIdsIn, accountsIn, AreaDirectory, areaBreakdown, balancesAsOf, type AreaBreakdown } from '../reads/areas.js';
import type { EventStore } from '../store/types.js';
import { allowedIn, requireRole, sendProblem } from './auth.js';
import { Problem, problem } from './problem.js';

export interface AreaRouteDeps {
  keys: KeyStore;
  store: EventStore;
  views: (projection: string) => Views<unknown>;
}

const Fens = z.record(z.string(), z.number().int());
const Level = z.enum(['county', 'township', 'village']);

export const AsOfQuery = z
  .object({
    asOf: IsoDate.optional().describe('a past day: only what had happened (effective date) by then'),
    recorded: z.enum(['true', 'false']).optional().describe('with asOf: only what had also been recorded by then (the books as they stood)'),
    position: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe('only events at or before this log position'),
  })
  .strict();
type AsOfQuery = z.infer<typeof AsOfQuery>;

const AsOfEcho = z.object({ effectiveDate: z.string().optional(), recordedBy: z.string().optional(), position: z.number().int().optional() }).nullable();

const Breakdown = z.object({
  areaCode: z.string(),
  level: Level,
  name: z.string().nullable(),
  heldBySourceType: Fens,
  inFlightBySourceType: Fens,
  appropriatedBySourceType: Fens,
  receivedBySourceType: Fens,
  paidBySourceType: Fens,
  heldBySource: Fens,
  heldByPurpose: Fens,
  allocatedFen: z.number().int(),
  accounts: z.number().int(),
  asOf: AsOfEcho,
});

const Account = z.object({
  accountId: z.string(),
  accountKind: z.string(),
  areaCode: z.string(),
  heldBySourceType: Fens,
  heldBySource: Fens,
  heldByPurpose: Fens,
  receivedBySourceType: Fens,
  paidBySourceType: Fens,
  appropriatedBySourceType: Fens,
  inFlightBySourceType: Fens,
  allocatedFen: z.number().int(),
  lastMovement: z.string().nullable(),
});

const READERS: readonly Role[] = ['finance', 'auditor', 'dashboard'];

function asOfOf(query: AsOfQuery): AsOf | undefined {
  if (!query.asOf && query.position === undefined) return undefined;
  return {
    ...(query.asOf ? (query.recorded === 'true' ? { recordedBy: query.asOf } : { effectiveDate: query.asOf }) : {}),
    ...(query.position !== undefined ? { position: query.position } : {}),
  };
}

/**
 * Answers to past-date questions, remembered per log head: the same question at the same head is answered
 * once. They are computed one at a time (a county's takes seconds of reading), so a burst of them queues
 * instead of taking every core and the memory of the server.
 */
class AsOfCache {
  private readonly entries = new Map<string, Promise<Views<BalanceView>>>();
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly size = 64) {}
  get(key: string, compute: () => Promise<Views<BalanceView>>): Promise<Views<BalanceView>> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const value = this.queue.then(compute);
    this.queue = value.catch(() => undefined);
    // A failed computation is not remembered: the next request tries again.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return value;
  }
}

export function registerAreaRoutes(app: FastifyInstance, deps: AreaRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const directory = new AreaDirectory(deps.store);
  const cache = new AsOfCache();
  const current = (): Views<BalanceView> => deps.views('balances') as Views<BalanceView>;

  /** The views to answer from: the caught-up projection, or the area's accounts folded as of the date asked. */
  async function viewsFor(code: string, asOf: AsOf | undefined): Promise<Views<BalanceView>> {
    if (!asOf) return current();
    const head = await deps.store.headPosition();
    return cache.get(`${code}|${JSON.stringify(asOf)}|${head}`, () => balancesAsOf(deps.store, accountIdsIn(current(), code), asOf));
  }

  /** 403 outside the key's areas, 404 for an area neither registered nor holding an account; else the area's name. */
  async function guard(request: FastifyRequest, reply: FastifyReply, code: string): Promise<{ name: string | null } | undefined> {
    if (!(await allowedIn(request, reply, READERS, code))) return undefined;
    // Areas are only ever added: the register is read again only for a code it does not know yet.
    if (!directory.get(code)) await directory.refresh();
    const entry = directory.get(code);
    if (!entry && accountIdsIn(current(), code).length === 0) {
      await sendProblem(reply, problem(404, 'unknown_area', 'Not Found', `no area ${code} is registered and no account is held in it`));
      return undefined;
    }
    return { name: entry?.name ?? null };
  }

  const breakdown = (views: Views<BalanceView>, code: string, name: string | null, asOf: AsOf | undefined): AreaBreakdown & { name: string | null; asOf: AsOf | null } => ({
    ...areaBreakdown(views, code),
    name,
    asOf: asOf ?? null,
  });

  typed.get(
    '/v1/areas/:code/balance',
    {
      schema: {
        tags: ['areas'],
        summary: "an area's balance: held, in flight, received, appropriated and paid per source type, and what is held by source and by purpose, summed over the accounts inside it; now or as of a date or log position",
        security: [{ apiKey: [] }],
        params: z.object({ code: AreaCode }),
        querystring: AsOfQuery,
        response: { 200: Breakdown, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, READERS),
      // The hottest read: its answer is built here from typed views, so it is written as JSON without a second
      // pass through the schema (the schema still documents it). That pass cost about a tenth of the request.
      serializerCompiler: () => (data: unknown) => JSON.stringify(data),
    },
    async (request, reply) => {
      const { code } = request.params;
      const area = await guard(request, reply, code);
      if (!area) return reply;
      const asOf = asOfOf(request.query);
      return breakdown(await viewsFor(code, asOf), code, area.name, asOf);
    },
  );

  typed.get(
    '/v1/areas/:code/children',
    {
      schema: {
        tags: ['areas'],
        summary: "the areas directly inside an area (a county's townships, a township's villages), each with its balance; now or as of a date",
        security: [{ apiKey: [] }],
        params: z.object({ code: AreaCode }),
        querystring: AsOfQuery,
        response: { 200: z.object({ areaCode: z.string(), asOf: AsOfEcho, children: z.array(Breakdown) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, READERS),
    },
    async (request, reply) => {
      const { code } = request.params;
      if (!(await guard(request, reply, code))) return reply;
      const asOf = asOfOf(request.query);
      // One fold of the parent's accounts answers every child: a child's accounts are among its parent's.
      const views = await viewsFor(code, asOf);
      // New areas may have been registered under a known one since the register was last read.
      await directory.refresh();
      const children = directory.childrenOf(code).map((child) => breakdown(views, child.code, child.name, asOf));
      return { areaCode: code, asOf: asOf ?? null, children };
    },
  );

  typed.get(
    '/v1/areas/:code/accounts',
    {
      schema: {
        tags: ['areas'],
        summary: 'the accounts held in an area and the areas inside it (pools, township, village, project, subsidy and risk-fund accounts), each with its balance; now or as of a date',
        security: [{ apiKey: [] }],
        params: z.object({ code: AreaCode }),
        querystring: AsOfQuery,
        response: { 200: z.object({ areaCode: z.string(), asOf: AsOfEcho, accounts: z.array(Account) }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, READERS),
    },
    async (request, reply) => {
      const { code } = request.params;
      if (!(await guard(request, reply, code))) return reply;
      const asOf = asOfOf(request.query);
      const accounts: AccountBalance[] = accountsIn(await viewsFor(code, asOf), code).sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
      return { areaCode: code, asOf: asOf ?? null, accounts: accounts.map(({ view: _view, ...rest }) => rest) };
    },
  );
}
