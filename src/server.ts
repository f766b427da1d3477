// The server entry: opens the store, listens, and shuts down gracefully on SIGTERM/SIGINT.
import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { KeyStore } from './auth/keys.js';
import { CommandExecutor } from './domain/executor.js';
import { buildApp } from './http/app.js';
import type { Logger } from './logger.js';
import { ALL_PROJECTIONS } from '../projections/index.js';
import { ProjectionRunner } from './projections/runner.js';
import { LiveDetector } from './detection/live.js';
import { openStore } from './store/open.js';
import { SqliteEventStore } from './store/sqlite/store.js';
import type { EventStore } from './store/types.js';

export interface RunningServer {
  app: FastifyInstance;
  store: EventStore;
  runner: ProjectionRunner;
  address: string;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  // Read first: a keys file that is not one stops the start before the store is opened.
  const keys = KeyStore.open(config.FUNDTRAIL_KEYS);
  const store = await openStore(config, logger);
  // Views live in the embedded store's own file, or in a local SQLite file when events are in KurrentDB.
  // A long history (first start, a projection's new version) is caught up in worker threads, one per core unless
  // PROJECTION_THREADS says otherwise, so this thread keeps answering requests meanwhile.
  const runner = new ProjectionRunner(store, config.FUNDTRAIL_DB, ALL_PROJECTIONS, { logger, threads: config.PROJECTION_THREADS ?? availableParallelism() });
  runner.start();
  const detector = new LiveDetector(store, logger);
  detector.start();
  const app = await buildApp({
    store,
    logger,
    projections: () => [...runner.status(), detector.status()],
    findings: () => detector.findings(),
    views: (name) => runner.views(name),
    commands: { executor: new CommandExecutor(store), keys },
    imports: { store },
    ...(store instanceof SqliteEventStore ? { chainHead: () => store.chainHead() } : {}),
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    ...(config.CORS_ORIGINS ? { corsOrigins: config.CORS_ORIGINS === '*' ? ('*' as const) : config.CORS_ORIGINS.split(',') } : {}),
  });
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    await runner.stop();
    await detector.stop();
    await store.close();
    throw new ListenError(config.HOST, config.PORT, error);
  }
  const bound = app.server.address();
  const address = bound && typeof bound === 'object' ? `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` : `${config.HOST}:${config.PORT}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close();
      await runner.stop();
      await detector.stop();
      await store.close();
    })());
  return { app, store, runner, address, close };
}

export class ListenError extends Error {
  constructor(host: string, port: number, cause: unknown) {
    const code = (cause as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : String((cause as Error).message ?? cause);
    super(`cannot listen on ${host}:${port}: ${why}`);
    this.name = 'ListenError';
  }
}

/** Wires SIGTERM and SIGINT to a graceful close, forced after `timeoutMs`. */
export function closeOnSignals(server: RunningServer, logger: Logger, timeoutMs: number): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long; exiting now');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    server.close().then(
      () => {
        logger.info('shut down cleanly');
        clearTimeout(force);
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
