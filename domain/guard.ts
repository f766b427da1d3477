// Preventive controls refuse a live posting and flag imported history: one place decides which.
import { DomainError, type RefusalCode } from './errors.js';
import type { Violation } from './events.js';

export class Guard {
  readonly violations: Violation[] = [];

  constructor(readonly mode: 'live' | 'historical') {}

  /** A preventive control (DOMAIN.md 3–7): refuses live, records a violation on imported history. */
  control(ok: boolean, code: RefusalCode, message: () => string, details: Record<string, unknown> = {}): void {
    if (ok) return;
    const text = message();
    if (this.mode === 'live') throw new DomainError(code, text, details);
    this.violations.push({ code, message: text });
  }
}

/** A structural check (DOMAIN.md 1): refused in every mode, since nothing meaningful could be recorded. */
export function must(ok: boolean, code: RefusalCode, message: () => string, details: Record<string, unknown> = {}): void {
  if (!ok) throw new DomainError(code, message(), details);
}
