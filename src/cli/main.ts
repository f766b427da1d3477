// The `fundtrail` command line: one parser, --help on every subcommand, and clean one-line errors.
import { Command, CommanderError } from 'commander';
import { KeyFileError } from '../auth/keys.js';
import { ConfigError } from '../config.js';
import { StoreError } from '../store/errors.js';
import { ListenError } from '../server.js';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerFindings } from './findings.js';
import { registerImport } from './import.js';
import { registerKeys } from './keys.js';
import { registerReplay } from './replay.js';
import { registerScore } from './score.js';
import { registerServe } from './serve.js';
import { registerVerify } from './verify.js';

export function buildCli(): Command {
  const program = new Command('fundtrail')
    .description('Event-sourced tracing of poverty-alleviation funds from the budget to the household')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerBench(program);
  registerVerify(program);
  registerReplay(program);
  registerFindings(program);
  registerDemo(program);
  registerScore(program);
  registerKeys(program);
  registerImport(program);
  return program;
}

/** Runs the CLI; returns the exit code. Usage and configuration errors are 2, failures 1. */
export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`fundtrail: ${error.message}\n`);
    return 2;
  }
  if (error instanceof StoreError || error instanceof ListenError || error instanceof KeyFileError) {
    process.stderr.write(`fundtrail: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`fundtrail: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
