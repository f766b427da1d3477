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
