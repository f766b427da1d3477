// The KurrentDB adapter: the shared conformance suite when a server is configured, and the parts that need
// no server (value mapping, filters, error translation, message batching, failing fast) always.
import { KurrentDBClient, START, UnsupportedError, WrongExpectedVersionError as ClientWrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import t from 'tap';
import { StoreError } from '../../src/store/errors.js';
import {
  CAUGHT_UP_MARKER,
  FELL_BEHIND_MARKER,
  KurrentDbEventStore,
  METADATA_PROPERTY,
  actualRevisionOf,
  allPosition,
  batchMessages,
  decodeData,
  decodeMetadata,
  encodeMultiMetadata,
  endpointOf,
  isSystemEvent,
  isUnsupported,
  isWrongExpectedVersion,
  openKurrentDbStore,
  planFilter,
  rawOf,
  settleRetries,
  toRecordedEvent,
  toStreamState,
  translateError,
  type FeedState,
} from '../../src/store/kurrentdb.js';
import type { RecordedEvent, StreamAppend } from '../../src/store/types.js';
import { conformance, newEvent } from './conformance.js';

const url = process.env.EVENTSTORE_CONNECTION_STRING;
const NO_SERVER = 'EVENTSTORE_CONNECTION_STRING is not set: no EventStoreDB/KurrentDB server to run against';
/** Only loopback: port 1 is closed, so the client fails at once without leaving the machine. */
const CLOSED_PORT = 'kurrentdb://127.0.0.1:1?tls=false';

if (url) {
  conformance(t, 'kurrentdb', async () => ({ store: await openKurrentDbStore(url) }), { large: false, crossStreamIds: false });
} else {
  t.test('EventStoreDB/KurrentDB conformance', { skip: NO_SERVER }, async () => {});
}

/** A client-side resolved event shaped like what @kurrent/kurrentdb-client yields. */
function resolved(stream: string, type: string, revision: number, position: number, extra: { data?: unknown; metadata?: unknown } = {}) {
  return {
    event: {
      id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
      type,
      streamId: stream,
      revision: BigInt(revision),
      created: new Date('2025-01-02T03:04:05.678Z'),
      data: extra.data ?? { n: revision },
      metadata: extra.metadata,
      isJson: true,
      position: { commit: BigInt(position), prepare: BigInt(position) },
    },
    commitPosition: BigInt(position),
  };
}

t.test('expected revisions map to the client stream states', async (t) => {
  t.equal(toStreamState('any'), 'any');
  t.equal(toStreamState('no_stream'), 'no_stream');
  t.equal(toStreamState('stream_exists'), 'stream_exists');
  t.equal(toStreamState(0), 0n);
  t.equal(toStreamState(41), 41n);
});

t.test('metadata for multi-stream append travels as one string property and reads back as written', async (t) => {
  const metadata = { actor: 'county-finance', nested: { ids: [1, 2] }, empty: null };
  const encoded = encodeMultiMetadata(metadata);
  t.same(Object.keys(encoded), [METADATA_PROPERTY]);
  t.type(encoded[METADATA_PROPERTY], 'string');
  t.same(decodeMetadata(encoded), metadata, 'decoded from the object the client parsed');
  t.same(decodeMetadata({ ...encoded, '$schema.name': 'PaymentMade', '$schema.data-format': 'Json' }), metadata, 'server-added properties are dropped');
  t.same(decodeMetadata(Buffer.from(JSON.stringify(encoded))), metadata, 'decoded from raw bytes');
  t.same(decodeMetadata(encodeMultiMetadata(undefined)), {});
  t.same(decodeMetadata({ actor: 'plain single append' }), { actor: 'plain single append' }, 'plain JSON metadata is kept as is');
  t.same(decodeMetadata(undefined), {});
  t.same(decodeMetadata([1, 2]), {}, 'not an object');
  t.same(decodeMetadata(Buffer.from('not json')), {});
  t.same(decodeMetadata({ [METADATA_PROPERTY]: '{broken' }), {});
});

t.test('event data decodes from parsed JSON or raw bytes', async (t) => {
  t.same(decodeData({ amountFen: 5 }), { amountFen: 5 });
  t.equal(decodeData(7), 7);
  t.equal(decodeData(undefined), null);
  t.same(decodeData(Buffer.from('{"a":[1,2]}')), { a: [1, 2] });
  t.equal(decodeData(Buffer.from('plain text')), 'plain text', 'bytes that are not JSON come back as text');
});

t.test('the endpoint shown and logged never carries credentials or options', async (t) => {
  t.equal(endpointOf('kurrentdb://admin:changeit@localhost:2113?tls=false'), 'kurrentdb://localhost:2113');
  t.equal(endpointOf('esdb://127.0.0.1:2113?tls=false'), 'esdb://127.0.0.1:2113');
  t.equal(endpointOf('esdb+discover://ops:p%40ss@cluster.internal:2113'), 'esdb+discover://cluster.internal:2113');
  t.equal(endpointOf('kurrentdb://u:pw@a:2113,b:2113,c:2113/?nodePreference=leader'), 'kurrentdb://a:2113,b:2113,c:2113');
  t.equal(endpointOf('KurrentDB://a:1'), 'kurrentdb://a:1');
  t.notMatch(endpointOf('not a url with secret'), /secret/);
});

t.test('filters go to the server when it can express them, otherwise are applied here', async (t) => {
  const types = planFilter({ eventTypes: ['Tick', 'a.b+c'] });
  t.match(types.server, { filterOn: 'eventType' });
  t.equal(types.clientSide, undefined);
  const regex = new RegExp((types.server as { regex: string }).regex);
  t.ok(regex.test('Tick') && regex.test('a.b+c'), 'listed names match');
  t.notOk(regex.test('Ticks') || regex.test('xTick') || regex.test('aXb+c') || regex.test('abbc'), 'only exact names match');

  const prefixes = planFilter({ streamPrefixes: ['fund-', 'village-'] });
  t.same(prefixes.server, { filterOn: 'streamName', checkpointInterval: 1, prefixes: ['fund-', 'village-'] });
  t.equal(prefixes.clientSide, undefined);

  const both = { eventTypes: ['Tick'], streamPrefixes: ['fund-'] };
  const mixed = planFilter(both);
  t.match(mixed.server, { filterOn: 'eventType', regex: '^[^$].*' }, 'the server only drops system events');
  t.same(mixed.clientSide, both);

  for (const none of [undefined, {}, { eventTypes: [], streamPrefixes: [] }]) {
    const plan = planFilter(none);
    t.match(plan.server, { filterOn: 'eventType', regex: '^[^$].*' });
    t.equal(plan.clientSide, undefined);
  }
});

t.test('system events and positions', async (t) => {
  t.ok(isSystemEvent('$metadata', 'fund-1'));
  t.ok(isSystemEvent('Anything', '$stats-127.0.0.1:2113'));
  t.notOk(isSystemEvent('PaymentMade', 'fund-1'));
  t.equal(allPosition(0), START);
  t.same(allPosition(4096), { commit: 4096n, prepare: 4096n });
});

t.test('client errors become store errors', async (t) => {
  const endpoint = 'kurrentdb://db:2113';
  const unavailable = translateError(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }), endpoint);
  t.match(unavailable, { code: 'store_unavailable', message: /kurrentdb:\/\/db:2113/ });
  t.ok(unavailable instanceof StoreError);
  t.match(translateError({ type: 'deadline-exceeded', message: 'x' }, endpoint), { code: 'store_unavailable' });
  t.match(translateError({ type: 'unavailable', message: 'UnavailableError' }, endpoint), { code: 'store_unavailable' });
  t.match(translateError({ type: 'access-denied', message: 'denied' }, endpoint), { code: 'store_unavailable', message: /refused access/ });
  t.match(translateError({ type: 'maximum-append-size-exceeded', message: 'too big' }, endpoint), { code: 'invalid_append' });
  const own = new StoreError('store_closed', 'closed');
  t.equal(translateError(own, endpoint), own, 'our own errors pass through');
  const other = new Error('something else');
  t.equal(translateError(other, endpoint), other, 'unknown errors pass through');
  t.notMatch(String((unavailable as Error).message), /\n\s+at /, 'no stack trace in the message');
});

