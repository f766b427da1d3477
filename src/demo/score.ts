// How well detection finds what the demo planted: per finding code, the planted cases found, the findings that
// match no planted case (false positives) and the near-misses flagged. A case is found when a finding of its
// code cites one of its events, or, for a case about an account, area or county (it gives a `key`), names it.
import { FINDING_CODES, type Finding, type FindingCode } from '../../projections/findings/types.js';
import type { AnswerKey, AnswerKeyEntry } from './generate.js';

export interface CodeScore {
  code: FindingCode;
  planted: number;
  detected: number;
  findings: number;
  falsePositives: number;
  nearMisses: number;
  nearMissesFlagged: number;
  /** detected / planted; null when nothing of the code was planted. */
  recall: number | null;
  /** findings matching a planted case / findings; null when there are no findings. */
  precision: number | null;
}

export interface Score {
  byCode: CodeScore[];
  missed: AnswerKeyEntry[];
  falsePositives: Finding[];
  flaggedNearMisses: { nearMiss: AnswerKeyEntry; findings: Finding[] }[];
}

/** Whether a finding is about an answer-key entry: same code, and a shared event or the entry's key named. */
export function matches(entry: AnswerKeyEntry, finding: Finding, ids?: Set<string>): boolean {
  if (entry.code !== finding.code) return false;
  const events = ids ?? new Set(entry.eventIds);
  if (finding.eventIds.some((id) => events.has(id))) return true;
  if (entry.key === undefined) return false;
  return finding.areaCode === entry.key || finding.accounts.includes(entry.key) || finding.key === entry.key;
}

export function scoreFindings(answerKey: AnswerKey, findings: Finding[]): Score {
  const cases = answerKey.cases.map((entry) => ({ entry, ids: new Set(entry.eventIds), found: false }));
  const nears = answerKey.nearMisses.map((entry) => ({ entry, ids: new Set(entry.eventIds), findings: [] as Finding[] }));
  const falsePositives: Finding[] = [];
  const truePositives = new Map<FindingCode, number>();
  for (const finding of findings) {
    let planted = false;
    for (const c of cases) {
      if (!matches(c.entry, finding, c.ids)) continue;
      c.found = true;
      planted = true;
    }
    if (planted) truePositives.set(finding.code, (truePositives.get(finding.code) ?? 0) + 1);
    else falsePositives.push(finding);
    for (const n of nears) if (matches(n.entry, finding, n.ids)) n.findings.push(finding);
  }
  const byCode = FINDING_CODES.map((code): CodeScore => {
    const planted = cases.filter((c) => c.entry.code === code);
    const ofCode = findings.filter((f) => f.code === code).length;
    const near = nears.filter((n) => n.entry.code === code);
    const detected = planted.filter((c) => c.found).length;
    return {
      code,
      planted: planted.length,
      detected,
      findings: ofCode,
      falsePositives: falsePositives.filter((f) => f.code === code).length,
      nearMisses: near.length,
      nearMissesFlagged: near.filter((n) => n.findings.length > 0).length,
      recall: planted.length > 0 ? detected / planted.length : null,
      precision: ofCode > 0 ? (truePositives.get(code) ?? 0) / ofCode : null,
    };
  });
  return {
    byCode,
    missed: cases.filter((c) => !c.found).map((c) => c.entry),
    falsePositives,
    flaggedNearMisses: nears.filter((n) => n.findings.length > 0).map((n) => ({ nearMiss: n.entry, findings: n.findings })),
  };
}

/** The score as a plain-text table, one line per code. */
export function scoreTable(score: Score): string {
  const pct = (x: number | null): string => (x === null ? '   -' : `${Math.round(x * 100)}%`.padStart(4));
  const lines = [`${'code'.padEnd(26)} planted found findings false+ recall precision near-miss flagged`];
  for (const s of score.byCode) {
    lines.push(`${s.code.padEnd(26)} ${String(s.planted).padStart(7)} ${String(s.detected).padStart(5)} ${String(s.findings).padStart(8)} ${String(s.falsePositives).padStart(6)} ${pct(s.recall).padStart(6)} ${pct(s.precision).padStart(9)} ${String(s.nearMisses).padStart(9)} ${String(s.nearMissesFlagged).padStart(7)}`);
  }
  return lines.join('\n');
}
