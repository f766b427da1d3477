// Builds the HTTP application without starting it: tests call `app.inject`, src/server.ts listens.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Finding } from '../../projections/findings/types.js';
import type { Views } from '../../projections/types.js';
import { StoreError } from '../store/errors.js';
import type { EventStore } from '../store/types.js';
import { registerAuditRoutes } from './audit.js';
import { registerCommandRoutes, type CommandRouteDeps } from './commands.js';
import { registerFindingRoutes } from './findings.js';
import { registerImportRoutes, type ImportRouteDeps } from './imports.js';
import { registerReadRoutes } from './reads.js';
import { registerStreamRoutes } from './stream.js';
import { Problem, problem } from './problem.js';

/** What a projection runner reports about itself; /ready is 503 until every projection has caught up. */
export interface ProjectionStatus {
  name: string;
  position: number;
  caughtUp: boolean;
}

export interface AppDeps {
  store: EventStore;
  logger: Logger;
  projections?: () => ProjectionStatus[];
  /** How long /ready waits for the store before calling it unreachable. */
  readyTimeoutMs?: number;
  /** The command routes, when the app posts (the executor and the API keys). */
  commands?: CommandRouteDeps;
  /** POST /v1/imports (with the command routes' keys): where imports write, and the clock they record. */
  imports?: Omit<ImportRouteDeps, 'keys'>;
  /** The projection runner's views, by projection name, for the read routes. */
  views?: (projection: string) => Views<unknown>;
  /** The findings of detection as it stands, for GET /v1/findings. */
  findings?: () => Finding[];
  /** Server-sent event streams: how often the read side's positions are looked at, in ms (default 1000). */
  streamTickMs?: number;
  /** The embedded store's hash-chain head, for auditors. */
  chainHead?: () => { position: number; hash: string } | undefined;
  /** Requests per minute per client (API key, else address); 0 or unset: no limit. */
  rateLimitPerMinute?: number;
  /** Browser origins allowed by CORS; unset: no CORS headers, so browsers on other origins are refused. */
  corsOrigins?: string[] | '*';
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1_048_576,
    return503OnClosing: true,
    // One access-log line per request (below) instead of fastify's two: the pair cost about a tenth of a balance
    // read's CPU at LOG_LEVEL info (measured with `fundtrail bench`).
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
    done();
  });
  const security = await securityHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of security) reply.raw.setHeader(name, value);
    done();
  });
  if (deps.corsOrigins) await app.register(cors, { origin: deps.corsOrigins === '*' ? true : deps.corsOrigins, allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'] });
  if (deps.rateLimitPerMinute) {
    await app.register(rateLimit, {
      max: deps.rateLimitPerMinute,
      timeWindow: '1 minute',
      // A key is the client; without one, the address. The key's id only, never the secret, names the bucket.
      keyGenerator: (request) => {
        const match = /^Bearer ft_([0-9a-f]{12})_/.exec(request.headers.authorization ?? '');
        return match ? `key:${match[1]}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) => ({
        ...problem(429, 'rate_limited', 'Too Many Requests', `more than ${context.max} requests in ${context.after}; try again after that`),
        statusCode: 429,
      }),
    });
  }
  // The OpenAPI 3.1 document is generated from the routes' zod schemas: it cannot drift from what is validated.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'fundtrail', version: '0.1.0', description: 'Event-sourced tracing of poverty-alleviation funds from the budget to the household' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'a key from `fundtrail keys issue` (ft_<id>_<secret>)' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerHealth(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (deps.commands) {
    registerCommandRoutes(app, deps.commands);
    registerAuditRoutes(app, { store: deps.store, keys: deps.commands.keys, ...(deps.chainHead ? { chainHead: deps.chainHead } : {}) });
    if (deps.views) registerReadRoutes(app, { keys: deps.commands.keys, views: deps.views, store: deps.store });
    if (deps.findings) registerFindingRoutes(app, { keys: deps.commands.keys, findings: deps.findings });
    if (deps.imports) await registerImportRoutes(app, { ...deps.imports, keys: deps.commands.keys });
    if (deps.views) {
      const projections = deps.projections ?? (() => []);
      registerStreamRoutes(app, {
        keys: deps.commands.keys,
        views: deps.views,
        ...(deps.findings ? { findings: deps.findings } : {}),
        positions: () => projections().map((p) => p.position),
        ...(deps.streamTickMs ? { tickMs: deps.streamTickMs } : {}),
      });
    }
  }
  return app;
}

let helmetHeaders: Promise<[string, string][]> | undefined;

/**
 * The headers helmet sets, worked out once per process by asking a throwaway app with and without
 * @fastify/helmet. The plugin rebuilds helmet's middleware, parsing its CSP, on every request: that cost about a
 * fifth of a balance read's CPU (measured with `fundtrail bench`), for headers that never change.
 */
export function securityHeaders(): Promise<[string, string][]> {
  const probe = async (withHelmet: boolean): Promise<Record<string, unknown>> => {
    const app = Fastify();
    if (withHelmet) await app.register(helmet, { global: true });
    app.get('/', async () => 'probe');
    const res = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    return res.headers;
  };
  helmetHeaders ??= (async () => {
    const [plain, helmeted] = [await probe(false), await probe(true)];
    return Object.entries(helmeted)
      .filter(([name, value]) => plain[name] === undefined && typeof value === 'string')
      .map(([name, value]) => [name, value as string]);
  })();
  return helmetHeaders;
}

const Ready = z.object({
  ready: z.boolean(),
  store: z.object({ reachable: z.boolean(), adapter: z.string().optional(), headPosition: z.number().optional(), error: z.string().optional() }),
  projections: z.array(z.object({ name: z.string(), position: z.number(), lag: z.number(), caughtUp: z.boolean() })),
});

function registerHealth(app: FastifyInstance, deps: AppDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/health', { schema: { response: { 200: z.object({ status: z.literal('alive') }) } } }, async () => ({ status: 'alive' as const }));
  typed.get('/ready', { schema: { response: { 200: Ready, 503: Ready } } }, async (_request, reply) => {
    const store = await probeStore(deps.store, deps.readyTimeoutMs ?? 2000);
    const head = store.headPosition ?? 0;
    const projections = (deps.projections?.() ?? []).map((p) => ({ ...p, lag: Math.max(0, head - p.position) }));
    const ready = store.reachable && projections.every((p) => p.caughtUp);
    return reply.code(ready ? 200 : 503).send({ ready, store, projections });
  });
}

async function probeStore(store: EventStore, timeoutMs: number): Promise<z.infer<typeof Ready>['store']> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const info = await Promise.race([store.info(), timeout]);
    return { reachable: true, adapter: info.adapter, headPosition: info.headPosition };
  } catch (error) {
    return { reachable: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/problem+json')
      .send(problem(404, 'route_not_found', 'Not Found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = toProblem(error, request.id);
    if (body.code === 'store_unavailable') {
      request.log.warn({ code: body.code, reason: error.message }, 'the event store could not take a request');
      void reply.header('retry-after', '5');
    } else if (body.status >= 500) request.log.error({ err: error, errorId: body.errorId }, 'unexpected error');
    else request.log.info({ code: body.code, status: body.status }, 'request refused');
    void reply.code(body.status).type('application/problem+json').send(Problem.parse(body));
  });
}

function toProblem(error: FastifyError, requestId: string): Problem {
  // Plugins given a problem to throw (the rate limit) hand it back as it is.
  const given = Problem.safeParse(error);
  if (given.success && given.data.status >= 400 && given.data.status < 500) return given.data;
  const validation = (error as { validation?: { instancePath?: string; message?: string }[] }).validation;
  if (validation) {
    const errors = validation.map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'invalid' }));
    return problem(400, 'validation_failed', 'Bad Request', `the request is malformed: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  }
  // The store could not take the request: on the embedded store another writer (a long import, a projection
  // save while catching up) held its lock past the busy timeout, and then nothing was written; KurrentDB may be
  // unreachable. A retry under the same command id is safe either way: one that had landed gets its result.
  if (error instanceof StoreError && error.code === 'store_unavailable') {
    return problem(503, 'store_unavailable', 'Service Unavailable', 'the event store cannot take the request right now (busy with another writer, or not reachable); retry in a few seconds with the same command id or Idempotency-Key');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return problem(status, (error.code ?? 'bad_request').toLowerCase(), 'Request refused', error.message || `the request was refused (${status})`);
  }
  return problem(500, 'internal_error', 'Internal Server Error', `an unexpected error occurred; quote error id ${requestId} to the operators`, {
    errorId: requestId,
  });
}
