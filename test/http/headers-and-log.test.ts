// Two things the server does once rather than per request, for speed: helmet's headers are worked out at start
// (and must be exactly what @fastify/helmet sets), and each request writes one access-log line, not two.
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import { pino } from 'pino';
import { join } from 'node:path';
import t from 'tap';
import { KeyStore } from '../../src/auth/keys.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { securityHeaders } from '../../src/http/app.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';

async function helmetReference(): Promise<Record<string, unknown>> {
  const app = Fastify();
  await app.register(helmet, { global: true });
  app.get('/health', async () => ({ status: 'alive' }));
  const res = await app.inject({ method: 'GET', url: '/health' });
  await app.close();
  return res.headers;
}

t.test('every answer carries exactly the headers @fastify/helmet would set, errors included', async (t) => {
  const reference = await helmetReference();
  const headers = await securityHeaders();
  t.ok(headers.length >= 10, 'helmet sets its usual dozen headers');
  const store = new MemoryEventStore();
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys: KeyStore.open(join(scratchDir(t), 'keys.json')) } });
  for (const [method, url, status] of [['GET', '/health', 200], ['GET', '/no-such-route', 404], ['POST', '/v1/commands/make-payment', 401]] as const) {
    const res = await app.inject({ method, url });
    t.equal(res.statusCode, status, url);
    for (const [name] of headers) t.equal(res.headers[name], reference[name], `${url}: ${name}`);
  }
});

t.test('a request is logged once, with method, url, status and time, and never its key', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = pino({ level: 'info', redact: ['req.headers.authorization'] }, sink);
  const { app } = await testApp(t, { logger });
  await app.inject({ method: 'GET', url: '/health', headers: { authorization: 'Bearer ft_000000000000_secret', 'x-request-id': 'req-1' } });
  const mine = lines.filter((line) => line.reqId === 'req-1');
  t.equal(mine.length, 1, 'one line for the request');
  t.match(mine[0], { msg: 'request', method: 'GET', url: '/health', statusCode: 200, responseTimeMs: Number });
  t.notMatch(JSON.stringify(lines), /secret/, 'the key is not logged');
});
