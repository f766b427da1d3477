// Chooses the adapter from configuration: KurrentDB/EventStoreDB when a connection string is set,
// otherwise the embedded SQLite file.
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { SqliteEventStore } from './sqlite/store.js';
import type { EventStore } from './types.js';

export interface OpenStoreOptions {
  /** Reading only (replay): the embedded store then starts no maintenance worker and writes nothing. */
  readonly?: boolean;
}

export async function openStore(config: Pick<Config, 'FUNDTRAIL_DB' | 'FUNDTRAIL_SYNC' | 'EVENTSTORE_CONNECTION_STRING'>, logger: Logger, options: OpenStoreOptions = {}): Promise<EventStore> {
  if (config.EVENTSTORE_CONNECTION_STRING) {
    const { openKurrentDbStore } = await import('./kurrentdb.js');
    const store = await openKurrentDbStore(config.EVENTSTORE_CONNECTION_STRING, { logger });
    logger.info({ store: (await store.info()).location }, 'event store: KurrentDB/EventStoreDB');
    return store;
  }
  const store = new SqliteEventStore(config.FUNDTRAIL_DB, { sync: config.FUNDTRAIL_SYNC, readonly: options.readonly ?? false });
  logger.info({ store: config.FUNDTRAIL_DB, sync: config.FUNDTRAIL_SYNC }, 'event store: embedded SQLite');
  return store;
}
