// `fundtrail bench`: runs each workload on fundtrail and on the plain baseline, alternating, for several
// rounds; reports medians, ratios against the targets, and one final JSON line with every figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress, type Progress } from '../cli/progress.js';
import { runDomainBench } from './domain-bench.js';
import { HTTP_TARGET, runHttpBench, type HttpReport } from './http-bench.js';
import { runRebuildBench, type RebuildReport } from './rebuild-bench.js';
import { runBaseline, runOurs, WORKLOADS, type Rates, type Workload } from './store-bench.js';

export interface BenchOptions {
  events: number;
  streams: number;
  rounds: number;
  sync: 'normal' | 'full';
  dir?: string;
  /** Events of the synthetic county whose projection rebuild is measured; 0 skips it. */
  rebuildEvents?: number;
  /** The HTTP workloads against the real server on loopback; absent or false skips them. */
  http?: { seconds: number; connections: number } | false;
  /** Progress lines of phases that have no bar (the HTTP runs); stderr, silent with --quiet. */
  note?: (line: string) => void;
  progress: (label: string, total: number) => Progress;
  out: (line: string) => void;
}

/** The ratio each workload must reach against the baseline (issue: foundation, benchmark). */
export const TARGETS: Rates = { W1: 0.8, W2: 0.8, W3: 0.9, W4: 0.9 };

export interface BenchReport {
  bench: 'store';
  events: number;
  streams: number;
  rounds: number;
  sync: string;
  fundtrail: Rates;
  baseline: Rates;
  ratio: Rates;
  target: Rates;
  /** Payments through execute() against a village with 10k events, beside the store's own W1. */
  domain: { history: number; payments: number; paymentsPerSec: number; storeW1: number; ratio: number; target: number };
  /** Present when --rebuild-events was given: every projection rebuilt over a synthetic county. */
  rebuild?: RebuildReport & { target: { perSec: number; peakRssMiB: number; balanceReadP99Micros: number } };
  /** Present unless --no-http: reads and payments over HTTP against a plain fastify baseline. */
  http?: HttpReport;
  pass: boolean;
}

/** Full rebuild of all projections: at least 100k events/s, under 1 GiB, a balance read under 1 ms. */
export const REBUILD_TARGET = { perSec: 100_000, peakRssMiB: 1024, balanceReadP99Micros: 1000 };

/** Full-path payments must reach at least half the raw store's one-event append rate. */
export const DOMAIN_TARGET = 0.5;

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  if (o.events % (o.streams * 10) !== 0 || o.streams % 10 !== 0) throw new Error('events must be a multiple of 10 × streams, and streams of 10');
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'fundtrail-bench-'));
  const ours: Rates[] = [];
  const base: Rates[] = [];
  const payments: number[] = [];
  let rebuild: BenchReport['rebuild'];
  let http: HttpReport | undefined;
  const history = Math.min(10_000, o.events / 10);
  const paymentCount = Math.max(1000, Math.min(20_000, o.events / 5));
  try {
    // One small uncounted round first, so neither side is measured while its code is still being compiled.
    const warm = { ...o, dir, events: o.events / 10, streams: o.streams / 10, progress: () => silentProgress };
    runBaseline(warm, -1);
    await runOurs(warm, -1);
    for (let round = 0; round < o.rounds; round++) {
      o.out(`round ${round + 1}/${o.rounds}`);
      // Alternate which side goes first, so neither always runs on a warmer (or more tired) machine.
      if (round % 2 === 0) {
        base.push(runBaseline({ ...o, dir }, round));
        ours.push(await runOurs({ ...o, dir }, round));
      } else {
        ours.push(await runOurs({ ...o, dir }, round));
        base.push(runBaseline({ ...o, dir }, round));
      }
    }
    // After the store rounds, so that its heavier writes do not weigh on the next store round.
    for (let round = 0; round < o.rounds; round++) {
      payments.push(await runDomainBench({ dir, history, payments: paymentCount, sync: o.sync, progress: o.progress }, round));
    }
    if (o.http) http = await runHttpBench({ dir, ...o.http, sync: o.sync, note: o.note ?? (() => {}) });
    if (o.rebuildEvents) rebuild = { ...(await runRebuildBench(dir, o.rebuildEvents, o.progress)), target: REBUILD_TARGET };
  } finally {
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
  const fundtrail = medianRates(ours);
  const baseline = medianRates(base);
  // Each round's two sides run back to back, so their ratio cancels most of what the shared machine was
  // doing at the time; the median of those paired ratios is steadier than a ratio of two medians.
  const ratio = mapRates((w) => round2(median(ours.map((r, i) => r[w] / base[i]![w]))));
  const paymentsPerSec = Math.round(median(payments));
  const domain = { history, payments: paymentCount, paymentsPerSec, storeW1: fundtrail.W1, ratio: round2(paymentsPerSec / fundtrail.W1), target: DOMAIN_TARGET };
  const rebuildPass = !rebuild || (rebuild.rebuildPerSec >= REBUILD_TARGET.perSec && rebuild.peakRssMiB < REBUILD_TARGET.peakRssMiB && rebuild.balanceReadMicros.p99 < REBUILD_TARGET.balanceReadP99Micros);
  const pass = (Object.keys(TARGETS) as Workload[]).every((w) => ratio[w] >= TARGETS[w]) && domain.ratio >= DOMAIN_TARGET && rebuildPass && (!http || http.pass);
  printTable(o, fundtrail, baseline, ratio);
  o.out(
    `${`payments via execute(), village with ${history} events`.padEnd(52)} ${fmt(paymentsPerSec).padStart(15)} ${`(W1 ${fmt(fundtrail.W1)})`.padStart(15)} ${domain.ratio.toFixed(2).padStart(7)}  >=${DOMAIN_TARGET} ${domain.ratio >= DOMAIN_TARGET ? 'ok' : 'BELOW'}`,
  );
  if (rebuild) {
    o.out(
      `rebuild of all projections over ${rebuild.events} events: ${fmt(rebuild.rebuildPerSec)} events/s in ${rebuild.threads} thread${rebuild.threads === 1 ? '' : 's'} (read and parse alone, one thread, ${fmt(rebuild.readParsePerSec)}, ${rebuild.ratio.toFixed(2)}), peak RSS ${rebuild.peakRssMiB} MiB, balance read p99 ${rebuild.balanceReadMicros.p99} µs; target >=${fmt(REBUILD_TARGET.perSec)} events/s ${rebuildPass ? 'ok' : 'BELOW'}`,
    );
  }
  if (http) printHttp(o, http);
  const report: BenchReport = { bench: 'store', events: o.events, streams: o.streams, rounds: o.rounds, sync: o.sync, fundtrail, baseline, ratio, target: TARGETS, domain, ...(rebuild ? { rebuild } : {}), ...(http ? { http } : {}), pass };
  o.out(JSON.stringify(report));
  return report;
}