t.test('the client wrong-expected-version and unsupported errors are recognised', async (t) => {
  const behind = new ClientWrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 3n });
  t.ok(isWrongExpectedVersion(behind));
  t.equal(actualRevisionOf(behind), 3);
  const missing = new ClientWrongExpectedVersionError(undefined, { streamName: 's', expected: 'stream_exists', current: 'no_stream' });
  t.equal(actualRevisionOf(missing), null);
  t.notOk(isWrongExpectedVersion(new Error('other')));
  t.ok(isUnsupported(new UnsupportedError('multiStreamAppend', '25.1')));
  t.ok(isUnsupported({ code: 12, message: '12 UNIMPLEMENTED' }), 'gRPC UNIMPLEMENTED');
  t.notOk(isUnsupported(behind));
});

t.test('client events map to recorded events', async (t) => {
  const raw = rawOf(resolved('fund-1', 'PaymentMade', 3, 9000, { data: { amountFen: 500 }, metadata: encodeMultiMetadata({ actor: 'a' }) }));
  t.ok(raw);
  t.same(toRecordedEvent(raw!), {
    id: '00000000-0000-4000-8000-000000009000',
    type: 'PaymentMade',
    data: { amountFen: 500 },
    metadata: { actor: 'a' },
    stream: 'fund-1',
    revision: 3,
    position: 9000,
    recordedAt: '2025-01-02T03:04:05.678Z',
  });
  t.equal(rawOf({}), null, 'a resolved link without its event is skipped');
});

