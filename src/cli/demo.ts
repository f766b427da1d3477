// `fundtrail demo`: loads the deterministic demo county into an empty store through the command path, with
// its planted anomalies, and writes the answer key that says which events a detection rule should cite.
import { InvalidArgumentError, type Command } from 'commander';
import { generateDemo, resolveOptions, type DemoOptions } from '../demo/generate.js';
import { openStore } from '../store/open.js';
import { cliLogger, configFrom, positiveInt, withStoreOptions } from './common.js';
import { progress } from './progress.js';

function seedValue(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

const count = (n: number): string => n.toLocaleString('en-US');

export function registerDemo(program: Command): void {
  withStoreOptions(program.command('demo'))
    .description('load the deterministic demo county (households, programmes, projects, loans, planted anomalies) into an empty store and write its answer key')
    .option('--seed <n>', 'the seed: the same seed and options always give the same log (default 7)', seedValue)
    .option('--villages <n>', 'villages of the demo county, ten to a township (default 150)', positiveInt)
    .option('--households <n>', 'registered households (default 25000)', positiveInt)
    .option('--years <n>', 'fiscal years, ending with 2020 (default 3: 2018-2020)', positiveInt)
    .option('--answer-key <file>', 'write the planted cases and near-misses, with the ids of the events that prove them, as JSON')
    .action(async function (this: Command, options: { db?: string; seed?: number; villages?: number; households?: number; years?: number; answerKey?: string }) {
      const started = performance.now();
      let demo: DemoOptions;
      try {
        demo = resolveOptions({ seed: options.seed, villages: options.villages, households: options.households, years: options.years, ...(options.answerKey ? { answerKeyPath: options.answerKey } : {}) } as Partial<DemoOptions>);
      } catch (error) {
        this.error(`fundtrail demo: ${(error as Error).message}`, { exitCode: 2 });
      }
      const config = configFrom(options);
      const store = await openStore(config, cliLogger(config));
      let result: Awaited<ReturnType<typeof generateDemo>>;
      try {
        const head = await store.headPosition();
        if (head > 0) {
          const where = (await store.info()).location;
          this.error(`fundtrail demo: the store ${where} already holds ${count(head)} events; the demo county is loaded into an empty store only (give --db a new file)`, { exitCode: 2 });
        }
        result = await generateDemo(store, demo, (total) => progress('demo county', total, 'commands'));
      } finally {
        await store.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      const key = result.answerKey;
      const { counts } = result;
      const years = key.options.fiscalYears;
      out(`demo county (seed ${demo.seed}): fiscal years ${years[0]}-${years[years.length - 1]}; ${counts.counties} counties (the demo county and ${counts.counties - 1} small neighbours for the per-county rules), ${counts.townships} townships, ${counts.villages} villages`);
      out(`registry: ${count(counts.households)} households, ${count(counts.persons)} people; ${count(counts.projects)} projects, ${count(counts.loans)} micro-loans, ${count(counts.householdPayments)} household benefit payments`);
      out(`planted: ${key.cases.length} cases and ${key.nearMisses.length} near-misses over ${new Set(key.cases.map((c) => c.code)).size} finding codes${demo.answerKeyPath ? `; answer key written to ${demo.answerKeyPath}` : ''}`);
      for (const warning of result.warnings) out(`warning: ${warning}`);
      out(`commands: ${count(result.commands)}, events: ${count(result.events)}`);
      out(`elapsed ${seconds.toFixed(1)} s, ${count(Math.round(result.events / Math.max(seconds, 1e-6)))} events/s`);
    });
}
