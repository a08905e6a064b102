// Moving values between hsq's representation of a tensor and the original model's.
import { DType } from '../core/ir/dtype';
import { Tensor, makeTensor, numel, strides, toNumbers } from '../core/ir/tensor';
import { dequantizeValue } from '../core/numerics';

/** (q - zero point) * scale in float32, per tensor or per axis, as DequantizeLinear computes it. */
export function dequantizeTensor(t: Tensor, q: { readonly scale: number | readonly number[]; readonly zeroPoint: number | readonly number[]; readonly axis?: number }): Tensor {
  const v = toNumbers(t);
  const scale = typeof q.scale === 'number' ? [q.scale] : q.scale;
  const zp = typeof q.zeroPoint === 'number' ? [q.zeroPoint] : q.zeroPoint;
  const out = new Float32Array(v.length);
  if (scale.length === 1) {
    const s = scale[0], z = zp[0] ?? 0;
    for (let i = 0; i < v.length; i++) out[i] = dequantizeValue(v[i], s, z);
  } else {
    const ax = (q.axis ?? 0) < 0 ? (q.axis ?? 0) + t.shape.length : (q.axis ?? 0);
    const st = strides(t.shape)[ax], dim = t.shape[ax];
    for (let i = 0; i < v.length; i++) {
      const c = Math.floor(i / st) % dim;
      out[i] = dequantizeValue(v[i], scale[c], zp.length === 1 ? zp[0] : zp[c] ?? 0);
    }
  }
  return { dtype: 'float32', shape: [...t.shape], data: out };
}

/** The same values under another dtype (int4 ↔ int8 containers, say) and, when it has as many elements, shape. */
export function retype(t: Tensor, dtype: DType, shape: readonly number[] = t.shape): Tensor {
  const sh = shape.every((d) => d >= 0) && numel(shape) === numel(t.shape) ? shape : t.shape;
  if (dtype === t.dtype) return sh === t.shape ? t : { ...t, shape: [...sh] };
  return makeTensor(dtype, sh, toNumbers(t));
}

/** Same-named tensors of several runs as one, along a new leading dimension. */
export function stack(ts: readonly Tensor[]): Tensor {
  if (ts.length === 1) return ts[0];
  const n = numel(ts[0].shape);
  const out = makeTensor(ts[0].dtype, [ts.length, ...ts[0].shape]);
  ts.forEach((t, i) => (out.data as Float32Array).set(t.data as Float32Array, i * n));
  return out;
}