t.test('subscription messages keep order, skip system and filtered events, and batch', async (t) => {
  const state: FeedState = { position: 100, live: false };
  const items = [
    resolved('fund-1', 'A', 0, 200),
    resolved('$stats', 'Stats', 5, 300),
    resolved('fund-1', '$metadata', 1, 400),
    resolved('fund-2', 'B', 0, 500),
    CAUGHT_UP_MARKER,
    resolved('other-1', 'C', 0, 600),
  ];
  const messages = batchMessages(items, state, { streamPrefixes: ['fund-'] }, true);
  t.same(
    messages.map((m) => (m.kind === 'events' ? { kind: m.kind, ids: m.events.map((e) => e.type), lastPosition: m.lastPosition } : m)),
    [
      { kind: 'events', ids: ['A', 'B'], lastPosition: 500 },
      { kind: 'caught_up', position: 500 },
    ],
    'events before the caught-up marker come first; a filtered-out live event yields nothing',
  );
  t.same(state, { position: 600, live: true }, 'the position moves past skipped events');

  const live = batchMessages([resolved('fund-3', 'D', 0, 700)], state, undefined, true);
  t.same(live.map((m) => m.kind), ['events', 'caught_up'], 'live and drained: caught up again after the batch');
  t.same(batchMessages([resolved('fund-3', 'E', 1, 800)], state, undefined, false).map((m) => m.kind), ['events'], 'more waiting: no caught_up yet');
  batchMessages([FELL_BEHIND_MARKER], state, undefined, true);
  t.equal(state.live, false);
  t.same(batchMessages([resolved('fund-3', 'F', 2, 900)], state, undefined, true).map((m) => m.kind), ['events'], 'not live: no caught_up');
});

t.test('retry settlement across the streams of a multi-append', async (t) => {
  const appends: StreamAppend[] = [
    { stream: 'a', events: [newEvent()], expectedRevision: 'no_stream' },
    { stream: 'b', events: [newEvent()], expectedRevision: 0 },
  ];
  const recorded = (stream: string, revision: number, position: number): RecordedEvent[] => [
    { id: appends[0]!.events[0]!.id, type: 'T', data: null, metadata: {}, stream, revision, position, recordedAt: new Date(0).toISOString() },
  ];
  t.equal(settleRetries(appends, [null, null]), null, 'nothing recorded: a new append');
  t.same(settleRetries(appends, [recorded('a', 0, 10), recorded('b', 1, 11)]), {
    position: 11,
    streams: [
      { stream: 'a', nextExpectedRevision: 0 },
      { stream: 'b', nextExpectedRevision: 1 },
    ],
    alreadyRecorded: true,
  });
  t.throws(() => settleRetries(appends, [recorded('a', 0, 10), null]), { code: 'event_id_reused_with_different_content' });
});

/** The rejection of a promise that must fail (undefined when it resolved, which fails the checks after it). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

t.test('without a server', async (t) => {
  t.test('opening fails fast with store_unavailable, naming the endpoint and no password', async (t) => {
    const started = Date.now();
    const error = await failureOf(openKurrentDbStore('kurrentdb://admin:s3cret-pw@127.0.0.1:1?tls=false&defaultDeadline=2000'));
    const elapsed = Date.now() - started;
    t.ok(error instanceof StoreError, 'a StoreError');
    t.match(error, { code: 'store_unavailable', message: /kurrentdb:\/\/127\.0\.0\.1:1/ });
    t.notMatch((error as Error).message, /s3cret-pw/);
    t.ok(elapsed < 10_000, `failed within a few seconds (${elapsed} ms)`);
  });

  t.test('a malformed connection string is refused without echoing it', async (t) => {
    const error = await failureOf(openKurrentDbStore('nonsense://user:hunter2@127.0.0.1:1'));
    t.match(error, { code: 'store_unavailable' });
    t.notMatch((error as Error).message, /hunter2/);
  });

  t.test('a subscription to an unreachable server ends with store_unavailable', async (t) => {
    const store = new KurrentDbEventStore(KurrentDBClient.connectionString(CLOSED_PORT), endpointOf(CLOSED_PORT));
    const subscription = store.subscribeToAll({ batchSize: 10 });
    await t.rejects(
      (async () => {
        for await (const message of subscription) t.fail(`no message expected, got ${message.kind}`);
      })(),
      { code: 'store_unavailable' },
    );
    await subscription.close();
    await store.close();
  });

  t.test('bad input is refused before any request, and a closed store refuses everything', async (t) => {
    const store = new KurrentDbEventStore(KurrentDBClient.connectionString(CLOSED_PORT), endpointOf(CLOSED_PORT));
    await t.rejects(store.append('', [newEvent()]), { code: 'invalid_append' });
    await t.rejects(store.appendMulti([]), { code: 'invalid_append' });
    await store.close();
    await t.rejects(store.append('s', [newEvent()]), { code: 'store_closed' });
    await t.rejects(store.readAll(), { code: 'store_closed' });
    t.throws(() => store.subscribeToAll(), { code: 'store_closed' });
    await store.close();
  });
});
