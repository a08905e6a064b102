// The precision stage of `hsq compile`: between the float passes and QDQ recognition, a float
// model is quantized (calibration, precision by source order, optional sensitivity and automatic
// precision) and a pre-quantized one gets any precision the user asks for over its own.
import { Graph } from '../core/ir/graph';
import { fail } from '../core/diagnostics';
import { HsqConfig } from '../core/config';
import { QuantizeArgs } from './options';
import {
  loadCalibration, resolvePrecisions, encodeQdqOnnx, measureSensitivity, autoPrecision, formatCurve, observeActivations,
  SensitivityTable, AutoPrecisionResult, ResolvedPrecision,
} from './';
import { PtqLayerRecord, quantizePtq } from './ptq';
import { DEFAULT_BIAS_CORRECTION, PtqSettings, ptqSettings } from './ptq-settings';

/** Each hsq-quantized layer's output SQNR against float on the calibration samples goes into the report. */
const REPORT_LAYER_SQNR = true;

export interface PrecisionReport {
  /**
   * Layer → resolved precision and where it came from; for layers hsq quantized with weights
   * also the weight method, activation method and rounding that produced them, whether the bias
   * was corrected, and the output SQNR against float on the calibration samples.
   */
  layers: ({ layer: string; precision: string; source: string; from: string; conflicts: string[] } & Partial<Omit<PtqLayerRecord, 'layer'>>)[];
  calibration?: { data: string; samples: number; method: string; seed?: number; weightMethod?: string; rounding?: string; biasCorrection?: boolean };
  sensitivity?: SensitivityTable;
  autoPrecision?: AutoPrecisionResult;
}

/** True when the graph computes anything in quantized form already. */
export function isQuantized(g: Graph): boolean {
  return g.nodes.some((n) => n.op === 'QuantizeLinear' || n.op === 'DequantizeLinear' || n.op.startsWith('QLinear') || n.domain === 'hsq');
}

function hasPrecisionRequests(g: Graph, qa: QuantizeArgs, config: HsqConfig): boolean {
  return qa.precision.length > 0 || Object.keys(config.precision ?? {}).length > 0 || Object.values(g.annotations).some((a) => a.precision);
}

export interface PrecisionStageOptions {
  qa: QuantizeArgs;
  config: HsqConfig;
  /** Targets that run integer code only (the NPU, the MCU) need a quantized model. */
  needsQuantized: boolean;
  target: string;
  /** Print the auto-precision curve and choices. */
  log: (line: string) => void;
}

/** The stage's result; `exports` are files to write once the whole compile succeeded (the
 *  `--emit-onnx` model is part of compile's transaction: after any error nothing is written). */
export interface PrecisionStageResult { graph: Graph; report: PrecisionReport; exports: Record<string, Uint8Array> }

export function precisionStage(fg: Graph, o: PrecisionStageOptions): PrecisionStageResult {
  const { qa, config } = o;
  const calibSpec = qa.calib ?? config.calibration?.data;
  const quantized = isQuantized(fg);
  if (!calibSpec && !quantized && (o.needsQuantized || hasPrecisionRequests(fg, qa, config) || qa.autoPrecision))
    fail('bad-input', `the model is float: give --calib DIR (or --calib random for shape-only trials) to quantize it for --target ${o.target}`, '--calib');
  if (!calibSpec && !quantized) return { graph: fg, report: { layers: [] }, exports: {} };
  if (!calibSpec && quantized && !hasPrecisionRequests(fg, qa, config)) return { graph: fg, report: { layers: [] }, exports: {} };

  const ptq: PtqSettings = ptqSettings(qa, config);
  const calib = calibSpec ? loadCalibration(fg, calibSpec, {
    seed: ptq.seed, resize: qa.resize ?? config.calibration?.resize, samples: qa.calibSamples ?? config.calibration?.samples,
    mean: qa.mean ?? config.calibration?.mean, std: qa.std ?? config.calibration?.std, layout: qa.layout ?? config.calibration?.layout,
  }) : undefined;

  const report: PrecisionReport = { layers: [] };
  if (calib) {
    report.calibration = {
      data: calibSpec!, samples: calib.length, method: ptq.method, ...(calibSpec === 'random' ? { seed: qa.calibSeed } : {}),
      ...(ptq.weightMethod ? { weightMethod: ptq.weightMethod } : {}), ...(ptq.rounding !== 'nearest' ? { rounding: ptq.rounding } : {}),
      ...(ptq.biasCorrection !== DEFAULT_BIAS_CORRECTION ? { biasCorrection: ptq.biasCorrection } : {}),
    };
  }
  // Activation observers once, for the sensitivity runs and the final quantization.
  const stats = calib && !quantized ? observeActivations(fg, calib, { method: ptq.method, percentile: ptq.percentile }) : undefined;
  let cli = qa.precision;
  if (calib && !quantized && (qa.sensitivity || qa.autoPrecision)) {
    report.sensitivity = measureSensitivity(fg, calib, undefined, [4, 2], { stats, ptq });
    if (qa.autoPrecision) {
      const budget = qa.flashBudgetBytes;
      if (budget === undefined) fail('bad-input', '--auto-precision needs --flash-budget (e.g. 6MiB)', '--flash-budget');
      const auto = autoPrecision(report.sensitivity, { flashBudgetBytes: budget });
      report.autoPrecision = auto;
      for (const line of formatCurve(auto)) o.log(line);
      o.log(`auto precision: ${auto.flags.length ? auto.flags.map((f) => `--precision '${f}'`).join(' ') : 'every layer stays w8'}`);
      // The user's own --precision flags come after, so they win.
      cli = [...auto.flags, ...qa.precision];
    }
  }
  const precisions: Map<string, ResolvedPrecision> = resolvePrecisions(fg, { cli, config: config.precision });
  const t0 = Date.now();
  const q = quantizePtq(fg, { precisions, calib, stats, ...ptq, measureLayers: REPORT_LAYER_SQNR && !quantized });
  if (q.refined > 0) o.log(`${ptq.rounding}: ${q.refined} layer${q.refined > 1 ? 's' : ''} rounded on ${calib!.length} samples in ${((Date.now() - t0) / 1000).toFixed(1)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
  const ptqOf = new Map(q.layers.map((l) => [l.layer, l]));
  if (q.foldedBiasAdds.length) o.log(`bias: the Add after ${q.foldedBiasAdds.join(', ')} folded into ${q.foldedBiasAdds.length > 1 ? 'their' : 'its'} bias (sub-8-bit layers)`);
  for (const [layer, p] of [...q.precisions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { layer: _l, ...rec } = ptqOf.get(layer) ?? { layer };
    report.layers.push({ layer, precision: p.text, source: p.source, from: p.from, conflicts: p.conflicts.map((c) => `${c.text} from ${c.from}`), ...(REPORT_LAYER_SQNR ? rec : {}) });
  }
  const graph = q.graph;
  return { graph, report, exports: qa.emitOnnx ? { [qa.emitOnnx]: encodeQdqOnnx(graph) } : {} };
}
