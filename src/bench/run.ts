// `fundtrail bench`: runs each workload on fundtrail and on the plain baseline, alternating, for several
// rounds; reports medians, ratios against the targets, and one final JSON line with every figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress, type Progress } from '../cli/progress.js';
import { runDomainBench } from './domain-bench.js';
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
  const pass = (Object.keys(TARGETS) as Workload[]).every((w) => ratio[w] >= TARGETS[w]) && domain.ratio >= DOMAIN_TARGET && rebuildPass;
  printTable(o, fundtrail, baseline, ratio);
  o.out(
    `${`payments via execute(), village with ${history} events`.padEnd(52)} ${fmt(paymentsPerSec).padStart(15)} ${`(W1 ${fmt(fundtrail.W1)})`.padStart(15)} ${domain.ratio.toFixed(2).padStart(7)}  >=${DOMAIN_TARGET} ${domain.ratio >= DOMAIN_TARGET ? 'ok' : 'BELOW'}`,
  );
  if (rebuild) {
    o.out(
      `rebuild of all projections over ${rebuild.events} events: ${fmt(rebuild.rebuildPerSec)} events/s (read and parse alone ${fmt(rebuild.readParsePerSec)}, ${rebuild.ratio.toFixed(2)}), peak RSS ${rebuild.peakRssMiB} MiB, balance read p99 ${rebuild.balanceReadMicros.p99} µs; target >=${fmt(REBUILD_TARGET.perSec)} events/s ${rebuildPass ? 'ok' : 'BELOW'}`,
    );
  }
  const report: BenchReport = { bench: 'store', events: o.events, streams: o.streams, rounds: o.rounds, sync: o.sync, fundtrail, baseline, ratio, target: TARGETS, domain, ...(rebuild ? { rebuild } : {}), pass };
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
