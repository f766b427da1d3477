// Yuan → fen by string parsing: exact at every size a fen count can have, and strict about what it accepts.
import fc from 'fast-check';
import t from 'tap';
import { fenText, formatFen, yuanToFen } from '../../src/import/money.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** An independent reading with BigInt only, for text already known to be well formed. */
function referenceFen(text: string): bigint {
  const [int = '', frac = ''] = text.trim().replace(/^[¥￥]/, '').replaceAll(',', '').split('.');
  return BigInt(int) * 100n + BigInt(frac.padEnd(2, '0'));
}

/** Formats fen as yuan the ways ledgers write it: 2, 1 or no decimals when the value allows, grouped or not. */
function asYuan(fen: bigint, decimals: 0 | 1 | 2, grouped: boolean): string {
  const int = (fen / 100n).toString();
  const cents = (fen % 100n).toString().padStart(2, '0');
  const body = grouped ? int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : int;
  if (decimals === 2 || cents[1] !== '0') return `${body}.${cents}`;
  if (decimals === 1 || cents !== '00') return `${body}.${cents[0]}`;
  return body;
}

t.test('the amounts a float gets wrong are exact', async (t) => {
  const cases: [string, number][] = [
    ['0.29', 29],
    ['1.13', 113],
    ['4.35', 435],
    ['1.00', 100],
    ['8.7', 870],
    ['1,234.56', 123_456],
    ['¥1,234,567.8', 123_456_780],
    ['￥ 12', 1200],
    ['  350.00\u3000', 35_000],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ];
  for (const [text, fen] of cases) t.same(yuanToFen(text), { ok: true, fen }, text);
  t.not(Math.floor(0.29 * 100), 29, 'the float path really is wrong for 0.29');
});

t.test('every refused form is refused with the code that says why', async (t) => {
  const cases: [string, string][] = [
    ['', 'amount_missing'],
    ['   ', 'amount_missing'],
    ['-', 'amount_not_positive'],
    ['-12.00', 'amount_not_positive'],
    ['－5', 'amount_not_positive'],
    ['0', 'amount_not_positive'],
    ['0.00', 'amount_not_positive'],
    ['1e3', 'amount_malformed'],
    ['1E3', 'amount_malformed'],
    ['+12', 'amount_malformed'],
    ['12.', 'amount_malformed'],
    ['.5', 'amount_malformed'],
    ['012', 'amount_malformed'],
    ['1,23', 'amount_malformed'],
    ['12,345,67', 'amount_malformed'],
    ['1 234', 'amount_malformed'],
    ['１２３', 'amount_malformed'],
    ['12.5元', 'amount_malformed'],
    ['NaN', 'amount_malformed'],
    ['Infinity', 'amount_malformed'],
    ['0x10', 'amount_malformed'],
    ['1.234', 'amount_too_many_decimals'],
    ['1.230', 'amount_too_many_decimals'],
    ['90071992547409.92', 'amount_too_large'],
    ['99999999999999999', 'amount_too_large'],
    ['9'.repeat(400), 'amount_too_large'],
  ];
  for (const [text, code] of cases) {
    const result = yuanToFen(text);
    t.equal(result.ok ? 'accepted' : result.code, code, JSON.stringify(text));
  }
});

t.test('property: any fen count written as yuan reads back as the same fen count', async () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: MAX }), fc.constantFrom(0 as const, 1 as const, 2 as const), fc.boolean(), (fen, decimals, grouped) => {
      const text = asYuan(fen, decimals, grouped);
      const result = yuanToFen(text);
      return result.ok && BigInt(result.fen) === fen;
    }),
    { numRuns: 5000 },
  );
});

t.test('property: on arbitrary text the parser either refuses or agrees with BigInt arithmetic', async () => {
  const char = fc.constantFrom(...'0123456789.,-e ¥'.split(''));
  fc.assert(
    fc.property(fc.array(char, { maxLength: 24 }).map((chars) => chars.join('')), (text) => {
      const result = yuanToFen(text);
      if (!result.ok) return true;
      const reference = referenceFen(text);
      return reference >= 1n && reference <= MAX && BigInt(result.fen) === reference && Number.isSafeInteger(result.fen);
    }),
    { numRuns: 20_000 },
  );
});

t.test('property: formatFen and yuanToFen are inverse', async () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: MAX }), (fen) => {
      const result = yuanToFen(formatFen(fen));
      return result.ok && BigInt(result.fen) === fen;
    }),
    { numRuns: 5000 },
  );
});

t.test('a fen column takes whole numbers only', async (t) => {
  t.same(fenText('12345'), { ok: true, fen: 12_345 });
  for (const [text, code] of [['12.5', 'amount_malformed'], ['0', 'amount_not_positive'], ['-1', 'amount_not_positive'], ['', 'amount_missing'], ['9007199254740992', 'amount_too_large'], ['1e5', 'amount_malformed']] as const) {
    const result = fenText(text);
    t.equal(result.ok ? 'accepted' : result.code, code, text);
  }
});
