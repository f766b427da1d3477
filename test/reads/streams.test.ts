// Reading several streams as one: log order across streams, every event once, and turns for the event loop.
import t from 'tap';
import { mergeStreams } from '../../src/reads/streams.js';
import { MemoryEventStore } from '../../src/store/memory.js';
import type { RecordedEvent } from '../../src/store/types.js';

async function interleaved(counts: Record<string, number>): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  const left = { ...counts };
  for (let n = 0; Object.values(left).some((c) => c > 0); n++) {
    for (const stream of Object.keys(left)) {
      if (left[stream]! <= 0 || (n + stream.length) % 3 === 0) continue;
      await store.append(stream, [{ id: crypto.randomUUID(), type: 'E', data: { n }, metadata: {} }]);
      left[stream]! -= 1;
    }
  }
  return store;
}

t.test('events of several streams come once each, in log order, and other streams are left out', async (t) => {
  const store = await interleaved({ a: 2500, b: 1200, c: 7, other: 300 });
  const seen: RecordedEvent[] = [];
  for await (const batch of mergeStreams(store, ['a', 'b', 'c', 'missing', 'a'])) seen.push(...batch);
  t.equal(seen.length, 2500 + 1200 + 7, 'every event of a, b and c once (a named twice, a missing stream empty)');
  t.ok(seen.every((e, i) => i === 0 || e.position > seen[i - 1]!.position), 'strictly increasing log positions');
  t.notOk(seen.some((e) => e.stream === 'other'), 'no event of a stream not asked for');
});

t.test('a long merge gives the event loop turns', async (t) => {
  const store = await interleaved({ a: 5000, b: 5000 });
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 0);
  let count = 0;
  for await (const batch of mergeStreams(store, ['a', 'b'])) count += batch.length;
  clearInterval(timer);
  t.equal(count, 10_000);
  t.ok(ticks > 0, `timers ran while merging (${ticks} times)`);
});

t.test('no streams, or only empty ones, read as nothing', async (t) => {
  const store = new MemoryEventStore();
  const batches: RecordedEvent[][] = [];
  for await (const batch of mergeStreams(store, [])) batches.push(batch);
  for await (const batch of mergeStreams(store, ['nothing'])) batches.push(batch);
  t.same(batches, []);
});
