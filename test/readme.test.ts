// The README's walkthrough is run as written (only the port changes) against a fresh server, so that what it
// promises a newcomer — post an appropriation down to a household payment with curl, then read the balance,
// the card, the trail, the lineage and a finding — stays true.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { spawnCli, waitForLogLine } from './helpers/cli.js';
import { scratchDir } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function walkthrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- walkthrough');
  const open = readme.indexOf('```sh\n', start);
  const close = readme.indexOf('\n```', open + 6);
  if (start < 0 || open < 0 || close < 0) throw new Error('the README has no walkthrough block');
  return readme.slice(open + 6, close);
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

t.test('the README walkthrough works as written', { skip: hasCurl ? false : 'curl is not installed here: the walkthrough uses it' }, async (t) => {
  const dir = scratchDir(t);
  const env = { FUNDTRAIL_DB: join(dir, 'fundtrail.db'), FUNDTRAIL_KEYS: join(dir, 'keys.json') };
  const server = spawnCli(['serve', '--port', '0'], env);
  t.teardown(() => void server.kill('SIGKILL'));
  const listening = await waitForLogLine(server, (entry) => entry.msg === 'fundtrail listening');
  const script = walkthrough().replaceAll('http://127.0.0.1:3000', String(listening.address));
  const run = spawn('bash', ['-e', '-c', script], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
  t.equal(code, 0, `the block runs without error${code === 0 ? '' : `: ${stderr.slice(-500)}`}`);
  const answers = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const posts = answers.filter((a) => 'status' in a && 'events' in a);
  t.equal(posts.length, 11, 'eleven commands posted');
  t.ok(posts.every((p) => p.status === 'recorded'), 'every command was recorded');
  const [balance, card, trail, lineage, findings] = answers.slice(posts.length);
  t.match(balance, { areaCode: '620423101001', heldBySourceType: { grant: 2_870_000 }, paidBySourceType: { grant: 130_000 } }, 'the village balance');
  t.match(card, { householdId: 'hh-1', headName: '张三', payments: [{ paymentId: 'pay-1' }, { paymentId: 'pay-2' }] }, 'the household card');
  t.match(trail, { entity: 'household:hh-1', count: 3, entries: [{ type: 'HouseholdRegistered', actor: '县财政局' }, { type: 'PaymentMade' }, { type: 'PaymentMade' }] }, 'the trail');
  t.match(lineage, { byAppropriation: { 'ap-1': 130_000 } }, 'the lineage');
  t.match(findings, { total: 1, findings: [{ code: 'late_posting', amountFen: 50_000 }] }, 'one finding: the back-dated payment');
});
