// MemoryViews and Memo: the shortcuts that make a rebuild fast never change which view a fold finds, nor
// what the runner saves.
import t from 'tap';
import { MemoryViews, Memo, type Views } from '../../projections/types.js';

interface Counter {
  n: number;
}
const key = (id: string): string => `counter:${id}`;

t.test('putting back a view updated in place keeps it, and a replacement replaces it', async (t) => {
  const views = new MemoryViews<Counter>();
  const a = { n: 1 };
  views.put('k', a);
  a.n = 2;
  views.put('k', a);
  const b = { n: 3 };
  views.put('k', b);
  t.equal(views.get('k'), b, 'the new object is stored');
  views.put('k', a);
  t.equal(views.get('k'), a, 'the first object, put again after being replaced, is stored again');
  views.put('k', { ...a, n: 4 });
  t.same(views.get('k'), { n: 4 }, 'a spread copy of the stored view is stored, not mistaken for it');
  t.same(JSON.stringify(views.get('k')), '{"n":4}', 'marks are not saved');
});

t.test('a view changed after a flush is marked changed again', async (t) => {
  const views = new MemoryViews<Counter>();
  const a = { n: 1 };
  views.put('k', a);
  t.same([...views.dirty], ['k']);
  views.clearDirty();
  views.put('k', a);
  t.same([...views.dirty], ['k'], 'tracked again in the next epoch');
  const untracked = new MemoryViews<Counter>(false);
  untracked.put('k', a);
  t.equal(untracked.get('k'), a, 'an object can be put in other views too');
  t.same([...untracked.dirty], []);
});

t.test('a memo finds the stored view, follows a replacement and starts views it did not find', async (t) => {
  const memo = new Memo<Counter>(key);
  const views = new MemoryViews<Counter>();
  const found = memo.find(views, 'x');
  t.equal(found.key, 'counter:x');
  t.equal(found.view, undefined, 'nothing stored yet');
  const a = (found.view = { n: 1 });
  views.put(found.key, a);
  t.equal(memo.find(views, 'x').view, a);
  const b = { n: 2 };
  views.put('counter:x', b);
  t.equal(memo.find(views, 'x').view, b, 'a replaced view is looked up again');
  const other = new MemoryViews<Counter>();
  t.equal(memo.find(other, 'x').view, undefined, 'other views have their own answers');
  const loaded = new MemoryViews<Counter>();
  loaded.map.set('counter:x', { n: 7 });
  t.same(memo.find(loaded, 'x').view, { n: 7 }, 'a view loaded from disk (never put) is found');
});

t.test('a memo works over any Views, looking every key up when it cannot check its marks', async (t) => {
  const memo = new Memo<Counter>(key);
  const map = new Map<string, Counter>();
  const plain: Views<Counter> = { get: (k) => map.get(k), put: (k, v) => void map.set(k, v) };
  const a = { n: 1 };
  plain.put('counter:y', a);
  t.equal(memo.find(plain as Views<unknown>, 'y').view, a);
  const b = { n: 2 };
  plain.put('counter:y', b);
  t.equal(memo.find(plain as Views<unknown>, 'y').view, b);
});
