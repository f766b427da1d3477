// In-memory event store for tests: the same contract as the durable adapters, nothing kept after exit.
import { catchUpSubscription, HeadSignal, resolveRetry, retryResult } from './catchup.js';
import { EventIdConflictError, StoreError, WrongExpectedVersionError } from './errors.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  MultiAppendResult,
  NewEvent,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  StoreInfo,
  StreamAppend,
  SubscribeOptions,
  Subscription,
} from './types.js';
import { expectationHolds, matchesFilter, validateAppends } from './validate.js';

export class MemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly head = new HeadSignal();
  private closed = false;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    const result = await this.appendMulti([{ stream, events, expectedRevision }]);
    return { nextExpectedRevision: result.streams[0]!.nextExpectedRevision, position: result.position, alreadyRecorded: result.alreadyRecorded };
  }

  async appendMulti(appends: StreamAppend[]): Promise<MultiAppendResult> {
    this.assertOpen();
    validateAppends(appends);
    const retried = appends.map(({ stream, events }) => resolveRetry(stream, events, (id) => this.byId.get(id)));
    if (retried.every((recorded) => recorded !== null)) return retryResult(appends, retried as RecordedEvent[][]);
    for (const [index, { stream, expectedRevision }] of appends.entries()) {
      if (retried[index] !== null) throw new EventIdConflictError(appends[index]!.events[0]!.id, ['position_in_append']);
      const actual = this.revisionOf(stream);
      if (!expectationHolds(expectedRevision, actual)) throw new WrongExpectedVersionError(stream, expectedRevision, actual);
    }
    const recordedAt = this.now().toISOString();
    const results: MultiAppendResult['streams'] = [];
    for (const { stream, events } of appends) {
      let list = this.streams.get(stream);
      if (!list) this.streams.set(stream, (list = []));
      for (const event of events) {
        const recorded: RecordedEvent = {
          id: event.id,
          type: event.type,
          data: structuredClone(event.data),
          metadata: structuredClone(event.metadata ?? {}),
          stream,
          revision: list.length,
          position: this.log.length + 1,
          recordedAt,
        };
        list.push(recorded);
        this.log.push(recorded);
        this.byId.set(recorded.id, recorded);
      }
      results.push({ stream, nextExpectedRevision: list.length - 1 });
    }
    this.head.notify();
    return { position: this.log.length, streams: results, alreadyRecorded: false };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const list = this.streams.get(stream) ?? [];
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = Math.min(options.fromRevision ?? list.length - 1, list.length - 1);
      return list.slice(Math.max(0, from - max + 1), from + 1).reverse().map(copy);
    }
    const from = options.fromRevision ?? 0;
    return list.slice(from, from + max).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    this.assertOpen();
    const max = options.maxCount ?? 1000;
    const events: RecordedEvent[] = [];
    let last = options.afterPosition ?? 0;
    while (last < this.log.length && events.length < max) {
      const event = this.log[last]!;
      last += 1;
      if (matchesFilter(event.type, event.stream, options.filter)) events.push(copy(event));
    }
    return { events, lastPosition: last, isEnd: last >= this.log.length };
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    return catchUpSubscription((o) => this.readAll(o), this.head, options, null);
  }

  async streamRevision(stream: string): Promise<number | null> {
    this.assertOpen();
    return this.revisionOf(stream);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.log.length;
  }

  async info(): Promise<StoreInfo> {
    this.assertOpen();
    return { adapter: 'memory', location: 'memory', headPosition: this.log.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.head.notify();
  }

  private revisionOf(stream: string): number | null {
    const list = this.streams.get(stream);
    return list && list.length > 0 ? list.length - 1 : null;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('store_closed', 'the event store is closed');
  }
}

function copy(event: RecordedEvent): RecordedEvent {
  return { ...event, data: structuredClone(event.data), metadata: structuredClone(event.metadata) };
}
