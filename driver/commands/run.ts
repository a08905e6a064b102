import * as fs from 'fs';
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { checkInputs, encodeOutputs, readInputs, shapesFromData, OutputFormat } from '../../frontend/io';
import { runGraph } from '../../ops/engine/interpreter';
import { bindConstantInputs } from '../../frontend/bind-inputs';
import { fail } from '../../core/diagnostics';
import { Tensor } from '../../core/ir/tensor';
import { ProfileReport, formatProfile, profileModel } from '../../verify/profile';
import { jsonOption } from './options';
import { COMPILE_OPTIONS, compileOptionsOf } from './compile-options';
import { prepareModel } from '../compile';
import { randomInputs } from '../../core/random-inputs';
import { loadConfig, HsqConfig } from '../../core/config';
import { writeFileAtomic } from '../../core/output-dir';
import { runOnTarget } from '../run-target';
import { lookupTarget } from '../../targets/registry';

interface Args {
  model: string; engine?: 'interpreter' | 'c'; target?: string; inputs?: string; input?: string[]; random?: number; seed?: number;
  o: string; format: OutputFormat; 'input-shape'?: string[]; 'dump-after'?: string[]; 'dump-dir'?: string;
  sanitize: boolean; json: boolean; scalar?: boolean; opt?: 'O2' | 'Os'; profile?: boolean; host?: boolean; trace?: string;
  [option: string]: unknown;
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run <model>',
  describe: 'run a model on given inputs with the reference interpreter or the generated C',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'ONNX model' })
    .option('engine', { choices: ['interpreter', 'c'], describe: 'what computes the outputs (default: interpreter; c when --target is not host)' })
    .options(COMPILE_OPTIONS)
    .option('host', { type: 'boolean', default: false, describe: '--target stm32n6: build the emulated program for the host instead of QEMU' })
    .option('inputs', { type: 'string', describe: 'folder with input_K.pb (or .npy), one per graph input in order' })
    .option('input', { type: 'string', array: true, describe: 'NAME=FILE (.pb or .npy), repeatable' })
    .option('random', { type: 'number', describe: 'N seeded random input sets instead of files, written beside the outputs as input_K (N > 1: OUT/test_data_set_K, seeds S, S+1, ...)' })
    .option('seed', { type: 'number', default: 0, describe: 'seed for --random' })
    .option('o', { alias: 'output', type: 'string', demandOption: true, describe: 'folder for output_K.pb' })
    .option('format', { choices: ['pb', 'npy'], default: 'pb', describe: 'output file format' })
    .option('sanitize', { type: 'boolean', default: false, describe: '--engine c: build with -fsanitize=address,undefined' })
    .option('scalar', { type: 'boolean', default: false, describe: '--target cortex-m55: force the portable kernels (no MVE)' })
    .option('opt', { choices: ['O2', 'Os'], default: 'O2', coerce: (v: string) => String(v).replace(/^-/, ''), describe: '--target cortex-m55: optimisation level (-O2 or -Os; write --opt Os or --opt=-Os)' })
    .option('profile', { type: 'boolean', default: false, describe: 'build with -DHSQ_PROFILE and print per-layer time beside the cost model\'s estimate (host: ns; cortex-m55, stm32n6: instructions in QEMU)' })
    .option('trace', { type: 'string', describe: 'build with -DHSQ_TRACE (host, cortex-m55) and write the HSQTRACE lines to FILE (hsq verify --trace reads them)' })
    .option('json', jsonOption) as never,
  handler: async (a) => {
    // --random N > 1: one ONNX test-data folder per set, OUT/test_data_set_K (seeds S, S+1, ...).
    const n = a.random ?? 1;
    if (a.random !== undefined && !(Number.isInteger(n) && n >= 1)) fail('bad-input', `--random takes a whole number of input sets ≥ 1, got ${a.random}`, '--random');
    if (a.seed !== undefined && !Number.isInteger(a.seed)) fail('bad-input', `--seed must be an integer, got ${a.seed}`, '--seed');
    if (n > 1 && (a.trace || a.profile)) fail('bad-input', '--trace and --profile record one run: give --random 1', '--random');
    const runs = n > 1 ? Array.from({ length: n }, (_, k) => ({ seed: (a.seed ?? 0) + k, out: path.join(a.o, `test_data_set_${k}`) })) : [{ seed: a.seed ?? 0, out: a.o }];
    const written: { outputs: string[]; inputs: string[] } = { outputs: [], inputs: [] };
    let profile: ProfileReport | undefined;
    for (const r of runs) {
      const outputs = await runModel({ ...a, ...(a.random !== undefined ? { random: 1, seed: r.seed } : {}) });
      profile = outputs.profile;
      const files: Record<string, Uint8Array> = { ...encodeOutputs(outputs.names, outputs.values, a.format) };
      // --random: the inputs too, so the run can be replayed (--inputs OUT).
      if (outputs.inputs) outputs.inputNames.forEach((nm, k) => { files[`input_${k}.${a.format}`] = encodeOutputs([nm], outputs.inputs!, a.format)[`output_0.${a.format}`]; });
      fs.mkdirSync(r.out, { recursive: true });
      for (const [f, bytes] of Object.entries(files)) {
        const tmp = path.join(r.out, `.${f}.tmp`);
        fs.writeFileSync(tmp, bytes);
        fs.renameSync(tmp, path.join(r.out, f));
      }
      if (a.trace && outputs.trace !== undefined) writeFileAtomic(a.trace, outputs.trace);
      for (const f of Object.keys(files).sort()) (f.startsWith('output_') ? written.outputs : written.inputs).push(path.join(r.out, f));
    }
    const count = written.outputs.length;
    if (a.json) process.stdout.write(JSON.stringify({ ok: true, outputs: written.outputs, ...(written.inputs.length ? { inputs: written.inputs } : {}), ...(a.trace ? { trace: a.trace } : {}), ...(profile ? { profile } : {}) }) + '\n');
    else if (profile) process.stdout.write(`${formatProfile(profile)}\nwrote ${count} output${count === 1 ? '' : 's'} to ${a.o}\n`);
    else process.stdout.write(`wrote ${count} output${count === 1 ? '' : 's'} to ${a.o}${n > 1 ? ` (${n} folders test_data_set_K)` : ''}${a.trace ? `, trace to ${a.trace}` : ''}\n`);
  },
};

