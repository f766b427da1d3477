// The HTTP benchmark's machinery: servers started as child processes on loopback, and autocannon (a
// development dependency, imported only when the HTTP bench runs) driving them from this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options, Request, Result } from 'autocannon';

type Autocannon = (options: Options, callback: (error: unknown, result: Result) => void) => NodeJS.EventEmitter;

/** What one load phase measured. Latency comes from every response's own timing, not autocannon's whole-ms histogram. */
export interface LoadFigures {
  requestsPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Responses received. */
  responses: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Called for each request, for a body and headers of its own (a fresh Idempotency-Key). */
  next?: () => { body: string; headers: Record<string, string>; id: string };
  /** Called with the id `next` gave and the status of its answer. */
  answered?: (id: string, status: number, body: string) => void;
}

let cached: Autocannon | undefined;

async function loadAutocannon(): Promise<Autocannon> {
  if (cached) return cached;
  try {
    const module = (await import('autocannon')) as unknown as { default: Autocannon };
    cached = module.default;
    return cached;
  } catch (error) {
    throw new Error(`the HTTP benchmark needs autocannon, a development dependency (npm install without --omit=dev), or run with --no-http: ${(error as Error).message}`);
  }
}

/** Only loopback may be load-tested: a typo must never aim this at somebody's server. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (!/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(host)) throw new Error(`refusing to load-test ${url}: only loopback addresses`);
}

/** One autocannon run: `connections` connections, one request in flight on each, for `seconds`. */
export async function runLoad(o: LoadOptions): Promise<LoadFigures> {
  assertLoopback(o.url);
  const autocannon = await loadAutocannon();
  const request: Request = { method: o.method, headers: o.headers };
  const { next, answered } = o;
  if (next) {
    request.setupRequest = (req, context) => {
      const made = next();
      (context as { id?: string }).id = made.id;
      return { ...req, headers: { ...o.headers, ...made.headers }, body: made.body };
    };
  }
  // The context is per connection; with one request in flight per connection it names the one answered.
  if (answered) request.onResponse = (status, body, context) => answered((context as { id: string }).id, status, body);
  const latencies: number[] = [];
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon({ url: o.url, connections: o.connections, pipelining: 1, duration: o.seconds, requests: [request] }, (error, res) => (error ? reject(error) : resolve(res)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => round2(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]));
  return {
    requestsPerSec: Math.round(result.requests.average),
    latencyMs: { p50: at(0.5), p99: at(0.99), max: round2(latencies[latencies.length - 1] ?? 0) },
    responses: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The folder holding bin/fundtrail.js, found upwards from this file (it runs from dist/ or, in tests, from src/). */
export function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'fundtrail.js')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find bin/fundtrail.js above the benchmark');
  }
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then the exit code once it has shut down. */
  stop(): Promise<number | null>;
}

/**
 * Starts a server as a child process with its output going to `logPath` (a file, so that its request logs
 * cost this process nothing), and resolves with the address it prints once listening.
 */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv, logPath: string, timeoutMs = 60_000): Promise<ChildServer> {
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null | undefined;
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exited = code))));
  const started = Date.now();
  for (;;) {
    const match = /"address":"(http:\/\/[^"]+)"/.exec(readFileSync(logPath, 'utf8'));
    if (match) {
      const url = match[1]!;
      assertLoopback(url);
      const stop = (): Promise<number | null> => {
        if (exited === undefined) child.kill('SIGTERM');
        return done;
      };
      return { url, child, stop };
    }
    if (exited !== undefined || Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`server did not start (${args.join(' ')}): ${readFileSync(logPath, 'utf8').slice(-1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
