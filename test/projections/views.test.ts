// MemoryViews and Memo: the shortcuts that make a rebuild fast never change which view a fold finds, nor
// what the runner saves.
import fc from 'fast-check';
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

t.test('a memo works over any Views, looking every key up when it cannot count their replacements', async (t) => {
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

t.test('a view set on a memo entry but never put is not taken for the stored one', async (t) => {
  const memo = new Memo<Counter>(key);
  const views = new MemoryViews<Counter>(false);
  const stored = { n: 1 };
  views.put('counter:z', stored);
  const found = memo.find(views, 'z');
  t.equal(found.view, stored);
  found.view = { n: 99 };
  t.equal(memo.find(views, 'z').view, stored, 'the stored view, not the one the fold left on the entry');
  const none = memo.find(views, 'w');
  none.view = { n: 5 };
  t.equal(memo.find(views, 'w').view, undefined, 'nothing was stored under counter:w');
});

t.test('whatever puts, replacements and stray assignments happen, a memo answers what get() answers', async (t) => {
  const ids = ['a', 'b', 'c'];
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put-new' as const), id: fc.constantFrom(...ids), n: fc.integer() }),
    fc.record({ kind: fc.constant('put-found' as const), id: fc.constantFrom(...ids) }),
    fc.record({ kind: fc.constant('move' as const), from: fc.constantFrom(...ids), to: fc.constantFrom(...ids) }),
    fc.record({ kind: fc.constant('stray' as const), id: fc.constantFrom(...ids), n: fc.integer() }),
    fc.record({ kind: fc.constant('in-place' as const), id: fc.constantFrom(...ids) }),
    fc.record({ kind: fc.constant('flush' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const memo = new Memo<Counter>(key);
      const views = new MemoryViews<Counter>();
      for (const o of ops) {
        if (o.kind === 'put-new') views.put(key(o.id), { n: o.n });
        else if (o.kind === 'put-found') {
          const found = memo.find(views, o.id);
          found.view ??= { n: 0 };
          views.put(found.key, found.view);
        } else if (o.kind === 'move') {
          // The same object under a second key, as a fold that files one record twice would.
          const moved = views.get(key(o.from));
          if (moved) views.put(key(o.to), moved);
        } else if (o.kind === 'stray') memo.find(views, o.id).view = { n: o.n };
        else if (o.kind === 'in-place') {
          const found = memo.find(views, o.id);
          if (found.view) found.view.n += 1;
        } else views.clearDirty();
        for (const id of ids) if (memo.find(views, id).view !== views.get(key(id))) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass('500 random sequences, every answer checked after every step');
});
