// A writer killed with SIGKILL mid-stream loses nothing it acknowledged and leaves no partial batch.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { scratchDir } from '../helpers/tmp.js';

const WRITER = fileURLToPath(new URL('../helpers/crash-writer.mjs', import.meta.url));

interface Ack {
  batchId: string;
  size: number;
  position: number;
}

/** Starts the writer, waits until it has acknowledged `acks` appends, kills it with SIGKILL. */
function writeThenKill(path: string, seed: number, acks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(seed)]);
    const acked: Ack[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [, batchId, size, position] = line.split(' ');
        acked.push({ batchId: batchId!, size: Number(size), position: Number(position) });
      }
      if (acked.length >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer ended by itself (code ${code}): ${stderr}`));
      resolve(acked);
    });
  });
}

for (const [round, acks] of [[1, 300], [2, 1200], [3, 2500]] as const) {
  t.test(`round ${round}: SIGKILL after ${acks} acknowledged appends`, async (t) => {
    const path = join(scratchDir(t, 'fundtrail-crash'), 'store.db');
    const acked = await writeThenKill(path, round * 7919, acks);
    t.ok(acked.length >= acks, `the writer acknowledged ${acked.length} appends before the kill`);

    const raw = new Database(path, { readonly: true });
    t.equal(raw.pragma('integrity_check', { simple: true }), 'ok', 'the file is intact after the kill');
    raw.close();

    const store = new SqliteEventStore(path);
    const batches = new Map<string, number[]>();
    const sizes = new Map<string, number>();
    for (let after = 0; ; ) {
      const page = await store.readAll({ afterPosition: after, maxCount: 5000 });
      for (const event of page.events) {
        const { batchId, size, i } = event.data as { batchId: string; size: number; i: number };
        sizes.set(batchId, size);
        const seen = batches.get(batchId) ?? [];
        seen.push(i);
        batches.set(batchId, seen);
        if (seen.length > size) t.fail(`batch ${batchId} has more events than it was sent with`);
      }
      after = page.lastPosition;
      if (page.isEnd) break;
    }
    const missing = acked.filter((ack) => batches.get(ack.batchId)?.length !== ack.size);
    t.same(missing, [], 'every acknowledged append is there in full');
    const partial = [...batches].filter(([batchId, seen]) => seen.length !== sizes.get(batchId) || seen.some((i, k) => i !== k));
    t.same(partial, [], 'no batch is partly there');
    t.ok(batches.size >= acked.length, 'an append not yet acknowledged may be there, but only whole');
    const last = acked[acked.length - 1]!;
    t.ok((await store.headPosition()) >= last.position, 'the head is at or past the last acknowledged position');
    await store.close();
  });
}
