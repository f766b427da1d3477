import type { Command } from 'commander';
import { closeOnSignals, startServer } from '../server.js';
import { cliLogger, configFrom, withStoreOptions } from './common.js';

export function registerServe(program: Command): void {
  withStoreOptions(program.command('serve'))
    .description('serve the HTTP API (default 127.0.0.1:3000, embedded store in ./data/)')
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: $PORT or 3000)')
    .action(async (options: { db?: string; host?: string; port?: string }) => {
      const config = configFrom(options);
      const logger = cliLogger(config, 1);
      const server = await startServer(config, logger);
      logger.info({ address: `http://${server.address}` }, 'fundtrail listening');
      closeOnSignals(server, logger, config.SHUTDOWN_TIMEOUT_MS);
    });
}
