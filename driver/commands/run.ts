import * as fs from 'fs';
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { checkInputs, encodeOutputs, parseInputShapes, readInputs, shapesFromData, OutputFormat } from '../../frontend/io';
import { lower } from '../frontend';
import { runGraph } from '../../ops/engine/interpreter';
import { bindConstantInputs } from '../../frontend/bind-inputs';
import { fail } from '../../core/diagnostics';
import { Tensor } from '../../core/ir/tensor';
import { ProfileReport, formatProfile, profileModel } from '../../verify/profile';
import { dumpAfterOption, dumpDirOption, inputShapeOption, jsonOption, targetOption } from './options';
import { runOnTarget } from '../run-target';
import { lookupTarget } from '../../targets/registry';

interface Args {
  model: string; engine?: 'interpreter' | 'c'; target: string; inputs?: string; input?: string[];
  o: string; format: OutputFormat; 'input-shape'?: string[]; 'dump-after'?: string[]; 'dump-dir': string;
  sanitize: boolean; json: boolean; scalar?: boolean; opt?: 'O2' | 'Os'; profile?: boolean; host?: boolean;
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <model>',
  describe: 'run a model on given inputs with the reference interpreter or the generated C',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'ONNX model' })
    .option('engine', { choices: ['interpreter', 'c'], describe: 'what computes the outputs (default: interpreter; c when --target is not host)' })
    .option('target', targetOption('target for --engine c; cortex-m55 and stm32n6 run in QEMU mps3-an547', true))
    .option('host', { type: 'boolean', default: false, describe: '--target stm32n6: build the emulated program for the host instead of QEMU' })
    .option('inputs', { type: 'string', describe: 'folder with input_K.pb (or .npy), one per graph input in order' })
    .option('input', { type: 'string', array: true, describe: 'NAME=FILE (.pb or .npy), repeatable' })
    .option('o', { alias: 'output', type: 'string', demandOption: true, describe: 'folder for output_K.pb' })
    .option('format', { choices: ['pb', 'npy'], default: 'pb', describe: 'output file format' })
    .option('input-shape', inputShapeOption)
    .option('dump-after', dumpAfterOption)
    .option('dump-dir', dumpDirOption)
    .option('sanitize', { type: 'boolean', default: false, describe: '--engine c: build with -fsanitize=address,undefined' })
    .option('scalar', { type: 'boolean', default: false, describe: '--target cortex-m55: force the portable kernels (no MVE)' })
    .option('opt', { choices: ['O2', 'Os'], default: 'O2', coerce: (v: string) => String(v).replace(/^-/, ''), describe: '--target cortex-m55: optimisation level (-O2 or -Os; write --opt Os or --opt=-Os)' })
    .option('profile', { type: 'boolean', default: false, describe: 'build with -DHSQ_PROFILE and print per-layer time beside the cost model\'s estimate (host: ns; cortex-m55, stm32n6: instructions in QEMU)' })
    .option('json', jsonOption) as never,
  handler: async (a) => {
    const outputs = await runModel(a);
    const files = encodeOutputs(outputs.names, outputs.values, a.format);
    fs.mkdirSync(a.o, { recursive: true });
    for (const [f, bytes] of Object.entries(files)) {
      const tmp = path.join(a.o, `.${f}.tmp`);
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, path.join(a.o, f));
    }
    if (a.json) process.stdout.write(JSON.stringify({ outputs: Object.keys(files).map((f) => path.join(a.o, f)), ...(outputs.profile ? { profile: outputs.profile } : {}) }) + '\n');
    else if (outputs.profile) process.stdout.write(`${formatProfile(outputs.profile)}\nwrote ${Object.keys(files).length} output${Object.keys(files).length === 1 ? '' : 's'} to ${a.o}\n`);
    else process.stdout.write(`wrote ${Object.keys(files).length} output${Object.keys(files).length === 1 ? '' : 's'} to ${a.o}\n`);
  },
};

export async function runModel(a: Pick<Args, 'model' | 'engine' | 'target' | 'inputs' | 'input' | 'input-shape' | 'dump-after' | 'dump-dir' | 'sanitize' | 'scalar' | 'opt'> & { profile?: boolean; host?: boolean })
  : Promise<{ names: string[]; values: Record<string, Tensor>; profile?: ProfileReport }> {
  lookupTarget(a.target, '--target');
  if (a.profile) {
    if (a.engine === 'interpreter') fail('bad-input', '--profile times the generated C: use --engine c (or leave --engine out)', '--profile');
    if (a.sanitize) fail('bad-input', '--profile and --sanitize do not go together (sanitizers distort the times)', '--profile');
    if (!['host', 'cortex-m55', 'stm32n6'].includes(a.target)) fail('bad-input', `--profile: no profile for target '${a.target}' (host, cortex-m55, stm32n6)`, '--target');
  }
  if (!a.inputs && !(a.input && a.input.length)) fail('bad-input', 'give the inputs: --inputs DIR or --input NAME=FILE', '--inputs');
  let raw = loadModel(a.model, { inputShapes: parseInputShapes(a['input-shape']) });
  const given = readInputs(raw.inputs, { dir: a.inputs, files: a.input });
  const dyn = shapesFromData(raw, given);
  if (Object.keys(dyn).length > 0) raw = loadModel(a.model, { inputShapes: { ...parseInputShapes(a['input-shape']), ...dyn } });
  checkInputs(raw, given);
  // Inputs in positions the compiler must know (weights, scales, shapes) become constants.
  const { graph: bound, runtimeInputs } = bindConstantInputs(raw, given);
  const g = lower(bound, { dumpAfter: a['dump-after'], dumpDir: a['dump-dir'] });
  let values: Record<string, Tensor>;
  const engine = a.engine ?? (a.profile || (a.target && a.target !== 'host') ? 'c' : 'interpreter');
  if (a.profile) {
    const r = await profileModel(g, runtimeInputs, { target: a.target as 'host', scalar: a.scalar, opt: a.opt ? (`-${a.opt}` as '-O2' | '-Os') : undefined });
    return { names: [...g.outputs], values: r.outputs, profile: r.report };
  }
  if (engine === 'interpreter') values = runGraph(g, runtimeInputs);
  else {
    values = await runOnTarget(a.target, g, runtimeInputs, { sanitize: a.sanitize, scalar: a.scalar, host: a.host, opt: a.opt ? (`-${a.opt}` as '-O2' | '-Os') : undefined });
  }
  return { names: [...g.outputs], values };
}
