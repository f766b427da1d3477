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

/** Every event of the given streams, oldest log position first; a missing stream reads as empty. */
export async function* mergeStreams(store: EventStore, streams: Iterable<string>): AsyncGenerator<RecordedEvent> {
  const cursors: Cursor[] = [];
  for (const stream of new Set(streams)) {
    const cursor: Cursor = { stream, page: [], at: 0, nextRevision: 0, done: false };
    await refill(store, cursor);
    if (cursor.page.length > 0) cursors.push(cursor);
  }
  while (cursors.length > 0) {
    // A linear scan: an area has at most a few hundred accounts, and most questions name one or two.
    let best = 0;
    for (let i = 1; i < cursors.length; i++) if (cursors[i]!.page[cursors[i]!.at]!.position < cursors[best]!.page[cursors[best]!.at]!.position) best = i;
    const cursor = cursors[best]!;
    yield cursor.page[cursor.at]!;
    cursor.at += 1;
    if (cursor.at < cursor.page.length) continue;
    if (!cursor.done) await refill(store, cursor);
    if (cursor.at >= cursor.page.length) cursors.splice(best, 1);
  }
}
