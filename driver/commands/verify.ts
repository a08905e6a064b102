import * as fs from 'fs';
import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { checkInputs, parseInputShapes, readInputs } from '../../frontend/io';
import { Graph } from '../../core/ir/graph';
import { bindConstantInputs } from '../../frontend/bind-inputs';
import { randomInputs } from '../../core/random-inputs';
import { Tensor } from '../../core/ir/tensor';
import { ExitCode, fail } from '../../core/diagnostics';
import { writeFileAtomic } from '../../core/output-dir';
import { interpreterEngine } from '../../verify/engine';
import { cEngine } from '../../verify/c-engine';
import { OriginalModel, originalModel } from '../../verify/original-model';
import { checkLayers, LayerReport } from '../../verify/per-layer';
import { endToEnd, OutputReport } from '../../verify/end-to-end';
import { formatLayerTable } from '../../verify/table';
import { verifyHtml } from '../../verify/html';
import { decodeModel } from '../../frontend/onnx/import';
import { loadConfig, HsqConfig } from '../../core/config';
import { encodeQdqOnnx } from '../../precision';
import { prepareModel } from '../compile';
import { lookupTarget } from '../../targets/registry';
import { jsonOption } from './options';
import { COMPILE_OPTIONS, compileOptionsOf } from './compile-options';
import { TraceReplayJson, compareTrace, formatTraceReplay } from '../../verify/trace-replay';
import { parseTrace } from '../../targets/c/trace';

interface Args {
  model: string; target?: string; config?: string; trace?: string; engine?: 'interpreter' | 'c'; inputs?: string; input?: string[]; random?: number; seed: number;
  json: boolean; 'input-shape'?: string[]; sanitize: boolean; scalar: boolean; opt?: 'O2' | 'Os'; host?: boolean;
  'per-layer'?: boolean; html?: string; 'float-model'?: string;
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify <model>',
  describe: 'check every layer against ONNX Runtime run alone on the same inputs, and the generated C against the interpreter',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .options(COMPILE_OPTIONS)
    .option('trace', { type: 'string', describe: 'a -DHSQ_TRACE run\'s HSQTRACE lines (a board\'s UART log, QEMU\'s console): replay its inputs (--inputs) and compile options through the interpreter and name the first layer that differs' })
    .option('engine', { choices: ['interpreter', 'c'], default: 'c', describe: 'what is checked against the interpreter: the generated C (at its outputs) or nothing (the interpreter against ORT only)' })
    .option('per-layer', { type: 'boolean', default: false, describe: 'print the figures of every layer (the gate applies either way)' })
    .option('html', { type: 'string', describe: 'also write a self-contained HTML page with a per-layer SQNR plot' })
    .option('float-model', { type: 'string', describe: 'float model with the same inputs and outputs: end-to-end SQNR against it' })
    .option('inputs', { type: 'string', describe: 'folder with input_K.pb' })
    .option('input', { type: 'string', array: true, describe: 'NAME=FILE (.pb or .npy)' })
    .option('random', { type: 'number', describe: 'N seeded random input sets instead of files' })
    .option('seed', { type: 'number', default: 0, describe: 'seed for --random' })
    .option('sanitize', { type: 'boolean', default: false, describe: 'build the C with -fsanitize=address,undefined' })
    .option('scalar', { type: 'boolean', default: false, describe: 'force the portable kernels (no MVE)' })
    .option('opt', { choices: ['O2', 'Os'], default: 'O2', coerce: (v: string) => String(v).replace(/^-/, ''), describe: '--target cortex-m55: optimisation level (-O2 or -Os; write --opt Os or --opt=-Os)' })
    .option('host', { type: 'boolean', default: false, describe: '--target stm32n6: build the emulated program for the host instead of QEMU' })
    .option('json', jsonOption)
    .example('$0 verify model.onnx --random 4 --seed 1', '')
    .example('$0 verify model.onnx --per-layer --engine interpreter --inputs test_data_set_0 --html verify.html', '')
    .example('$0 verify model.onnx --inputs test_data_set_0 --json', '') as never,
  handler: async (a) => {
    if (a.trace) {
      const r = await replayTrace({ ...a, trace: a.trace });
      if (a.json) process.stdout.write(JSON.stringify(r.json, null, 2) + '\n');
      else process.stdout.write(r.text + '\n');
      process.exitCode = r.json.ok ? ExitCode.ok : ExitCode.mismatch;
      return;
    }
    const report = await verifyModel(a);
    if (a.html) writeFileAtomic(a.html, report.html);
    if (a.json) process.stdout.write(JSON.stringify(report.json, null, 2) + '\n');
    else process.stdout.write(report.text + '\n');
    process.exitCode = report.json.ok ? ExitCode.ok : ExitCode.mismatch;
  },
};

