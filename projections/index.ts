// Every projection the runner keeps and `fundtrail replay` rebuilds.
import { auditTrail } from './audit-trail.js';
import { balances } from './balances.js';
import { householdCard } from './household-card.js';
import { lineage } from './lineage.js';
import { loans } from './loans.js';
import { projects } from './projects.js';
import { publicNotice } from './public-notice.js';
import type { Projection } from './types.js';

export const ALL_PROJECTIONS: Projection<unknown>[] = [balances, auditTrail, householdCard, publicNotice, lineage, projects, loans] as Projection<unknown>[];
