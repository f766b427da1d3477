// Reading one cell of a ledger: headers and enum words compared loosely (full-width brackets, case, spaces),
// dates in the ways Chinese spreadsheets write them, recording times in China Standard Time unless they
// say otherwise, and amounts through the string parser in money.ts.
import { isRealDate, levelOfCode } from '../../domain/values.js';
import { fenText, yuanToFen } from './money.js';

export type CellResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** A cell a reader could not turn into text (an Excel error, a number too long to be exact) starts with this. */
export const UNREADABLE = '\u0000';

/** Compares headers and enum words: NFKC folds （）and full-width letters, then case, spaces and _-. go. */
export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s_\-.·:：'"“”]/g, '');
}

const ok = <T>(value: T): CellResult<T> => ({ ok: true, value });
const bad = (code: string, message: string): CellResult<never> => ({ ok: false, code, message });

const DATE_FORMS = [
  /^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})$/,
  /^(?<y>\d{4})\/(?<m>\d{1,2})\/(?<d>\d{1,2})$/,
  /^(?<y>\d{4})\.(?<m>\d{1,2})\.(?<d>\d{1,2})$/,
  /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$/,
  /^(?<y>\d{4})年(?<m>\d{1,2})月(?<d>\d{1,2})日?$/,
];

/** 2020-06-01, 2020/6/1, 2020.6.1, 20200601, 2020年6月1日 (and a midnight time after it) → 2020-06-01. */
export function parseDate(raw: string): CellResult<string> {
  const text = raw.trim().replace(/[ T]00:00(:00(\.0+)?)?$/, '');
  for (const form of DATE_FORMS) {
    const g = form.exec(text)?.groups;
    if (!g) continue;
    const date = `${g.y}-${g.m!.padStart(2, '0')}-${g.d!.padStart(2, '0')}`;
    return isRealDate(date) ? ok(date) : bad('invalid_date', `${text} is not a day of the calendar`);
  }
  return bad('invalid_date', `${text} is not a date (write 2020-06-01, 2020/6/1 or 2020年6月1日)`);
}

const TIME = /^(?<date>.+?)(?:[ T](?<h>\d{1,2}):(?<min>\d{2})(?::(?<s>\d{2})(?:\.(?<ms>\d{1,3}))?)?)?\s*(?<zone>Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A recording time: a date, optionally a time, optionally an offset. Without an offset the time is read as
 * China Standard Time (UTC+8), what a bureau's clock shows. Returns an ISO instant in UTC.
 */
export function parseDateTime(raw: string): CellResult<string> {
  const g = TIME.exec(raw.trim())?.groups;
  if (!g) return bad('invalid_datetime', `${raw.trim()} is not a date and time (write 2020-06-01 09:30 or 2020-06-01T09:30:00+08:00)`);
  const date = parseDate(g.date!);
  if (!date.ok) return bad('invalid_datetime', `${raw.trim()}: ${date.message}`);
  const [h, min, s] = [Number(g.h ?? 0), Number(g.min ?? 0), Number(g.s ?? 0)];
  if (h > 23 || min > 59 || s > 59) return bad('invalid_datetime', `${raw.trim()} is not a time of day`);
  const zone = g.zone === undefined ? '+08:00' : g.zone === 'Z' ? 'Z' : `${g.zone.slice(0, 3)}:${g.zone.slice(-2)}`;
  const local = `${date.value}T${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}:${String(s).padStart(2, '0')}.${(g.ms ?? '0').padEnd(3, '0')}${zone}`;
  const ms = Date.parse(local);
  if (Number.isNaN(ms)) return bad('invalid_datetime', `${raw.trim()} is not a date and time`);
  return ok(new Date(ms).toISOString());
}

export function parseYuan(raw: string): CellResult<number> {
  const result = yuanToFen(raw);
  return result.ok ? ok(result.fen) : bad(result.code, result.message);
}

export function parseFen(raw: string): CellResult<number> {
  const result = fenText(raw);
  return result.ok ? ok(result.fen) : bad(result.code, result.message);
}

export function parseYear(raw: string): CellResult<number> {
  const text = raw.trim().replace(/年(度)?$/, '');
  return /^\d{4}$/.test(text) ? ok(Number(text)) : bad('invalid_value', `${raw.trim()} is not a year (2020)`);
}

/** An account id as the domain writes it, or a bare 12-digit township or village code for its account. */
export function parseAccount(raw: string): CellResult<string> {
  const text = raw.trim();
  if (!/^\d{12}$/.test(text)) return ok(text);
  const level = levelOfCode(text);
  if (level === 'county') return bad('invalid_value', `${text} is a county: name its pool account (pool:${text}:{source}:{year})`);
  return ok(`${level}:${text}`);
}

/** Matches a cell against an enum's values and their Chinese names. */
export function enumParser(values: Record<string, readonly string[]>): (raw: string) => CellResult<string> {
  const lookup = new Map<string, string>();
  for (const [value, names] of Object.entries(values)) for (const name of [value, ...names]) lookup.set(fold(name), value);
  const listed = Object.entries(values).map(([value, names]) => (names.length ? `${value} (${names.join('/')})` : value)).join(', ');
  return (raw) => {
    const value = lookup.get(fold(raw));
    return value ? ok(value) : bad('invalid_value', `${raw.trim()} is not one of ${listed}`);
  };
}

export const PURPOSES: Record<string, readonly string[]> = {
  industry_development: ['产业发展', '产业扶贫'],
  infrastructure: ['基础设施', '基础设施建设'],
  household_benefit: ['到户补助', '到户补贴', '到户资金'],
  education_aid: ['教育资助', '教育扶贫', '雨露计划'],
  housing_renovation: ['危房改造', '危改'],
  medical_aid: ['医疗救助', '健康扶贫'],
  public_welfare_jobs: ['公益性岗位', '公益岗位'],
  relocation: ['易地扶贫搬迁', '易地搬迁'],
  training: ['培训', '技能培训'],
  interest_subsidy: ['贴息'],
  risk_compensation: ['风险补偿', '风险补偿金'],
  project_construction: ['项目建设'],
  administration: ['管理费', '项目管理费'],
  staff_costs: ['人员经费'],
  bonuses_allowances: ['奖金津贴', '津补贴'],
  loss_coverage: ['弥补亏损'],
  budget_gap: ['弥补预算缺口', '平衡预算'],
  buildings_vehicles: ['楼堂馆所', '购置车辆'],
  debt_repayment: ['偿还债务'],
};

export const PAYEE_KINDS: Record<string, readonly string[]> = {
  household: ['农户', '户', '家庭'],
  person: ['个人', '人员', '成员'],
  contractor: ['承包商', '施工单位', '施工方'],
  cooperative: ['合作社', '专业合作社'],
  bank: ['银行'],
};

export const PARTIES: Record<string, readonly string[]> = {
  government: ['政府', '财政'],
  bank: ['银行'],
  donor: ['捐赠方', '社会捐赠'],
};
