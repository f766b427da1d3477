import { join } from 'node:path';
import t from 'tap';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { scratchDir } from '../helpers/tmp.js';
import { conformance } from './conformance.js';

const dir = scratchDir(t, 'fundtrail-conformance');
let n = 0;
conformance(t, 'sqlite', async () => ({ store: new SqliteEventStore(join(dir, `store-${n++}.db`)) }));
