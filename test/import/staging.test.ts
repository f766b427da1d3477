// The staging store an import decides against: the real log with staged events on top, read the way the
// executor reads it (pages forwards from a revision), and nothing of it in the real store.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { StagingStore } from '../../src/import/staging.js';
import { WrongExpectedVersionError } from '../../src/store/errors.js';
import { MemoryEventStore } from '../../src/store/memory.js';

const event = (n: number) => ({ id: randomUUID(), type: 'Noted', data: { n } });
const ns = (events: { data: unknown }[]) => events.map((e) => (e.data as { n: number }).n);

t.test('reads join the real stream and the staged events at the revision staging built on', async (t) => {
  const base = new MemoryEventStore();
  await base.append('s', [event(0), event(1), event(2)], 'no_stream');
  const staging = await StagingStore.over(base);
  await staging.append('s', [event(3), event(4)], 2);
  t.same(ns(await staging.readStream('s')), [0, 1, 2, 3, 4]);
  t.same(ns(await staging.readStream('s', { fromRevision: 2, maxCount: 2 })), [2, 3]);
  t.same(ns(await staging.readStream('s', { fromRevision: 4 })), [4]);
  t.same(ns(await staging.readStream('s', { direction: 'backwards', maxCount: 3 })), [4, 3, 2]);
  t.same(ns(await staging.readStream('s', { direction: 'backwards', fromRevision: 1 })), [1, 0]);
  t.equal(await staging.streamRevision('s'), 4);
  t.equal(await staging.headPosition(), 5);
  t.same((await staging.readAll({ afterPosition: 3 })).events.map((e) => e.position), [4, 5]);
  t.equal(await base.headPosition(), 3, 'the real store holds none of it');
  t.same(staging.groups.map((g) => g.map((a) => a.expectedRevision)), [[2]], 'the commit will expect the revision staging saw');
});

t.test('an append that expects another revision is refused, and a later write by someone else is not mixed in', async (t) => {
  const base = new MemoryEventStore();
  await base.append('s', [event(0)], 'no_stream');
  const staging = await StagingStore.over(base);
  await t.rejects(staging.append('s', [event(1)], 'no_stream'), WrongExpectedVersionError);
  await staging.append('s', [event(1)], 0);
  await base.append('s', [event(9)], 0);
  t.same(ns(await staging.readStream('s')), [0, 1]);
  await t.rejects(base.appendMulti(staging.groups.flat()), WrongExpectedVersionError, 'the commit finds the conflict');
});
