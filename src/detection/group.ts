// One group of detection rules over an embedded store file: what each detection thread runs.
import { ALL_RULES } from '../../projections/findings/rules/index.js';
import type { AsOf } from '../projections/replay.js';
import { SqliteEventStore } from '../store/sqlite/store.js';
import { detect, type DetectionResult } from './detect.js';

/** `onRead` hears how many events were read, page by page, for the caller's progress bar. */
export async function detectGroup(path: string, ruleNames: string[], asOf: AsOf, onRead?: (events: number) => void): Promise<DetectionResult> {
  const store = new SqliteEventStore(path, { readonly: true });
  try {
    const progress = onRead ? () => ({ tick: onRead, stop: () => {} }) : undefined;
    return await detect(store, { asOf, rules: ALL_RULES.filter((rule) => ruleNames.includes(rule.name)), ...(progress ? { progress } : {}) });
  } finally {
    await store.close();
  }
}