export async function runModel(a: Pick<Args, 'model' | 'engine' | 'inputs' | 'input' | 'input-shape' | 'dump-after' | 'dump-dir' | 'sanitize' | 'scalar' | 'opt'> & { target?: string; profile?: boolean; host?: boolean; random?: number; seed?: number; trace?: string; [option: string]: unknown })
  : Promise<{ names: string[]; values: Record<string, Tensor>; profile?: ProfileReport; inputNames: string[]; inputs?: Record<string, Tensor>; trace?: string }> {
  const opts = compileOptionsOf(a);
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const targetName = lookupTarget(opts.target ?? config.target ?? 'host', opts.target !== undefined ? '--target' : 'config target').name;
  if (a.profile) {
    if (a.engine === 'interpreter') fail('bad-input', '--profile times the generated C: use --engine c (or leave --engine out)', '--profile');
    if (a.sanitize) fail('bad-input', '--profile and --sanitize do not go together (sanitizers distort the times)', '--profile');
    if (!['host', 'cortex-m55', 'stm32n6'].includes(targetName)) fail('bad-input', `--profile: no profile for target '${targetName}' (host, cortex-m55, stm32n6)`, '--target');
  }
  if (a.trace !== undefined) {
    if (a.engine === 'interpreter') fail('bad-input', '--trace records the generated C: use --engine c (or leave --engine out)', '--trace');
    if (targetName !== 'host' && targetName !== 'cortex-m55') fail('bad-input', `--trace: hsq runs a traced build for host and cortex-m55; for ${targetName} build with -DHSQ_TRACE and record the board's HSQTRACE lines`, '--trace');
  }
  if (a.random !== undefined && a.random !== 1) fail('bad-input', `--random ${a.random}: runModel takes one input set (the command loops over --random N)`, '--random');
  if (a.random === undefined && !a.inputs && !(a.input && a.input.length)) fail('bad-input', 'give the inputs: --inputs DIR, --input NAME=FILE or --random 1', '--inputs');
  const shapes = { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) };
  let raw = loadModel(a.model, { inputShapes: shapes });
  const given = a.random !== undefined ? randomInputs(raw, a.seed ?? 0) : readInputs(raw.inputs, { dir: a.inputs, files: a.input });
  const dyn = shapesFromData(raw, given);
  if (Object.keys(dyn).length > 0) raw = loadModel(a.model, { inputShapes: { ...shapes, ...dyn } });
  checkInputs(raw, given);
  // Inputs in positions the compiler must know (weights, scales, shapes) become constants.
  const { graph: bound, runtimeInputs } = bindConstantInputs(raw, given);
  // The graph `hsq compile` with the same options builds.
  const g = prepareModel({ ...opts, model: a.model }, bound).graph;
  const base = { names: [...g.outputs], inputNames: [...raw.inputs], ...(a.random !== undefined ? { inputs: given } : {}) };
  let values: Record<string, Tensor>;
  const engine = a.engine ?? (a.profile || a.trace !== undefined || targetName !== 'host' ? 'c' : 'interpreter');
  const opt = a.opt ? (`-${a.opt}` as '-O2' | '-Os') : undefined;
  if (a.profile) {
    const r = await profileModel(g, runtimeInputs, { target: targetName as 'host', scalar: a.scalar, opt });
    return { ...base, values: r.outputs, profile: r.report };
  }
  if (a.trace !== undefined) {
    if (targetName === 'host') {
      const { traceHostC } = await import('../../targets/host/run');
      const r = await traceHostC(g, runtimeInputs, { sanitize: a.sanitize });
      return { ...base, values: r.outputs, trace: r.trace };
    }
    const { runM55Batch } = await import('../../targets/cortex-m55/run');
    const r = await runM55Batch([{ graph: g, inputs: [runtimeInputs] }], { scalar: a.scalar, opt, trace: true });
    const out: Record<string, Tensor> = {};
    for (const n of g.outputs) out[n] = r.outputs[0][0][n];
    return { ...base, values: out, trace: r.stats.traces![0][0] };
  }
  if (engine === 'interpreter') values = runGraph(g, runtimeInputs);
  else values = await runOnTarget(targetName, g, runtimeInputs, { sanitize: a.sanitize, scalar: a.scalar, host: a.host, opt });
  return { ...base, values };
}
