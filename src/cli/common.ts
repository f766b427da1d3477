// Helpers every subcommand shares: the store options, configuration and the logger.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isRealDate } from '../../domain/values.js';
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

/** A command-line date: YYYY-MM-DD, and a day that exists. */
export function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isRealDate(value)) throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return value;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

