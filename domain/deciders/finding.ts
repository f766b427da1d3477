// Auditors resolve findings: confirmed, dismissed with a reason, or rectified naming the correcting events.
// A finding's stream holds every resolution; nothing is withdrawn, a later resolution supersedes on read.
import { must } from '../guard.js';
import { streams } from '../streams.js';
import type { Handler } from './types.js';

export const resolveFinding: Handler<'ResolveFinding'> = {
  writes: (c) => [streams.finding(c.findingId)],
  reads: () => [],
  decide(c, view) {
    const stream = streams.finding(c.findingId);
    must(c.resolution !== 'rectified' || c.correctingEventIds.length > 0, 'invalid_command', () => 'a rectified finding names the events that corrected it (correctingEventIds)');
    const last = view.get(stream, 'finding').resolutions.at(-1);
    must(!last || last.resolution !== c.resolution || last.reason !== c.reason, 'finding_resolution_unchanged', () => `finding ${c.findingId} is already ${c.resolution} for that reason`);
    return [{ stream, events: [{ type: 'FindingResolved', data: { findingId: c.findingId, resolution: c.resolution, reason: c.reason, correctingEventIds: c.correctingEventIds } }] }];
  },
};
