import { InvalidArgumentError, Option, type Command } from 'commander';
import { AreaCode } from '../../domain/values.js';
import { KeyFileError, KeyStore, Role } from '../auth/keys.js';
import { loadConfig } from '../config.js';

function areaCode(value: string, previous: string[] = []): string[] {
  if (!AreaCode.safeParse(value).success) throw new InvalidArgumentError('must be a 12-digit area code');
  return [...previous, value];
}

function role(value: string): Role {
  const parsed = Role.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`must be one of ${Role.options.join(', ')}`);
  return parsed.data;
}

/** A failure, not a usage error: one line on stderr and exit 1. */
class KeysFailure extends Error {}

function openKeys(options: { keys?: string }): KeyStore {
  const path = options.keys ?? loadConfig(process.env).FUNDTRAIL_KEYS;
  try {
    return KeyStore.open(path);
  } catch (error) {
    if (error instanceof KeyFileError) throw new KeysFailure(error.message);
    throw error;
  }
}

/** Runs an action; a KeysFailure is printed as one line and sets exit code 1. */
function failing(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof KeysFailure)) throw error;
    process.stderr.write(`fundtrail keys: ${error.message}\n`);
    process.exitCode = 1;
  }
}

const keysOption = (): Option => new Option('--keys <path>', 'the keys file (default: $FUNDTRAIL_KEYS or ./data/keys.json)');

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('issue, list and revoke API keys for the HTTP API (only their hashes are kept)');
  keys
    .command('issue')
    .description('issue a key and print it once: keep it, it cannot be shown again')
    .requiredOption('--name <name>', 'who holds it (a bureau, a person, a dashboard)')
    .requiredOption('--role <role>', `one of ${Role.options.join(', ')}`, role)
    .option('--area <code>', 'an area the key may act in (repeat for several; a county includes what lies under it; a finance key needs one)', areaCode)
    .addOption(keysOption())
    .action(function (this: Command, options: { name: string; role: Role; area?: string[]; keys?: string }) {
      failing(() => {
        const store = openKeys(options);
        let issued: ReturnType<KeyStore['issue']>;
        try {
          issued = store.issue({ name: options.name, role: options.role, areas: options.area ?? [] });
        } catch (error) {
          if (error instanceof RangeError) this.error(`fundtrail keys issue: ${error.message}`, { exitCode: 2 });
          throw error;
        }
        process.stdout.write(`${issued.key}\n`);
        process.stderr.write(`issued key ${issued.record.id} (${issued.record.role}${issued.record.areas.length > 0 ? ` in ${issued.record.areas.join(', ')}` : ', every area'}) for ${issued.record.name}; written to ${store.path}\n`);
      });
    });
  keys
    .command('list')
    .description('list the keys: id, name, role, areas, when issued and revoked (never the secret)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(keysOption())
    .action((options: { format: 'table' | 'json'; keys?: string }) => {
      failing(() => {
        const records = openKeys(options).list().map(({ sha256: _hash, ...rest }) => rest);
        if (options.format === 'json') {
          process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
          return;
        }
        for (const r of records) {
          process.stdout.write(`${r.id}  ${r.role.padEnd(9)} ${(r.areas.join(',') || '(every area)').padEnd(28)} ${r.createdAt}  ${r.revokedAt ? `revoked ${r.revokedAt}` : 'active'}  ${r.name}\n`);
        }
      });
    });
  keys
    .command('revoke')
    .description('revoke a key by its id (kept in the file, marked revoked)')
    .argument('<id>', 'the key id (12 hex digits, shown by issue and list)')
    .addOption(keysOption())
    .action((id: string, options: { keys?: string }) => {
      failing(() => {
        const store = openKeys(options);
        if (!store.revoke(id)) throw new KeysFailure(`no key with id ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      });
    });
}
