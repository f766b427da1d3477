import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { AnswerKey } from '../demo/generate.js';
import { scoreFindings, scoreTable } from '../demo/score.js';
import { detectOnCores } from '../detection/parallel.js';
import { openStore } from '../store/open.js';
import { cliLogger, configFrom, withStoreOptions } from './common.js';
import { progress } from './progress.js';

/** The quality bar of the detection issue: every planted case found, and at least 95% of findings planted. */
export const MIN_RECALL = 1;
export const MIN_PRECISION = 0.95;

function readAnswerKey(path: string): AnswerKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the answer key ${path}: ${(error as Error).message}`);
  }
  const key = parsed as Partial<AnswerKey>;
  if (!Array.isArray(key.cases) || !Array.isArray(key.nearMisses)) throw new Error(`${path} is not a fundtrail demo answer key (no cases and nearMisses lists)`);
  return key as AnswerKey;
}

export function registerScore(program: Command): void {
  withStoreOptions(program.command('score'))
    .description('run detection over a demo county and score it against the answer key `fundtrail demo` wrote: recall and precision per finding code')
    .requiredOption('--answer-key <file>', 'the answer key JSON written by fundtrail demo --answer-key')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async function (this: Command, options: { db?: string; answerKey: string; format: 'table' | 'json' }) {
      let answerKey: AnswerKey;
      try {
        answerKey = readAnswerKey(options.answerKey);
      } catch (error) {
        this.error(`fundtrail score: ${(error as Error).message}`, { exitCode: 2 });
      }
      const config = configFrom(options);
      const store = await openStore(config, cliLogger(config), { readonly: true });
      try {
        const path = config.EVENTSTORE_CONNECTION_STRING ? undefined : config.FUNDTRAIL_DB;
        const result = await detectOnCores(store, { ...(path ? { path } : {}), progress: (total) => progress('detect', total) });
        const score = scoreFindings(answerKey, result.findings);
        const failing = score.byCode.filter((s) => (s.recall !== null && s.recall < MIN_RECALL) || (s.precision !== null && s.precision < MIN_PRECISION) || s.nearMissesFlagged > 0);
        const out = (text: string): boolean => process.stdout.write(`${text}\n`);
        if (options.format === 'json') {
          out(JSON.stringify({ seed: answerKey.seed, events: result.events, detectSeconds: Math.round(result.seconds * 100) / 100, byCode: score.byCode, missed: score.missed, falsePositives: score.falsePositives.map((f) => ({ id: f.id, code: f.code, eventIds: f.eventIds, explanation: f.explanation.en })), flaggedNearMisses: score.flaggedNearMisses.map((n) => ({ nearMiss: n.nearMiss, findings: n.findings.map((f) => f.id) })), pass: failing.length === 0 }, null, 2));
        } else {
          out(scoreTable(score));
          out(`${result.events} events, ${result.findings.length} findings, detection ${result.seconds.toFixed(1)} s (seed ${answerKey.seed})`);
          for (const m of score.missed) out(`MISSED ${m.code}: ${m.note} (${m.eventIds.join(' ')})`);
          for (const f of score.falsePositives.slice(0, 20)) out(`FALSE POSITIVE ${f.code}: ${f.explanation.en}`);
          for (const n of score.flaggedNearMisses) out(`NEAR-MISS FLAGGED ${n.nearMiss.code}: ${n.nearMiss.note}`);
          out(failing.length === 0 ? 'pass: recall 100% and precision >= 95% for every code, no near-miss flagged' : `FAIL: ${failing.map((s) => s.code).join(', ')}`);
        }
        if (failing.length > 0) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
