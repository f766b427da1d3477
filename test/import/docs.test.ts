// docs/import-format.md names every kind, column and Chinese header the importer accepts, and every purpose.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { KINDS } from '../../src/import/kinds.js';
import { PURPOSES } from '../../src/import/values.js';

const doc = readFileSync(new URL('../../docs/import-format.md', import.meta.url), 'utf8');

t.test('every kind, column and Chinese header is documented', async (t) => {
  for (const kind of KINDS) {
    t.match(doc, `### ${kind.name}`, `kind ${kind.name}`);
    for (const column of kind.columns) {
      t.match(doc, `\`${column.key}\``, `${kind.name}: ${column.key}`);
      for (const alias of column.aliases.filter((a) => /[\u4e00-\u9fff]/.test(a))) t.match(doc, alias, `${kind.name}: ${column.key} as ${alias}`);
    }
  }
});

t.test('every purpose and its Chinese names are documented', async (t) => {
  for (const [code, names] of Object.entries(PURPOSES)) {
    t.match(doc, `\`${code}\``);
    for (const name of names) t.match(doc, name);
  }
});
