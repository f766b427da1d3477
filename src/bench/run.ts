// `fundtrail bench`: runs each workload on fundtrail and on the plain baseline, alternating, for several
// rounds; reports medians, ratios against the targets, and one final JSON line with every figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress, type Progress } from '../cli/progress.js';
import { runBaseline, runOurs, WORKLOADS, type Rates, type Workload } from './store-bench.js';

export interface BenchOptions {
  events: number;
  streams: number;
  rounds: number;
  sync: 'normal' | 'full';
  dir?: string;
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
  pass: boolean;
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  if (o.events % (o.streams * 10) !== 0 || o.streams % 10 !== 0) throw new Error('events must be a multiple of 10 × streams, and streams of 10');
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'fundtrail-bench-'));
  const ours: Rates[] = [];
  const base: Rates[] = [];
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
  } finally {
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  }
  const fundtrail = medianRates(ours);
  const baseline = medianRates(base);
  const ratio = mapRates((w) => round2(fundtrail[w] / baseline[w]));
  const pass = (Object.keys(TARGETS) as Workload[]).every((w) => ratio[w] >= TARGETS[w]);
  printTable(o, fundtrail, baseline, ratio);
  const report: BenchReport = { bench: 'store', events: o.events, streams: o.streams, rounds: o.rounds, sync: o.sync, fundtrail, baseline, ratio, target: TARGETS, pass };
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

function medianRates(list: Rates[]): Rates {
  return mapRates((w) => {
    const sorted = list.map((r) => r[w]).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return Math.round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
  });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const round2 = (n: number): number => Math.round(n * 100) / 100;
