// hsq's npm API: `import { compile, verify, evaluate, run, inspect } from 'hsq'`. Options mirror the CLI
// flags (camelCase); every user error is an HsqError with a `kind` and the node, key or file it
// names in `subject`.
import { compile as compileImpl, CompileOptions, CompileResult, TargetName, TARGETS } from './compile';
import { verifyModel } from './commands/verify';
import { runModel } from './commands/run';
import { evalModel } from './commands/eval';
import { loadModel } from '../frontend/onnx/import';
import { inferShapes } from '../passes/shape-inference';
import { validateGraph } from '../ops/engine/validate';
import { inspectGraph, InspectReport } from './inspect';
import { parseInputShapes } from '../frontend/io';
import { Tensor } from '../core/ir/tensor';

export { HsqError, ExitCode, setWarningSink } from '../core/diagnostics';
export type { DiagnosticKind, WarningSink } from '../core/diagnostics';
export type { CompileOptions, CompileResult, TargetName, InspectReport, Tensor };
export { TARGETS };
export type { QuantizeArgs as QuantizeOptions } from './commands/quantize-options';
export { validateReport, REPORT_SCHEMA } from '../report';
export type { Report, ReportLayer } from '../report';

/** Compile a model for a target into `out` (see `hsq compile --help`). */
export function compile(opts: CompileOptions): Promise<CompileResult> {
  return compileImpl(opts);
}

export interface VerifyOptions {
  model: string;
  target?: TargetName;
  /** 'c' (default): the generated C against the interpreter; 'interpreter': the interpreter against ORT only. */
  engine?: 'interpreter' | 'c';
  /** Folder with input_K.pb; or `inputFiles` NAME=FILE; or `random` seeded input sets. */
  inputs?: string;
  inputFiles?: string[];
  random?: number;
  seed?: number;
  inputShapes?: string[];
  sanitize?: boolean;
  scalar?: boolean;
  /** Return every layer's figures (otherwise only the failing layers). */
  perLayer?: boolean;
  /** A float model with the same inputs and outputs, for end-to-end SQNR. */
  floatModel?: string;
}

export type { VerifyJson as VerifyResult } from './commands/verify';
export type { LayerReport } from '../verify/per-layer';
export type { OutputReport as VerifyOutput } from '../verify/end-to-end';

/** Every layer against ONNX Runtime run alone, the generated C against the interpreter (see `hsq verify --help`). */
export async function verify(opts: VerifyOptions): Promise<import('./commands/verify').VerifyJson> {
  const r = await verifyModel({
    model: opts.model, target: opts.target ?? 'host', engine: opts.engine, inputs: opts.inputs, input: opts.inputFiles, random: opts.random,
    seed: opts.seed ?? 0, 'input-shape': opts.inputShapes, sanitize: !!opts.sanitize, scalar: !!opts.scalar,
    'per-layer': opts.perLayer, 'float-model': opts.floatModel,
  });
  return r.json;
}

export interface EvalOptions {
  model: string;
  /** Samples stacked along the first dimension, and one integer label per sample (.npy or .pb). */
  data: string;
  labels: string;
  engine?: 'interpreter' | 'c';
  target?: TargetName;
  /** Output whose arg-max is the prediction (default: the first). */
  output?: string;
  /** Model run by ONNX Runtime on the same samples (agreementVsReference). */
  reference?: string;
}

export type { Top1Result as EvalResult, Top1Options } from '../verify/accuracy';
/** Graph-level form for code that already holds a (quantized) graph and tensors: evaluateTop1(graph, x, y, { reference }). */
export { evaluateTop1 } from '../verify/accuracy';

/** Top-1 of a model on labelled samples (see `hsq eval --help`). */
export function evaluate(opts: EvalOptions): Promise<import('../verify/accuracy').Top1Result> {
  return evalModel({ model: opts.model, data: opts.data, labels: opts.labels, engine: opts.engine ?? 'interpreter', target: opts.target ?? 'host', output: opts.output, reference: opts.reference });
}

export interface RunOptions {
  model: string;
  engine?: 'interpreter' | 'c';
  target?: TargetName;
  inputs?: string;
  inputFiles?: string[];
  inputShapes?: string[];
}

/** Run a model on input files; returns the outputs by name, in graph-output order. */
export async function run(opts: RunOptions): Promise<{ names: string[]; values: Record<string, Tensor> }> {
  return runModel({
    model: opts.model, engine: opts.engine ?? 'interpreter', target: opts.target ?? 'host', inputs: opts.inputs,
    input: opts.inputFiles, 'input-shape': opts.inputShapes, 'dump-dir': 'hsq-dump', sanitize: false,
  });
}

/** Per-node report of a model as given (see `hsq inspect --json`). */
export function inspect(model: string, opts: { inputShapes?: string[] } = {}): InspectReport {
  const raw = loadModel(model, { inputShapes: parseInputShapes(opts.inputShapes) });
  validateGraph(raw);  // as `hsq inspect`: the real cause of a broken graph, as compile names it
  return inspectGraph(inferShapes(raw));
}
