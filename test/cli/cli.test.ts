import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cli, spawnCli, waitForLogLine } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';

const SUBCOMMANDS = ['serve', 'bench', 'verify', 'replay', 'findings', 'demo', 'score', 'import'];

t.test('fundtrail --help lists every subcommand', async (t) => {
  const result = await cli(['--help']);
  t.equal(result.code, 0);
  for (const name of [...SUBCOMMANDS, 'keys']) t.match(result.stdout, new RegExp(`\\b${name}\\b`));
});

for (const name of SUBCOMMANDS) {
  t.test(`fundtrail ${name} --help documents --db`, async (t) => {
    const result = await cli([name, '--help']);
    t.equal(result.code, 0);
    t.match(result.stdout, /--db <path>/);
  });
}

t.test('an unknown subcommand or option is a usage error with exit code 2', async (t) => {
  t.equal((await cli(['frobnicate'])).code, 2);
  t.equal((await cli(['serve', '--no-such-flag'])).code, 2);
  t.equal((await cli(['bench', '--events', '-5'])).code, 2);
  const uneven = await cli(['bench', '--events', '1005', '--streams', '100']);
  t.equal(uneven.code, 2);
  t.match(uneven.stderr, /--events must be a multiple of 10 × --streams/);
});

t.test('a bad environment variable prints one line naming it and exits 2', async (t) => {
  const result = await cli(['serve'], { PORT: 'abc' });
  t.equal(result.code, 2);
  t.equal(result.stdout, '');
  t.equal(result.stderr, 'fundtrail: invalid configuration: PORT must be a number (got "abc")\n');
});

t.test('a file that is not a fundtrail store is refused in one line, exit 1, no stack trace', async (t) => {
  const dir = scratchDir(t);
  const path = join(dir, 'ledger.csv');
  writeFileSync(path, 'voucher,amount\nPZ-1,100\n');
  const result = await cli(['serve', '--db', path, '--port', '0'], { LOG_LEVEL: 'silent' });
  t.equal(result.code, 1);
  t.equal(result.stderr.trim().split('\n').length, 1);
  t.match(result.stderr, /is not a fundtrail store/);
  t.notMatch(result.stderr, /\n\s+at /);
});

t.test('serve creates the store, answers /health, and stops cleanly on SIGTERM', async (t) => {
  const dir = scratchDir(t);
  const db = join(dir, 'data', 'fundtrail.db');
  const child = spawnCli(['serve', '--port', '0'], { FUNDTRAIL_DB: db });
  t.teardown(() => void child.kill('SIGKILL'));
  const started = Date.now();
  const listening = await waitForLogLine(child, (entry) => entry.msg === 'fundtrail listening');
  const res = await fetch(`${listening.address as string}/health`);
  t.equal(res.status, 200);
  t.ok(Date.now() - started < 30_000, 'healthy within 30 s');
  t.ok(existsSync(db), 'the store file was created with its folder');
  let ready: Response | undefined;
  for (let i = 0; i < 100 && ready?.status !== 200; i++) {
    ready = await fetch(`${listening.address as string}/ready`);
    if (ready.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.equal(ready?.status, 200, 'ready once the projections have caught up');
  t.match(await ready!.json(), { ready: true, projections: [{ name: 'balances', caughtUp: true, lag: 0 }] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stopAt = Date.now();
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exit code 0');
  t.ok(Date.now() - stopAt < 10_000, 'stopped within 10 s');
});

t.test('bench smoke: a tiny run ends with one JSON line holding every figure', async (t) => {
  const result = await cli(['bench', '--events', '10000', '--streams', '100', '--rounds', '1', '--quiet', '--no-http']);
  t.ok(result.code === 0 || result.code === 1, 'exit code 0 (targets met) or 1 (missed): never a crash');
  const last = JSON.parse(result.stdout.trim().split('\n').pop()!);
  for (const w of ['W1', 'W2', 'W3', 'W4']) {
    t.ok(last.fundtrail[w] > 0 && last.baseline[w] > 0, `${w} measured on both sides`);
    t.ok(Math.abs(last.ratio[w] - last.fundtrail[w] / last.baseline[w]) <= 0.011, `${w} ratio is fundtrail / baseline (one round)`);
  }
  t.ok(last.domain.paymentsPerSec > 0, 'payments through execute() measured');
  t.equal(last.domain.ratio, Math.round((last.domain.paymentsPerSec / last.fundtrail.W1) * 100) / 100, 'domain ratio is payments / store W1');
  t.equal(last.pass, result.code === 0, 'exit code follows the verdict');
});
