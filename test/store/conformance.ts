// The one conformance suite every event store adapter must pass. Each case uses its own random stream
// prefix and reads $all through a prefix filter, so it also runs against a shared EventStoreDB server.
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import type { EventStore, NewEvent, RecordedEvent } from '../../src/store/types.js';

export interface Harness {
  store: EventStore;
}

export interface ConformanceOptions {
  /** Runs the 50k-event append and the 10k-event subscription at full size. */
  large?: boolean;
  /** The adapter finds an event id reused in another stream (KurrentDB has no global id index). */
  crossStreamIds?: boolean;
}

export function newEvent(type = 'TestEvent', data: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data: { note: 'x'.repeat(40), ...data } as NewEvent['data'], metadata: { actor: 'conformance' } };
}

function prefix(): string {
  return `ct${randomUUID().slice(0, 8)}-`;
}

async function readAllWith(store: EventStore, streamPrefix: string, pageSize = 1000): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.readAll({ afterPosition: after, maxCount: pageSize, filter: { streamPrefixes: [streamPrefix] } });
    out.push(...page.events);
    after = page.lastPosition;
    if (page.isEnd) return out;
  }
}

export function conformance(t: Test, name: string, open: () => Promise<Harness>, options: ConformanceOptions = {}): void {
  const big = options.large ?? true;
  const run = (title: string, body: (store: EventStore, p: string, t: Test) => Promise<void>): void => {
    t.test(`${name}: ${title}`, async (t) => {
      const { store } = await open();
      try {
        await body(store, prefix(), t);
      } finally {
        await store.close();
      }
    });
  };

  run('a recorded event carries id, type, data, metadata, stream, revision, position and time', async (store, p, t) => {
    const event = newEvent('AppropriationRecorded', { amountFen: 12345 });
    const result = await store.append(`${p}a`, [event], 'no_stream');
    const [recorded] = await store.readStream(`${p}a`);
    t.equal(result.nextExpectedRevision, 0);
    t.match(recorded, { id: event.id, type: event.type, stream: `${p}a`, revision: 0, position: result.position });
    t.same(recorded!.data, event.data);
    t.same(recorded!.metadata, event.metadata);
    t.ok(!Number.isNaN(Date.parse(recorded!.recordedAt)), 'recordedAt is an ISO instant');
    t.equal(await store.streamRevision(`${p}a`), 0);
    t.equal(await store.streamRevision(`${p}missing`), null);
  });

  run('optimistic concurrency: each expectation is enforced and reports expected and actual', async (store, p, t) => {
    const s = `${p}oc`;
    await t.rejects(store.append(s, [newEvent()], 'stream_exists'), { code: 'wrong_expected_version', expected: 'stream_exists', actual: null });
    await t.rejects(store.append(s, [newEvent()], 3), { code: 'wrong_expected_version', expected: 3, actual: null });
    const first = await store.append(s, [newEvent(), newEvent()], 'no_stream');
    t.equal(first.nextExpectedRevision, 1);
    await t.rejects(store.append(s, [newEvent()], 'no_stream'), { code: 'wrong_expected_version', expected: 'no_stream', actual: 1 });
    await t.rejects(store.append(s, [newEvent()], 0), { code: 'wrong_expected_version', expected: 0, actual: 1 });
    t.equal((await store.append(s, [newEvent()], 1)).nextExpectedRevision, 2);
    t.equal((await store.append(s, [newEvent()], 'stream_exists')).nextExpectedRevision, 3);
    t.equal((await store.append(s, [newEvent()], 'any')).nextExpectedRevision, 4);
    t.equal((await store.readStream(s)).length, 5, 'only the accepted appends were written');
  });

  run('idempotent retry: the same ids and content are a no-op that reports the original result', async (store, p, t) => {
    const s = `${p}idem`;
    const events = [newEvent('PaymentMade', { amountFen: 500 }), newEvent('PaymentMade', { amountFen: 700 })];
    const first = await store.append(s, events, 'no_stream');
    await store.append(`${p}other`, [newEvent()], 'no_stream');
    const again = await store.append(s, events, 'no_stream');
    t.same(again, { ...first, alreadyRecorded: true });
    const againAny = await store.append(s, events.map((event) => ({ ...event, metadata: { actor: 'someone else' } })), 'any');
    t.equal(againAny.position, first.position, 'metadata is not part of the identity');
    t.equal((await store.readStream(s)).length, 2, 'the retry wrote nothing');
  });

  run('idempotency conflict: the same id with other content is refused naming the fields', async (store, p, t) => {
    const s = `${p}conf`;
    const event = newEvent('PaymentMade', { amountFen: 500 });
    await store.append(s, [event], 'no_stream');
    const head = (await readAllWith(store, p)).length;
    await t.rejects(store.append(s, [{ ...event, data: { amountFen: 501 } }], 'any'), {
      code: 'event_id_reused_with_different_content',
      eventId: event.id,
      differingFields: ['data'],
    });
    await t.rejects(store.append(s, [{ ...event, type: 'PaymentReversed' }], 0), {
      code: 'event_id_reused_with_different_content',
      differingFields: ['type'],
    });
    await t.rejects(store.append(s, [event, newEvent()], 'any'), { code: 'event_id_reused_with_different_content' });
    t.equal((await readAllWith(store, p)).length, head, 'nothing was written by a refused append');
  });

  run('two concurrent appends to one stream with the same expectation: exactly one wins', async (store, p, t) => {
    const s = `${p}race`;
    await store.append(s, [newEvent()], 'no_stream');
    const a = [newEvent('A'), newEvent('A')];
    const b = [newEvent('B')];
    const results = await Promise.allSettled([store.append(s, a, 0), store.append(s, b, 0)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    t.equal(won.length, 1, 'one append succeeded');
    t.equal(lost.length, 1, 'one append was refused');
    t.match(lost[0]!.reason, { code: 'wrong_expected_version', expected: 0 });
    const types = (await store.readStream(s)).map((event) => event.type);
    t.ok(types.join() === 'TestEvent,A,A' || types.join() === 'TestEvent,B', `only the winner was written (${types.join()})`);
  });

  run('readStream pages forwards and backwards from a revision', async (store, p, t) => {
    const s = `${p}rs`;
    const events = Array.from({ length: 10 }, (_, i) => newEvent('E', { i }));
    await store.append(s, events, 'no_stream');
    const revisions = (list: RecordedEvent[]): number[] => list.map((event) => event.revision);
    t.same(revisions(await store.readStream(s)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    t.same(revisions(await store.readStream(s, { fromRevision: 7 })), [7, 8, 9]);
    t.same(revisions(await store.readStream(s, { fromRevision: 2, maxCount: 3 })), [2, 3, 4]);
    t.same(revisions(await store.readStream(s, { direction: 'backwards', maxCount: 3 })), [9, 8, 7]);
    t.same(revisions(await store.readStream(s, { direction: 'backwards', fromRevision: 4 })), [4, 3, 2, 1, 0]);
    t.same(await store.readStream(`${p}none`), []);
  });

  run('readAll returns events in append order with growing positions, pages and filters', async (store, p, t) => {
    const written: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = newEvent(i % 3 === 0 ? `Tick${p}` : 'Tock', { i });
      written.push(event.id);
      await store.append(`${p}s${i % 4}`, [event]);
    }
    const all = await readAllWith(store, p, 7);
    t.same(all.map((event) => event.id), written, 'same order as appended, across streams and pages');
    t.ok(all.every((event, i) => i === 0 || event.position > all[i - 1]!.position), 'positions grow');
    const page = await store.readAll({ afterPosition: all[9]!.position, maxCount: 5, filter: { streamPrefixes: [p] } });
    t.same(page.events.map((event) => event.id), written.slice(10, 15), 'afterPosition is exclusive');
    const ticks = (await store.readAll({ maxCount: 100, filter: { eventTypes: [`Tick${p}`] } })).events;
    t.same(ticks.map((event) => event.id), written.filter((_, i) => i % 3 === 0), 'type filter');
  });

  run('appendMulti writes several streams atomically or not at all', async (store, p, t) => {
    const sent = newEvent('TransferSent', { amountFen: 1000 });
    const received = newEvent('TransferReceived', { amountFen: 1000 });
    await store.append(`${p}village`, [newEvent()], 'no_stream');
    await t.rejects(
      store.appendMulti([
        { stream: `${p}county`, events: [sent], expectedRevision: 'no_stream' },
        { stream: `${p}village`, events: [received], expectedRevision: 'no_stream' },
      ]),
      { code: 'wrong_expected_version' },
    );
    t.same(await store.readStream(`${p}county`), [], 'the stream whose expectation held got nothing either');
    const result = await store.appendMulti([
      { stream: `${p}county`, events: [sent], expectedRevision: 'no_stream' },
      { stream: `${p}village`, events: [received], expectedRevision: 0 },
    ]);
    t.same(result.streams, [
      { stream: `${p}county`, nextExpectedRevision: 0 },
      { stream: `${p}village`, nextExpectedRevision: 1 },
    ]);
    t.equal((await store.appendMulti([
      { stream: `${p}county`, events: [sent], expectedRevision: 'no_stream' },
      { stream: `${p}village`, events: [received], expectedRevision: 0 },
    ])).alreadyRecorded, true, 'a retried multi-append is a no-op');
  });

  run('malformed appends are refused before anything is written', async (store, p, t) => {
    await t.rejects(store.append(`${p}bad`, []), { code: 'invalid_append' });
    await t.rejects(store.append(`${p}bad`, [{ ...newEvent(), id: 'not-a-uuid' }]), { code: 'invalid_append' });
    const event = newEvent();
    await t.rejects(store.append(`${p}bad`, [event, event]), { code: 'invalid_append' });
    await t.rejects(store.append('', [newEvent()]), { code: 'invalid_append' });
    await t.rejects(store.append(`${p}bad`, [{ ...newEvent(), type: '' }]), { code: 'invalid_append' });
    t.same(await store.readStream(`${p}bad`), []);
  });

  const bulk = big ? 50_000 : 2_000;
  run(`one append of ${bulk} events is all-or-nothing`, async (store, p, t) => {
    const existing = newEvent();
    // The last event of the append is refused; with no global id index, use a repeated id of the same append instead.
    await store.append(options.crossStreamIds === false ? `${p}bulk-neighbour` : `${p}other`, [existing]);
    const events = Array.from({ length: bulk }, (_, i) => newEvent('Line', { i }));
    const poisoned = [...events.slice(0, -1), options.crossStreamIds === false ? { ...events[0]! } : { ...existing, data: { changed: true } }];
    await t.rejects(store.append(`${p}bulk`, poisoned, 'no_stream'), { code: options.crossStreamIds === false ? 'invalid_append' : 'event_id_reused_with_different_content' });
    t.equal((await store.readStream(`${p}bulk`, { maxCount: 10 })).length, 0, 'no event of the refused append was written');
    const result = await store.append(`${p}bulk`, events, 'no_stream');
    t.equal(result.nextExpectedRevision, bulk - 1);
    const back = await store.readStream(`${p}bulk`, { direction: 'backwards', maxCount: 1 });
    t.equal(back[0]!.id, events[bulk - 1]!.id, 'the whole append is there');
  });

  const total = big ? 10_000 : 1_500;
  run(`a subscription resumes from a checkpoint over ${total} events with no gap and no duplicate`, async (store, p, t) => {
    const written: string[] = [];
    const writeSome = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i += 100) {
        const batch = Array.from({ length: Math.min(100, count - i) }, () => newEvent());
        written.push(...batch.map((event) => event.id));
        await store.append(`${p}s${i % 7}`, batch);
      }
    };
    await writeSome(total / 2);
    const seen: string[] = [];
    let checkpoint = 0;
    const first = store.subscribeToAll({ filter: { streamPrefixes: [p] }, batchSize: 333 });
    for await (const message of first) {
      if (message.kind !== 'events') continue;
      for (const event of message.events) {
        seen.push(event.id);
        checkpoint = event.position;
        if (seen.length === Math.floor(total / 4)) break;
      }
      if (seen.length >= Math.floor(total / 4)) break;
    }
    await first.close();
    const second = store.subscribeToAll({ afterPosition: checkpoint, filter: { streamPrefixes: [p] }, batchSize: 500 });
    let live: Promise<void> | undefined;
    for await (const message of second) {
      if (message.kind === 'caught_up') {
        live ??= writeSome(total / 2);
        continue;
      }
      seen.push(...message.events.map((event) => event.id));
      if (seen.length >= total) break;
    }
    await live;
    await second.close();
    t.equal(seen.length, total, 'every event delivered once');
    t.equal(new Set(seen).size, seen.length, 'no duplicate');
    t.same(seen, written, 'in append order, history then live, without a gap');
  });
}
