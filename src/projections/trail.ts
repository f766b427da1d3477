// Reads the audit trail: the positions the audit-trail projection keeps, turned into entries with actor,
// document, effective and recorded time from the log itself.
import type { EventMetadata } from '../../domain/events.js';
import type { EventStore } from '../store/types.js';

export interface TrailEntry {
  position: number;
  eventId: string;
  stream: string;
  type: string;
  actor?: string;
  role?: string;
  verifier?: string;
  documentNo?: string;
  effectiveDate?: string;
  recordedAt: string;
  historical: boolean;
}

export async function trailEntries(store: EventStore, positions: number[]): Promise<TrailEntry[]> {
  const out: TrailEntry[] = [];
  for (const position of positions) {
    const [event] = (await store.readAll({ afterPosition: position - 1, maxCount: 1 })).events;
    if (!event || event.position !== position) continue;
    const meta = event.metadata as Partial<EventMetadata>;
    out.push({
      position,
      eventId: event.id,
      stream: event.stream,
      type: event.type,
      ...(meta.actor ? { actor: meta.actor } : {}),
      ...(meta.role ? { role: meta.role } : {}),
      ...(meta.verifier ? { verifier: meta.verifier } : {}),
      ...(meta.documentNo ? { documentNo: meta.documentNo } : {}),
      ...(meta.effectiveDate ? { effectiveDate: meta.effectiveDate } : {}),
      recordedAt: meta.recordedAt ?? event.recordedAt,
      historical: meta.historical === true,
    });
  }
  return out;
}