export interface VerifyJson {
  ok: boolean;
  engine: string;
  /** What ONNX Runtime ran: the model, its QONNX reference, or nothing (with the reason in notes). */
  reference: 'onnx' | 'qonnx-reference' | null;
  outputs: OutputReport[];
  /** Every layer (with --per-layer; otherwise only failing ones). */
  layers: LayerReport[];
  layerSummary: { layers: number; withOrtFigure: number; failing: number };
  firstDivergence: { layer: string; engine: string } | null;
  failures: string[];
  notes: string[];
}

/** verify's own options, and any option of `hsq compile` (COMPILE_OPTIONS, by their flag names). */
type VerifyArgs = Pick<Args, 'model' | 'inputs' | 'input' | 'random' | 'seed' | 'sanitize' | 'scalar' | 'opt' | 'host'>
  & Partial<Pick<Args, 'engine' | 'per-layer' | 'float-model' | 'target' | 'input-shape'>> & Record<string, unknown>;

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);

/** The inputs, and the model built as `hsq compile` with the same options builds it. */
export function verifyInputs(a: VerifyArgs): { sets: Record<string, Tensor>[]; bound: Graph; g: Graph; runtime: Record<string, Tensor>[]; target: string; hsqQuantized: boolean; staged: Graph; stedgeaiVersion?: string } {
  const opts = compileOptionsOf(a);
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  // The target first: a bad name is the error, whatever else is wrong.
  lookupTarget(opts.target ?? config.target ?? 'host', opts.target !== undefined ? '--target' : 'config target');
  const raw = loadModel(a.model, { inputShapes: { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) } });
  let sets: Record<string, Tensor>[];
  if (a.random !== undefined) {
    if (!(a.random >= 1 && Number.isInteger(a.random))) fail('bad-input', '--random takes a whole number of input sets ≥ 1', '--random');
    if (!Number.isInteger(a.seed)) fail('bad-input', `--seed must be an integer, got ${a.seed}`, '--seed');
    sets = Array.from({ length: a.random }, (_, k) => randomInputs(raw, a.seed + k));
  } else {
    if (!a.inputs && !(a.input && a.input.length)) fail('bad-input', 'give the inputs: --inputs DIR, --input NAME=FILE or --random N', '--inputs');
    sets = [readInputs(raw.inputs, { dir: a.inputs, files: a.input })];
  }
  // --input-format: the compiled model takes camera frames; the inputs are frames of its input.
  const camera = opts.inputFormat !== undefined;
  if (!camera) for (const s of sets) checkInputs(raw, s);
  const { graph: bound } = bindConstantInputs(raw, camera ? {} : sets[0]);
  const p = prepareModel({ ...opts, model: a.model }, bound);
  if (camera) {
    sets = a.random !== undefined ? sets.map((_, k) => randomInputs(p.graph, a.seed + k)) : [readInputs(p.graph.inputs, { dir: a.inputs, files: a.input })];
    for (const s of sets) checkInputs(p.graph, s);
  }
  const runtime = camera ? sets : sets.map((s) => bindConstantInputs(raw, s).runtimeInputs);
  const stedgeaiVersion = opts.stedgeaiVersion ?? config.stedgeaiVersion;
  return { sets, bound, g: p.graph, runtime, target: p.target.name, hsqQuantized: p.hsqQuantized, staged: p.staged, ...(stedgeaiVersion !== undefined ? { stedgeaiVersion } : {}) };
}

/** `--trace FILE`: the trace against the interpreter on the same inputs, built with the same options. */
export async function replayTrace(a: VerifyArgs & { trace: string }): Promise<{ json: TraceReplayJson; text: string }> {
  let text: string;
  try { text = fs.readFileSync(a.trace, 'utf8'); } catch { fail('bad-input', `--trace: cannot read '${a.trace}'`, '--trace'); }
  if (a.random !== undefined && a.random !== 1) fail('bad-input', '--trace replays one run: give its inputs (--inputs DIR, --input NAME=FILE or --random 1 --seed S)', '--random');
  const entries = parseTrace(text, a.trace);
  const { g, runtime } = verifyInputs(a);
  const [values] = await interpreterEngine.run(g, runtime);
  const json = compareTrace(g, values, entries);
  return { json, text: formatTraceReplay(json) };
}

