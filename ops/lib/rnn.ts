// What LSTM and GRU share (ONNX layout 0): X [seq, batch, input], W [dirs, gates*H, input],
// R [dirs, gates*H, H], B [dirs, 2*gates*H] (Wb then Rb), sequence_lens [batch] (absent or a
// constant), initial_h [dirs, batch, H]; Y [seq, dirs, batch, H], Y_h [dirs, batch, H].
// The numbers the C emitter (targets/c/ops/rnn.ts) reproduces: a gate's pre-activation is
//   a = Wb[k] + Rb[k];  a += x[j] * W[k][j] (j in order);  a += h[j] * R[k][j] (j in order)
// every operation rounded to float32, then clipped to [-clip, clip] when `clip` is set.
// Steps past a batch entry's sequence length leave its state alone and write zeros to Y, as
// ONNX Runtime does; the reverse direction starts at that entry's last valid step. An entry
// with length 0 ends with zero states (Y_h, Y_c), as ONNX Runtime gives.
import { Node, TensorInfo } from '../../core/ir/graph';
import { HsqError } from '../../core/diagnostics';
import { Tensor, toNumbers } from '../../core/ir/tensor';
import { expf } from '../../core/expf';
import { tanhf } from '../tanh';
import { attr, InferArgs, InferredOutput } from './descriptor';

const f = Math.fround;

export const RNN_ACTIVATIONS = ['Sigmoid', 'Tanh', 'Relu'] as const;
export type RnnActivation = typeof RNN_ACTIVATIONS[number];

/** float32 activations, the same steps as their C forms (rnnActivationC). */
export const RNN_ACT_FN: Record<RnnActivation, (v: number) => number> = {
  Sigmoid: (v) => f(1 / f(1 + expf(-v))),
  Tanh: tanhf,
  Relu: (v) => (v > 0 ? v : 0),
};

export function rnnAttrs() {
  return {
    hidden_size: attr.int(),
    direction: attr.string('forward', { values: ['forward', 'reverse', 'bidirectional'] }),
    activations: attr.strings(),
    activation_alpha: attr.floats(),
    activation_beta: attr.floats(),
    clip: attr.float(),
    layout: attr.int(0, { values: [0] }),
  };
}

export interface RnnGeometry { seq: number; batch: number; input: number; hidden: number; dirs: number }

function bad(node: Node, msg: string): never {
  throw new HsqError('bad-shape', `node '${node.name}' (${node.op}): ${msg}`, node.name);
}

/** The activations of each direction (`perDir` of them), validated; defaults when absent. */
export function rnnActivations(node: Node, given: readonly string[] | undefined, defaults: readonly RnnActivation[], dirs: number): RnnActivation[][] {
  const n = defaults.length;
  const list = given && given.length ? given : Array.from({ length: dirs }, () => defaults).flat();
  if (list.length !== n * dirs) bad(node, `activations has ${list.length} entries, ${n * dirs} expected`);
  for (const a of list) {
    if (!(RNN_ACTIVATIONS as readonly string[]).includes(a))
      throw new HsqError('unsupported', `node '${node.name}' (${node.op}): activation '${a}' is not supported (${RNN_ACTIVATIONS.join(', ')})`, node.name);
  }
  return Array.from({ length: dirs }, (_, d) => list.slice(d * n, (d + 1) * n) as RnnActivation[]);
}

/** Shapes from X and W, checked against R, B, initial states; `gates` is 4 (LSTM) or 3 (GRU). */
export function rnnGeometry(node: Node, infos: readonly (TensorInfo | Tensor | undefined)[], hiddenSize: number | undefined, direction: string, gates: number): RnnGeometry {
  const x = infos[0], w = infos[1], r = infos[2];
  if (!x || !w || !r) bad(node, 'inputs X, W and R are required');
  if (x.shape.length !== 3) bad(node, `X must be rank 3 [seq, batch, input], got [${x.shape.join(', ')}]`);
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const [seq, batch, input] = x.shape;
  const hidden = hiddenSize ?? w.shape[1] / gates;
  const want = (t: TensorInfo | Tensor | undefined, shape: number[], what: string) => {
    if (t && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])))
      bad(node, `${what} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  };
  want(w, [dirs, gates * hidden, input], 'W');
  want(r, [dirs, gates * hidden, hidden], 'R');
  want(infos[3], [dirs, 2 * gates * hidden], 'B');
  want(infos[4], [batch], 'sequence_lens');
  want(infos[5], [dirs, batch, hidden], 'initial_h');
  if (gates === 4) {
    want(infos[6], [dirs, batch, hidden], 'initial_c');
    if (infos[7]) throw new HsqError('unsupported', `node '${node.name}' (LSTM): peephole weights P are not supported`, node.name);
  }
  return { seq, batch, input, hidden, dirs };
}

/** Output infos: Y [seq, dirs, batch, H], then [dirs, batch, H] states (Y_h, and Y_c for LSTM). */
export function rnnInfer(args: InferArgs & { attrs: { hidden_size?: number; direction: string } }, gates: number): InferredOutput[] {
  const g = rnnGeometry(args.node, args.inputs, args.attrs.hidden_size, args.attrs.direction, gates);
  const dtype = args.inputs[0]!.dtype;
  if (dtype !== 'float32') throw new HsqError('unsupported', `node '${args.node.name}' (${args.node.op}): input type ${dtype} is not supported (float32)`, args.node.name);
  return args.node.outputs.map((_, k) => ({ dtype, shape: k === 0 ? [g.seq, g.dirs, g.batch, g.hidden] : [g.dirs, g.batch, g.hidden] }));
}

/** Per-batch sequence lengths (all `seq` when absent), checked to lie in [0, seq]. */
export function rnnLengths(node: Node, lens: Tensor | undefined, g: RnnGeometry): number[] {
  if (!lens) return new Array<number>(g.batch).fill(g.seq);
  const v = toNumbers(lens);
  for (const n of v) if (!(n >= 0 && n <= g.seq)) bad(node, `sequence_lens value ${n} is outside [0, ${g.seq}]`);
  return v;
}

/** The float32 gate pre-activation (see the header): bias, input terms, recurrent terms, clip. */
export function gateSum(bias: number, x: ArrayLike<number>, xo: number, w: ArrayLike<number>, wo: number, n: number): number {
  let a = bias;
  for (let j = 0; j < n; j++) a = f(a + f(x[xo + j] * w[wo + j]));
  return a;
}

export function clipTo(a: number, clip: number | undefined): number {
  if (clip === undefined) return a;
  const c = f(clip);
  return a < -c ? -c : a > c ? c : a;
}

/** The step order of one direction for a batch entry with `len` valid steps. */
export function stepTime(reverse: boolean, s: number, len: number): number {
  return reverse ? len - 1 - s : s;
}

/** ONNX Runtime's final states for an entry with no steps are zeros (not the initial state). */
export function zeroEmpty(state: Float32Array, lens: readonly number[], hidden: number): void {
  lens.forEach((l, n) => { if (l === 0) state.fill(0, n * hidden, (n + 1) * hidden); });
}
