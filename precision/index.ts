// hsq's quantizer: calibration, precision resolution, QDQ insertion, sensitivity and automatic
// precision. The core pipeline splits around it: the float passes run first, then
// quantizeModel, then the rest (qdq-recognition onwards).
import { Graph } from '../core/ir/graph';
import { Pass, PipelineOptions, runPipeline } from '../passes/pass-manager';
import { corePipeline } from '../passes/pipeline';

export * from './calib-data';
export * from './calibrate';
export * from './observers';
export * from './weights';
export * from './model-precision';
export * from './resolve';
export * from './quantize-model';
export * from './emit';
export * from './qoperator';
export * from './sensitivity';
export * from './auto-precision';
export * from './flash';
export * from './calib-select';
export * from './histogram';
export * from './range-search';
export * from './rounding';
export * from './rounding-problem';
export * from './layer-matrix';
export * from './gptq';
export * from './adaround';
export * from './ptq-walk';
export * from './ptq';
export * from './ptq-settings';
export * from './sqnr';
export * from './fold-bias-add';
export * from './evaluate';

const SPLIT = 'qdq-recognition';

/** The passes before quantization: lowering, shape inference, folding, BatchNormalization folding. */
export function floatPasses(passes: readonly Pass[] = corePipeline): Pass[] {
  const k = passes.findIndex((p) => p.name === SPLIT);
  return k < 0 ? [...passes] : passes.slice(0, k);
}

/** The passes after quantization: recognition of QDQ patterns onwards. */
export function quantizedPasses(passes: readonly Pass[] = corePipeline): Pass[] {
  const k = passes.findIndex((p) => p.name === SPLIT);
  return k < 0 ? [] : passes.slice(k);
}

export function runFloatPasses(g: Graph, opts: PipelineOptions = {}): Graph {
  return runPipeline(g, floatPasses(), opts);
}

export function runQuantizedPasses(g: Graph, opts: PipelineOptions = {}): Graph {
  return runPipeline(g, quantizedPasses(), opts);
}
