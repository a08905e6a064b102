// yargs options of quantization and precision for `hsq compile` (the command wires them in):
//   .options(QUANTIZE_OPTIONS) and quantizeArgs(argv) → the values, checked.
import type { Options } from 'yargs';
import { fail } from '../../core/diagnostics';
import { parseBytes } from '../../core/config';
import { QuantizeArgs } from '../../precision/options';

export type { QuantizeArgs };

export const QUANTIZE_OPTIONS: Record<string, Options> = {
  calib: { type: 'string', describe: "calibration data: a folder of .npy/.pb tensors or PNG/JPEG images, or 'random' (shape-only trials)" },
  'calib-seed': { type: 'number', default: 0, describe: 'seed of --calib random' },
  'calib-method': { choices: ['minmax', 'percentile'], default: 'minmax', describe: 'activation range observer' },
  percentile: { type: 'number', default: 99.99, describe: 'percentile for --calib-method percentile' },
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
  return {
    calib: a.calib as string | undefined,
    calibSeed: seed,
    calibMethod: (a['calib-method'] as 'minmax' | 'percentile') ?? 'minmax',
    percentile: pct,
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
