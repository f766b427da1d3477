// An app over a world's log for read-route tests: every projection folded from the log, and one key of each
// kind (finance of VILLAGE and of OTHER_VILLAGE, finance of the county, auditor, county dashboard, public).
import type { Test } from 'tap';
import { ALL_PROJECTIONS } from '../../projections/index.js';
import { foldAll, type MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { join } from 'node:path';
import { KeyStore } from '../../src/auth/keys.js';
import { COUNTY, OTHER_VILLAGE, VILLAGE, type World } from '../domain/fixture.js';
import { testApp } from './app.js';
import { scratchDir } from './tmp.js';

export async function readApp(t: Test, w: World) {
  const log = (await w.log()) as unknown as ProjectedEvent[];
  const views = new Map<string, MemoryViews<unknown>>(ALL_PROJECTIONS.map((p) => [p.name, foldAll(p, log)]));
  const keys = KeyStore.open(join(scratchDir(t), 'keys.json'));
  const k = {
    village: keys.issue({ name: '东关村', role: 'finance', areas: [VILLAGE] }).key,
    otherVillage: keys.issue({ name: '西关村', role: 'finance', areas: [OTHER_VILLAGE] }).key,
    countyFinance: keys.issue({ name: '县财政局', role: 'finance', areas: [COUNTY] }).key,
    auditor: keys.issue({ name: '审计', role: 'auditor', areas: [] }).key,
    dashboard: keys.issue({ name: '大屏', role: 'dashboard', areas: [COUNTY] }).key,
    publicKey: keys.issue({ name: '公众', role: 'public', areas: [] }).key,
  };
  const { app } = await testApp(t, { store: w.store, commands: { executor: w.executor, keys }, views: (name) => views.get(name)! });
  const get = (url: string, key?: string) => app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { app, get, k, log };
}
