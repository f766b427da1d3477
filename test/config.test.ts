import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('defaults serve the embedded store on loopback port 3000', async (t) => {
  t.match(loadConfig({}), { FUNDTRAIL_DB: './data/fundtrail.db', HOST: '127.0.0.1', PORT: 3000, LOG_LEVEL: 'info', FUNDTRAIL_SYNC: 'normal', SHUTDOWN_TIMEOUT_MS: 10_000 });
  t.equal(loadConfig({}).EVENTSTORE_CONNECTION_STRING, undefined);
});

t.test('environment values are parsed and typed', async (t) => {
  const config = loadConfig({ PORT: '8080', FUNDTRAIL_SYNC: 'full', EVENTSTORE_CONNECTION_STRING: 'kurrentdb://127.0.0.1:2113?tls=false', PORT_UNUSED: 'x' });
  t.equal(config.PORT, 8080);
  t.equal(config.FUNDTRAIL_SYNC, 'full');
  t.equal(config.EVENTSTORE_CONNECTION_STRING, 'kurrentdb://127.0.0.1:2113?tls=false');
});

t.test('command-line overrides win over the environment; empty strings mean unset', async (t) => {
  t.equal(loadConfig({ PORT: '8080' }, { PORT: '9090' }).PORT, 9090);
  t.equal(loadConfig({ PORT: '' }).PORT, 3000);
});

const bad: [string, Record<string, string>, RegExp][] = [
  ['PORT', { PORT: 'abc' }, /PORT must be a number \(got "abc"\)/],
  ['PORT', { PORT: '70000' }, /PORT must be from 0 to 65535/],
  ['PORT', { PORT: '80.5' }, /PORT must be a whole number/],
  ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
  ['FUNDTRAIL_SYNC', { FUNDTRAIL_SYNC: 'sometimes' }, /FUNDTRAIL_SYNC must be normal or full/],
  ['EVENTSTORE_CONNECTION_STRING', { EVENTSTORE_CONNECTION_STRING: 'http://localhost:2113' }, /EVENTSTORE_CONNECTION_STRING must be an esdb:\/\/ or kurrentdb:\/\/ connection string/],
  ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: '5' }, /SHUTDOWN_TIMEOUT_MS must be at least 100/],
  ['PROJECTION_THREADS', { PROJECTION_THREADS: '0' }, /PROJECTION_THREADS must be at least 1/],
  ['PROJECTION_THREADS', { PROJECTION_THREADS: 'two' }, /PROJECTION_THREADS must be a number/],
];
for (const [variable, env, message] of bad) {
  t.test(`a bad ${variable} is refused naming the variable`, async (t) => {
    const error = (() => {
      try {
        loadConfig(env);
      } catch (caught) {
        return caught;
      }
    })();
    t.ok(error instanceof ConfigError, 'a ConfigError');
    t.equal((error as ConfigError).variable, variable);
    t.match((error as ConfigError).message, message);
  });
}
