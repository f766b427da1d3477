// The fold's log reader gives the same events as the store, reading the effective date from the stored text
// only where that text cannot mislead it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { effectiveDateOf, metadataEffectiveDate, type ProjectedEvent } from '../../projections/types.js';
import { effectiveDateIn, logReader } from '../../src/projections/log.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';

t.test('the effective date is read from the text only when it is the top-level key', async (t) => {
  t.equal(effectiveDateIn('{"actor":"a","effectiveDate":"2020-03-01","recordedAt":"x"}'), '2020-03-01');
  t.equal(effectiveDateIn('{"actor":"a"}'), undefined, 'absent');
  t.equal(effectiveDateIn('{"import":{"effectiveDate":"1999-01-01"},"effectiveDate":"2020-03-01"}'), undefined, 'a nested object comes first: parse instead');
  t.equal(effectiveDateIn('{"note":"say \\"effectiveDate\\":\\"1999\\"","effectiveDate":"2020-03-01"}'), '2020-03-01', 'a quoted key inside a value is escaped and not matched');
  t.equal(effectiveDateIn('{"effectiveDate":"2020\\u002d03-01"}'), undefined, 'an escape in the value: parse instead');
});

t.test('events read for folding equal the store\'s own, metadata parsed on demand', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fundtrail-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteEventStore(join(dir, 'log.db'), { checkpointer: false });
  t.teardown(() => store.close());
  await store.append('s-1', [
    { id: '00000000-0000-7000-8000-000000000001', type: 'A', data: { n: 1 }, metadata: { effectiveDate: '2020-01-02', recordedAt: '2020-01-03T00:00:00.000Z', actor: 'x' } },
    { id: '00000000-0000-7000-8000-000000000002', type: 'B', data: { n: 2 } },
    { id: '00000000-0000-7000-8000-000000000003', type: 'C', data: [], metadata: { nested: { effectiveDate: '1999-01-01' }, effectiveDate: '2020-05-06' } },
  ]);
  const expected = (await store.readAll({ afterPosition: 0, maxCount: 10 })).events as unknown as ProjectedEvent[];
  const page = await logReader(store)(0, 2);
  t.equal(page.events.length, 2);
  t.equal(page.isEnd, false);
  const rest = await logReader(store)(page.lastPosition, 2);
  t.equal(rest.isEnd, true);
  const read = [...page.events, ...rest.events];
  for (let i = 0; i < expected.length; i++) {
    const [a, b] = [read[i]!, expected[i]!];
    t.same({ position: a.position, id: a.id, stream: a.stream, revision: a.revision, type: a.type, data: a.data, metadata: a.metadata, recordedAt: a.recordedAt }, b, `event ${i + 1}`);
    t.equal(metadataEffectiveDate(a), metadataEffectiveDate(b));
    t.equal(effectiveDateOf(a), effectiveDateOf(b));
  }
  t.equal(read[0]!.effectiveDate, '2020-01-02', 'taken from the text');
  t.equal(read[2]!.effectiveDate, undefined, 'not taken when a nested object comes first');
  t.equal(metadataEffectiveDate(read[2]!), '2020-05-06', 'and then parsed');
});
