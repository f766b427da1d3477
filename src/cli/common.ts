// Helpers every subcommand shares: the store options, configuration and the logger.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

export interface GlobalOptions {
  db?: string;
}

/** Adds the options every subcommand takes. */
export function withStoreOptions(command: Command): Command {
  return command.addOption(new Option('--db <path>', 'embedded store file (default: $FUNDTRAIL_DB or ./data/fundtrail.db)'));
}

export function configFrom(options: GlobalOptions & { host?: string; port?: string }): Config {
  return loadConfig(process.env, { FUNDTRAIL_DB: options.db, HOST: options.host, PORT: options.port });
}

export function cliLogger(config: Config, destination: 1 | 2 = 2): Logger {
  return createLogger(config.LOG_LEVEL, destination);
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

