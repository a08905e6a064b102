// Relu: y = max(x, 0); NaN stays NaN. Any numeric dtype.
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function relu(x: Tensor): Tensor {
  if (isBigInt(x.dtype)) return mapUnary(x, x.dtype, (v: bigint) => (v > 0n ? v : 0n));
  return mapUnary(x, x.dtype, (v: number) => (v > 0 || v !== v ? v : 0));
}

export const Relu = unaryOp({
  op: 'Relu',
  traits: { quant: 'lookup-table', npu: 'lookup-activation' },
  c: { unary: (v, e) => (e.isFloat ? `((${v} > 0.0f || ${v} != ${v}) ? ${v} : 0.0f)` : `(${v} > 0 ? ${v} : 0)`) },
  compute: (x) => relu(x),
});
