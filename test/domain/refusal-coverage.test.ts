// Every refusal code and every command has a test: each must appear in a domain test file.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { Command } from '../../domain/commands.js';
import { REFUSAL_CODES } from '../../domain/errors.js';

const dir = new URL('./', import.meta.url);
const sources = readdirSync(dir)
  .filter((name) => name.endsWith('.test.ts') && name !== 'refusal-coverage.test.ts')
  .map((name) => readFileSync(new URL(name, dir), 'utf8'))
  .join('\n');

t.test('every refusal code is asserted by a domain test', async (t) => {
  const untested = REFUSAL_CODES.filter((code) => !new RegExp(`['"\`]${code}['"\`]`).test(sources));
  t.same(untested, [], 'codes with no test asserting them');
});

t.test('every command is exercised by a domain test', async (t) => {
  const types = Command.options.map((option) => option.shape.type.value);
  const untested = types.filter((type) => !new RegExp(`type: ['"]${type}['"]`).test(sources));
  t.same(untested, [], 'commands no test executes');
});
