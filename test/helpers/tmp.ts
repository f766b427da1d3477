// A scratch folder per test, removed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export function scratchDir(t: Test, label = 'fundtrail'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
