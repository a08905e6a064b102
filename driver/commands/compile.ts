import type { CommandModule } from 'yargs';
import { compile, TargetName } from '../compile';
import { parseInputShapes } from '../../frontend/io';
import { dumpAfterOption, dumpDirOption, inputShapeOption, jsonOption, targetOption } from './options';
import { QUANTIZE_OPTIONS, quantizeArgs } from './quantize-options';
import { INPUT_FORMATS, InputFormat } from '../../passes/camera-input';
import { parseBytes, parseMs } from '../../core/config';
import { formatPlacementTable } from '../../report';

interface Args {
  model: string; target?: TargetName; o: string; name?: string; config?: string; 'weights-format'?: 'c' | 'incbin';
  'api-layout'?: 'nchw' | 'nhwc'; 'input-format'?: InputFormat;
  'stedgeai-version'?: string; 'force-npu'?: string[]; 'force-cpu'?: string[]; widen?: string[]; 'latency-budget'?: string; 'flash-budget'?: string; 'auto-precision'?: boolean; 'input-shape'?: string[]; 'dump-after'?: string[]; 'dump-dir': string; json: boolean;
}

export const compileCommand: CommandModule<object, Args> = {
  command: 'compile <model>',
  describe: 'compile a model to C for a target; OUT holds exactly this compile\'s files',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('target', targetOption('what the C runs on (default: config target, else host)', false))
    .option('o', { alias: 'output', type: 'string', demandOption: true, describe: 'output folder (hsq owns it: replaced on success, untouched on error)' })
    .option('name', { type: 'string', describe: 'C symbol prefix (default: the model file name)' })
    .option('weights-format', { choices: ['c', 'incbin'], describe: 'weights as C data or as a binary blob with .incbin' })
    .option('api-layout', { choices: ['nchw', 'nhwc'], default: 'nchw', describe: 'layout of 4-D tensors at the C API' })
    .option('input-shape', inputShapeOption)
    .option('input-format', { choices: INPUT_FORMATS as InputFormat[], describe: 'take the image input as a uint8 channels-last camera frame, with --mean/--std folded in' })
    .option('dump-after', dumpAfterOption)
    .option('dump-dir', dumpDirOption)
    .option('json', jsonOption)
    .option('stedgeai-version', { type: 'string', describe: '--target stm32n6: ST Edge AI Core rules the NPU segments follow: 2.2, 3.0, 4.0 (default) or auto (asks stedgeai --version)' })
    .option('force-npu', { type: 'string', array: true, describe: '--target stm32n6: node names or globs to run on the NPU (repeatable)' })
    .option('force-cpu', { type: 'string', array: true, describe: '--target stm32n6: node names or globs to keep on the Cortex-M55 (repeatable)' })
    .option('widen', { type: 'string', array: true, describe: '--target stm32n6: sub-8-bit layers that may be widened losslessly to int8 for the NPU (more flash)' })
    .option('latency-budget', { type: 'string', describe: '--target stm32n6: latency budget for the placement optimiser, e.g. 40ms' })
    .group(['stedgeai-version', 'force-npu', 'force-cpu', 'widen', 'latency-budget'], 'Placement (stm32n6):')
    .options(QUANTIZE_OPTIONS)
    .group(Object.keys(QUANTIZE_OPTIONS), 'Quantization and precision:')
    .example('$0 compile model.onnx --target host -o build/', '') as never,
  handler: async (a) => {
    const r = await compile({
      model: a.model, out: a.o, target: a.target, name: a.name, config: a.config, weightsFormat: a['weights-format'],
      layout: a['api-layout'], inputFormat: a['input-format'], stedgeaiVersion: a['stedgeai-version'],
      placement: {
        forceNpu: a['force-npu'], forceCpu: a['force-cpu'], widen: a.widen,
        ...(a['latency-budget'] !== undefined ? { latencyBudget: parseMs(a['latency-budget'], '--latency-budget') } : {}),
        // Without --auto-precision the flash budget steers placement (widen or not) instead.
        ...(a['flash-budget'] !== undefined && !a['auto-precision'] ? { flashBudget: parseBytes(a['flash-budget'], '--flash-budget') } : {}),
      }, quantize: quantizeArgs(a as unknown as Record<string, unknown>), log: (l) => process.stderr.write(`${l}\n`), inputShapes: parseInputShapes(a['input-shape']), dumpAfter: a['dump-after'], dumpDir: a['dump-dir'],
    });
    // Colour only on a TTY.
    const table = r.placementTable && process.stdout.isTTY ? formatPlacementTable(r.report, true) : r.placementTable;
    if (table && !a.json) process.stdout.write(`${table}\n`);
    const summary = { name: r.name, target: r.target, out: a.o, files: r.files, arenaBytes: r.arenaSize, arenaLowerBound: r.arenaLowerBound, weightBytes: r.weightsSize };
    if (a.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else process.stdout.write(`${r.name}: ${r.files.length} files in ${a.o} (arena ${r.arenaSize} bytes, lower bound ${r.arenaLowerBound}; weights ${r.weightsSize} bytes)\n`);
  },
};
