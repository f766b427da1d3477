// Runs every detection rule over the log, as of a date or position like any replay, and returns the findings.
import { Detector } from '../../projections/findings/engine.js';
import { ALL_RULES } from '../../projections/findings/rules/index.js';
import type { Finding, Rule } from '../../projections/findings/types.js';
import type { ProjectedEvent } from '../../projections/types.js';
import type { Progress } from '../cli/progress.js';
import { includes, type AsOf } from '../projections/replay.js';
import type { EventStore } from '../store/types.js';

export interface DetectionResult {
  findings: Finding[];
  events: number;
  seconds: number;
  /** The date the findings are as of. */
  asOf: string;
}

export async function detect(store: EventStore, options: { asOf?: AsOf; rules?: readonly Rule<unknown>[]; progress?: (total: number) => Progress } = {}): Promise<DetectionResult> {
  const started = performance.now();
  const asOf = options.asOf ?? {};
  const detector = new Detector(options.rules ?? ALL_RULES);
  const head = await store.headPosition();
  const bar = options.progress?.(asOf.position !== undefined ? Math.min(head, asOf.position) : head);
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: 2000 });
    for (const recorded of page.events) {
      if (asOf.position !== undefined && recorded.position > asOf.position) break;
      const event = recorded as unknown as ProjectedEvent;
      if (includes(asOf, event)) detector.apply(event);
    }
    bar?.tick(page.events.length);
    after = page.lastPosition;
    if (page.isEnd || (asOf.position !== undefined && after >= asOf.position)) break;
  }
  bar?.stop();
  const date = asOf.effectiveDate ?? asOf.recordedBy ?? detector.facts.latestDate;
  return { findings: detector.findings(date), events: detector.events, seconds: (performance.now() - started) / 1000, asOf: date };
}
