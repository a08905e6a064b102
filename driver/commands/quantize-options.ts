// yargs options of quantization and precision for `hsq compile` (the command wires them in):
//   .options(QUANTIZE_OPTIONS) and quantizeArgs(argv) → the values, checked.
import type { Options } from 'yargs';
import { fail } from '../../core/diagnostics';
import { parseBytes } from '../../core/config';
import { QuantizeArgs } from '../../precision/options';
import { OBSERVER_METHODS, ObserverMethod } from '../../precision/observers';
import { WEIGHT_METHODS, WeightMethod } from '../../precision/weights';
import { ROUNDING_METHODS, RoundingMethod } from '../../precision/rounding';
import { parseSampleSelection } from '../../precision/calib-select';

export type { QuantizeArgs };

export const QUANTIZE_OPTIONS: Record<string, Options> = {
  calib: { type: 'string', describe: "calibration data: a folder of .npy/.pb tensors or PNG/JPEG images, one .npy with samples along its first dimension, or 'random' (shape-only trials)" },
  'calib-samples': { type: 'string', describe: 'which calibration samples: N (the first N), START:STOP[:STEP] (e.g. ::10), or random:N (seeded by --calib-seed)' },
  'calib-seed': { type: 'number', default: 0, describe: 'seed of --calib random, --calib-samples random:N and the rounding row choice' },
  'calib-method': { choices: OBSERVER_METHODS as ObserverMethod[], describe: 'activation ranges: minmax (default), percentile, mse (least quantization error at the tensor width) or entropy (KL, TensorRT)' },
  percentile: { type: 'number', default: 99.99, describe: 'percentile for --calib-method percentile' },
  'weight-method': { choices: WEIGHT_METHODS as WeightMethod[], describe: 'per-channel weight scales: minmax or mse (clipped; default below 8 bits)' },
  rounding: { choices: ROUNDING_METHODS as RoundingMethod[], describe: 'weight rounding below 8 bits, layer by layer on the calibration inputs: nearest (default), adaround or gptq' },
  'bias-correction': { type: 'boolean', describe: 'correct sub-8-bit layer biases for the mean output shift after rounding (default on; --no-bias-correction)' },
  'adaround-iters': { type: 'number', describe: 'AdaRound optimisation steps per layer (default 500)' },
  resize: { type: 'string', describe: 'resize calibration images to H,W (default: the model input size)' },
  mean: { type: 'string', describe: 'per-channel mean subtracted from images in [0,1] units, e.g. 0.485,0.456,0.406' },
  std: { type: 'string', describe: 'per-channel std dividing images, e.g. 0.229,0.224,0.225' },
  layout: { choices: ['nchw', 'nhwc'], describe: 'layout of image inputs (default: from the input shape)' },
  precision: { type: 'string', array: true, describe: "NODE=wXaY; NODE a name, glob or comma list (repeatable), e.g. 'conv7,conv8=w4a8'" },
  config: { type: 'string', describe: 'hsq.config.json' },
  sensitivity: { type: 'boolean', default: false, describe: 'measure each layer\'s output SQNR lowered alone to w4 and w2 (into report.json)' },
  'auto-precision': { type: 'boolean', default: false, describe: 'lower layers to fit --flash-budget (most bytes saved per unit of sensitivity first)' },
  'flash-budget': { type: 'string', describe: 'weight flash budget for --auto-precision, e.g. 6MiB' },
  'emit-onnx': { type: 'string', describe: 'also write the mixed-precision model as standard QDQ ONNX (opset 21) for ONNX Runtime' },
};


function numbers(v: string | undefined, flag: string): number[] | undefined {
  if (v === undefined) return undefined;
  const out = String(v).split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((x) => !Number.isFinite(x))) fail('bad-input', `${flag} '${v}': expected comma-separated numbers`, flag);
  return out;
}

/** The parsed and checked option values from yargs' argv. */
export function quantizeArgs(a: Record<string, unknown>): QuantizeArgs {
  const resize = numbers(a.resize as string | undefined, '--resize');
  if (resize && (resize.length !== 2 || resize.some((d) => !Number.isInteger(d) || d < 1))) fail('bad-input', `--resize '${a.resize}': expected H,W (positive integers)`, '--resize');
  const seed = Number(a['calib-seed'] ?? 0);
  if (!Number.isInteger(seed)) fail('bad-input', `--calib-seed must be an integer, got ${a['calib-seed']}`, '--calib-seed');
  const std = numbers(a.std as string | undefined, '--std');
  if (std?.some((s) => !(s > 0))) fail('bad-input', '--std values must be > 0', '--std');
  const auto = a['auto-precision'] === true;
  const budget = a['flash-budget'] as string | undefined;
  if (auto && budget === undefined) fail('bad-input', '--auto-precision needs --flash-budget (e.g. 6MiB)', '--flash-budget');
  const pct = Number(a.percentile ?? 99.99);
  if (!(pct > 50 && pct <= 100)) fail('bad-input', `--percentile must be in (50, 100], got ${a.percentile}`, '--percentile');
  const samples = a['calib-samples'] as string | undefined;
  if (samples !== undefined) parseSampleSelection(String(samples));
  const iters = a['adaround-iters'] === undefined ? undefined : Number(a['adaround-iters']);
  if (iters !== undefined && !(Number.isInteger(iters) && iters >= 1)) fail('bad-input', `--adaround-iters must be a positive integer, got ${a['adaround-iters']}`, '--adaround-iters');
  return {
    calib: a.calib as string | undefined,
    calibSeed: seed,
    ...(samples !== undefined ? { calibSamples: String(samples) } : {}),
    ...(a['calib-method'] !== undefined ? { calibMethod: a['calib-method'] as ObserverMethod } : {}),
    percentile: pct,
    ...(a['weight-method'] !== undefined ? { weightMethod: a['weight-method'] as WeightMethod } : {}),
    ...(a.rounding !== undefined ? { rounding: a.rounding as RoundingMethod } : {}),
    ...(a['bias-correction'] !== undefined ? { biasCorrection: a['bias-correction'] === true } : {}),
    ...(iters !== undefined ? { adaroundIters: iters } : {}),
    resize: resize as [number, number] | undefined,
    mean: numbers(a.mean as string | undefined, '--mean'),
    std,
    layout: a.layout as 'nchw' | 'nhwc' | undefined,
    precision: (a.precision as string[] | undefined) ?? [],
    config: a.config as string | undefined,
    autoPrecision: auto,
    sensitivity: a.sensitivity === true,
    flashBudgetBytes: budget === undefined ? undefined : parseBytes(budget, '--flash-budget'),
    emitOnnx: a['emit-onnx'] as string | undefined,
  };
}
