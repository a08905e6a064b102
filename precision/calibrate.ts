// Activation calibration: run the float graph in the reference interpreter on every sample and
// feed each wanted tensor's values to its observer. The observers stay available afterwards
// (ActivationStats) because the mse and entropy ranges depend on the width a tensor is given,
// which the quantizer decides later.
import { Graph } from '../core/ir/graph';
import { runGraph } from '../ops/engine/interpreter';
import { startProgress } from '../core/progress';
import { Sample } from './calib-data';
import { ObserverMethod, Observer, makeObserver } from './observers';

export type Ranges = Record<string, readonly [number, number]>;
/** Tensor → its observer after calibration. */
export type ActivationStats = ReadonlyMap<string, Observer>;

export interface CalibrateOptions {
  readonly method?: ObserverMethod;
  readonly percentile?: number;
  /** Tensors to observe (default: every float activation). */
  readonly tensors?: readonly string[];
  readonly progress?: boolean;
}

export function observeActivations(g: Graph, samples: readonly Sample[], opts: CalibrateOptions = {}): ActivationStats {
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
  return obs;
}

/** Every observed tensor's range at one width (8 bits, signed, unless given). */
export function rangesAt(stats: ActivationStats, bits = 8, signed = true): Ranges {
  const out: Record<string, readonly [number, number]> = {};
  for (const [name, o] of stats) out[name] = o.range(bits, signed);
  return out;
}

/** Ranges for 8-bit activations. */
export function calibrate(g: Graph, samples: readonly Sample[], opts: CalibrateOptions = {}): Ranges {
  return rangesAt(observeActivations(g, samples, opts));
}
