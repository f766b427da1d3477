// Progress for long work: a bar with a rate on a terminal, plain lines (at most one every two seconds) otherwise.
import cliProgress from 'cli-progress';

export interface Progress {
  tick(by?: number): void;
  stop(): void;
}

export function progress(label: string, total: number, unit = 'events', stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(28)} [{bar}] {percentage}% {value}/{total} ${unit} | {rate} ${unit}/s | eta {eta_formatted}`,
        stream,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    let done = 0;
    bar.start(total, 0, { rate: '0' });
    return {
      tick(by = 1) {
        done += by;
        bar.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000 || 1e-9)).toLocaleString('en-US') });
      },
      stop() {
        bar.stop();
      },
    };
  }
  return plainProgress(label, total, unit, stream);
}

function plainProgress(label: string, total: number, unit: string, stream: NodeJS.WriteStream): Progress {
  const started = performance.now();
  let done = 0;
  let lastPrint = started;
  const line = (): void => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    stream.write(`${label}: ${done}/${total} ${unit} (${total > 0 ? Math.floor((done / total) * 100) : 100}%), ${rate} ${unit}/s\n`);
  };
  return {
    tick(by = 1) {
      done += by;
      const now = performance.now();
      if (now - lastPrint >= 2000) {
        lastPrint = now;
        line();
      }
    },
    stop() {
      line();
    },
  };
}

/** No output at all, for tests and --quiet. */
export const silentProgress: Progress = { tick() {}, stop() {} };
