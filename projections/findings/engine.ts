// The detector: folds the log through the shared facts and every rule, keeps the findings they raise under
// stable ids, and attaches the resolutions auditors recorded. Pure: it is handed events, it reads nothing.
import { createHash } from 'node:crypto';
import type { ProjectedEvent } from '../types.js';
import { effectiveDate, Facts } from './facts.js';
import type { Finding, FindingCode, FinishContext, RaisedFinding, Resolution, Rule, RuleContext } from './types.js';

export function findingId(code: FindingCode, key: string): string {
  return `${code}:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

interface RunningRule {
  rule: Rule<unknown>;
  handles: Set<string>;
  state: unknown;
}

const SEVERITY_RANK = { info: 0, warning: 1, severe: 2 } as const;

export class Detector {
  readonly facts = new Facts();
  private readonly rules: RunningRule[];
  private readonly raised = new Map<string, Finding>();
  private readonly resolutions = new Map<string, Resolution[]>();
  private readonly ctx: RuleContext;
  events = 0;

  constructor(rules: readonly Rule<unknown>[]) {
    this.rules = rules.map((rule) => ({ rule, handles: new Set(rule.handles), state: rule.initial() }));
    this.ctx = this.contextInto(this.raised);
  }

  private contextInto(into: Map<string, Finding>): RuleContext {
    return {
      facts: this.facts,
      rulesOn: (date) => this.facts.rulesOn(date),
      raise: (finding) => raiseInto(into, finding),
      withdraw: (code, key) => {
        into.delete(findingId(code, key));
      },
    };
  }

  apply(event: ProjectedEvent): void {
    this.events += 1;
    this.facts.apply(event);
    if (event.type === 'FindingResolved') this.resolve(event);
    for (const r of this.rules) if (r.handles.has(event.type)) r.rule.evolve(r.state, event, this.ctx);
  }

  private resolve(event: ProjectedEvent): void {
    const d = event.data as { findingId: string; resolution: Resolution['resolution']; reason: string; correctingEventIds?: string[] };
    const base = { reason: d.reason, by: event.metadata.actor ?? 'unknown', on: effectiveDate(event), eventId: event.id };
    const resolution: Resolution = d.resolution === 'rectified' ? { resolution: 'rectified', ...base, correctingEventIds: d.correctingEventIds ?? [] } : { resolution: d.resolution, ...base };
    const list = this.resolutions.get(d.findingId) ?? [];
    list.push(resolution);
    this.resolutions.set(d.findingId, list);
  }

  /**
   * The findings as of a date (default: the latest effective date folded). Time-based rules decide here, into
   * a fresh set each call, so asking again later, after more events, gives the findings of then.
   */
  findings(asOf: string = this.facts.latestDate): Finding[] {
    const all = new Map<string, Finding>();
    for (const [id, finding] of this.raised) all.set(id, { ...finding, eventIds: [...finding.eventIds], accounts: [...finding.accounts] });
    const finish: FinishContext = { ...this.contextInto(all), asOf };
    for (const r of this.rules) r.rule.finish?.(r.state, finish);
    const out = [...all.values()].map((finding) => {
      const resolutions = this.resolutions.get(finding.id) ?? [];
      const last = resolutions[resolutions.length - 1];
      return { ...finding, resolutions, status: last ? last.resolution : 'open' } as Finding;
    });
    return sortFindings(out);
  }

  /** Resolutions recorded against ids no rule raised (yet): kept, so nothing an auditor wrote is lost from view. */
  orphanResolutions(findings: Finding[]): { findingId: string; resolutions: Resolution[] }[] {
    const known = new Set(findings.map((f) => f.id));
    return [...this.resolutions].filter(([id]) => !known.has(id)).map(([findingId, resolutions]) => ({ findingId, resolutions }));
  }
}

/**
 * The same code and key raised again is the same finding: its proof grows and the higher severity stays.
 * A broken control on imported history (parameters.control) says only which control; when a rule then finds
 * the same event, the rule's amount at stake, parameters and explanation are the more precise, and replace it.
 */
function raiseInto(into: Map<string, Finding>, raised: RaisedFinding): void {
  const id = findingId(raised.code, raised.key);
  const seen = into.get(id);
  if (!seen) {
    into.set(id, { ...raised, id, status: 'open', resolutions: [] });
    return;
  }
  for (const eventId of raised.eventIds) if (!seen.eventIds.includes(eventId)) seen.eventIds.push(eventId);
  for (const account of raised.accounts) if (!seen.accounts.includes(account)) seen.accounts.push(account);
  if (SEVERITY_RANK[raised.severity] > SEVERITY_RANK[seen.severity]) seen.severity = raised.severity;
  const control = seen.parameters.control;
  if (control !== undefined && raised.parameters.control === undefined) {
    seen.amountFen = raised.amountFen;
    seen.parameters = { ...raised.parameters, control };
    seen.explanation = raised.explanation;
    seen.areaCode ??= raised.areaCode;
  } else if (control === undefined && raised.parameters.control !== undefined) {
    seen.parameters = { ...seen.parameters, control: raised.parameters.control };
  } else if (raised.amountFen > seen.amountFen && raised.parameters.control === undefined) {
    seen.amountFen = raised.amountFen;
  }
}

/**
 * Findings of rules run apart (on two threads, each over the whole log) as one list: a finding raised on both
 * sides (a broken control and the rule that finds the same event) merges as if raised in one detector.
 */
export function mergeFindings(lists: Finding[][]): Finding[] {
  const into = new Map<string, Finding>();
  for (const list of lists) {
    for (const finding of list) {
      const seen = into.get(finding.id);
      if (!seen) into.set(finding.id, { ...finding, eventIds: [...finding.eventIds], accounts: [...finding.accounts] });
      else raiseInto(into, finding);
    }
  }
  return sortFindings([...into.values()]);
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.effectiveDate < b.effectiveDate ? -1 : a.effectiveDate > b.effectiveDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Folds a list of events through rules: the unit of every rule test. */
export function detectAll(rules: readonly Rule<unknown>[], events: Iterable<ProjectedEvent>, asOf?: string): Finding[] {
  const detector = new Detector(rules);
  for (const event of events) detector.apply(event);
  return detector.findings(asOf);
}
