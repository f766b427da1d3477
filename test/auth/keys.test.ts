// API keys: issued once, kept as hashes, checked in constant time, revocable; roles and areas decide the rest.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { authorize, KeyStore, type Principal } from '../../src/auth/keys.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';

t.test('an issued key authenticates as its holder; the file keeps only its hash, readable by its owner only', async (t) => {
  const path = join(scratchDir(t), 'keys', 'keys.json');
  const store = KeyStore.open(path);
  const { key, record } = store.issue({ name: '庄浪县财政局', role: 'finance', areas: ['620423000000'] });
  t.match(key, /^ft_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  t.same(KeyStore.open(path).authenticate(key), { keyId: record.id, name: '庄浪县财政局', role: 'finance', areas: ['620423000000'] }, 'a fresh read of the file knows it');
  const file = readFileSync(path, 'utf8');
  t.notOk(file.includes(key.split('_')[2]!), 'the secret is not in the file');
  t.equal(statSync(path).mode & 0o777, 0o600);
});

t.test('a wrong, malformed, unknown or revoked key authenticates as nobody', async (t) => {
  const path = join(scratchDir(t), 'keys.json');
  const store = KeyStore.open(path);
  const { key, record } = store.issue({ name: 'auditor', role: 'auditor', areas: [] });
  const [, id, secret] = key.split('_') as [string, string, string];
  const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
  t.equal(store.authenticate(`ft_${id}_${flipped}`), undefined, 'one character of the secret changed');
  t.equal(store.authenticate(`ft_000000000000_${secret}`), undefined, 'unknown id');
  t.equal(store.authenticate('Bearer nonsense'), undefined);
  t.equal(store.authenticate(undefined), undefined);
  t.ok(store.authenticate(key));
  t.equal(store.revoke(record.id), true);
  t.equal(KeyStore.open(path).authenticate(key), undefined, 'revoked, and the revocation is saved');
  t.equal(store.revoke('ffffffffffff'), false);
});

t.test('a finance key must name its areas; a file that is not a keys file is refused', async (t) => {
  const dir = scratchDir(t);
  t.throws(() => KeyStore.open(join(dir, 'k.json')).issue({ name: 'x', role: 'finance', areas: [] }), /names the areas it posts in/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version":1,"keys":[{"id":"zz"}]}');
  t.throws(() => KeyStore.open(bad), { code: 'keys_file_invalid', message: /is not a fundtrail keys file: keys\.0\.id/ });
});

t.test('authorize: 401 without a key, 403 for the wrong role or an area outside the key', async (t) => {
  const finance: Principal = { keyId: 'a', name: 'bureau', role: 'finance', areas: ['620423101000'] };
  const auditor: Principal = { keyId: 'b', name: 'audit', role: 'auditor', areas: [] };
  t.match(authorize(undefined, { roles: ['finance'] }), { ok: false, status: 401, code: 'unauthenticated' });
  t.match(authorize(auditor, { roles: ['finance'], area: '620423101001' }), { ok: false, status: 403, code: 'forbidden_role' });
  t.same(authorize(finance, { roles: ['finance'], area: '620423101001' }), { ok: true }, 'a village inside the township key');
  t.match(authorize(finance, { roles: ['finance'], area: '620423102001' }), { ok: false, status: 403, code: 'forbidden_area', detail: /not in 620423102001/ });
  t.match(authorize(finance, { roles: ['finance'], area: '620423000000' }), { ok: false, status: 403, code: 'forbidden_area' }, 'the county above it is outside');
  t.same(authorize(auditor, { roles: ['auditor'], area: '999999000000' }), { ok: true }, 'an auditor key with no areas reaches every area');
});

t.test('fundtrail keys issue, list and revoke', async (t) => {
  const path = join(scratchDir(t), 'keys.json');
  const issued = await cli(['keys', 'issue', '--name', 'clerk-01', '--role', 'finance', '--area', '620423000000', '--area', '620424000000', '--keys', path]);
  t.equal(issued.code, 0, issued.stderr);
  const key = issued.stdout.trim();
  t.match(key, /^ft_[0-9a-f]{12}_/);
  const id = key.split('_')[1]!;
  const listed = JSON.parse((await cli(['keys', 'list', '--format', 'json', '--keys', path])).stdout) as { id: string; areas: string[]; sha256?: string }[];
  t.match(listed, [{ id, areas: ['620423000000', '620424000000'] }]);
  t.equal(listed[0]!.sha256, undefined, 'list never shows the hash');
  t.equal((await cli(['keys', 'issue', '--name', 'x', '--role', 'finance', '--keys', path])).code, 2, 'a finance key without areas is a usage error');
  t.equal((await cli(['keys', 'issue', '--name', 'x', '--role', 'root', '--keys', path])).code, 2);
  t.equal((await cli(['keys', 'revoke', id, '--keys', path])).code, 0);
  t.equal(KeyStore.open(path).authenticate(key), undefined);
  const unknown = await cli(['keys', 'revoke', 'ffffffffffff', '--keys', path]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no key with id ffffffffffff/);
});

t.test('fundtrail keys on a file that is not a keys file says so in one line and exits 1', async (t) => {
  const path = join(scratchDir(t), 'keys.json');
  writeFileSync(path, 'not json');
  const result = await cli(['keys', 'list', '--keys', path]);
  t.equal(result.code, 1);
  t.match(result.stderr, /^fundtrail keys: .* is not a fundtrail keys file/);
  t.notMatch(result.stderr, /\n\s+at /);
});

t.test('a running server\'s key store sees keys issued and revoked by the command line, within a second', async (t) => {
  const path = join(scratchDir(t), 'keys.json');
  const server = KeyStore.open(path);
  const cliSide = KeyStore.open(path);
  const { key, record } = cliSide.issue({ name: 'new clerk', role: 'finance', areas: ['620423000000'] });
  t.ok(server.authenticate(key), 'the new key works without a restart');
  cliSide.revoke(record.id);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.equal(server.authenticate(key), undefined, 'the revocation is seen');
  const other = cliSide.issue({ name: 'auditor', role: 'auditor', areas: [] }).key;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.ok(server.authenticate(other));
  writeFileSync(path, '{ broken');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.ok(server.authenticate(other), 'a broken file keeps the keys read last');
});
