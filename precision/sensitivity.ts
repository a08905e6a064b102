// Per-layer sensitivity: with everything else at w8a8, lower one Conv/Gemm/MatMul's weights to
// 4 (and 2) bits and measure the output SQNR against the FP32 output, in the reference
// interpreter on hsq's integer graph (the QDQ graph after qdq-recognition), over the
// calibration samples (signal and noise summed over all outputs and samples). The lowered layer
// is quantized with the compile's methods (weight method, activation ranges, rounding and
// bias correction), so the table ranks layers as they will be deployed.
import { Graph } from '../core/ir/graph';
import { runGraph } from '../ops/engine/interpreter';
import { Tensor } from '../core/ir/tensor';
import { runPipeline } from '../passes/pass-manager';
import { corePipeline } from '../passes/pipeline';
import { startProgress } from '../core/progress';
import { Sample } from './calib-data';
import { ActivationStats, Ranges, observeActivations } from './calibrate';
import { LayerWeights, layerFlashBytes, layerWeights } from './flash';
import { LayerPrecision } from './model-precision';
import { ResolvedPrecision, resolvePrecisions } from './resolve';
import { quantizePtq } from './ptq';
import { PtqSettings } from './ptq-settings';
import { Sqnr } from './sqnr';

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
  readonly stats?: ActivationStats;
  /** The compile's PTQ methods (default: minmax, the per-width weight default, nearest). */
  readonly ptq?: Partial<PtqSettings>;
  readonly progress?: boolean;
}

const QUANTIZED_PASSES = corePipeline.slice(corePipeline.findIndex((p) => p.name === 'qdq-recognition'));

/**
 * Output SQNR against FP32 of the float graph quantized with these precisions: activation
 * ranges as given (`ranges`) or from observers (`stats`), rounding and bias correction on `samples`.
 */
export function measureSqnr(floatGraph: Graph, samples: readonly Sample[], refs: readonly Record<string, Tensor>[], precisions: ReadonlyMap<string, ResolvedPrecision>, ranges?: Ranges, opts: { stats?: ActivationStats; ptq?: Partial<PtqSettings> } = {}): number {
  const q = quantizePtq(floatGraph, { ...(opts.ptq ?? {}), precisions, ranges, stats: opts.stats, calib: samples, progress: false }).graph;
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
  const stats = opts.ranges ? opts.stats : opts.stats ?? observeActivations(floatGraph, calib, { method: opts.ptq?.method, percentile: opts.ptq?.percentile, progress: opts.progress });
  const ranges = opts.ranges;
  const m = { stats, ptq: opts.ptq };
  const refs = calib.map((s) => runGraph(floatGraph, s));
  const base = resolvePrecisions(floatGraph, { warn: () => undefined });
  const all = layerWeights(floatGraph);
  const chosen: LayerWeights[] = layers ? all.filter((l) => layers.includes(l.layer)) : all;
  const bar = opts.progress === false ? undefined : startProgress('sensitivity', 1 + chosen.length * bits.length);
  try {
    const baselineSqnrDb = measureSqnr(floatGraph, calib, refs, base, ranges, m);
    bar?.tick();
    const rows: SensitivityRow[] = chosen.map((l) => {
      const sqnrDb: Record<string, number> = {};
      const flashBytes: Record<string, number> = { w8: layerFlashBytes(l, 8) };
      for (const b of bits) {
        flashBytes[`w${b}`] = layerFlashBytes(l, b);
        sqnrDb[`w${b}`] = measureSqnr(floatGraph, calib, refs, withWeightBits(base, new Map([[l.layer, b]])), ranges, m);
        bar?.tick();
      }
      return { layer: l.layer, op: l.op, weights: l.elements, flashBytes, sqnrDb };
    });
    const p = opts.ptq ?? {};
    const how = `activations ${p.method ?? 'minmax'}, weights ${p.weightMethod ?? 'mse below 8 bits'}, rounding ${p.rounding ?? 'nearest'}${p.biasCorrection === false ? '' : ', bias correction'}`;
    return { baselineSqnrDb, bits: [...bits], samples: calib.length, method: `interpreter, integer graph, one layer lowered, others w8a8; ${how}`, rows };
  } finally {
    bar?.stop();
  }
}
