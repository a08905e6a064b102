// Range: n = max(ceil((limit - start) / delta), 0) elements start, start + delta, ... computed
// cumulatively (v += delta, float32 rounding each step) as ONNX Runtime does.
import { DType, TypedArray, allocArray, isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { defineOp } from './lib/descriptor';
import { constValue, inputInfo, req, roundFor } from './lib/tensor-util';

export function rangeCount(start: number | bigint, limit: number | bigint, delta: number | bigint, dtype: DType): number {
  if (typeof start === 'bigint') {
    const s = start, l = limit as bigint, d = delta as bigint;
    if (d === 0n) throw new HsqError('bad-input', 'Range: delta is 0');
    const diff = l - s;
    let q = diff / d;
    if (q * d !== diff && (diff > 0n) === (d > 0n)) q += 1n;
    return Math.max(0, Number(q));
  }
  if (delta === 0) throw new HsqError('bad-input', 'Range: delta is 0');
  const diff = roundFor(dtype)((limit as number) - (start as number));
  return Math.max(0, Math.ceil(diff / (delta as number)));
}

export function range(start: Tensor, limit: Tensor, delta: Tensor): Tensor {
  const dt = start.dtype;
  const s = start.data[0], l = limit.data[0], d = delta.data[0];
  const n = rangeCount(s, l, d, dt);
  const out = allocArray(dt, n);
  if (isBigInt(dt)) {
    let v = s as bigint;
    for (let i = 0; i < n; i++, v += d as bigint) (out as BigInt64Array)[i] = v;
  } else {
    const r = roundFor(dt);
    let v = s as number;
    for (let i = 0; i < n; i++, v = r(v + (d as number))) (out as Float32Array)[i] = v;
  }
  return { dtype: dt, shape: [n], data: out as TypedArray };
}

export const Range = defineOp({
  op: 'Range',
  attrs: {},
  constInputs: [0, 1, 2],
  traits: { quant: 'none', npu: 'none' },
  infer: (args) => {
    const s = constValue(args, 0, 'start'), l = constValue(args, 1, 'limit'), d = constValue(args, 2, 'delta');
    return [{ dtype: inputInfo(args, 0).dtype, shape: [rangeCount(s.data[0], l.data[0], d.data[0], s.dtype)] }];
  },
  run: ({ node, inputs }) => [range(req(node, inputs, 0), req(node, inputs, 1), req(node, inputs, 2))],
});
