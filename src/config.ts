// Configuration from environment variables, parsed once at start. A bad value is one clear line and exit 2.
import { z } from 'zod';

const Port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be from 0 to 65535')
  .max(65535, 'must be from 0 to 65535');

export const Config = z.object({
  FUNDTRAIL_DB: z.string().min(1, 'must be a file path').default('./data/fundtrail.db'),
  /** API keys (hashes only), written by `fundtrail keys issue`. */
  FUNDTRAIL_KEYS: z.string().min(1, 'must be a file path').default('./data/keys.json'),
  HOST: z.string().min(1, 'must be a host name or address').default('127.0.0.1'),
  PORT: Port.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  FUNDTRAIL_SYNC: z.enum(['normal', 'full'], { error: 'must be normal or full' }).default('normal'),
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .regex(/^(esdb|kurrentdb|kdb)(\+discover)?:\/\/\S+$/, 'must be an esdb:// or kurrentdb:// connection string')
    .optional(),
  /** Requests per minute per client (API key, or address without one); 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').default(1200),
  /** Origins allowed to call the API from a browser, comma-separated (https://dashboard.example); unset: none. */
  CORS_ORIGINS: z
    .string()
    .regex(/^(\*|https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*)$/, 'must be * or comma-separated http(s):// origins')
    .optional(),
  /** Worker threads the server may catch up a long history in (unset: one per core; 1: in the server's own thread). */
  PROJECTION_THREADS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(64, 'must be at most 64').optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(100, 'must be at least 100').max(600_000, 'must be at most 600000').default(10_000),
});
export type Config = z.infer<typeof Config>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
    readonly value: string | undefined,
  ) {
    super(`invalid configuration: ${variable} ${reason}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, so `PORT= npm start` means the default rather than an error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, string | undefined>> = {}): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(Config.shape)) {
    const value = overrides[key as keyof Config] ?? env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = Config.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'configuration');
  throw new ConfigError(variable, issue.message, input[variable]);
}
