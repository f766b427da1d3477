// Typed store errors. Each has a stable snake_case `code` that callers and the HTTP layer map to a response.
import type { ExpectedRevision } from './types.js';

export type StoreErrorCode =
  | 'wrong_expected_version'
  | 'event_id_reused_with_different_content'
  | 'invalid_append'
  | 'multi_stream_append_unsupported'
  | 'store_file_not_fundtrail'
  | 'store_file_corrupt'
  | 'store_schema_too_new'
  | 'store_schema_old'
  | 'store_file_missing'
  | 'store_unavailable'
  | 'store_closed';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'number' ? `revision ${expected}` : expected;
}

/** The stream was not in the state the caller expected: someone else appended first, or the stream is new or missing. */
export class WrongExpectedVersionError extends StoreError {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or null when it has no events. */
    readonly actual: number | null,
  ) {
    super(
      'wrong_expected_version',
      `stream "${stream}" expected ${describeExpected(expected)} but is at ${actual === null ? 'no_stream' : `revision ${actual}`}`,
    );
    this.name = 'WrongExpectedVersionError';
  }
}

export type IdempotencyField = 'stream' | 'type' | 'data' | 'position_in_append';

/** An event id was already recorded with other content: the same idempotency key for a different fact. */
export class EventIdConflictError extends StoreError {
  constructor(
    readonly eventId: string,
    readonly differingFields: IdempotencyField[],
  ) {
    super(
      'event_id_reused_with_different_content',
      `event id ${eventId} is already recorded with a different ${differingFields.join(', ')}`,
    );
    this.name = 'EventIdConflictError';
  }
}

export class InvalidAppendError extends StoreError {
  constructor(message: string) {
    super('invalid_append', message);
    this.name = 'InvalidAppendError';
  }
}
