import t from 'tap';
import { newEvent } from '../store/conformance.js';
import { testApp } from '../helpers/app.js';

t.test('GET /health answers alive', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'alive' });
  t.ok(res.headers['x-request-id'], 'every response carries a request id');
});

t.test('GET /ready is 200 when the store answers and projections have caught up', async (t) => {
  const { app, store } = await testApp(t, { projections: () => [{ name: 'balances', position: 1, caughtUp: true }] });
  await store.append('village-1', [newEvent()]);
  const res = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), { ready: true, store: { reachable: true, adapter: 'memory', headPosition: 1 }, projections: [{ name: 'balances', lag: 0 }] });
});

t.test('GET /ready is 503 with the lag while a projection is behind', async (t) => {
  const { app, store } = await testApp(t, { projections: () => [{ name: 'balances', position: 1, caughtUp: false }] });
  await store.append('village-1', [newEvent(), newEvent(), newEvent()]);
  const res = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  t.match(res.json(), { ready: false, projections: [{ name: 'balances', position: 1, lag: 2, caughtUp: false }] });
});

t.test('GET /ready is 503 naming the error when the store is unreachable', async (t) => {
  const { app, store } = await testApp(t);
  await store.close();
  const res = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  t.match(res.json(), { ready: false, store: { reachable: false, error: /closed/ } });
});

t.test('GET /ready is 503 when the store does not answer in time', async (t) => {
  const { app, store } = await testApp(t, { readyTimeoutMs: 50 });
  store.info = () => new Promise(() => {});
  const res = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  t.match(res.json(), { store: { reachable: false, error: /no answer within 50 ms/ } });
});

t.test('an unknown route is a 404 problem document', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /application\/problem\+json/);
  t.match(res.json(), { status: 404, code: 'route_not_found', detail: 'no route GET /nowhere' });
});

t.test('an unexpected error is a 500 with an error id and no stack trace', async (t) => {
  const { app } = await testApp(t);
  app.get('/boom', async () => {
    throw new Error('secret internal detail at /srv/app/x.ts:12');
  });
  const res = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'req-42' } });
  t.equal(res.statusCode, 500);
  const body = res.json();
  t.match(body, { status: 500, code: 'internal_error', errorId: 'req-42' });
  t.notMatch(res.body, /secret internal detail|x\.ts|at /, 'nothing of the error reaches the client');
});

t.test('a malformed JSON body is a 400 problem, not a 500', async (t) => {
  const { app } = await testApp(t);
  app.post('/echo', async (request) => request.body);
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"amountFen": 1' });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { status: 400, code: /json|body/ });
});
