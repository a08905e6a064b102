// A progress bar (cli-progress) on an interactive terminal; silent otherwise (CI logs, pipes,
// tests), so output stays deterministic.
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return SILENT;
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} {eta_formatted}`,
    stream, clearOnComplete: true, hideCursor: true,
  }, Presets.shades_classic);
  bar.start(total, 0);
  let done = false;
  return {
    tick: (n = 1) => { if (!done) bar.increment(n); },
    stop: () => { if (!done) { done = true; bar.stop(); } },
  };
}
