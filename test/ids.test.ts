import t from 'tap';
import { uuidv7 } from '../src/ids.js';
import { isUuid } from '../src/store/validate.js';

t.test('uuidv7 ids are well-formed, version 7, variant 10, and sort in creation order', async (t) => {
  const ids = Array.from({ length: 10_000 }, () => uuidv7());
  t.ok(ids.every(isUuid), 'every id is a lowercase UUID');
  t.ok(ids.every((id) => id[14] === '7'), 'version nibble is 7');
  t.ok(ids.every((id) => '89ab'.includes(id[19]!)), 'RFC 9562 variant');
  t.same([...ids].sort(), ids, 'lexical order is creation order, even within one millisecond');
  t.equal(new Set(ids).size, ids.length, 'no duplicates');
});

t.test('the first 48 bits are the millisecond timestamp', async (t) => {
  const at = Date.UTC(2026, 10, 26, 6, 0, 0);
  const id = uuidv7(at + 10_000_000);
  t.equal(parseInt(id.replaceAll('-', '').slice(0, 12), 16), at + 10_000_000);
});
