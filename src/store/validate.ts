// Checks shared by every adapter, so that all of them refuse the same bad input with the same error.
import { InvalidAppendError, type IdempotencyField } from './errors.js';
import type { ExpectedRevision, JsonValue, NewEvent, RecordedEvent, StreamAppend } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

export function validateExpected(expected: ExpectedRevision): void {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new InvalidAppendError(`expected revision must be a non-negative integer, got ${expected}`);
    }
  } else if (expected !== 'any' && expected !== 'no_stream' && expected !== 'stream_exists') {
    throw new InvalidAppendError(`expected revision must be a number, "any", "no_stream" or "stream_exists"`);
  }
}

/** Throws InvalidAppendError for an empty append, a bad stream name, a malformed or repeated id, or a missing type. */
export function validateAppends(appends: StreamAppend[]): void {
  if (appends.length === 0) throw new InvalidAppendError('an append must name at least one stream');
  const ids = new Set<string>();
  const streams = new Set<string>();
  for (const { stream, events, expectedRevision } of appends) {
    if (typeof stream !== 'string' || stream.length === 0 || stream.length > 512) {
      throw new InvalidAppendError('stream name must be a non-empty string of at most 512 characters');
    }
    if (streams.has(stream)) throw new InvalidAppendError(`stream "${stream}" appears twice in one append`);
    streams.add(stream);
    validateExpected(expectedRevision);
    if (!Array.isArray(events) || events.length === 0) {
      throw new InvalidAppendError(`append to "${stream}" has no events`);
    }
    for (const event of events) validateEvent(event, ids);
  }
}

function validateEvent(event: NewEvent, seen: Set<string>): void {
  if (typeof event.id !== 'string' || !isUuid(event.id)) {
    throw new InvalidAppendError(`event id must be a lowercase UUID, got ${JSON.stringify(event.id)}`);
  }
  if (seen.has(event.id)) throw new InvalidAppendError(`event id ${event.id} appears twice in one append`);
  seen.add(event.id);
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 200) {
    throw new InvalidAppendError(`event ${event.id} needs a type of 1 to 200 characters`);
  }
  if (event.data === undefined) throw new InvalidAppendError(`event ${event.id} has no data`);
  if (event.metadata !== undefined && (event.metadata === null || typeof event.metadata !== 'object' || Array.isArray(event.metadata))) {
    throw new InvalidAppendError(`event ${event.id} metadata must be a JSON object`);
  }
}

/** JSON with object keys sorted, so two equal values always give the same text. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys
    .filter((key) => value[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
    .join(',')}}`;
}

/** Which identifying fields differ between a recorded event and a new one under the same id. Metadata is not compared. */
export function differingFields(recorded: RecordedEvent, stream: string, event: NewEvent): IdempotencyField[] {
  const fields: IdempotencyField[] = [];
  if (recorded.stream !== stream) fields.push('stream');
  if (recorded.type !== event.type) fields.push('type');
  if (canonicalJson(recorded.data) !== canonicalJson(event.data)) fields.push('data');
  return fields;
}

/** True when the stream's actual last revision satisfies the expectation. */
export function expectationHolds(expected: ExpectedRevision, actual: number | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === null;
  if (expected === 'stream_exists') return actual !== null;
  return actual === expected;
}

export function matchesFilter(type: string, stream: string, filter: { eventTypes?: string[]; streamPrefixes?: string[] } | undefined): boolean {
  if (!filter) return true;
  const { eventTypes, streamPrefixes } = filter;
  if (!eventTypes?.length && !streamPrefixes?.length) return true;
  if (eventTypes?.includes(type)) return true;
  return streamPrefixes?.some((prefix) => stream.startsWith(prefix)) ?? false;
}
