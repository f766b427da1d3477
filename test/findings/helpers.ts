// Rule tests run real commands through the executor (live, or historical where a control would refuse),
// then detect over the recorded log: the findings a test sees are the ones an auditor would.
import { ALL_RULES } from '../../projections/findings/rules/index.js';
import { detectAll } from '../../projections/findings/engine.js';
import type { Finding, FindingCode, Rule } from '../../projections/findings/types.js';
import type { ProjectedEvent } from '../../projections/types.js';
import type { World } from '../domain/fixture.js';

export async function findingsOf(w: World, options: { asOf?: string; rules?: readonly Rule<unknown>[] } = {}): Promise<Finding[]> {
  const log = (await w.log()) as unknown as ProjectedEvent[];
  return detectAll(options.rules ?? ALL_RULES, log, options.asOf);
}

export function withCode(findings: Finding[], code: FindingCode): Finding[] {
  return findings.filter((f) => f.code === code);
}

/** The historical execution context: imported history, recorded even where a control would refuse. */
export const historical = { mode: 'historical' as const, importBatch: 'test-import' };
