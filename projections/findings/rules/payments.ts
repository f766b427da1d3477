// Rules over payments to households and people (filled in below).
import type { Rule } from '../types.js';

export const PAYMENT_RULES: Rule<never>[] = [];
