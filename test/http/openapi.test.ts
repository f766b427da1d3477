// The OpenAPI document is generated from the routes' schemas, and Swagger UI serves it.
import { join } from 'node:path';
import t from 'tap';
import { Command, type CommandType } from '../../domain/commands.js';
import { KeyStore } from '../../src/auth/keys.js';
import { CommandExecutor } from '../../src/domain/executor.js';
import { commandPath } from '../../src/http/commands.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import { testApp } from '../helpers/app.js';
import { scratchDir } from '../helpers/tmp.js';

t.test('GET /openapi.json describes every command route with its body, its security and each response status', async (t) => {
  const store = new MemoryEventStore();
  const { app } = await testApp(t, { store, commands: { executor: new CommandExecutor(store), keys: KeyStore.open(join(scratchDir(t), 'k.json')) } });
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; responses: Record<string, unknown>; security?: unknown[] } }> };
  t.equal(doc.openapi, '3.1.0');
  for (const option of Command.options) {
    const type = option.shape.type.value as CommandType;
    const post = doc.paths[commandPath(type)]?.post;
    t.ok(post, `${type} is documented`);
    t.same(Object.keys(post?.responses ?? {}).sort(), ['200', '201', '400', '401', '403', '409', '422'], `${type} documents each status`);
    t.same(post?.security, [{ apiKey: [] }]);
    t.notOk('type' in (post?.requestBody?.content['application/json']?.schema.properties ?? {}), 'the type is the path, not a body field');
  }
  t.ok(doc.paths['/health'] && doc.paths['/ready'], 'health routes are documented');
  const ui = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
});

t.test('GET /openapi.json lists every read route with its parameters, security and statuses', async (t) => {
  const store = new MemoryEventStore();
  const { app } = await testApp(t, {
    store,
    commands: { executor: new CommandExecutor(store), keys: KeyStore.open(join(scratchDir(t), 'k.json')) },
    views: () => ({ get: () => undefined, put: () => undefined }),
    findings: () => [],
    chainHead: () => undefined,
  });
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, { get?: { responses: Record<string, unknown>; security?: unknown[]; parameters?: Array<{ name: string; in: string }> } }> };
  const keyed = [
    '/v1/areas/{code}/balance', '/v1/areas/{code}/children', '/v1/areas/{code}/accounts', '/v1/areas/{code}/risk-fund', '/v1/projects/{id}', '/v1/loans/{id}',
    '/v1/lineage/{kind}/{id}', '/v1/trail/{kind}/{id}', '/v1/stream', '/v1/households/{id}/card', '/v1/findings', '/v1/events', '/v1/chain/head',
  ];
  for (const path of keyed) {
    const get = doc.paths[path]?.get;
    t.ok(get, `${path} is documented`);
    t.same(get?.security, [{ apiKey: [] }], `${path} needs a key`);
    t.ok(get?.responses['200'] && get.responses['401'] && get.responses['403'], `${path} documents 200, 401 and 403`);
  }
  t.ok(doc.paths['/v1/villages/{code}/notice']?.get?.responses['200'], 'the public notice is documented');
  const balance = doc.paths['/v1/areas/{code}/balance']!.get!;
  t.same(balance.parameters?.filter((p) => p.in === 'query').map((p) => p.name).sort(), ['asOf', 'position', 'recorded'], 'the balance documents its as-of parameters');
});
