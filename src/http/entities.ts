// Reads of single things: a project, a loan, a county's risk fund, the lineage of any yuan (upstream from a
// payment, household, village, project or account to the appropriations that funded it; downstream from an
// appropriation or source to where its money went), and the audit trail of an area, account, household,
// project or loan. Each is scoped by the area it belongs to: finance keys and dashboards within their areas,
// auditors everywhere; what names households (loans, household lineage, payments, trails) is never a dashboard's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AreaCode, Id } from '../../domain/values.js';
import { accountKey as balanceKey, type AccountBalance } from '../../projections/balances.js';
import { cardKey, type CardView } from '../../projections/household-card.js';
import {
  accountKey,
  appropriationKey,
  householdKey,
  paidSlice,
  paymentLineage,
  sourceKey,
  type AccountLineage,
  type AppropriationLineage,
  type LineageView,
  type SourceLineage,
} from '../../projections/lineage.js';
import { loanKey, riskFundKey, type LoansView, type LoanView } from '../../projections/loans.js';
import { projectKey, type ProjectsView, type ProjectView } from '../../projections/projects.js';
import { trailPositions } from '../../projections/audit-trail.js';
import type { ProjectedEvent, Views } from '../../projections/types.js';
import { authorize, type KeyStore, type Role } from '../auth/keys.js';
import { trailEntries } from '../projections/trail.js';
import type { EventStore } from '../store/types.js';
import { allowedIn, requireRole, sendProblem } from './auth.js';
import { Problem, problem } from './problem.js';

export interface EntityRouteDeps {
  keys: KeyStore;
  store: EventStore;
  views: (projection: string) => Views<unknown>;
}

const View = z.record(z.string(), z.unknown());
const countyOf = (code: string): string => `${code.slice(0, 6)}000000`;
const notFound = (code: string, detail: string) => problem(404, code, 'Not Found', detail);

