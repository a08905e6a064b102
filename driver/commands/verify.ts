import * as fs from 'fs';
import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { checkInputs, parseInputShapes, readInputs } from '../../frontend/io';
import { lower } from '../frontend';
import { runGraph } from '../../ops/engine/interpreter';
import { bindConstantInputs } from '../../frontend/bind-inputs';
import { randomInputs } from '../../core/random-inputs';
import { compareOutputs, verdict, OutputMetrics, OutputQuant } from '../../verify/metrics';
import { Graph, producers } from '../../core/ir/graph';
import { Tensor, makeTensor, numel } from '../../core/ir/tensor';
import { ExitCode, fail } from '../../core/diagnostics';
import { inputShapeOption, jsonOption, targetOption } from './options';
import { runOnTarget } from '../run-target';
import { lookupTarget } from '../../targets/registry';

interface Args {
  model: string; target: string; inputs?: string; input?: string[]; random?: number; seed: number;
  json: boolean; 'input-shape'?: string[]; sanitize: boolean; scalar: boolean; opt?: 'O2' | 'Os'; host?: boolean;
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify <model>',
  describe: 'run the interpreter, the generated C and ONNX Runtime on the same inputs and compare',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('target', targetOption('target whose generated C runs', true))
    .option('inputs', { type: 'string', describe: 'folder with input_K.pb' })
    .option('input', { type: 'string', array: true, describe: 'NAME=FILE (.pb or .npy)' })
    .option('random', { type: 'number', describe: 'N seeded random input sets instead of files' })
    .option('seed', { type: 'number', default: 0, describe: 'seed for --random' })
    .option('input-shape', inputShapeOption)
    .option('sanitize', { type: 'boolean', default: false, describe: 'build the C with -fsanitize=address,undefined' })
    .option('scalar', { type: 'boolean', default: false, describe: 'force the portable kernels (no MVE)' })
    .option('opt', { choices: ['O2', 'Os'], default: 'O2', coerce: (v: string) => String(v).replace(/^-/, ''), describe: '--target cortex-m55: optimisation level (-O2 or -Os; write --opt Os or --opt=-Os)' })
    .option('host', { type: 'boolean', default: false, describe: '--target stm32n6: build the emulated program for the host instead of QEMU' })
    .option('json', jsonOption)
    .example('$0 verify model.onnx --random 4 --seed 1', '')
    .example('$0 verify model.onnx --inputs test_data_set_0 --json', '') as never,
  handler: async (a) => {
    const report = await verifyModel(a);
    if (a.json) process.stdout.write(JSON.stringify(report.json, null, 2) + '\n');
    else process.stdout.write(report.text + '\n');
    process.exitCode = report.json.ok ? ExitCode.ok : ExitCode.mismatch;
  },
};

/** Quantization of a graph output that is the dequantized form of an integer tensor. */
function outputQuant(g: Graph, name: string): OutputQuant | undefined {
  const info = g.tensors[name];
  if (info?.quant) return { scale: info.quant.scale, zeroPoint: info.quant.zeroPoint, axis: info.quant.axis };
  const p = producers(g).get(name);
  if (p?.op === 'DequantizeLinear') {
    const q = g.tensors[p.inputs[0]]?.quant;
    if (q && q.blockSize === undefined) return { scale: q.scale, zeroPoint: q.zeroPoint, axis: q.axis };
  }
  return undefined;
}

/** Concatenate same-named outputs of several runs into one tensor (batch along a new leading dim). */
function stack(ts: Tensor[]): Tensor {
  if (ts.length === 1) return ts[0];
  const n = numel(ts[0].shape);
  const out = makeTensor(ts[0].dtype, [ts.length, ...ts[0].shape]);
  ts.forEach((t, i) => (out.data as Float32Array).set(t.data as Float32Array, i * n));
  return out;
}

