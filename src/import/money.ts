// Yuan as written in a ledger → integer fen, by reading the digits as text. A float never touches the amount:
// 0.29 yuan as a double is 0.28999…, and ×100 would round the wrong way.

export type AmountCode = 'amount_missing' | 'amount_malformed' | 'amount_too_many_decimals' | 'amount_not_positive' | 'amount_too_large';

export type AmountResult = { ok: true; fen: number } | { ok: false; code: AmountCode; message: string };

const MAX_FEN = BigInt(Number.MAX_SAFE_INTEGER);
/** Plain digits, or digits grouped by commas in threes (1,234,567), then at most the fraction. */
const YUAN = /^(?<int>0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)(?:\.(?<frac>\d+))?$/;
const FEN = /^(?:0|[1-9]\d*)$/;
/** Spaces a spreadsheet leaves around a number, the ideographic space included. */
const EDGE_SPACE = /^[\s\u3000]+|[\s\u3000]+$/g;

const fail = (code: AmountCode, message: string): AmountResult => ({ ok: false, code, message });

/**
 * Parses an amount in yuan: "1234", "1234.5", "1234.56", "1,234.56" (commas only in groups of three), an
 * optional leading ¥ or ￥. Refused: empty, signs, exponents, more than two decimals, leading zeros ("012"),
 * zero, and anything above Number.MAX_SAFE_INTEGER fen.
 */
export function yuanToFen(input: string): AmountResult {
  const text = input.replace(EDGE_SPACE, '').replace(/^[¥￥]\s*/, '');
  if (text === '') return fail('amount_missing', 'no amount given');
  if (text.length > 40) return fail('amount_too_large', `${text.length} characters is not an amount`);
  if (/^[-−－]/.test(text)) return fail('amount_not_positive', `${text}: amounts are positive; a correction is a reversal, not a negative line`);
  const match = YUAN.exec(text);
  if (!match) return fail('amount_malformed', `${text} is not an amount in yuan (digits, optionally 1,234.56 grouping and up to two decimals)`);
  const frac = match.groups!.frac ?? '';
  if (frac.length > 2) return fail('amount_too_many_decimals', `${text} has ${frac.length} decimals; yuan amounts have at most two (fen)`);
  const digits = match.groups!.int!.replaceAll(',', '');
  if (digits.length > 16) return fail('amount_too_large', `${text} yuan is beyond what fundtrail records (at most ${formatFen(Number.MAX_SAFE_INTEGER)} yuan)`);
  const fen = BigInt(digits) * 100n + BigInt(frac.padEnd(2, '0'));
  if (fen === 0n) return fail('amount_not_positive', `${text}: amounts must be more than zero`);
  if (fen > MAX_FEN) return fail('amount_too_large', `${text} yuan is beyond what fundtrail records (at most ${formatFen(Number.MAX_SAFE_INTEGER)} yuan)`);
  return { ok: true, fen: Number(fen) };
}

/** Parses a whole number of fen ("12345"), for a 金额(分) column. */
export function fenText(input: string): AmountResult {
  const text = input.replace(EDGE_SPACE, '');
  if (text === '') return fail('amount_missing', 'no amount given');
  if (/^[-−－]/.test(text)) return fail('amount_not_positive', `${text}: amounts are positive`);
  if (!FEN.test(text)) return fail('amount_malformed', `${text} is not a whole number of fen`);
  if (text.length > 16 || BigInt(text) > MAX_FEN) return fail('amount_too_large', `${text} fen is beyond Number.MAX_SAFE_INTEGER`);
  if (text === '0') return fail('amount_not_positive', 'amounts must be more than zero');
  return { ok: true, fen: Number(text) };
}

/** 123456 → "1234.56": fen back to yuan text, exactly. */
export function formatFen(fen: number | bigint): string {
  const value = BigInt(fen);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
