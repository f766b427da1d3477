// Rules over accounts, transfers, projects and loans (filled in below).
import type { Rule } from '../types.js';

export const ACCOUNT_RULES: Rule<never>[] = [];
