// Every projection the runner keeps and `fundtrail replay` rebuilds.
import { balances } from './balances.js';
import type { Projection } from './types.js';

export const ALL_PROJECTIONS: Projection<unknown>[] = [balances as Projection<unknown>];
