import t from 'tap';
import { MemoryEventStore } from '../../src/store/memory.js';
import { conformance } from './conformance.js';

conformance(t, 'memory', async () => ({ store: new MemoryEventStore() }));
