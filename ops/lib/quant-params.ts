// Per-tensor, per-axis and blocked quantization parameters (QuantizeLinear/DequantizeLinear
// scale and zero point) mapped onto the elements of the quantized tensor.
import { fail } from '../../core/diagnostics';
import { Tensor, numel } from '../../core/ir/tensor';

/**
 * For each element of a tensor of shape `shape`, the index of its scale / zero point.
 * Returns null for per-tensor parameters (one value). `axis` is the ONNX attribute (may be
 * negative); `blockSize` 0 means per axis.
 */
export function quantParamIndex(node: string, shape: readonly number[], paramShape: readonly number[], axis: number, blockSize: number): Int32Array | null {
  const pn = numel(paramShape);
  if (pn === 1 && blockSize <= 0) return null;
  const rank = shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) fail('bad-shape', `node '${node}': axis ${axis} out of range for rank ${rank}`, node);
  let outer = 1, inner = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i];
  for (let i = ax + 1; i < rank; i++) inner *= shape[i];
  const dim = shape[ax];
  const idx = new Int32Array(numel(shape));
  if (blockSize <= 0) {
    if (paramShape.length !== 1 || paramShape[0] !== dim)
      fail('bad-shape', `node '${node}': per-axis scale has shape [${paramShape}], expected [${dim}] (axis ${ax})`, node);
    let p = 0;
    for (let o = 0; o < outer; o++) for (let a = 0; a < dim; a++) { idx.fill(a, p, p + inner); p += inner; }
    return idx;
  }
  const nb = Math.ceil(dim / blockSize);
  const okShape = paramShape.length === rank && paramShape.every((d, i) => (i === ax ? d === nb : d === shape[i]));
  if (!okShape) fail('bad-shape', `node '${node}': blocked scale has shape [${paramShape}], expected input shape [${shape}] with dim ${ax} = ${nb}`, node);
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < dim; a++) {
      const base = (o * nb + Math.floor(a / blockSize)) * inner;
      for (let i = 0; i < inner; i++) idx[p++] = base + i;
    }
  }
  return idx;
}

/** Values of a (small) parameter tensor as float64 numbers; empty when absent. */
export function paramValues(t: Tensor | undefined): Float64Array {
  if (!t) return new Float64Array(0);
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/**
 * One value per channel (length `n`) from a scalar/[1] or [n] tensor or array: the
 * per-tensor / per-output-channel parameters of the quantized convs and gemms.
 */
export function perChannel(node: string, what: string, v: ArrayLike<number | bigint> | undefined, n: number, def: number): Float64Array {
  const out = new Float64Array(n);
  if (!v || v.length === 0) { out.fill(def); return out; }
  if (v.length === 1) { out.fill(Number(v[0])); return out; }
  if (v.length !== n) fail('bad-shape', `node '${node}': ${what} has ${v.length} values, expected 1 or ${n}`, node);
  for (let i = 0; i < n; i++) out[i] = Number(v[i]);
  return out;
}
