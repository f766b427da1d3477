// GET /v1/stream?area=CODE: server-sent events for dashboards. On connect the area's balance is sent, then
// again whenever it changes; findings in the area are sent when they appear or change status. One timer
// serves every open stream: it looks at the log position the projections have reached and, only when that
// moved, recomputes each stream's balance and findings. Dashboards get findings without the explanation and
// proof (those name people); finance and auditor keys get them whole.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AreaCode, areaWithin } from '../../domain/values.js';
import type { BalanceView } from '../../projections/balances.js';
import type { Finding } from '../../projections/findings/types.js';
import type { Views } from '../../projections/types.js';
import type { KeyStore, Principal, Role } from '../auth/keys.js';
import { areaBreakdown } from '../reads/areas.js';
import { allowedIn, requireRole, sendProblem } from './auth.js';
import { Problem, problem } from './problem.js';

export interface StreamRouteDeps {
  keys: KeyStore;
  views: (projection: string) => Views<unknown>;
  findings?: () => Finding[];
  /** The log positions the read side has reached (projections, detection); streams are refreshed when one moves. */
  positions: () => number[];
  /** How often the position is looked at, in ms (default 1000). */
  tickMs?: number;
  /** Streams open at once; more are refused with 503 (default 1000). */
  maxStreams?: number;
}

const READERS: readonly Role[] = ['finance', 'auditor', 'dashboard'];
const HEARTBEAT_MS = 15_000;

interface Listener {
  area: string;
  principal: Principal;
  out: ServerResponse;
  balance: string;
  findings: Map<string, string>;
  lastWrite: number;
}

/** What a dashboard may see of a finding: what, where, how much and its status; not who or the proof. */
function forDashboard(f: Finding): Record<string, unknown> {
  return { id: f.id, code: f.code, severity: f.severity, areaCode: f.areaCode, amountFen: f.amountFen, effectiveDate: f.effectiveDate, status: f.status };
}

export function registerStreamRoutes(app: FastifyInstance, deps: StreamRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const listeners = new Set<Listener>();
  let seen = '';

  function send(listener: Listener, event: string, data: unknown, id?: number): void {
    listener.out.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    listener.lastWrite = Date.now();
  }

  /** Sends the balance if it changed and every finding in the area that is new or changed since last sent. */
  function refresh(listener: Listener, position: number): void {
    const balance = areaBreakdown(deps.views('balances') as Views<BalanceView>, listener.area);
    const text = JSON.stringify(balance);
    if (text !== listener.balance) {
      listener.balance = text;
      send(listener, 'balance', { ...balance, position }, position);
    }
    for (const finding of deps.findings?.() ?? []) {
      if (finding.areaCode === null || !areaWithin(finding.areaCode, listener.area)) continue;
      const shown = listener.principal.role === 'dashboard' ? forDashboard(finding) : finding;
      const fingerprint = `${finding.status}|${finding.amountFen}|${finding.resolutions.length}`;
      if (listener.findings.get(finding.id) === fingerprint) continue;
      listener.findings.set(finding.id, fingerprint);
      send(listener, 'finding', shown, position);
    }
  }

  /** The position every part of the read side has reached: what an event's id says it reflects. */
  const position = (): number => {
    const all = deps.positions();
    return all.length > 0 ? Math.min(...all) : 0;
  };
  const timer = setInterval(() => {
    const marks = deps.positions().join(',');
    const moved = marks !== seen;
    seen = marks;
    const at = position();
    const now = Date.now();
    for (const listener of listeners) {
      try {
        if (moved) refresh(listener, at);
        else if (now - listener.lastWrite >= HEARTBEAT_MS) {
          listener.out.write(': keep-alive\n\n');
          listener.lastWrite = now;
        }
      } catch (error) {
        app.log.warn({ err: error }, 'event stream dropped after a failed write');
        listeners.delete(listener);
        listener.out.destroy();
      }
    }
  }, deps.tickMs ?? 1000);
  timer.unref();

  // Open streams would keep a graceful shutdown waiting until its timeout: end them first.
  app.addHook('preClose', async () => {
    clearInterval(timer);
    for (const listener of listeners) listener.out.end();
    listeners.clear();
  });

  typed.get(
    '/v1/stream',
    {
      schema: {
        tags: ['stream'],
        summary:
          "server-sent events (text/event-stream) for an area: `balance` (the area's balance with its breakdown, at once and whenever it changes) and `finding` (each finding in the area when it appears or changes status; dashboards get it without explanation or proof). Comments keep the connection alive every 15 s.",
        security: [{ apiKey: [] }],
        querystring: z.object({ area: AreaCode }).strict(),
        response: { 200: z.string().describe('text/event-stream'), 400: Problem, 401: Problem, 403: Problem, 503: Problem },
      },
      onRequest: requireRole(deps.keys, READERS),
    },
    async (request, reply) => {
      const { area } = request.query;
      if (!(await allowedIn(request, reply, READERS, area))) return reply;
      if (listeners.size >= (deps.maxStreams ?? 1000)) return sendProblem(reply, problem(503, 'too_many_streams', 'Service Unavailable', 'too many event streams are open; try again later'));
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      out.write('retry: 5000\n\n');
      const listener: Listener = { area, principal: request.principal!, out, balance: '', findings: new Map(), lastWrite: Date.now() };
      listeners.add(listener);
      refresh(listener, position());
      request.raw.on('close', () => listeners.delete(listener));
      return reply;
    },
  );
}