function printTable(o: BenchOptions, ours: Rates, base: Rates, ratio: Rates): void {
  o.out('');
  o.out(`workload                                              fundtrail ev/s   baseline ev/s   ratio  target`);
  for (const w of Object.keys(WORKLOADS) as Workload[]) {
    const verdict = ratio[w] >= TARGETS[w] ? 'ok' : 'BELOW';
    o.out(
      `${`${w} ${WORKLOADS[w]}`.padEnd(52)} ${fmt(ours[w]).padStart(15)} ${fmt(base[w]).padStart(15)} ${ratio[w].toFixed(2).padStart(7)}  >=${TARGETS[w]} ${verdict}`,
    );
  }
}

function printHttp(o: BenchOptions, h: HttpReport): void {
  const row = (label: string, ours: string, base: string, ratio: number, target: string, ok: boolean): string =>
    `${label.padEnd(52)} ${ours.padStart(15)} ${base.padStart(15)} ${ratio.toFixed(2).padStart(7)}  ${target} ${ok ? 'ok' : 'BELOW'}`;
  const r = h.reads;
  const p = h.payments;
  o.out('');
  o.out(`HTTP on 127.0.0.1, server in a child process, autocannon in this one: ${h.connections} connections, ${h.seconds} s each, server LOG_LEVEL=${h.logLevel}`);
  o.out(`${'workload'.padEnd(52)} ${'fundtrail'.padStart(15)} ${'baseline'.padStart(15)}   ratio  target`);
  const readsOk = r.fundtrail.requestsPerSec >= HTTP_TARGET.readsPerSec && r.fundtrail.latencyMs.p99 <= HTTP_TARGET.readP99Ms;
  o.out(row(`R GET ${r.path} req/s`, fmt(r.fundtrail.requestsPerSec), fmt(r.baseline.requestsPerSec), r.ratio, `>=${fmt(HTTP_TARGET.readsPerSec)} req/s, p99 <=${HTTP_TARGET.readP99Ms} ms`, readsOk));
  o.out(`${'  latency p50 / p99 ms'.padEnd(52)} ${`${r.fundtrail.latencyMs.p50} / ${r.fundtrail.latencyMs.p99}`.padStart(15)} ${`${r.baseline.latencyMs.p50} / ${r.baseline.latencyMs.p99}`.padStart(15)}`);
  o.out(row(`P POST ${p.path} req/s`, fmt(p.fundtrail.requestsPerSec), fmt(p.baseline.requestsPerSec), p.ratio, `>=${fmt(HTTP_TARGET.paymentsPerSec)} req/s`, p.fundtrail.requestsPerSec >= HTTP_TARGET.paymentsPerSec));
  o.out(`${'  latency p50 / p99 ms'.padEnd(52)} ${`${p.fundtrail.latencyMs.p50} / ${p.fundtrail.latencyMs.p99}`.padStart(15)} ${`${p.baseline.latencyMs.p50} / ${p.baseline.latencyMs.p99}`.padStart(15)}`);
  const cpu = (f: { serverCpuMicrosPerRequest?: number }): string => (f.serverCpuMicrosPerRequest === undefined ? '?' : String(f.serverCpuMicrosPerRequest));
  o.out(`${'  server CPU µs per request, R / P'.padEnd(52)} ${`${cpu(r.fundtrail)} / ${cpu(p.fundtrail)}`.padStart(15)} ${`${cpu(r.baseline)} / ${cpu(p.baseline)}`.padStart(15)}`);
  const failed = r.fundtrail.non2xx + r.fundtrail.errors + p.fundtrail.non2xx + p.fundtrail.errors;
  o.out(`  ${failed} non-2xx or failed requests; ${p.created} payments answered 201 and ${p.settledAfterStop} settled after a run's end, ${p.storedPayments} in the store: ${p.exactlyOnce ? 'each exactly once' : 'MISMATCH'}`);
}

function mapRates(f: (w: Workload) => number): Rates {
  return { W1: f('W1'), W2: f('W2'), W3: f('W3'), W4: f('W4') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianRates(list: Rates[]): Rates {
  return mapRates((w) => Math.round(median(list.map((r) => r[w]))));
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const round2 = (n: number): number => Math.round(n * 100) / 100;