export async function verifyModel(a: Pick<Args, 'model' | 'target' | 'inputs' | 'input' | 'random' | 'seed' | 'input-shape' | 'sanitize' | 'scalar' | 'opt' | 'host'>) {
  lookupTarget(a.target, '--target');
  const raw = loadModel(a.model, { inputShapes: parseInputShapes(a['input-shape']) });
  let sets: Record<string, Tensor>[];
  if (a.random !== undefined) {
    if (!(a.random >= 1 && Number.isInteger(a.random))) fail('bad-input', '--random takes a whole number of input sets ≥ 1', '--random');
    sets = Array.from({ length: a.random }, (_, k) => randomInputs(raw, a.seed + k));
  } else {
    if (!a.inputs && !(a.input && a.input.length)) fail('bad-input', 'give the inputs: --inputs DIR, --input NAME=FILE or --random N', '--inputs');
    sets = [readInputs(raw.inputs, { dir: a.inputs, files: a.input })];
  }
  for (const s of sets) checkInputs(raw, s);
  const { graph: bound } = bindConstantInputs(raw, sets[0]);
  const g = lower(bound);
  let ortAvailable = true;
  let ortReason = '';
  const per: Record<string, { interp: Tensor[]; c: Tensor[]; ort: Tensor[] }> = {};
  for (const name of g.outputs) per[name] = { interp: [], c: [], ort: [] };
  const modelBytes = fs.readFileSync(a.model);
  for (const s of sets) {
    const runtime = bindConstantInputs(raw, s).runtimeInputs;
    const interp = runGraph(g, runtime);
    const c = await runOnTarget(a.target, g, runtime, { sanitize: a.sanitize, scalar: a.scalar, host: a.host, opt: a.opt ? (`-${a.opt}` as '-O2' | '-Os') : undefined });
    let ort: Record<string, Tensor> | null = null;
    if (ortAvailable) {
      try {
        const { runOrt } = await import('../../verify/ort');
        ort = await runOrt(modelBytes, s);
      } catch (e) {
        ortAvailable = false;
        ortReason = (e as Error).message.split('\n')[0];
      }
    }
    for (const name of g.outputs) {
      per[name].interp.push(interp[name]);
      per[name].c.push(c[name]);
      if (ort) per[name].ort.push(ort[name]);
    }
  }
  const results: OutputMetrics[] = g.outputs.map((name) => compareOutputs({
    name,
    interp: stack(per[name].interp),
    c: stack(per[name].c),
    ort: ortAvailable ? stack(per[name].ort) : null,
    quant: outputQuant(g, name),
  }));
  const v = verdict(results);
  const json = {
    ok: v.ok,
    outputs: results.map((r) => ({
      name: r.name, exactVsInterpreter: r.exactVsInterpreter, maxStepsVsOrt: r.maxStepsVsOrt,
      within1StepVsOrt: r.within1StepVsOrt, maxRelErrVsOrt: r.maxRelErrVsOrt, sqnrDb: r.sqnrDb,
    })),
    ...(ortAvailable ? {} : { ort: `ONNX Runtime could not run the model: ${ortReason}` }),
    failures: v.failures,
  };
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);
  const text = [
    ...results.map((r) => `${r.name}: equal to interpreter ${pct(r.exactVsInterpreter)}; vs ONNX Runtime: ` +
      (r.maxStepsVsOrt !== null ? `max ${r.maxStepsVsOrt} steps, ${pct(r.within1StepVsOrt)} within 1 step` :
        r.maxRelErrVsOrt !== null ? `max rel. error ${r.maxRelErrVsOrt.toExponential(2)}` : 'n/a') +
      (r.sqnrDb !== null ? `, SQNR ${r.sqnrDb.toFixed(1)} dB` : '')),
    ...(ortAvailable ? [] : [`note: ONNX Runtime could not run the model (${ortReason})`]),
    ...v.failures.map((f) => `FAIL ${f}`),
    v.ok ? 'verify: ok' : 'verify: MISMATCH',
  ].join('\n');
  return { json, text };
}
