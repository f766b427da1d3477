// Runs the built `fundtrail` command as a user would, in a child process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/fundtrail.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(FUNDTRAIL_|PORT$|HOST$|LOG_LEVEL$|EVENTSTORE_)/.test(key)));
  return spawn(process.execPath, [BIN, ...args], { env: { ...clean, ...env } as NodeJS.ProcessEnv });
}

/** Resolves with the first stdout line that satisfies `match`, parsed as JSON. */
export function waitForLogLine(child: ChildProcessWithoutNullStreams, match: (entry: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms: ${buffer.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      for (const line of lines.slice(0, -1)) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (match(entry)) {
            clearTimeout(timer);
            child.stdout.off('data', onData);
            return resolve(entry);
          }
        } catch {
          // Not a log line.
        }
      }
    };
    child.stdout.on('data', onData);
    child.on('close', () => reject(new Error(`process exited before the expected log line: ${buffer.slice(-500)}`)));
  });
}
