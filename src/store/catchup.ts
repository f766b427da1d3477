// Shared machinery of the local adapters: idempotent-retry resolution, and a catch-up subscription built on
// paged reads plus a wake-up when something is appended.
import { EventIdConflictError } from './errors.js';
import type { MultiAppendResult, NewEvent, StreamAppend, ReadAllOptions, ReadAllPage, RecordedEvent, SubscribeOptions, Subscription, SubscriptionMessage } from './types.js';
import { differingFields } from './validate.js';

/**
 * Decides whether an append whose ids are (partly) recorded is an exact retry. Returns the recorded events
 * when every id is recorded, in this stream, consecutively and with the same content; returns null when
 * none is recorded; throws EventIdConflictError otherwise.
 */
export function resolveRetry(
  stream: string,
  events: NewEvent[],
  findById: (id: string) => RecordedEvent | undefined,
): RecordedEvent[] | null {
  const recorded: RecordedEvent[] = [];
  for (const event of events) {
    const existing = findById(event.id);
    if (!existing) {
      if (recorded.length > 0) throw new EventIdConflictError(recorded[0]!.id, ['position_in_append']);
      continue;
    }
    if (recorded.length === 0 && event !== events[0]) throw new EventIdConflictError(existing.id, ['position_in_append']);
    const fields = differingFields(existing, stream, event);
    if (fields.length > 0) throw new EventIdConflictError(event.id, fields);
    const previous = recorded[recorded.length - 1];
    if (previous && existing.revision !== previous.revision + 1) throw new EventIdConflictError(event.id, ['position_in_append']);
    recorded.push(existing);
  }
  return recorded.length === 0 ? null : recorded;
}

/** Wakes waiting subscribers when the head of the log moves. */
export class HeadSignal {
  private waiters = new Set<() => void>();
  /** Grows on every notify, so a waiter that read before an append can tell it missed one. */
  seq = 0;

  notify(): void {
    this.seq += 1;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next notify, after `pollMs` (to see appends by other processes), or when aborted. */
  wait(signal: AbortSignal, pollMs: number | null, seenSeq: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.seq !== seenSeq) return resolve();
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      if (signal.aborted) return resolve();
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
      if (pollMs !== null) timer = setTimeout(done, pollMs);
    });
  }
}

export function catchUpSubscription(
  read: (options: ReadAllOptions) => Promise<ReadAllPage>,
  head: HeadSignal,
  options: SubscribeOptions,
  pollMs: number | null,
): Subscription {
  const abort = new AbortController();
  const batchSize = options.batchSize ?? 1000;
  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    let after = options.afterPosition ?? 0;
    let announced = false;
    while (!abort.signal.aborted) {
      const seq = head.seq;
      const page = await read({ afterPosition: after, maxCount: batchSize, ...(options.filter ? { filter: options.filter } : {}) });
      if (abort.signal.aborted) return;
      after = page.lastPosition;
      if (page.events.length > 0) {
        announced = false;
        yield { kind: 'events', events: page.events, lastPosition: page.lastPosition };
      }
      if (page.isEnd) {
        if (!announced) {
          announced = true;
          yield { kind: 'caught_up', position: after };
        }
        await head.wait(abort.signal, pollMs, seq);
      } else {
        // Reads of the embedded store resolve at once: without a turn of the event loop between pages, catching
        // up on a long log would starve everything else in the process (a server could not even start listening).
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      abort.abort();
      await iterator.return(undefined);
    },
  };
}

/** The answer to an exact retry: the positions and revisions the first attempt got. */
export function retryResult(appends: StreamAppend[], recorded: RecordedEvent[][]): MultiAppendResult {
  const streams = appends.map(({ stream }, index) => {
    const events = recorded[index]!;
    return { stream, nextExpectedRevision: events[events.length - 1]!.revision };
  });
  const position = Math.max(...recorded.map((events) => events[events.length - 1]!.position));
  return { position, streams, alreadyRecorded: true };
}
