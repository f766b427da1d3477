// The standard county on an embedded store in a scratch folder, and payment lists to import into it.
import { join } from 'node:path';
import type { Test } from 'tap';
import { runImport, type ImportOptions, type ImportReport } from '../../src/import/run.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import type { EventStore } from '../../src/store/types.js';
import { standardCounty, VILLAGE, world, type World } from '../domain/fixture.js';
import { scratchDir } from '../helpers/tmp.js';

export { allEvents, COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP, VILLAGE, VILLAGE_ACCOUNT } from '../domain/fixture.js';

export const NOW = new Date('2020-07-01T00:00:00Z');

export async function sqliteWorld(t: Test): Promise<World & { store: SqliteEventStore; path: string }> {
  const path = join(scratchDir(t, 'import'), 'fundtrail.db');
  const store = new SqliteEventStore(path);
  t.teardown(() => store.close());
  const w = world(store);
  await standardCounty(w);
  return Object.assign(w, { store, path });
}

export const HEADER = '户编号,姓名,身份证号,金额(元),凭证号,用途,支付日期,村代码';

/** A payment row to hh-1 of the standard village: ¥amount, voucher, date. */
export const payRow = (amount: string, voucher: string, date = '2020-06-10'): string => `hh-1,张三,620423198001010011,"${amount}",${voucher},到户补助,${date},${VILLAGE}`;

export const csv = (...lines: string[]): Buffer => Buffer.from(`${lines.join('\n')}\n`, 'utf8');

export function importInto(store: EventStore, bytes: Buffer, options: Partial<ImportOptions> = {}): Promise<ImportReport> {
  return runImport(store, bytes, { historical: false, dryRun: false, actor: 'import-test', role: 'finance', now: () => NOW, ...options });
}

