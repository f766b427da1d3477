// An event store that writes nowhere: appends are kept in memory over a real store, and reads see the real
// store with them on top. An import decides every row against it, so nothing reaches the log until the whole
// file has been decided, and a refused file (or a dry run) simply drops it. Nothing the real store or a
// shared executor remembers ever names an event that was not committed.
import { WrongExpectedVersionError } from '../store/errors.js';
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
  Subscription,
} from '../store/types.js';
import { expectationHolds, matchesFilter, validateAppends } from '../store/validate.js';

interface StagedStream {
  /** The stream's last revision in the real store when this staging first wrote to it; null: no stream. */
  base: number | null;
  events: RecordedEvent[];
}

export class StagingStore implements EventStore {
  /** Every staged append, in order; one group per append call, so a multi-stream append stays one. */
  readonly groups: StreamAppend[][] = [];
  private readonly streams = new Map<string, StagedStream>();
  private readonly log: RecordedEvent[] = [];

  private constructor(
    readonly base: EventStore,
    /** The real store's head when staging began: staged events take the positions after it. */
    readonly baseHead: number,
    private readonly recordedAt: () => string,
  ) {}

  static async over(base: EventStore, recordedAt: () => string = () => new Date().toISOString()): Promise<StagingStore> {
    return new StagingStore(base, await base.headPosition(), recordedAt);
  }

  get eventCount(): number {
    return this.log.length;
  }

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    const result = await this.appendMulti([{ stream, events, expectedRevision }]);
    return { nextExpectedRevision: result.streams[0]!.nextExpectedRevision, position: result.position, alreadyRecorded: false };
  }

  async appendMulti(appends: StreamAppend[]): Promise<MultiAppendResult> {
    validateAppends(appends);
    const targets: StagedStream[] = [];
    for (const { stream, expectedRevision } of appends) {
      const target = await this.target(stream);
      const actual = lastRevision(target);
      if (!expectationHolds(expectedRevision, actual)) throw new WrongExpectedVersionError(stream, expectedRevision, actual);
      targets.push(target);
    }
    const recordedAt = this.recordedAt();
    const group: StreamAppend[] = [];
    const streams: MultiAppendResult['streams'] = [];
    appends.forEach(({ stream, events }, i) => {
      const target = targets[i]!;
      const before = lastRevision(target);
      for (const event of events) {
        const recorded: RecordedEvent = {
          id: event.id,
          type: event.type,
          data: event.data,
          metadata: event.metadata ?? {},
          stream,
          revision: (lastRevision(target) ?? -1) + 1,
          position: this.baseHead + this.log.length + 1,
          recordedAt,
        };
        target.events.push(recorded);
        this.log.push(recorded);
      }
      // What the real store must still hold when this is committed: the revision staging saw.
      group.push({ stream, events, expectedRevision: before === null ? 'no_stream' : before });
      streams.push({ stream, nextExpectedRevision: lastRevision(target)! });
    });
    this.groups.push(group);
    return { position: this.baseHead + this.log.length, streams, alreadyRecorded: false };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const staged = this.streams.get(stream);
    if (!staged || staged.events.length === 0) return this.base.readStream(stream, options);
    // The real part is read up to the revision staging built on; a later write by someone else is a
    // conflict the commit will find, not something to mix in.
    const baseTop = staged.base ?? -1;
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = options.fromRevision ?? Number.MAX_SAFE_INTEGER;
      const out = staged.events.filter((e) => e.revision <= from).reverse().slice(0, max);
      const start = Math.min(from, baseTop);
      if (out.length < max && start >= 0) out.push(...(await this.base.readStream(stream, { direction: 'backwards', fromRevision: start, maxCount: max - out.length })));
      return out;
    }
    const from = options.fromRevision ?? 0;
    const out: RecordedEvent[] = [];
    if (from <= baseTop) out.push(...(await this.base.readStream(stream, { fromRevision: from, maxCount: Math.min(max, baseTop - from + 1) })));
    for (const event of staged.events) {
      if (out.length >= max) break;
      if (event.revision >= from) out.push(event);
    }
    return out;
  }

  /** The real log up to where staging began, then the staged events. */
  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const after = options.afterPosition ?? 0;
    const max = options.maxCount ?? 1000;
    if (after < this.baseHead) {
      const page = await this.base.readAll({ ...options, afterPosition: after, maxCount: max });
      const events = page.events.filter((e) => e.position <= this.baseHead);
      const reachedBase = page.isEnd || events.length < page.events.length || page.lastPosition >= this.baseHead;
      return { events, lastPosition: reachedBase ? Math.max(after, Math.min(page.lastPosition, this.baseHead)) : page.lastPosition, isEnd: reachedBase && this.log.length === 0 };
    }
    const rest = this.log.filter((e) => e.position > after && matchesFilter(e.type, e.stream, options.filter));
    const events = rest.slice(0, max);
    const last = events.length === rest.length ? this.baseHead + this.log.length : events[events.length - 1]!.position;
    return { events, lastPosition: Math.max(after, last), isEnd: events.length === rest.length };
  }

  subscribeToAll(): Subscription {
    throw new Error('a staging store has no subscriptions: it only lives while an import is decided');
  }

  async streamRevision(stream: string): Promise<number | null> {
    const staged = this.streams.get(stream);
    return staged ? lastRevision(staged) : this.base.streamRevision(stream);
  }

  async headPosition(): Promise<number> {
    return this.baseHead + this.log.length;
  }

  async info(): Promise<StoreInfo> {
    const base = await this.base.info();
    return { adapter: base.adapter, location: `staging over ${base.location}`, headPosition: await this.headPosition() };
  }

  async close(): Promise<void> {}

  private async target(stream: string): Promise<StagedStream> {
    let staged = this.streams.get(stream);
    if (!staged) {
      staged = { base: await this.base.streamRevision(stream), events: [] };
      this.streams.set(stream, staged);
    }
    return staged;
  }
}

function lastRevision(staged: StagedStream): number | null {
  const last = staged.events[staged.events.length - 1];
  return last ? last.revision : staged.base;
}
