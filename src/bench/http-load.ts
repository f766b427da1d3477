// The HTTP benchmark's machinery: servers started as child processes on loopback, and autocannon (a
// development dependency, imported only when the HTTP bench runs) driving them from this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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
  /**
   * CPU time the server process (all its threads) spent per response, from /proc (Linux; absent elsewhere).
   * Steadier than requests/s on a shared machine: what others run slows the server down but does not add to it.
   */
  serverCpuMicrosPerRequest?: number;
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
  /** The server's process id, to read its CPU time. */
  serverPid?: number;
}

/** User plus system CPU time of a process in microseconds, or undefined where /proc is not there. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), utime and stime, counted from the state field (3).
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ, 100 on every Linux port Node runs on. */
const CLOCK_TICKS = 100;

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
  const cpuBefore = o.serverPid ? processCpuMicros(o.serverPid) : undefined;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon({ url: o.url, connections: o.connections, pipelining: 1, duration: o.seconds, requests: [request] }, (error, res) => (error ? reject(error) : resolve(res)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
  const cpuAfter = o.serverPid ? processCpuMicros(o.serverPid) : undefined;
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
    ...(cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0 ? { serverCpuMicrosPerRequest: Math.round((cpuAfter - cpuBefore) / result.requests.total) } : {}),
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

/** A free port on 127.0.0.1 (the operating system's pick, released again for the child to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server as a child process with its output going to `logPath` (a file, so that its request logs
 * cost this process nothing). With `url`, waits until `url/health` answers; without, until the child prints
 * `"address":"http://…"`.
 */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv, logPath: string, url?: string, timeoutMs = 60_000): Promise<ChildServer> {
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | null | undefined;
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exited = code))));
  const stop = (): Promise<number | null> => {
    if (exited === undefined) child.kill('SIGTERM');
    return done;
  };
  const started = Date.now();
  for (;;) {
    const found = url ? ((await answers(`${url}/health`)) ? url : undefined) : /"address":"(http:\/\/[^"]+)"/.exec(readFileSync(logPath, 'utf8'))?.[1];
    if (found) {
      assertLoopback(found);
      return { url: found, child, stop };
    }
    if (exited !== undefined || Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`server did not start (${args.join(' ')}): ${readFileSync(logPath, 'utf8').slice(-1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}
