// An app on an in-memory store with a silent logger, for app.inject tests.
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { MemoryEventStore } from '../../src/store/memory.js';

export async function testApp(t: Test, deps: Partial<AppDeps> = {}): Promise<{ app: FastifyInstance; store: AppDeps['store'] }> {
  const store = deps.store ?? new MemoryEventStore();
  const app = await buildApp({ store, logger: createLogger('silent'), ...deps });
  t.teardown(() => app.close());
  return { app, store };
}
