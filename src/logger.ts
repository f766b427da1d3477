// The one pino logger: fastify, the CLI and the projection runner all log through it.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Logs go to stderr for CLI commands so their stdout stays clean for tables and JSON; the server logs to stdout. */
export function createLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'fundtrail' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' },
    },
    pino.destination({ dest: destination, sync: destination === 2 }),
  );
}
