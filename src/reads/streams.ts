// Reading several streams as one, in log order: the streams are read in pages and merged by global position,
// so a question about a few accounts (a village's balance on a past date) reads those accounts' events and
// nothing else, holding at most a page per stream in memory.
import type { EventStore, RecordedEvent } from '../store/types.js';

const PAGE = 1000;

interface Cursor {
  stream: string;
  page: RecordedEvent[];
  at: number;
  nextRevision: number;
  done: boolean;
}

async function refill(store: EventStore, cursor: Cursor): Promise<void> {
  cursor.page = await store.readStream(cursor.stream, { fromRevision: cursor.nextRevision, maxCount: PAGE });
  cursor.at = 0;
  cursor.done = cursor.page.length < PAGE;
  if (cursor.page.length > 0) cursor.nextRevision = cursor.page[cursor.page.length - 1]!.revision + 1;
}

const head = (cursor: Cursor): number => cursor.page[cursor.at]!.position;

/**
 * Every event of the given streams, oldest log position first, in batches (a batch ends where a stream's
 * next page must be read); a missing stream reads as empty.
 */
export async function* mergeStreams(store: EventStore, streams: Iterable<string>): AsyncGenerator<RecordedEvent[]> {
  // A binary min-heap of cursors by the position of their next event: a county has about a thousand accounts.
  const heap: Cursor[] = [];
  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (head(heap[parent]!) <= head(heap[i]!)) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && head(heap[left]!) < head(heap[least]!)) least = left;
      if (right < heap.length && head(heap[right]!) < head(heap[least]!)) least = right;
      if (least === i) return;
      [heap[least], heap[i]] = [heap[i]!, heap[least]!];
      i = least;
    }
  };
  for (const stream of new Set(streams)) {
    const cursor: Cursor = { stream, page: [], at: 0, nextRevision: 0, done: false };
    await refill(store, cursor);
    if (cursor.page.length === 0) continue;
    heap.push(cursor);
    up(heap.length - 1);
  }
  let batch: RecordedEvent[] = [];
  while (heap.length > 0) {
    const cursor = heap[0]!;
    batch.push(cursor.page[cursor.at]!);
    cursor.at += 1;
    if (cursor.at >= cursor.page.length && !cursor.done) {
      yield batch;
      batch = [];
      // The embedded store answers without I/O waits: give the event loop a turn, so a long read never stalls a server.
      await new Promise((resolve) => setImmediate(resolve));
      await refill(store, cursor);
    }
    if (cursor.at < cursor.page.length) down(0);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    }
  }
  if (batch.length > 0) yield batch;
}
