// The event store port: the one interface every layer above the store uses.
// Adapters: embedded SQLite (default), in memory (tests), EventStoreDB/KurrentDB (production).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What the caller expects of the stream before the append. A number is the revision of its last event. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

/** An event to append. `id` is a UUID chosen by the client and is the idempotency key. */
export interface NewEvent {
  id: string;
  type: string;
  data: JsonValue;
  metadata?: JsonObject;
}

/** An event as the store recorded it. Revisions start at 0 per stream; positions grow across the log. */
export interface RecordedEvent {
  id: string;
  type: string;
  data: JsonValue;
  metadata: JsonObject;
  stream: string;
  revision: number;
  position: number;
  recordedAt: string;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append: pass it as the next expected revision. */
  nextExpectedRevision: number;
  /** Global position of the last event of this append. */
  position: number;
  /** True when every event was already recorded with the same content (an idempotent retry). */
  alreadyRecorded: boolean;
}

export interface StreamAppend {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

export interface MultiAppendResult {
  /** Global position of the last event written by the whole call. */
  position: number;
  streams: { stream: string; nextExpectedRevision: number }[];
  alreadyRecorded: boolean;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

/** Keeps events whose type is listed or whose stream starts with one of the prefixes. */
export interface EventFilter {
  eventTypes?: string[];
  streamPrefixes?: string[];
}

export interface ReadAllOptions {
  /** Return events strictly after this global position; 0 (the default) is the start of the log. */
  afterPosition?: number;
  maxCount?: number;
  filter?: EventFilter;
}

export interface ReadAllPage {
  events: RecordedEvent[];
  /**
   * Position the next read continues after. With a filter this can be past the last returned event,
   * so a reader never rescans events the filter already skipped.
   */
  lastPosition: number;
  /** True when the page reached the head of the log as it was when read. */
  isEnd: boolean;
}

export interface SubscribeOptions {
  /** Resume strictly after this position (a saved checkpoint); 0 replays the whole log. */
  afterPosition?: number;
  filter?: EventFilter;
  /** Largest number of events delivered in one message. */
  batchSize?: number;
}

export type SubscriptionMessage =
  | { kind: 'events'; events: RecordedEvent[]; lastPosition: number }
  | { kind: 'caught_up'; position: number };

/**
 * A catch-up subscription: history first, then live events, in order, with no gap and no duplicate.
 * Iterate it with `for await`; `close()` (or leaving the loop) stops it.
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface StoreInfo {
  adapter: 'sqlite' | 'memory' | 'kurrentdb';
  /** Human-readable location: a file path, "memory", or the server endpoint. */
  location: string;
  headPosition: number;
}

export interface EventStore {
  append(stream: string, events: NewEvent[], expectedRevision?: ExpectedRevision): Promise<AppendResult>;
  /** Appends to several streams atomically: every stream's expectation holds and all is written, or nothing. */
  appendMulti(appends: StreamAppend[]): Promise<MultiAppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** The revision of the stream's last event, or null when the stream has no events. */
  streamRevision(stream: string): Promise<number | null>;
  /** The position of the last event in the log, 0 when empty. */
  headPosition(): Promise<number>;
  info(): Promise<StoreInfo>;
  close(): Promise<void>;
}
