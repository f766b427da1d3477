// The hash chain over the embedded store's log: each event's link covers the previous link and the event's
// content exactly as stored, so an edited, deleted or inserted row breaks every link from it on.
import type { createHash as CreateHash } from 'node:crypto';

/** position, id, stream, revision, type, data, metadata, recorded_at: the columns of `events`, as stored. */
export type ChainRow = [number, string, string, number, string, string, string | null, number];

export const GENESIS: Buffer = Buffer.alloc(32);

/**
 * One link: sha256(previous link ‖ the row's fields, each length-prefixed so no two rows share an encoding).
 * Self-contained on purpose: the chain worker thread runs this very function's source.
 */
export function chainLink(createHash: typeof CreateHash, previous: Buffer, row: ChainRow): Buffer {
  const hash = createHash('sha256').update(previous);
  for (const field of row) {
    const text = field === null ? '\u0000null' : String(field);
    hash.update(`${Buffer.byteLength(text)}:`).update(text);
  }
  return hash.digest();
}
