// API keys for the HTTP API: who may post, read or resolve, in which areas. A key is shown once when issued;
// only its SHA-256 is kept, in a JSON file (FUNDTRAIL_KEYS) written atomically and readable by its owner only.
// Keys are looked up by a short public id and checked in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AreaCode, areaWithin } from '../../domain/values.js';

/**
 * finance posts within its areas; auditor reads everything, resolves findings and seals periods; dashboard
 * reads rollups of its areas, never personal data; public reads notices (which need no key at all).
 */
export const Role = z.enum(['finance', 'auditor', 'dashboard', 'public']);
export type Role = z.infer<typeof Role>;

const KeyRecord = z.object({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  name: z.string().min(1).max(100),
  role: Role,
  /** Area codes the key may act in; a county holds its townships and villages. Empty: every area (auditors). */
  areas: z.array(AreaCode),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
});
export type KeyRecord = z.infer<typeof KeyRecord>;
const KeyFile = z.object({ version: z.literal(1), keys: z.array(KeyRecord) });

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  areas: string[];
}

export class KeyFileError extends Error {
  readonly code = 'keys_file_invalid';
}

const PREFIX = 'ft';
const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

export class KeyStore {
  private records: KeyRecord[];
  /** The file's modification time when read, and when that was last checked: a server sees new and revoked keys within a second. */
  private mtimeMs: number;
  private checkedAt = 0;

  private constructor(
    readonly path: string,
    records: KeyRecord[],
  ) {
    this.records = records;
    this.mtimeMs = mtimeOf(path);
  }

  /** Reads the keys file; a missing file is no keys yet. A file that is not a keys file is refused, naming why. */
  static open(path: string): KeyStore {
    return new KeyStore(path, KeyStore.read(path));
  }

  private static read(path: string): KeyRecord[] {
    if (!existsSync(path)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new KeyFileError(`${path} is not a fundtrail keys file: ${(error as Error).message}`);
    }
    const file = KeyFile.safeParse(parsed);
    if (!file.success) throw new KeyFileError(`${path} is not a fundtrail keys file: ${file.error.issues[0]?.path.join('.')} ${file.error.issues[0]?.message}`);
    return file.data.keys;
  }

  /** Rereads the file when it changed since it was read (checked at most once a second); a broken file keeps the keys known. */
  private refresh(): void {
    const now = Date.now();
    if (now - this.checkedAt < 1000) return;
    this.checkedAt = now;
    const mtime = mtimeOf(this.path);
    if (mtime === this.mtimeMs) return;
    try {
      this.records = KeyStore.read(this.path);
      this.mtimeMs = mtime;
    } catch {
      // Half-written by hand or corrupted: keep serving with what was read last; `fundtrail keys list` names the problem.
    }
  }

  list(): KeyRecord[] {
    return this.records.map((r) => ({ ...r, areas: [...r.areas] }));
  }

  /** Issues a key and saves its hash; the returned `key` is the only time the secret exists outside the caller. */
  issue(input: { name: string; role: Role; areas: string[] }, now = new Date()): { key: string; record: KeyRecord } {
    if (input.role === 'finance' && input.areas.length === 0) throw new RangeError('a finance key names the areas it posts in (--area)');
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record = KeyRecord.parse({ id, name: input.name, role: input.role, areas: [...new Set(input.areas)].sort(), sha256: digest(secret).toString('hex'), createdAt: now.toISOString() });
    this.records.push(record);
    this.save();
    return { key: `${PREFIX}_${id}_${secret}`, record };
  }

  /** Revokes a key by id; revoking twice is a no-op. Returns false for an unknown id. */
  revoke(id: string, now = new Date()): boolean {
    const record = this.records.find((r) => r.id === id);
    if (!record) return false;
    record.revokedAt ??= now.toISOString();
    this.save();
    return true;
  }

  /** The principal a presented key stands for, or undefined for anything malformed, unknown, wrong or revoked. */
  authenticate(presented: string | undefined): Principal | undefined {
    const match = /^ft_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(presented ?? '');
    if (!match) return undefined;
    this.refresh();
    const record = this.records.find((r) => r.id === match[1]);
    if (!record || record.revokedAt) return undefined;
    if (!timingSafeEqual(digest(match[2]!), Buffer.from(record.sha256, 'hex'))) return undefined;
    return { keyId: record.id, name: record.name, role: record.role, areas: [...record.areas] };
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ version: 1, keys: this.records }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
    this.mtimeMs = mtimeOf(this.path);
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

export type Decision = { ok: true } | { ok: false; status: 401 | 403; code: 'unauthenticated' | 'forbidden_role' | 'forbidden_area'; detail: string };

/**
 * Whether a principal may do what a route does: one of `roles`, and, for an area the route acts in, that area
 * inside one of the key's areas (a key with no areas, which only auditors and dashboards may hold, reaches all).
 */
export function authorize(principal: Principal | undefined, need: { roles: readonly Role[]; area?: string }): Decision {
  if (!principal) return { ok: false, status: 401, code: 'unauthenticated', detail: 'this route needs an API key (Authorization: Bearer ft_…)' };
  if (!need.roles.includes(principal.role)) {
    return { ok: false, status: 403, code: 'forbidden_role', detail: `a ${principal.role} key may not do this; it needs a ${need.roles.join(' or ')} key` };
  }
  if (need.area !== undefined && principal.areas.length > 0 && !principal.areas.some((scope) => areaWithin(need.area!, scope))) {
    return { ok: false, status: 403, code: 'forbidden_area', detail: `key ${principal.keyId} may act in ${principal.areas.join(', ')}, not in ${need.area}` };
  }
  return { ok: true };
}
