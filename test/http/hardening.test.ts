// Security headers on every answer, CORS only for configured origins, and a rate limit answered as a problem.
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { testApp } from '../helpers/app.js';

t.test('every answer carries security headers', async (t) => {
  const { app } = await testApp(t);
  for (const url of ['/health', '/no-such-route']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.headers['x-content-type-options'], 'nosniff', url);
    t.ok(res.headers['content-security-policy'], url);
    t.ok(res.headers['strict-transport-security'], url);
    t.equal(res.headers['x-powered-by'], undefined);
  }
});

t.test('CORS answers configured origins only', async (t) => {
  const { app } = await testApp(t, { corsOrigins: ['https://dashboard.example'] });
  const allowed = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://dashboard.example' } });
  t.equal(allowed.headers['access-control-allow-origin'], 'https://dashboard.example');
  const other = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
  t.equal(other.headers['access-control-allow-origin'], undefined);
  const { app: closed } = await testApp(t);
  const none = await closed.inject({ method: 'GET', url: '/health', headers: { origin: 'https://dashboard.example' } });
  t.equal(none.headers['access-control-allow-origin'], undefined, 'no origins configured: no CORS');
});

t.test('past the rate limit a client gets 429 as a problem, per key or address', async (t) => {
  const { app } = await testApp(t, { rateLimitPerMinute: 3 });
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: 'GET', url: '/health' })).statusCode);
  t.same(codes, [200, 200, 200, 429]);
  const limited = await app.inject({ method: 'GET', url: '/health' });
  t.match(limited.json(), { status: 429, code: 'rate_limited', title: 'Too Many Requests' });
  t.match(limited.headers['content-type'], /json/);
  const keyed = await app.inject({ method: 'GET', url: '/health', headers: { authorization: `Bearer ft_0123456789ab_${'x'.repeat(43)}` } });
  t.equal(keyed.statusCode, 200, 'a key has its own bucket');
});

t.test('RATE_LIMIT_PER_MINUTE and CORS_ORIGINS are validated', async (t) => {
  t.equal(loadConfig({}).RATE_LIMIT_PER_MINUTE, 1200);
  t.throws(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' }), /RATE_LIMIT_PER_MINUTE must be 0 or more/);
  t.equal(loadConfig({ CORS_ORIGINS: 'https://a.example,http://b.example:8080' }).CORS_ORIGINS, 'https://a.example,http://b.example:8080');
  t.throws(() => loadConfig({ CORS_ORIGINS: 'javascript:alert(1)' }), /CORS_ORIGINS must be \* or comma-separated/);
});
