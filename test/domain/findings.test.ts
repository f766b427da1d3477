// Auditors resolve findings with events; every resolution is kept, and a repeat of the last one is refused.
import t from 'tap';
import { refusedWithoutWriting, standardWorld, lastEvent } from './fixture.js';

const FINDING = 'duplicate_payment:0123456789abcdef';

t.test('a finding is confirmed, then rectified naming the correcting events, each as a new event', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ResolveFinding', findingId: FINDING, resolution: 'confirmed', reason: '核实为重复支付' }, { role: 'auditor', actor: 'auditor-01' });
  const confirmed = await lastEvent(w);
  t.match(confirmed, { stream: `finding-${FINDING}`, type: 'FindingResolved', data: { findingId: FINDING, resolution: 'confirmed', correctingEventIds: [] }, metadata: { actor: 'auditor-01' } });
  const correcting = confirmed.id;
  await w.run({ type: 'ResolveFinding', findingId: FINDING, resolution: 'rectified', reason: '已追回', correctingEventIds: [correcting] }, { role: 'auditor' });
  const rectified = await lastEvent(w);
  t.match(rectified, { revision: 1, data: { resolution: 'rectified', correctingEventIds: [correcting] } });
});

t.test('a rectified resolution without correcting events is refused', async (t) => {
  const w = await standardWorld();
  await refusedWithoutWriting(t, w, () => w.run({ type: 'ResolveFinding', findingId: FINDING, resolution: 'rectified', reason: '已整改' }), 'invalid_command', /names the events that corrected it/);
});

t.test('the same resolution for the same reason twice is refused; a new reason is recorded', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'ResolveFinding', findingId: FINDING, resolution: 'dismissed', reason: '同一凭证分两次录入，已核对' });
  await refusedWithoutWriting(t, w, () => w.run({ type: 'ResolveFinding', findingId: FINDING, resolution: 'dismissed', reason: '同一凭证分两次录入，已核对' }), 'finding_resolution_unchanged', /already dismissed/);
  await w.run({ type: 'ResolveFinding', findingId: FINDING, resolution: 'dismissed', reason: '补充说明：银行回单一致' });
  t.equal((await lastEvent(w)).revision, 1, 'the second reason is a second event');
});
