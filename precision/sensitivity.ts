// Per-layer sensitivity: with everything else at w8a8, lower one Conv/Gemm/MatMul's weights to
// 4 (and 2) bits and measure the output SQNR against the FP32 output, in the reference
// interpreter on hsq's integer graph (the QDQ graph after qdq-recognition), over the
// calibration samples (signal and noise summed over all outputs and samples).
import { Graph } from '../core/ir/graph';
import { runGraph } from '../ops/engine/interpreter';
import { Tensor } from '../core/ir/tensor';
import { runPipeline } from '../passes/pass-manager';
import { corePipeline } from '../passes/pipeline';
import { startProgress } from '../core/progress';
import { Sample } from './calib-data';
import { Ranges, calibrate } from './calibrate';
import { LayerWeights, layerFlashBytes, layerWeights } from './flash';
import { LayerPrecision } from './model-precision';
import { ResolvedPrecision, resolvePrecisions } from './resolve';
import { quantizeModel } from './quantize-model';

export interface SensitivityRow {
  readonly layer: string;
  readonly op: string;
  readonly weights: number;
  /** Flash bytes (weights + int32 bias) at each weight width, keyed 'w8', 'w4', ... */
  readonly flashBytes: Readonly<Record<string, number>>;
  /** Output SQNR (dB) against FP32 with only this layer lowered, keyed 'w4', 'w2'. */
  readonly sqnrDb: Readonly<Record<string, number>>;
}

export interface SensitivityTable {
  /** Output SQNR (dB) of the all-w8a8 model against FP32. */
  readonly baselineSqnrDb: number;
  readonly bits: readonly number[];
  readonly samples: number;
  readonly method: string;
  readonly rows: readonly SensitivityRow[];
}

export interface SensitivityOptions {
  readonly ranges?: Ranges;
  readonly progress?: boolean;
}

/** SQNR accumulator over several outputs and samples. */
class Sqnr {
  sig = 0; noise = 0;
  add(ref: Tensor, test: Tensor) {
    const a = ref.data as Float32Array, b = test.data as Float32Array;
    for (let i = 0; i < a.length; i++) { this.sig += a[i] * a[i]; const d = a[i] - b[i]; this.noise += d * d; }
  }
  db(): number { return this.noise === 0 ? Infinity : this.sig === 0 ? -Infinity : 10 * Math.log10(this.sig / this.noise); }
}

const QUANTIZED_PASSES = corePipeline.slice(corePipeline.findIndex((p) => p.name === 'qdq-recognition'));

/** Output SQNR against FP32 of the float graph quantized with these precisions. */
export function measureSqnr(floatGraph: Graph, samples: readonly Sample[], refs: readonly Record<string, Tensor>[], precisions: ReadonlyMap<string, ResolvedPrecision>, ranges: Ranges): number {
  const q = quantizeModel(floatGraph, { precisions, ranges });
  const ig = runPipeline(q, QUANTIZED_PASSES, { validate: false, warn: () => undefined });
  const acc = new Sqnr();
  samples.forEach((s, k) => {
    const out = runGraph(ig, s);
    for (const o of floatGraph.outputs) acc.add(refs[k][o], out[o]);
  });
  return acc.db();
}

/** A copy of `base` with some layers' weight bits changed (activations kept). */
export function withWeightBits(base: ReadonlyMap<string, ResolvedPrecision>, lowered: ReadonlyMap<string, number>, from = 'sensitivity'): Map<string, ResolvedPrecision> {
  const m = new Map(base);
  for (const [layer, bits] of lowered) {
    const r = base.get(layer);
    if (!r) continue;
    const precision: LayerPrecision = { weightBits: bits, actBits: r.precision.actBits };
    m.set(layer, { ...r, precision, text: `w${bits}a${r.precision.actBits}`, source: 'cli', from });
  }
  return m;
}

export function measureSensitivity(floatGraph: Graph, calib: readonly Sample[], layers?: readonly string[], bits: readonly number[] = [4, 2], opts: SensitivityOptions = {}): SensitivityTable {
  const ranges = opts.ranges ?? calibrate(floatGraph, calib, { progress: opts.progress });
  const refs = calib.map((s) => runGraph(floatGraph, s));
  const base = resolvePrecisions(floatGraph, { warn: () => undefined });
  const all = layerWeights(floatGraph);
  const chosen: LayerWeights[] = layers ? all.filter((l) => layers.includes(l.layer)) : all;
  const bar = opts.progress === false ? undefined : startProgress('sensitivity', 1 + chosen.length * bits.length);
  try {
    const baselineSqnrDb = measureSqnr(floatGraph, calib, refs, base, ranges);
    bar?.tick();
    const rows: SensitivityRow[] = chosen.map((l) => {
      const sqnrDb: Record<string, number> = {};
      const flashBytes: Record<string, number> = { w8: layerFlashBytes(l, 8) };
      for (const b of bits) {
        flashBytes[`w${b}`] = layerFlashBytes(l, b);
        sqnrDb[`w${b}`] = measureSqnr(floatGraph, calib, refs, withWeightBits(base, new Map([[l.layer, b]])), ranges);
        bar?.tick();
      }
      return { layer: l.layer, op: l.op, weights: l.elements, flashBytes, sqnrDb };
    });
    return { baselineSqnrDb, bits: [...bits], samples: calib.length, method: 'interpreter, integer graph, one layer lowered, others w8a8', rows };
  } finally {
    bar?.stop();
  }
}
