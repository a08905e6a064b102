// Post-training quantization of a float graph, end to end: QDQ insertion with the chosen
// activation and weight methods (quantize-model.ts), then, on the calibration samples, rounding
// and bias correction of the sub-8-bit layers and each layer's output SQNR (ptq-walk.ts).
import { Graph } from '../core/ir/graph';
import { QuantizeOptions, quantizeModelDetailed } from './quantize-model';
import { ResolvedPrecision, resolvePrecisions } from './resolve';
import { foldBiasAdds } from './fold-bias-add';
import { RefineOptions, refineLayers } from './ptq-walk';
import { DEFAULT_BIAS_CORRECTION } from './ptq-settings';

export interface PtqOptions extends QuantizeOptions, RefineOptions {
  /** Fold a constant Add after a sub-8-bit layer into its bias (fold-bias-add.ts; default true). */
  readonly foldBiasAdd?: boolean;
  /** Walk the calibration samples for the per-layer SQNR even when nothing needs refining. */
  readonly measureLayers?: boolean;
}

/** What produced one layer's weights, and how close its output stays to float. */
export interface PtqLayerRecord {
  readonly layer: string;
  readonly weightBits: number;
  readonly weightMethod: string;
  readonly activationMethod: string;
  readonly rounding: string;
  readonly biasCorrected: boolean;
  /** Output SQNR (dB) against float over the calibration samples (null: exact). */
  readonly sqnrDb?: number | null;
  /** SQNR of the weight rounding alone on the layer's calibration inputs (rounded layers). */
  readonly weightSqnrDb?: number | null;
}

export interface PtqResult {
  readonly graph: Graph;
  /** The precisions the graph was quantized with (without the Adds folded into biases). */
  readonly precisions: ReadonlyMap<string, ResolvedPrecision>;
  /** Layers that took the following Add as their bias. */
  readonly foldedBiasAdds: readonly string[];
  readonly layers: readonly PtqLayerRecord[];
  /** Layers whose rounding ran (AdaRound/GPTQ). */
  readonly refined: number;
}

export function quantizePtq(fg0: Graph, opts: PtqOptions = {}): PtqResult {
  const biasCorrection = opts.biasCorrection ?? DEFAULT_BIAS_CORRECTION;
  let fg = fg0;
  let precisions = opts.precisions ?? resolvePrecisions(fg0, opts);
  let foldedBiasAdds: string[] = [];
  if (opts.foldBiasAdd !== false) {
    const low = new Set([...precisions.values()].filter((p) => p.kind === 'accumulating' && p.source !== 'model'
      && (p.precision.weightBits < 8 || p.precision.actBits < 8)).map((p) => p.layer));
    const f = foldBiasAdds(fg0, low);
    if (f.folded.length) {
      fg = f.graph;
      foldedBiasAdds = f.folded;
      const m = new Map(precisions);
      for (const r of f.removed) m.delete(r);
      precisions = m;
    }
  }
  const q = quantizeModelDetailed(fg, { ...opts, precisions, addBias: biasCorrection && !!opts.calib?.length });
  const activationMethod = opts.method ?? 'minmax';
  const base = [...q.layers.values()].map((l) => ({
    layer: l.layer, weightBits: l.weightBits, weightMethod: l.weightBits <= 1 ? 'mean-abs' : l.weightMethod,
    activationMethod, rounding: 'nearest', biasCorrected: false,
  }));
  const work = [...q.layers.values()].some((l) => l.weightBits < 8 && ((opts.rounding ?? 'nearest') !== 'nearest' || (biasCorrection && l.bias)));
  if (!opts.calib?.length || !(work || opts.measureLayers)) return { graph: q.graph, precisions, foldedBiasAdds, layers: base, refined: 0 };
  const r = refineLayers(fg, q.graph, q.layers, opts.calib, { ...opts, biasCorrection });
  return {
    graph: r.graph, precisions, foldedBiasAdds,
    layers: base.map((b) => {
      const x = r.layers.get(b.layer);
      return x ? { ...b, rounding: x.rounding, biasCorrected: x.biasCorrected, sqnrDb: x.sqnrDb, ...(x.weightSqnrDb !== undefined ? { weightSqnrDb: x.weightSqnrDb } : {}) } : b;
    }),
    refined: r.refined,
  };
}