export function registerEntityRoutes(app: FastifyInstance, deps: EntityRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const view = <V>(projection: string, key: string): V | undefined => (deps.views(projection) as Views<unknown>).get(key) as V | undefined;

  /** The area an account is held in, from its opening as the balances projection kept it. */
  const accountArea = (accountId: string): string | undefined => view<AccountBalance>('balances', balanceKey(accountId))?.areaCode;
  const householdArea = (id: string): string | undefined => view<CardView>('household-card', cardKey(id))?.villageCode ?? undefined;
  const projectArea = (id: string): string | undefined => view<ProjectView>('projects', projectKey(id))?.villageCode;
  const loanArea = (id: string): string | undefined => view<LoanView>('loans', loanKey(id))?.villageCode;

  const ALL: readonly Role[] = ['finance', 'auditor', 'dashboard'];
  const PERSONAL: readonly Role[] = ['finance', 'auditor'];

  typed.get(
    '/v1/projects/:id',
    {
      schema: {
        tags: ['entities'],
        summary: 'a project (项目库): budget, stages, funding by source and source type, payments by stage, acceptance and any funding beyond the budget',
        security: [{ apiKey: [] }],
        params: z.object({ id: Id }),
        response: { 200: View, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, ALL),
    },
    async (request, reply) => {
      const project = view<ProjectsView>('projects', projectKey(request.params.id)) as ProjectView | undefined;
      if (!project) return sendProblem(reply, notFound('unknown_project', `no project ${request.params.id}`));
      if (!(await allowedIn(request, reply, ALL, project.villageCode))) return reply;
      return project as unknown as Record<string, unknown>;
    },
  );

  typed.get(
    '/v1/loans/:id',
    {
      schema: {
        tags: ['entities'],
        summary: 'a micro-loan (扶贫小额信贷): principal, repayments, interest accrued, 贴息 paid, risk-fund compensation, default and misuse',
        security: [{ apiKey: [] }],
        params: z.object({ id: Id }),
        response: { 200: View, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, PERSONAL),
    },
    async (request, reply) => {
      const loan = view<LoansView>('loans', loanKey(request.params.id)) as LoanView | undefined;
      if (!loan) return sendProblem(reply, notFound('unknown_loan', `no loan ${request.params.id}`));
      if (!(await allowedIn(request, reply, PERSONAL, loan.villageCode || undefined))) return reply;
      return loan as unknown as Record<string, unknown>;
    },
  );

  typed.get(
    '/v1/areas/:code/risk-fund',
    {
      schema: {
        tags: ['entities'],
        summary: "a county's risk compensation fund (风险补偿金): contributions by party, payouts, what it holds and the loan principal it backs",
        security: [{ apiKey: [] }],
        params: z.object({ code: AreaCode }),
        response: { 200: View, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, ALL),
    },
    async (request, reply) => {
      const { code } = request.params;
      if (!(await allowedIn(request, reply, ALL, code))) return reply;
      const fund = code === countyOf(code) ? view<LoansView>('loans', riskFundKey(code)) : undefined;
      if (!fund) return sendProblem(reply, notFound('no_risk_fund', `county ${code} has no risk fund recorded (risk funds are per county)`));
      return fund as unknown as Record<string, unknown>;
    },
  );

  const LineageKind = z.enum(['appropriation', 'source', 'account', 'village', 'project', 'household', 'payment']);
  typed.get(
    '/v1/lineage/:kind/:id',
    {
      schema: {
        tags: ['lineage'],
        summary:
          'lineage of any yuan. Upstream: for a payment (by log position), household, village, project or account, the appropriations and sources that funded it. Downstream: for an appropriation or source, where its money is held, in flight or paid (an appropriation lists its payments, paged)',
        security: [{ apiKey: [] }],
        params: z.object({ kind: LineageKind, id: Id }),
        querystring: z.object({ after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
        response: { 200: View, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, ALL),
    },
    async (request, reply) => {
      const { kind, id } = request.params;
      const lineage = (key: string) => view<LineageView>('lineage', key);
      switch (kind) {
        case 'account':
        case 'village':
        case 'project': {
          const accountId = kind === 'account' ? id : `${kind}:${id}`;
          const area = kind === 'project' ? projectArea(id) : accountArea(accountId);
          const found = lineage(accountKey(accountId)) as AccountLineage | undefined;
          if (!found && !area) return sendProblem(reply, notFound('unknown_account', `no money has reached ${kind} ${id}`));
          if (!(await allowedIn(request, reply, ALL, area))) return reply;
          return { ...(found ?? { view: 'account', accountId, kind: accountId.split(':')[0], byAppropriation: {}, bySource: {} }), areaCode: area ?? null };
        }
        case 'household': {
          const area = householdArea(id);
          const found = lineage(householdKey(id));
          if (!found && !area) return sendProblem(reply, notFound('unknown_household', `no household ${id} is known`));
          if (!(await allowedIn(request, reply, PERSONAL, area))) return reply;
          return (found ?? { view: 'household', householdId: id, byAppropriation: {}, bySource: {}, bySourceType: {} }) as unknown as Record<string, unknown>;
        }
        case 'payment': {
          const position = /^\d{1,15}$/.test(id) ? Number(id) : NaN;
          if (!Number.isSafeInteger(position) || position < 1) return sendProblem(reply, problem(400, 'invalid_position', 'Bad Request', 'a payment is named by its log position (a positive integer), as the card and the trail give it'));
          const [event] = (await deps.store.readAll({ afterPosition: position - 1, maxCount: 1 })).events;
          const payment = event && event.position === position ? paymentLineage(event as unknown as ProjectedEvent) : undefined;
          if (!payment) return sendProblem(reply, notFound('unknown_payment', `no payment is recorded at log position ${position}`));
          if (!(await allowedIn(request, reply, PERSONAL, accountArea(payment.accountId)))) return reply;
          return { ...payment, position } as unknown as Record<string, unknown>;
        }
        case 'appropriation': {
          const found = lineage(appropriationKey(id)) as AppropriationLineage | undefined;
          if (!found) return sendProblem(reply, notFound('unknown_appropriation', `no appropriation ${id}`));
          const reached = [...Object.keys(found.held), ...Object.keys(found.inFlight).map((k) => k.slice(0, k.lastIndexOf(':')))];
          const [first] = paidSlice(deps.views('lineage') as Views<LineageView>, id, 0, 1);
          if (first) reached.push(first.accountId);
          if (!(await allowedInCounty(request, reply, reached))) return reply;
          // Payments, paged by their index in the appropriation's list: `after` is the index of the last one sent.
          const { after = 0, limit } = request.query;
          const slice = paidSlice(deps.views('lineage') as Views<LineageView>, id, after, limit + 1);
          const personal = request.principal?.role !== 'dashboard';
          return { ...found, ...(personal ? { paid: slice.slice(0, limit), next: slice.length > limit ? after + limit : null } : {}) };
        }
        case 'source': {
          const found = lineage(sourceKey(id)) as SourceLineage | undefined;
          if (!found) return sendProblem(reply, notFound('unknown_source', `no money of source ${id} is recorded`));
          if (!(await allowedInCounty(request, reply, Object.keys(found.heldByAccount)))) return reply;
          return found as unknown as Record<string, unknown>;
        }
      }
    },
  );

  /** Money that crosses a county (an appropriation, a source) is read by auditors and by keys over a county it reached. */
  async function allowedInCounty(request: FastifyRequest, reply: FastifyReply, accounts: string[]): Promise<boolean> {
    const principal = request.principal;
    if (principal?.role === 'auditor' || principal?.areas.length === 0) return true;
    const counties = new Set(accounts.map(accountArea).filter((a): a is string => a !== undefined).map(countyOf));
    if (principal && [...counties].some((county) => authorize(principal, { roles: ALL, area: county }).ok)) return true;
    await sendProblem(reply, problem(403, 'forbidden_area', 'Forbidden', 'this money is read by auditors and by keys over a whole county it reached'));
    return false;
  }

  const TrailKind = z.enum(['area', 'account', 'household', 'project', 'loan']);
  const Entry = z.object({
    position: z.number().int(),
    eventId: z.string(),
    stream: z.string(),
    type: z.string(),
    actor: z.string().optional(),
    role: z.string().optional(),
    verifier: z.string().optional(),
    documentNo: z.string().optional(),
    effectiveDate: z.string().optional(),
    recordedAt: z.string(),
    historical: z.boolean(),
  });
  typed.get(
    '/v1/trail/:kind/:id',
    {
      schema: {
        tags: ['audit'],
        summary: 'the audit trail of an area (with every area inside it), account, household, project or loan: every event in log order with actor, role, verifier, document, effective and recorded time; paged by log position',
        security: [{ apiKey: [] }],
        params: z.object({ kind: TrailKind, id: Id }),
        querystring: z.object({ after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
        response: { 200: z.object({ entity: z.string(), count: z.number().int(), entries: z.array(Entry), next: z.number().int().nullable() }), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
      onRequest: requireRole(deps.keys, PERSONAL),
    },
    async (request, reply) => {
      const { kind, id } = request.params;
      if (kind === 'area' && !/^\d{12}$/.test(id)) return sendProblem(reply, problem(400, 'invalid_area', 'Bad Request', 'area codes are 12 digits'));
      const area = kind === 'area' ? id : kind === 'account' ? accountArea(id) : kind === 'household' ? householdArea(id) : kind === 'project' ? projectArea(id) : loanArea(id);
      const entity = `${kind}:${id}`;
      const { after, limit } = request.query;
      const views = deps.views('audit-trail') as Views<never>;
      const page = trailPositions(views, entity, after, limit + 1);
      if (page.count === 0 && (kind === 'area' || !area)) return sendProblem(reply, notFound('unknown_entity', `nothing is recorded about ${kind} ${id}`));
      if (!(await allowedIn(request, reply, PERSONAL, area))) return reply;
      const positions = page.positions.slice(0, limit);
      const entries = await trailEntries(deps.store, positions);
      return { entity, count: page.count, entries, next: page.positions.length > limit ? positions[positions.length - 1]! : null };
    },
  );
}
