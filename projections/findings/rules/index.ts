// Every detection rule, in the order they run.
import type { Rule } from '../types.js';
import { ACCOUNT_RULES } from './accounts.js';
import { PAYMENT_RULES } from './payments.js';
import { violationsRule } from './violations.js';

export const ALL_RULES: readonly Rule<unknown>[] = [violationsRule, ...PAYMENT_RULES, ...ACCOUNT_RULES] as Rule<unknown>[];
