// EventStoreDB/KurrentDB adapter: the production store, speaking gRPC to a KurrentDB server through
// @kurrent/kurrentdb-client. It keeps the contract of the memory and SQLite adapters, within these limits
// (the README repeats them):
// - An event id is the idempotency key, but KurrentDB keeps no global index of event ids. An id reused in a
//   *different* stream therefore cannot be detected: that append is stored as a new event. Within a stream a
//   reused id is found when it lies among the RETRY_WINDOW events before the expected revision, at the tail
//   of the stream, or where an earlier attempt of the same append would have landed.
// - Each append first reads that part of the stream (one extra round trip) because the server's own
//   deduplication ignores event content and would accept an id reused for a different fact.
// - appendMulti needs atomic multi-stream append (KurrentDB 25.1 or later).
// - Positions are KurrentDB commit positions: they grow with the log but are byte offsets, not 1, 2, 3.
// - One append must fit the server's maximum append size (1 MiB unless the server is configured otherwise).
import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendStreamRequest,
  type AppendStreamState,
  type EventData,
  type Filter,
  type JSONType,
  type MultiAppendResult as ClientMultiAppendResult,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import { resolveRetry, retryResult } from './catchup.js';
import { EventIdConflictError, InvalidAppendError, StoreError, WrongExpectedVersionError } from './errors.js';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  JsonObject,
  JsonValue,
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
  SubscriptionMessage,
} from './types.js';
import { matchesFilter, validateAppends } from './validate.js';

export interface KurrentDbLogger {
  warn(obj: object, msg: string): void;
}

/** Multi-stream append only takes flat string properties, so our JSON metadata travels under this one key. */
export const METADATA_PROPERTY = 'fundtrail-metadata';
/** How many events of a stream are searched for an earlier attempt of an append. */
export const RETRY_WINDOW = 100;
const OPEN_TIMEOUT_MS = 20_000;
const HEAD_PAGE = 64;
const HEAD_PAGES = 16;
/** Position of an event whose server did not report one (servers before 22.6 on stream reads). */
const NO_POSITION = -1;

// ---------------------------------------------------------------------------------------------------------
// Pure helpers, exported for the unit tests.

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

export function encodeMultiMetadata(metadata: JsonObject | undefined): Record<string, string> {
  return { [METADATA_PROPERTY]: JSON.stringify(metadata ?? {}) };
}

/** Metadata as the caller wrote it, whether it went through a single append (plain JSON) or a multi-append (wrapped). */
export function decodeMetadata(raw: unknown): JsonObject {
  const value = raw instanceof Uint8Array ? parseJson(Buffer.from(raw).toString('utf8')) : raw;
  if (!isJsonObject(value)) return {};
  const wrapped = value[METADATA_PROPERTY];
  if (typeof wrapped !== 'string') return value;
  const inner = parseJson(wrapped);
  return isJsonObject(inner) ? inner : {};
}

export function decodeData(raw: unknown): JsonValue {
  if (!(raw instanceof Uint8Array)) return (raw ?? null) as JsonValue;
  const text = Buffer.from(raw).toString('utf8');
  const parsed = parseJson(text);
  return parsed === undefined ? text : (parsed as JsonValue);
}

