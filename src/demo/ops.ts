// What the generator posts: each operation is one command with its recording time (the context's `now`),
// its effective date and how it is executed (live, or as imported history). Operations are kept in
// buckets by the month they are recorded in and executed in recording order, as a county would post them.
import type { CommandBody } from '../../domain/commands.js';
import type { FindingCode } from '../../projections/findings/types.js';
import type { ExecuteResult } from '../domain/executor.js';

/** A planted case or near-miss of the answer key; its event ids are filled in as its commands run. */
export interface Case {
  list: 'cases' | 'nearMisses';
  code: FindingCode;
  note: string;
  /** For per-account, per-county rules: the account id or area code a finding names. */
  key?: string;
  eventIds: string[];
}

export interface Op {
  /** Recording time, ISO: the executor context's `now`. Operations run in this order. */
  rec: string;
  seq: number;
  date: string;
  body: CommandBody | (() => CommandBody);
  historical?: boolean;
  actor: string;
  role: string;
  /** Answer-key entries this command proves: they receive its events (all but AccountOpened). */
  cases?: Case[];
  onResult?: (result: ExecuteResult) => void;
}

export type NewOp = Omit<Op, 'seq'>;

export class Schedule {
  private readonly buckets = new Map<string, Op[]>();
  private seq = 0;
  readonly cases: Case[] = [];

  add(op: NewOp): Op {
    const full: Op = { ...op, seq: this.seq++ };
    const month = op.rec.slice(0, 7);
    const bucket = this.buckets.get(month);
    if (bucket) bucket.push(full);
    else this.buckets.set(month, [full]);
    return full;
  }

  /** A new case of the answer key; attach it to the operations that make it up. */
  mark(list: Case['list'], code: FindingCode, note: string, key?: string): Case {
    const c: Case = { list, code, note, ...(key ? { key } : {}), eventIds: [] };
    this.cases.push(c);
    return c;
  }

  /** Takes the operations recorded in a month (YYYY-MM) out of the schedule. */
  take(month: string): Op[] {
    const ops = this.buckets.get(month) ?? [];
    this.buckets.delete(month);
    return ops;
  }

  months(): string[] {
    return [...this.buckets.keys()].sort();
  }

  get size(): number {
    let n = 0;
    for (const ops of this.buckets.values()) n += ops.length;
    return n;
  }
}

export function byRecording(a: Op, b: Op): number {
  return a.rec < b.rec ? -1 : a.rec > b.rec ? 1 : a.seq - b.seq;
}

/** Voucher numbers (凭证号) and payment ids: one sequence per account and year; bank references across the county. */
export class Vouchers {
  private readonly seqs = new Map<string, number>();
  private bank = 0;

  private nextSeq(key: string): number {
    const n = (this.seqs.get(key) ?? 0) + 1;
    this.seqs.set(key, n);
    return n;
  }

  /** `记-2019-000123` on an account, with a payment id naming the account. */
  next(account: string, year: number, series = '记'): { voucherNo: string; paymentId: string } {
    const n = this.nextSeq(`${account}|${year}|${series}`);
    const tag = accountTag(account);
    const seq = String(n).padStart(6, '0');
    return { voucherNo: `${series}-${year}-${seq}`, paymentId: `pay-${tag}-${year}-${series === '记' ? '' : 'b'}${seq}` };
  }

  /** 一卡通 bank reference, unique across the county. */
  bankRef(date: string): string {
    this.bank += 1;
    return `YKT${date.replaceAll('-', '')}${String(this.bank).padStart(8, '0')}`;
  }
}

/** A short, readable tag for an account id, for payment and transfer ids. */
export function accountTag(account: string): string {
  const [kind, a = '', b = '', c = ''] = account.split(':');
  switch (kind) {
    case 'village':
      return `v${a}`;
    case 'township':
      return `t${a.slice(0, 9)}`;
    case 'pool':
      return `${a.slice(0, 6)}-${b}-${c}`;
    case 'subsidy':
      return `sub${a.slice(0, 6)}`;
    case 'riskfund':
      return `rf${a.slice(0, 6)}`;
    default:
      return a;
  }
}
