// What `hsq compile` takes, defined once: compile, run, verify and eval all build the model with
// these options (`.options(COMPILE_OPTIONS)`, then compileOptionsOf(argv)), so an option added
// here reaches every command that runs what compile builds.
import type { Options } from 'yargs';
import type { CompileOptions, TargetName } from '../compile';
import { parseInputShapes } from '../../frontend/io';
import { INPUT_FORMATS, InputFormat } from '../../passes/camera-input';
import { parseBytes, parseMs } from '../../core/config';
import { bindOption, dumpAfterOption, dumpDirOption, inputShapeOption, targetOption } from './options';
import { parseBindFlags } from '../../frontend/bind';
import { QUANTIZE_OPTIONS, quantizeArgs } from './quantize-options';

export const BUILD_OPTIONS: Record<string, Options> = {
  target: targetOption('what the C runs on (default: config target, else host)', false),
  name: { type: 'string', describe: 'C symbol prefix (default: the model file name)' },
  'weights-format': { choices: ['c', 'incbin'], describe: 'weights as C data or as a binary blob with .incbin' },
  'api-layout': { choices: ['nchw', 'nhwc'], default: 'nchw', describe: "layout of 4-D tensors at the C API, on every target (default: the model's own layout, NCHW for ONNX)" },
  'input-shape': inputShapeOption,
  bind: bindOption,
  'input-format': { choices: INPUT_FORMATS as InputFormat[], describe: 'take the image input as a uint8 channels-last camera frame, with --mean/--std folded in' },
  'dump-after': dumpAfterOption,
  'dump-dir': dumpDirOption,
};

export const PLACEMENT_OPTIONS: Record<string, Options> = {
  'stedgeai-version': { type: 'string', describe: '--target stm32n6: ST Edge AI Core rules the NPU segments follow: 2.2, 3.0, 4.0 (default) or auto (asks stedgeai --version)' },
  'force-npu': { type: 'string', array: true, describe: '--target stm32n6: node names or globs to run on the NPU (repeatable)' },
  'force-cpu': { type: 'string', array: true, describe: '--target stm32n6: node names or globs to keep on the Cortex-M55 (repeatable)' },
  widen: { type: 'string', array: true, describe: '--target stm32n6: sub-8-bit layers that may be widened losslessly to int8 for the NPU (more flash)' },
  'latency-budget': { type: 'string', describe: '--target stm32n6: latency budget for the placement optimiser, e.g. 40ms' },
};

/** Every option of `hsq compile` but its output folder, grouped as `hsq --help` shows them. */
export const COMPILE_OPTIONS: Record<string, Options> = {
  ...BUILD_OPTIONS,
  ...Object.fromEntries(Object.entries(PLACEMENT_OPTIONS).map(([k, o]) => [k, { ...o, group: 'Placement (stm32n6):' }])),
  ...Object.fromEntries(Object.entries(QUANTIZE_OPTIONS).map(([k, o]) => [k, { ...o, group: 'Quantization and precision:' }])),
};

/** The checked values of COMPILE_OPTIONS from yargs' argv (everything CompileOptions takes but model and out). */
export function compileOptionsOf(a: Record<string, unknown>): Omit<CompileOptions, 'model' | 'out'> {
  const s = (k: string) => a[k] as string | undefined;
  const list = (k: string) => a[k] as string[] | undefined;
  return {
    target: s('target') as TargetName | undefined,
    name: s('name'),
    config: s('config'),
    stedgeaiVersion: s('stedgeai-version'),
    weightsFormat: s('weights-format') as 'c' | 'incbin' | undefined,
    layout: s('api-layout') as 'nchw' | 'nhwc' | undefined,
    inputFormat: s('input-format') as InputFormat | undefined,
    inputShapes: parseInputShapes(list('input-shape')),
    bind: parseBindFlags(list('bind')),
    dumpAfter: list('dump-after'),
    dumpDir: s('dump-dir'),
    placement: {
      forceNpu: list('force-npu'), forceCpu: list('force-cpu'), widen: list('widen'),
      ...(s('latency-budget') !== undefined ? { latencyBudget: parseMs(s('latency-budget')!, '--latency-budget') } : {}),
      // Without --auto-precision the flash budget steers placement (widen or not) instead.
      ...(s('flash-budget') !== undefined && !a['auto-precision'] ? { flashBudget: parseBytes(s('flash-budget')!, '--flash-budget') } : {}),
    },
    quantize: quantizeArgs(a),
  };
}
