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

const msOf = (id: string): number => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

t.test('the first 48 bits are the millisecond timestamp', async (t) => {
  // Ahead of every id made so far in this process, so the monotonic guard does not hold it back.
  const at = Date.now() + 86_400_000;
  t.equal(msOf(uuidv7(at)), at);
});

t.test('a clock that steps back does not break the order', async (t) => {
  const ahead = Date.now() + 2 * 86_400_000;
  const first = uuidv7(ahead);
  const second = uuidv7(ahead - 5_000);
  t.ok(second > first, 'the later id still sorts after the earlier one');
  t.equal(msOf(second), ahead, 'it keeps the last timestamp and counts up the sequence');
});