/** The server part of a connection string, without user, password or options: safe to log and show. */
export function endpointOf(connectionString: string): string {
  const match = /^\s*([a-z][a-z0-9+.-]*):\/\/([^?#]*)/i.exec(connectionString);
  if (!match) return 'an unparsable KurrentDB connection string';
  const authority = match[2]!.replace(/\/+$/, '');
  return `${match[1]!.toLowerCase()}://${authority.slice(authority.lastIndexOf('@') + 1)}`;
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface FilterPlan {
  /** Sent to the server so it skips what we do not want. */
  server: Filter;
  /** Applied here to what the server sent; undefined when the server filter already says it all. */
  clientSide: EventFilter | undefined;
}

export function planFilter(filter: EventFilter | undefined): FilterPlan {
  const types = filter?.eventTypes ?? [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (types.length > 0 && prefixes.length === 0) {
    return { server: eventTypeFilter({ regex: `^(?:${types.map(escapeRegex).join('|')})$` }), clientSide: undefined };
  }
  if (prefixes.length > 0 && types.length === 0) return { server: streamNameFilter({ prefixes }), clientSide: undefined };
  // A server filter looks at event types or at stream names, never both: an OR of the two is done here,
  // over every event the server sends once it has dropped the system ones.
  return { server: excludeSystemEvents(), clientSide: types.length + prefixes.length > 0 ? filter : undefined };
}

export function isSystemEvent(type: string, stream: string): boolean {
  return type.startsWith('$') || stream.startsWith('$');
}

/** Where a read of $all starts so that it includes the event at `position` (reads are inclusive, subscriptions exclusive). */
export function allPosition(position: number): ReadPosition {
  if (position <= 0) return START;
  const at = BigInt(position);
  return { commit: at, prepare: at };
}

interface ErrorFacts {
  type: string;
  code: number | undefined;
  message: string;
}

function factsOf(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) return { type: '', code: undefined, message: String(error) };
  const { type, code, message } = error as { type?: unknown; code?: unknown; message?: unknown };
  return {
    type: typeof type === 'string' ? type : '',
    code: typeof code === 'number' ? code : undefined,
    message: typeof message === 'string' ? message.split('\n')[0]!.slice(0, 200) : '',
  };
}

// gRPC status codes: 1 CANCELLED, 4 DEADLINE_EXCEEDED, 7 PERMISSION_DENIED, 12 UNIMPLEMENTED, 14 UNAVAILABLE, 16 UNAUTHENTICATED.
const UNREACHABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'cancelled', 'not-leader']);
const UNREACHABLE_CODES = new Set([1, 4, 14]);
const TOO_LARGE_TYPES = new Set(['maximum-append-size-exceeded', 'transaction-max-size-exceeded', 'append-record-size-exceeded']);

/** Turns client and transport errors into our StoreErrors; anything else passes through unchanged. */
export function translateError(error: unknown, endpoint: string): unknown {
  if (error instanceof StoreError) return error;
  const { type, code, message } = factsOf(error);
  if (type === 'access-denied' || code === 7 || code === 16) {
    return new StoreError('store_unavailable', `KurrentDB at ${endpoint} refused access: check the user and password in the connection string`);
  }
  if (UNREACHABLE_TYPES.has(type) || (code !== undefined && UNREACHABLE_CODES.has(code)) || /ECONNREFUSED|connect/i.test(message)) {
    return new StoreError('store_unavailable', `KurrentDB at ${endpoint} is not reachable (${type || 'no connection'})`);
  }
  if (TOO_LARGE_TYPES.has(type)) {
    return new InvalidAppendError(`the append is larger than KurrentDB at ${endpoint} accepts in one write; split it or raise the server's MaxAppendSize`);
  }
  return error;
}

export function isWrongExpectedVersion(error: unknown): boolean {
  return factsOf(error).type === 'wrong-expected-version';
}

export function isUnsupported(error: unknown): boolean {
  const { type, code } = factsOf(error);
  return type === 'unsupported' || code === 12;
}

function isMissingStream(error: unknown): boolean {
  const { type } = factsOf(error);
  return type === 'stream-not-found' || type === 'stream-deleted';
}

/** The stream's actual last revision as the client's WrongExpectedVersionError reports it, null for no stream. */
export function actualRevisionOf(error: unknown): number | null {
  const actual = (error as { actualState?: unknown }).actualState;
  return typeof actual === 'bigint' && actual >= 0n ? Number(actual) : null;
}

function streamNameOf(error: unknown): string | undefined {
  const name = (error as { streamName?: unknown }).streamName;
  return typeof name === 'string' ? name : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// ---------------------------------------------------------------------------------------------------------
// Events as the client hands them over, and as we return them.

interface ClientRecord {
  id: string;
  type: string;
  streamId: string;
  revision: bigint;
  created: Date | number;
  data: unknown;
  metadata: unknown;
  position?: { commit: bigint; prepare: bigint };
}

export interface ResolvedLike {
  event?: unknown;
  commitPosition?: bigint;
}

export interface RawEvent {
  record: ClientRecord;
  position: number;
  exact: { commit: bigint; prepare: bigint } | undefined;
}

export function rawOf(resolved: ResolvedLike): RawEvent | null {
  const record = resolved.event as ClientRecord | undefined;
  if (!record) return null;
  const commit = record.position?.commit ?? resolved.commitPosition;
  return { record, position: commit === undefined ? NO_POSITION : Number(commit), exact: record.position };
}

export function toRecordedEvent(raw: RawEvent): RecordedEvent {
  const { record } = raw;
  const created = new Date(record.created);
  return {
    id: record.id,
    type: record.type,
    data: decodeData(record.data),
    metadata: decodeMetadata(record.metadata),
    stream: record.streamId,
    revision: Number(record.revision),
    position: raw.position,
    recordedAt: (Number.isNaN(created.getTime()) ? new Date(0) : created).toISOString(),
  };
}

function isWanted(record: ClientRecord, filter: EventFilter | undefined): boolean {
  return !isSystemEvent(record.type, record.streamId) && matchesFilter(record.type, record.streamId, filter);
}

function toJsonEvent(event: NewEvent): EventData {
  // The client types JSON data as object, array or string, but serialises any JSON value with JSON.stringify.
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata }) as EventData;
}

