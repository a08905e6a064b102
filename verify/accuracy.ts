// Top-1 accuracy on a labelled data set (`hsq eval`, and tests that measure what quantization
// costs): every sample of X (its first dimension) through one engine run, the arg-max of one
// output against the label, and optionally against the arg-max of a reference model in ONNX
// Runtime (a float model, or a QONNX model through its reference).
import { fail } from '../core/diagnostics';
import { isFloat } from '../core/ir/dtype';
import { Graph } from '../core/ir/graph';
import { Tensor, numel, toNumbers } from '../core/ir/tensor';
import { decodeModel } from '../frontend/onnx/import';
import { encodeModel } from '../frontend/onnx/export';
import { Engine, InputSet, interpreterEngine } from './engine';
import { ORT_REFERENCE_OPTIONS, qonnxReference } from './qonnx-reference';

export interface Top1Options {
  /** Graph output whose arg-max is the prediction (default: the first output). */
  readonly output?: string;
  /** Default: the interpreter. */
  readonly engine?: Engine;
  /** Reference model (ONNX bytes) run by ORT on the same samples. */
  readonly reference?: Uint8Array;
}

export interface Top1Result {
  readonly n: number;
  readonly correct: number;
  /** correct / n, 0..1. */
  readonly top1: number;
  readonly output: string;
  readonly engine: string;
  readonly predictions: readonly number[];
  /** Share of samples whose prediction equals the reference model's (null without one). */
  readonly agreementVsReference: number | null;
  readonly referenceTop1: number | null;
}

/** Index of the largest element (the first one on ties; NaN never wins). */
export function argmax(t: Tensor): number {
  const v = toNumbers(t);
  let best = -1, bv = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i] > bv || best < 0 && !Number.isNaN(v[i])) { bv = v[i]; best = i; }
  return best;
}

/** X's samples shaped as the graph's (single) runtime input: [N, ...] → N tensors of [1, ...] or [...]. */
export function samplesOf(g: Graph, x: Tensor): { input: string; sets: InputSet[] } {
  const runtime = g.inputs.filter((i) => !(i in g.initializers));
  if (runtime.length !== 1) fail('bad-input', `--data: the model has ${runtime.length} inputs (${runtime.join(', ')}); eval takes models with one`, '--data');
  const input = runtime[0];
  const info = g.tensors[input];
  if (!info) fail('bad-input', `--data: input '${input}' has no type in the model`, input);
  if (x.shape.length < 1 || x.shape[0] < 1) fail('bad-input', `--data: expected samples along the first dimension, got shape [${x.shape}]`, '--data');
  if (x.dtype !== info.dtype) fail('bad-input', `--data holds ${x.dtype}, input '${input}' takes ${info.dtype}`, '--data');
  const rest = x.shape.slice(1);
  const shape = info.shape.length === x.shape.length ? [1, ...rest] : info.shape.length === rest.length ? rest : undefined;
  const fits = shape && shape.every((d, i) => info.shape[i] < 0 || info.shape[i] === d);
  if (!shape || !fits) fail('bad-input', `--data: a sample of shape [${rest}] does not fit input '${input}' [${info.shape}]`, '--data');
  const per = numel(rest);
  const sets = Array.from({ length: x.shape[0] }, (_, k): InputSet => ({
    [input]: { dtype: x.dtype, shape, data: x.data.slice(k * per, (k + 1) * per) } as Tensor,
  }));
  return { input, sets };
}

/** Integer labels, one per sample. */
export function labelsOf(y: Tensor, n: number): number[] {
  if (isFloat(y.dtype) || y.dtype === 'string' || y.dtype === 'bool') fail('bad-input', `--labels must hold integers, got ${y.dtype}`, '--labels');
  const v = toNumbers(y);
  if (v.length !== n) fail('bad-input', `--labels has ${v.length} labels for ${n} samples`, '--labels');
  return v;
}

export async function evaluateTop1(g: Graph, x: Tensor, y: Tensor, opts: Top1Options = {}): Promise<Top1Result> {
  const output = opts.output ?? g.outputs[0];
  if (!g.outputs.includes(output)) fail('bad-input', `--output '${output}' is not an output of the model (outputs: ${g.outputs.join(', ')})`, '--output');
  const { sets } = samplesOf(g, x);
  const labels = labelsOf(y, sets.length);
  const engine = opts.engine ?? interpreterEngine;
  const values = await engine.run(g, sets);
  const predictions = values.map((v) => argmax(v[output]));
  const correct = predictions.filter((p, k) => p === labels[k]).length;
  let agreementVsReference: number | null = null, referenceTop1: number | null = null;
  if (opts.reference) {
    const r = await referencePredictions(opts.reference, output, sets);
    agreementVsReference = r.filter((p, k) => p === predictions[k]).length / sets.length;
    referenceTop1 = r.filter((p, k) => p === labels[k]).length / sets.length;
  }
  return { n: sets.length, correct, top1: correct / sets.length, output, engine: engine.name, predictions, agreementVsReference, referenceTop1 };
}

/** Arg-max of the reference model's output of the same name (else its first output) per sample. */
async function referencePredictions(bytes: Uint8Array, output: string, sets: readonly InputSet[]): Promise<number[]> {
  const m = decodeModel(bytes);
  const ref = qonnxReference(m);
  const inputs = m.inputs.filter((i) => !(i in m.initializers));
  if (inputs.length !== 1) fail('bad-input', `--reference: the model has ${inputs.length} inputs; eval takes models with one`, '--reference');
  const name = m.outputs.includes(output) ? output : m.outputs[0];
  const { runOrtMany } = await import('./ort');
  const feeds = sets.map((s) => ({ [inputs[0]]: Object.values(s)[0] }));
  const out = await runOrtMany(ref.lowered ? encodeModel(ref.graph) : bytes, feeds, { outputs: [name], ...(ref.lowered ? ORT_REFERENCE_OPTIONS : {}) });
  return out.map((v) => argmax(v[name]));
}
