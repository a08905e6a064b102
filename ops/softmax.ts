// Softmax. Opset < 13: the input is coerced to 2-D [prod(shape[:axis]), prod(shape[axis:])] and
// each row normalised (default axis 1); opset >= 13: normalised along `axis` (default -1).
// Per row: m = max, e_j = expf(x_j - m), s = sum of e_j in index order from 0, y_j = e_j / s;
// every step float32. LogSoftmax (ops/log-softmax.ts) shares the rows: y_j = (x_j - m) - logf(s).
import { Node } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { expf } from '../core/expf';
import { logf } from '../core/logf';
import { attr, defineOp } from './lib/descriptor';
import { inferSameAsInput } from './lib/elementwise';
import { FLOAT_TYPES, normAxis, opsetOf, req, requireFloat, roundFor } from './lib/tensor-util';

/** Softmax over `n` elements spaced `stride` apart, for each of `outer` x `inner` rows. */
function softmaxRows(src: ArrayLike<number>, dst: { [i: number]: number }, outer: number, n: number, inner: number,
  r: (v: number) => number, e: (v: number) => number, log?: (v: number) => number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let j = 0, p = base; j < n; j++, p += inner) { const v = src[p]; if (v > m || v !== v) m = v; }
      let s = 0;
      for (let j = 0, p = base; j < n; j++, p += inner) { const d = r(src[p] - m), v = e(d); dst[p] = log ? d : v; s = r(s + v); }
      if (log) { const ls = log(s); for (let j = 0, p = base; j < n; j++, p += inner) dst[p] = r(dst[p] - ls); }
      else for (let j = 0, p = base; j < n; j++, p += inner) dst[p] = r(dst[p] / s);
    }
  }
}

/** Softmax, or LogSoftmax (`log`: y_j = (x_j - m) - logf(s)) along `axis`. */
export function softmax(x: Tensor, axis = -1, opset = Infinity, subject?: Node, log = false): Tensor {
  const rank = x.shape.length;
  const a = rank === 0 ? 0 : subject ? normAxis(axis, rank, subject) : (axis < 0 ? axis + rank : axis);
  const out = x.data.slice() as Float32Array;
  const r = roundFor(x.dtype), e = x.dtype === 'float64' ? Math.exp : expf;
  const l = log ? (x.dtype === 'float64' ? Math.log : logf) : undefined;
  const outer = numel(x.shape.slice(0, a));
  if (opset < 13) softmaxRows(x.data as Float32Array, out, outer, numel(x.shape.slice(a)), 1, r, e, l);
  else softmaxRows(x.data as Float32Array, out, outer, rank === 0 ? 1 : x.shape[a], numel(x.shape.slice(a + 1)), r, e, l);
  return { dtype: x.dtype, shape: [...x.shape], data: out };
}

/** The descriptor of Softmax, or of LogSoftmax (`log`): the same attribute, types and rows. */
export function softmaxFamilyOp(op: 'Softmax' | 'LogSoftmax', log: boolean) {
  return defineOp({
    op,
    attrs: { axis: attr.int((opset) => (opset < 13 ? 1 : -1)) },
    types: FLOAT_TYPES,
    // A model's own DequantizeLinear -> Softmax -> QuantizeLinear is one 8-bit layer in the C
    // (targets/c/qsoftmax.ts): dequantize, these float32 rows, quantize round half to even.
    // hsq's quantizer gives Softmax's output a fixed grid (precision/quantize-model.ts).
    traits: { quant: 'dequantize-compute-quantize', npu: 'none' },
    infer: inferSameAsInput,
    run: ({ node, inputs, attrs }) => {
      const x = req(node, inputs, 0);
      requireFloat(node, x.dtype);
      return [softmax(x, attrs.axis, opsetOf(node), node, log)];
    },
  });
}

export const Softmax = softmaxFamilyOp('Softmax', false);
