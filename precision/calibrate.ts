// Activation calibration: run the float graph in the reference interpreter on every sample and
// feed each wanted tensor's values to its observer.
import { Graph } from '../core/ir/graph';
import { runGraph } from '../ops/engine/interpreter';
import { startProgress } from '../core/progress';
import { Sample } from './calib-data';
import { ObserverMethod, Observer, makeObserver } from './observers';

export type Ranges = Record<string, readonly [number, number]>;

export interface CalibrateOptions {
  readonly method?: ObserverMethod;
  readonly percentile?: number;
  /** Tensors to observe (default: every float activation). */
  readonly tensors?: readonly string[];
  readonly progress?: boolean;
}

export function calibrate(g: Graph, samples: readonly Sample[], opts: CalibrateOptions = {}): Ranges {
  const want = opts.tensors ?? Object.values(g.tensors).filter((t) => t.dtype === 'float32' && !(t.name in g.initializers)).map((t) => t.name);
  const obs = new Map<string, Observer>(want.map((n) => [n, makeObserver(opts.method, opts.percentile)]));
  const bar = opts.progress === false ? undefined : startProgress('calibrating', samples.length);
  try {
    for (const s of samples) {
      const values = runGraph(g, s, { keep: 'all' });
      for (const [name, o] of obs) {
        const v = values[name] ?? s[name];
        if (v) o.observe(v.data as Float32Array);
      }
      bar?.tick();
    }
  } finally {
    bar?.stop();
  }
  const out: Record<string, readonly [number, number]> = {};
  for (const [name, o] of obs) out[name] = o.range();
  return out;
}
