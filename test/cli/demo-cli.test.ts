// The demo and score commands end to end: a small county on disk, scored from its answer key; a second
// load into the same store is refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { detect } from '../../src/detection/detect.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';

t.test('fundtrail demo loads a county and writes its answer key; fundtrail score passes it; a second demo is refused', async (t) => {
  const dir = scratchDir(t);
  const db = join(dir, 'demo.db');
  const key = join(dir, 'key.json');
  const demo = await cli(['demo', '--db', db, '--seed', '3', '--villages', '4', '--households', '240', '--years', '2', '--answer-key', key], { LOG_LEVEL: 'silent' });
  t.equal(demo.code, 0, demo.stderr);
  t.match(demo.stdout, /planted: \d+ cases and \d+ near-misses over 19 finding codes/);
  const answers = JSON.parse(readFileSync(key, 'utf8')) as { seed: number; cases: { code: string }[] };
  t.equal(answers.seed, 3);
  t.equal(new Set(answers.cases.map((c) => c.code)).size, 19, 'every finding code is planted');

  const score = await cli(['score', '--db', db, '--answer-key', key, '--format', 'json'], { LOG_LEVEL: 'silent' });
  t.equal(score.code, 0, score.stderr);
  const report = JSON.parse(score.stdout) as { pass: boolean; byCode: { code: string; recall: number | null; precision: number | null }[] };
  t.equal(report.pass, true);
  t.ok(report.byCode.every((c) => c.recall === 1), 'recall 100% for every code');

  // The command runs the rules on two threads; in this process they run on one: the findings must be the same.
  const listed = await cli(['findings', '--db', db, '--format', 'json'], { LOG_LEVEL: 'silent' });
  const fromCli = JSON.parse(listed.stdout) as { threads: number; findings: unknown[] };
  t.equal(fromCli.threads, 2, 'the command used two threads');
  const store = new SqliteEventStore(db, { readonly: true });
  const inProcess = await detect(store);
  await store.close();
  t.equal(inProcess.findings.length, fromCli.findings.length);
  t.same(fromCli.findings, JSON.parse(JSON.stringify(inProcess.findings)), 'two threads find exactly what one does');

  const again = await cli(['demo', '--db', db], { LOG_LEVEL: 'silent' });
  t.equal(again.code, 2);
  t.match(again.stderr, /already holds .* events; the demo county is loaded into an empty store only/);

  const badKey = await cli(['score', '--db', db, '--answer-key', join(dir, 'missing.json')], { LOG_LEVEL: 'silent' });
  t.equal(badKey.code, 2);
  t.match(badKey.stderr, /cannot read the answer key/);
});
