// fundtrail import end to end, as a user runs it: exit codes, every row error printed, nothing written on
// errors, re-runs recorded once, progress on stderr without personal data, and a verifiable log afterwards.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { standardCounty, world } from '../domain/fixture.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';
import { HEADER, payRow } from './fixture.js';

async function prepared(t: Test): Promise<{ dir: string; db: string; head: () => Promise<number> }> {
  const dir = scratchDir(t, 'import-cli');
  const db = join(dir, 'fundtrail.db');
  const store = new SqliteEventStore(db);
  await standardCounty(world(store));
  await store.close();
  const head = async (): Promise<number> => {
    const reader = new SqliteEventStore(db, { readonly: true });
    try {
      return await reader.headPosition();
    } finally {
      await reader.close();
    }
  };
  return { dir, db, head };
}

const file = (dir: string, name: string, ...lines: string[]): string => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

t.test('fundtrail import --help documents --db and the import options', async (t) => {
  const result = await cli(['import', '--help']);
  t.equal(result.code, 0);
  for (const option of ['--db <path>', '--kind', '--historical', '--dry-run', '--batch-id', '--format']) t.match(result.stdout, option);
});

t.test('a good list is written (exit 0), the same list again writes nothing, and fundtrail verify finds the log intact', async (t) => {
  const { dir, db, head } = await prepared(t);
  const before = await head();
  const ledger = file(dir, 'ok.csv', HEADER, payRow('100', 'A'), payRow('0.50', 'B'));
  const first = await cli(['import', ledger, '--db', db]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /written: 2 events/);
  t.match(first.stdout, /payments: 2 rows, 2 new commands.*¥100\.50 \(10050 fen\)/);
  t.match(first.stderr, /checking rows: 2\/2 rows/, 'plain progress lines when stderr is not a terminal');
  t.notMatch(first.stderr, /张三|620423198001010011/, 'no names or ID numbers in the logs');
  t.equal(await head(), before + 2);
  const again = await cli(['import', ledger, '--db', db]);
  t.equal(again.code, 0);
  t.match(again.stdout, /nothing new/);
  t.equal(await head(), before + 2);
  const verify = await cli(['verify', '--db', db]);
  t.equal(verify.code, 0);
  t.match(verify.stdout, /intact/);
});

t.test('row errors: every one printed with row, column, code and message, exit 1, nothing written', async (t) => {
  const { dir, db, head } = await prepared(t);
  const before = await head();
  const result = await cli(['import', file(dir, 'bad.csv', HEADER, payRow('100', 'A'), payRow('1e3', 'B'), payRow('999999', 'C')), '--db', db]);
  t.equal(result.code, 1);
  t.match(result.stdout, /2 errors; nothing was written/);
  t.match(result.stdout, /^3\t金额\(元\)\tamount_malformed\t1e3 is not an amount/m);
  t.match(result.stdout, /^4\t金额\(元\)\tamount_exceeds_balance\t/m);
  t.equal(await head(), before);
});

t.test('--dry-run writes nothing; --format json prints the report; --historical records and flags', async (t) => {
  const { dir, db, head } = await prepared(t);
  const before = await head();
  const over = file(dir, 'over.csv', HEADER, payRow('50000', 'A'));
  const dry = await cli(['import', over, '--db', db, '--dry-run', '--historical', '--format', 'json']);
  t.equal(dry.code, 0);
  const report = JSON.parse(dry.stdout) as { dryRun: boolean; committed: boolean; violations: unknown[] };
  t.match(report, { dryRun: true, committed: false, violations: [{ code: 'amount_exceeds_balance', rows: 1 }] });
  t.equal(await head(), before);
  const real = await cli(['import', over, '--db', db, '--historical', '--batch-id', 'ledger-2019']);
  t.equal(real.code, 0);
  t.match(real.stdout, /flagged: amount_exceeds_balance on 1 rows/);
  t.match(real.stdout, /batch ledger-2019/);
  t.equal(await head(), before + 1);
});

t.test('usage errors exit 2; a file that cannot be read as a ledger exits 1 naming its code', async (t) => {
  const { dir, db, head } = await prepared(t);
  const before = await head();
  const ok = file(dir, 'ok.csv', HEADER, payRow('1', 'A'));
  t.equal((await cli(['import', join(dir, 'missing.csv'), '--db', db])).code, 2);
  t.equal((await cli(['import', ok, '--db', db, '--kind', 'salaries'])).code, 2);
  t.equal((await cli(['import', ok, '--db', db, '--batch-id', 'has space'])).code, 2);
  t.equal((await cli(['import', '--db', db])).code, 2);
  const xls = join(dir, 'old.xls');
  writeFileSync(xls, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
  const old = await cli(['import', xls, '--db', db]);
  t.equal(old.code, 1);
  t.match(old.stderr, /xls_not_supported/);
  t.notMatch(old.stderr, /\n\s+at /, 'no stack trace');
  t.equal(await head(), before);
});
