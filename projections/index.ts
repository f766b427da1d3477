// Every projection the runner keeps and `fundtrail replay` rebuilds.
import { auditTrail } from './audit-trail.js';
import { balances } from './balances.js';
import type { Projection } from './types.js';

export const ALL_PROJECTIONS: Projection<unknown>[] = [balances as Projection<unknown>, auditTrail as Projection<unknown>];
