// The demo county against the detection rules: for several seeds, a small county is generated through the
// command path, every rule runs over its log, and each planted case must be found (recall 100%), findings
// must be about planted cases (precision ≥ 95%), and no near-miss may be flagged. The same seed must give
// the same log, and `fundtrail demo` refuses a store that already holds events.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import t from 'tap';
import { FINDING_CODES } from '../../projections/findings/types.js';
import { registerDemo } from '../../src/cli/demo.js';
import { generateDemo, type DemoResult } from '../../src/demo/generate.js';
import { scoreFindings, scoreTable } from '../../src/demo/score.js';
import { detect } from '../../src/detection/detect.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import type { EventStore } from '../../src/store/types.js';
import { scratchDir } from '../helpers/tmp.js';

const SMALL = { villages: 6, households: 400, years: 2 };

async function logHash(store: EventStore): Promise<{ hash: string; events: number }> {
  const hash = createHash('sha256');
  let events = 0;
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: 5_000 });
    for (const e of page.events) {
      hash.update(`${e.id}\u0000${e.type}\u0000${JSON.stringify(e.data)}\n`);
      events += 1;
    }
    after = page.lastPosition;
    if (page.isEnd) return { hash: hash.digest('hex'), events };
  }
}

async function small(seed: number): Promise<{ store: MemoryEventStore; result: DemoResult }> {
  const store = new MemoryEventStore();
  const result = await generateDemo(store, { seed, ...SMALL });
  return { store, result };
}

for (const seed of [1, 2, 3, 4, 5]) {
  t.test(`seed ${seed}: detection finds every planted case, flags no near-miss, and little else`, async (t) => {
    const { store, result } = await small(seed);
    t.same(result.warnings, [], 'every imported posting broke the control it was meant to, and every case names its events');
    const key = result.answerKey;
    for (const code of FINDING_CODES) t.ok(key.cases.some((c) => c.code === code), `at least one planted ${code}`);
    t.ok(key.nearMisses.length >= FINDING_CODES.length, 'near-misses planted');
    for (const c of key.cases) t.ok(c.eventIds.length > 0, `case "${c.note}" names its events`);

    const { findings } = await detect(store);
    const score = scoreFindings(key, findings);
    const table = scoreTable(score);
    for (const s of score.byCode) {
      if (s.planted === 0) continue;
      t.equal(s.recall, 1, `${s.code}: every planted case found`);
      t.ok((s.precision ?? 0) >= 0.95, `${s.code}: precision ${s.precision} ≥ 95%`);
    }
    t.same(score.missed.map((m) => `${m.code}: ${m.note}`), [], 'no planted case missed');
    t.same(score.falsePositives.map((f) => `${f.code}: ${f.explanation.en}`), [], 'no finding outside the planted cases');
    t.same(score.flaggedNearMisses.map((n) => `${n.nearMiss.code}: ${n.nearMiss.note}`), [], 'no near-miss flagged');
    if (t.passing()) return;
    t.comment(table);
  });
}

t.test('the same seed gives the same log; another seed another one', async (t) => {
  const a = await small(11);
  const b = await small(11);
  const c = await small(12);
  const [ha, hb, hc] = await Promise.all([logHash(a.store), logHash(b.store), logHash(c.store)]);
  t.ok(ha.events > 10_000, `a small county still has ${ha.events} events`);
  t.equal(ha.events, hb.events);
  t.equal(ha.hash, hb.hash, 'ids, types and data are identical');
  t.same(a.result.answerKey, b.result.answerKey, 'and so is the answer key');
  t.not(ha.hash, hc.hash);
  const ids = new Set<string>();
  for (let after = 0; ; ) {
    const page = await a.store.readAll({ afterPosition: after, maxCount: 5_000 });
    for (const e of page.events) ids.add(e.id);
    after = page.lastPosition;
    if (page.isEnd) break;
  }
  t.equal(ids.size, ha.events, 'event ids are unique');
  t.ok([...ids].every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)), 'event ids are lowercase UUIDs');
});

t.test('fundtrail demo loads an empty store, writes the answer key, and refuses a store that holds events', async (t) => {
  const dir = scratchDir(t, 'fundtrail-demo');
  const db = join(dir, 'demo.db');
  const keyFile = join(dir, 'key.json');
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const program = (): Command => {
    const p = new Command('fundtrail').exitOverride();
    p.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerDemo(p);
    return p;
  };
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'silent';
  t.teardown(() => {
    process.stdout.write = write;
    if (previous === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previous;
  });
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  const args = ['demo', '--db', db, '--villages', '6', '--households', '400', '--years', '2', '--seed', '3'];
  await program().parseAsync([...args, '--answer-key', keyFile], { from: 'user' });
  process.stdout.write = write;
  const text = out.join('');
  t.match(text, /planted: \d+ cases and \d+ near-misses over 19 finding codes; answer key written to/);
  t.match(text, /events: [\d,]+/);
  t.match(text, /elapsed [\d.]+ s, [\d,]+ events\/s/);
  const { readFileSync } = await import('node:fs');
  const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { seed: number; cases: unknown[] };
  t.equal(key.seed, 3);
  t.ok(key.cases.length > 19);
  const refused = await program()
    .parseAsync(args, { from: 'user' })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  t.ok(refused instanceof CommanderError, 'refused as a usage error');
  t.equal((refused as CommanderError).exitCode, 2);
  t.match((refused as CommanderError).message, /already holds [\d,]+ events/);
});