function toAppendRequest({ stream, events, expectedRevision }: StreamAppend): AppendStreamRequest {
  return {
    streamName: stream,
    expectedState: toStreamState(expectedRevision),
    events: events.map((event) => ({ ...toJsonEvent(event), metadata: encodeMultiMetadata(event.metadata) }) as EventData),
  };
}

async function collect(source: AsyncIterable<ResolvedLike>): Promise<RawEvent[]> {
  const out: RawEvent[] = [];
  try {
    for await (const resolved of source) {
      const raw = rawOf(resolved);
      if (raw) out.push(raw);
    }
  } catch (error) {
    if (isMissingStream(error)) return [];
    throw error;
  }
  return out;
}

function appendRetryResult(recorded: RecordedEvent[]): AppendResult {
  const last = recorded[recorded.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position, alreadyRecorded: true };
}

/** Like the memory adapter: all streams recorded is a retry, some recorded is a conflict, none is a new append. */
export function settleRetries(appends: StreamAppend[], earlier: (RecordedEvent[] | null)[]): MultiAppendResult | null {
  if (earlier.every((recorded) => recorded !== null)) return retryResult(appends, earlier as RecordedEvent[][]);
  const partly = earlier.findIndex((recorded) => recorded !== null);
  if (partly >= 0) throw new EventIdConflictError(appends[partly]!.events[0]!.id, ['position_in_append']);
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Subscriptions.

/** Pushed into the client's subscription stream behind the events that came before the server's caught-up. */
export const CAUGHT_UP_MARKER = Object.freeze({ marker: 'caught_up' });
export const FELL_BEHIND_MARKER = Object.freeze({ marker: 'fell_behind' });

export interface FeedState {
  /** Position of the last event read from the feed, delivered or skipped. */
  position: number;
  /** True between the server's caught-up and a fell-behind. */
  live: boolean;
}

/**
 * Turns what arrived from the subscription into messages, in order. Live, each batch of events is followed
 * by caught_up once nothing more is waiting, as the polling adapters do.
 */
export function batchMessages(items: readonly unknown[], state: FeedState, filter: EventFilter | undefined, drained: boolean): SubscriptionMessage[] {
  const messages: SubscriptionMessage[] = [];
  let events: RecordedEvent[] = [];
  const flush = (): void => {
    if (events.length > 0) messages.push({ kind: 'events', events, lastPosition: state.position });
    events = [];
  };
  for (const item of items) {
    if (item === CAUGHT_UP_MARKER) {
      flush();
      state.live = true;
      messages.push({ kind: 'caught_up', position: state.position });
    } else if (item === FELL_BEHIND_MARKER) {
      state.live = false;
    } else {
      const raw = rawOf(item as ResolvedLike);
      if (!raw) continue;
      state.position = raw.position;
      if (isWanted(raw.record, filter)) events.push(toRecordedEvent(raw));
    }
  }
  flush();
  if (state.live && drained && messages[messages.length - 1]?.kind === 'events') {
    messages.push({ kind: 'caught_up', position: state.position });
  }
  return messages;
}

class KurrentSubscription implements Subscription {
  private readonly abort = new AbortController();
  private readonly source: AllStreamSubscription;
  private readonly iterator: AsyncGenerator<SubscriptionMessage>;
  private wake: (() => void) | null = null;
  private failure: unknown = null;
  private ended = false;
  private released = false;

  constructor(
    client: KurrentDBClient,
    private readonly options: SubscribeOptions,
    private readonly translate: (error: unknown) => unknown,
    private readonly onRelease: () => void,
    private readonly logger?: KurrentDbLogger,
  ) {
    const plan = planFilter(options.filter);
    const batchSize = Math.max(1, options.batchSize ?? 1000);
    // The buffer bound is the backpressure: a full buffer stops the client reading from the server.
    this.source = client.subscribeToAll({ fromPosition: allPosition(options.afterPosition ?? 0), filter: plan.server }, { highWaterMark: Math.min(batchSize, 1000) });
    this.watch();
    this.iterator = this.messages(plan.clientSide, batchSize);
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return this.iterator;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.iterator.return(undefined);
    await this.release();
  }

  private watch(): void {
    const poke = (): void => {
      const wake = this.wake;
      this.wake = null;
      wake?.();
    };
    this.source.on('readable', poke);
    this.source.on('end', () => ((this.ended = true), poke()));
    this.source.on('close', () => ((this.ended = true), poke()));
    this.source.on('error', (error) => ((this.failure ??= error), poke()));
    // The client emits caughtUp while events received before it may still wait in the stream's buffer:
    // a marker pushed now lands right behind them, so caught_up reaches the consumer in order.
    this.source.on('caughtUp', () => this.source.push(CAUGHT_UP_MARKER));
    this.source.on('fellBehind', () => this.source.push(FELL_BEHIND_MARKER));
    this.abort.signal.addEventListener('abort', poke, { once: true });
  }

  private async *messages(filter: EventFilter | undefined, batchSize: number): AsyncGenerator<SubscriptionMessage> {
    const state: FeedState = { position: this.options.afterPosition ?? 0, live: false };
    try {
      while (!this.abort.signal.aborted) {
        const items = await this.take(batchSize);
        for (const message of batchMessages(items, state, filter, this.source.readableLength === 0)) {
          if (this.abort.signal.aborted) return;
          yield message;
        }
      }
    } finally {
      await this.release();
    }
  }

  /** Whatever has arrived, up to `max` items, waiting when nothing has; empty once closed. */
  private async take(max: number): Promise<unknown[]> {
    for (;;) {
      if (this.abort.signal.aborted) return [];
      const items: unknown[] = [];
      let item: unknown;
      while (items.length < max && (item = this.source.read()) !== null) items.push(item);
      if (items.length > 0) return items;
      if (this.failure) throw this.translate(this.failure);
      if (this.ended) throw new StoreError('store_unavailable', 'the KurrentDB subscription ended without being closed');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.abort.abort();
    try {
      await this.source.unsubscribe();
    } catch (error) {
      this.logger?.warn({ error: factsOf(error).message }, 'unsubscribing from KurrentDB failed');
    }
    this.source.destroy();
    this.onRelease();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The store.

export class KurrentDbEventStore implements EventStore {
  private closed = false;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly client: KurrentDBClient,
    readonly endpoint: string,
    private readonly logger?: KurrentDbLogger,
  ) {}

  async append(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    this.assertOpen();
    const request: StreamAppend = { stream, events, expectedRevision };
    validateAppends([request]);
    return this.run(async () => {
      const earlier = await this.findEarlierAttempt(request, 'before');
      if (earlier) return appendRetryResult(earlier);
      try {
        const result = await this.client.appendToStream(stream, events.map(toJsonEvent), { streamState: toStreamState(expectedRevision) });
        const next = Number(result.nextExpectedRevision);
        return { nextExpectedRevision: next, position: await this.positionOf(result.position, stream, next), alreadyRecorded: false };
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw error;
        // Someone else appended, or an earlier attempt of this append landed where we did not look.
        const recorded = await this.findEarlierAttempt(request, 'tail');
        if (recorded) return appendRetryResult(recorded);
        throw new WrongExpectedVersionError(stream, expectedRevision, actualRevisionOf(error));
      }
    });
  }

  async appendMulti(appends: StreamAppend[]): Promise<MultiAppendResult> {
    this.assertOpen();
    validateAppends(appends);
    return this.run(async () => {
      const retry = settleRetries(appends, await Promise.all(appends.map((request) => this.findEarlierAttempt(request, 'before'))));
      if (retry) return retry;
      try {
        return await this.multiResult(appends, await this.client.multiStreamAppend(appends.map(toAppendRequest)));
      } catch (error) {
        return this.explainMultiFailure(appends, error);
      }
    });
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision === undefined ? undefined : Math.max(0, options.fromRevision);
    const raw = await this.run(() =>
      collect(this.client.readStream(stream, { direction: backwards ? BACKWARDS : FORWARDS, fromRevision: from === undefined ? (backwards ? END : START) : BigInt(from), maxCount })),
    );
    const events = raw.map(toRecordedEvent);
    if (!backwards || from === undefined) return events;
    // KurrentDB reads backwards from `from` literally, so a start past the end of the stream returns only part
    // of what was asked; the other adapters start at the last event instead, so read again from there.
    const top = events[0]?.revision ?? (await this.streamRevision(stream));
    return top !== null && top < from ? this.readStream(stream, { ...options, fromRevision: top }) : events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    this.assertOpen();
    const after = Math.max(0, options.afterPosition ?? 0);
    const maxCount = options.maxCount ?? 1000;
    if (maxCount <= 0) return { events: [], lastPosition: after, isEnd: false };
    const plan = planFilter(options.filter);
    // Reading $all from a position includes the event at it: ask for one more and drop that one.
    const requested = after > 0 ? maxCount + 1 : maxCount;
    const raw = await this.run(() => collect(this.client.readAll({ fromPosition: allPosition(after), maxCount: requested, filter: plan.server })));
    const fresh = raw.filter((item) => item.position > after).slice(0, maxCount);
    const events = fresh.filter((item) => isWanted(item.record, plan.clientSide)).map(toRecordedEvent);
    // lastPosition is the last event read, even one filtered out here, so the next page does not read it again.
    return { events, lastPosition: fresh[fresh.length - 1]?.position ?? after, isEnd: raw.length < requested };
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const translate = (error: unknown): unknown => translateError(error, this.endpoint);
    const subscription: Subscription = new KurrentSubscription(this.client, options, translate, () => this.subscriptions.delete(subscription), this.logger);
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamRevision(stream: string): Promise<number | null> {
    const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    return last?.revision ?? null;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.run(async () => {
      let from: ReadPosition = END;
      for (let page = 0; page < HEAD_PAGES; page += 1) {
        const raw = await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_PAGE, filter: excludeSystemEvents() }));
        const head = raw.find((item) => !isSystemEvent(item.record.type, item.record.streamId));
        if (head) return head.position;
        const last = raw[raw.length - 1];
        if (!last?.exact || raw.length < HEAD_PAGE) return 0;
        from = last.exact;
      }
      return 0;
    });
  }

  async info(): Promise<StoreInfo> {
    return { adapter: 'kurrentdb', location: this.endpoint, headPosition: await this.headPosition() };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    try {
      await this.client.dispose();
    } catch (error) {
      this.logger?.warn({ error: factsOf(error).message, endpoint: this.endpoint }, 'closing the KurrentDB client failed');
    }
  }

  /**
   * An earlier attempt of this append, when all of it is recorded; null when none of it is; throws
   * EventIdConflictError when the ids are recorded with other content or only in part. 'before' reads
   * where an attempt could have landed without making this one fail; 'tail' reads the end of the stream.
   */
  private async findEarlierAttempt(request: StreamAppend, where: 'before' | 'tail'): Promise<RecordedEvent[] | null> {
    const nearby = await this.readStream(request.stream, this.searchRange(request, where));
    const byId = new Map(nearby.map((event) => [event.id, event]));
    return resolveRetry(request.stream, request.events, (id) => byId.get(id));
  }

  private searchRange({ events, expectedRevision }: StreamAppend, where: 'before' | 'tail'): ReadStreamOptions {
    if (where === 'before' && typeof expectedRevision === 'number') {
      // The events just before the expected revision, and those an earlier attempt wrote just after it.
      const from = Math.max(0, expectedRevision + 1 - RETRY_WINDOW);
      return { fromRevision: from, maxCount: expectedRevision + 1 - from + events.length };
    }
    // An append expecting no stream can only repeat one that created the stream.
    if (where === 'before' && expectedRevision === 'no_stream') return { fromRevision: 0, maxCount: events.length };
    return { direction: 'backwards', maxCount: RETRY_WINDOW + events.length };
  }

  private async explainMultiFailure(appends: StreamAppend[], error: unknown): Promise<MultiAppendResult> {
    if (isUnsupported(error)) {
      throw new StoreError('multi_stream_append_unsupported', 'atomic multi-stream append needs KurrentDB 25.1 or later; this server does not provide it');
    }
    if (!isWrongExpectedVersion(error)) throw error;
    const retry = settleRetries(appends, await Promise.all(appends.map((request) => this.findEarlierAttempt(request, 'tail'))));
    if (retry) return retry;
    const failed = appends.find(({ stream }) => stream === streamNameOf(error)) ?? appends[0]!;
    throw new WrongExpectedVersionError(failed.stream, failed.expectedRevision, actualRevisionOf(error));
  }

  private async multiResult(appends: StreamAppend[], result: ClientMultiAppendResult): Promise<MultiAppendResult> {
    const revisions = new Map(result.responses.map((response) => [response.streamName, Number(response.revision)]));
    const streams = await Promise.all(
      appends.map(async ({ stream }) => ({ stream, nextExpectedRevision: revisions.get(stream) ?? (await this.streamRevision(stream)) ?? -1 })),
    );
    return { position: Number(result.position), streams, alreadyRecorded: false };
  }

  /** The append's commit position; read from the stream when the server did not report a usable one. */
  private async positionOf(position: { commit: bigint } | undefined, stream: string, revision: number): Promise<number> {
    if (position && position.commit >= 0n && position.commit <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(position.commit);
    const [last] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    return last?.position ?? NO_POSITION;
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateError(error, this.endpoint);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('store_closed', 'the event store is closed');
  }
}

function connect(connectionString: string, endpoint: string): KurrentDBClient {
  try {
    return KurrentDBClient.connectionString(connectionString);
  } catch {
    // The parser's message repeats the whole connection string, password included: do not pass it on.
    throw new StoreError('store_unavailable', `the KurrentDB connection string for ${endpoint} is not valid (expected kurrentdb://host:port?tls=false or similar)`);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Connects and reads the head of the log once, so a wrong address or password fails at startup, not on the first request. */
export async function openKurrentDbStore(connectionString: string, options: { logger?: KurrentDbLogger } = {}): Promise<EventStore> {
  const endpoint = endpointOf(connectionString);
  const store = new KurrentDbEventStore(connect(connectionString, endpoint), endpoint, options.logger);
  try {
    await withTimeout(store.headPosition(), OPEN_TIMEOUT_MS, () => new StoreError('store_unavailable', `KurrentDB at ${endpoint} did not answer within ${OPEN_TIMEOUT_MS / 1000} s`));
  } catch (error) {
    await store.close();
    const translated = translateError(error, endpoint);
    throw translated instanceof StoreError ? translated : new StoreError('store_unavailable', `KurrentDB at ${endpoint} could not be used: ${factsOf(error).message || 'unknown error'}`);
  }
  return store;
}