export async function verifyModel(a: VerifyArgs): Promise<{ json: VerifyJson; text: string; html: string }> {
  if (a['float-model'] && !fs.existsSync(a['float-model'])) fail('bad-input', `--float-model: cannot read '${a['float-model']}'`, '--float-model');
  const { sets, bound, g, runtime, target, hsqQuantized, staged, stedgeaiVersion } = verifyInputs(a);
  const interp = await interpreterEngine.run(g, runtime);
  const engine = a.engine === 'interpreter' ? undefined
    : cEngine({ target, sanitize: a.sanitize, scalar: a.scalar, host: a.host, opt: a.opt ? (`-${a.opt}` as '-O2' | '-Os') : undefined, stedgeaiVersion });
  const engineValues = engine ? await engine.run(g, runtime) : interp;
  let original: OriginalModel | string;
  // A float model hsq quantized: ORT runs hsq's quantization as standard QDQ (what --emit-onnx writes).
  const hsqNote = hsqQuantized ? ['ONNX Runtime runs hsq\'s quantization of the float model as QDQ ONNX (what --emit-onnx writes); --float-model compares with the float model'] : [];
  try { original = originalModel(hsqQuantized ? decodeModel(encodeQdqOnnx(staged)) : bound); } catch (e) { original = `no reference for ONNX Runtime: ${(e as Error).message.split('\n')[0]}`; }

  const perLayer = await checkLayers({ graph: g, original, interpreter: interp, ...(engine ? { engine: { engine, values: engineValues } } : {}) });
  const e2e = await endToEnd({
    graph: g, original, modelBytes: fs.readFileSync(a.model), given: sets, runtime, interpreter: interp, engine: engineValues,
    engineName: engine?.name ?? 'interpreter', floatModel: a['float-model'],
  });
  const layerFailures = perLayer.layers.flatMap((l) => l.failures);
  const failures = [...e2e.failures, ...layerFailures];
  const reference = typeof original === 'string' ? null : original.kind;
  const notes = [...hsqNote, ...(typeof original === 'string' ? [] : original.notes), ...e2e.notes];
  const withOrt = perLayer.layers.filter((l) => l.reference !== null).length;
  const failing = perLayer.layers.filter((l) => l.failures.length > 0);
  const json: VerifyJson = {
    ok: failures.length === 0, engine: engine?.name ?? 'interpreter', reference,
    outputs: [...e2e.outputs], layers: a['per-layer'] ? [...perLayer.layers] : failing,
    layerSummary: { layers: perLayer.layers.length, withOrtFigure: withOrt, failing: failing.length },
    firstDivergence: perLayer.firstDivergence, failures, notes,
  };
  const refText = reference === 'qonnx-reference' ? 'ONNX Runtime on the QONNX reference' : reference === 'onnx' ? 'ONNX Runtime' : 'no ONNX Runtime reference';
  const text = [
    ...(a['per-layer'] ? [formatLayerTable(perLayer.layers), ''] : []),
    ...e2e.outputs.map((r) => `${r.name}: equal to ${json.engine === 'interpreter' ? 'itself (engine: interpreter)' : 'interpreter'} ${pct(r.exactVsInterpreter)}; end to end vs ${refText}: `
      + (r.maxStepsVsOrt !== null ? `max ${r.maxStepsVsOrt} steps, ${pct(r.within1StepVsOrt)} within 1 step` : r.maxRelErrVsOrt !== null ? `max rel. error ${r.maxRelErrVsOrt.toExponential(2)}` : 'n/a')
      + (r.sqnrDb !== null ? `, SQNR ${r.sqnrDb.toFixed(1)} dB` : '') + (r.sqnrDbVsFloat !== null ? `; vs the float model SQNR ${r.sqnrDbVsFloat.toFixed(1)} dB` : '')),
    `layers: ${perLayer.layers.length}, ${withOrt} run alone in ${refText} on the interpreter's inputs; ${failing.length === 0 ? 'all within the gate (1 step; float rtol 1e-3, atol 1e-5 × max(1, max |y|))' : `${failing.length} outside the gate, first ${perLayer.firstDivergence!.layer} (${perLayer.firstDivergence!.engine})`}`,
    ...(!a['per-layer'] ? perLayer.layers.filter((l) => l.reference === null).slice(0, 3).map((l) => `  no ORT figure for ${l.name}: ${l.noOrtReason}`) : []),
    ...notes.map((n) => `note: ${n}`),
    ...failures.map((f) => `FAIL ${f}`),
    json.ok ? 'verify: ok' : 'verify: MISMATCH',
  ].join('\n');
  const html = verifyHtml({ model: a.model, engine: json.engine, reference: refText, ok: json.ok, layers: perLayer.layers, outputs: [...e2e.outputs], firstDivergence: perLayer.firstDivergence, failures, notes });
  return { json, text, html };
}
