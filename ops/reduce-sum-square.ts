// ReduceSumSquare: sum of v*v over the reduced elements in index order; float32 rounds the
// square and each add. Integers exact.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceC, reduceOp } from './lib/reduce';
import { roundFor } from './lib/tensor-util';

export function reduceSumSquare(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 0n, (a: bigint, v: bigint) => a + v * v, (a: bigint) => a);
  const r = roundFor(x.dtype);
  if (!isFloat(x.dtype)) return reduce(x, plan, x.dtype, 0, (a: number, v: number) => a + v * v, (a: number) => a);
  return reduce(x, plan, x.dtype, 0, (a: number, v: number) => r(a + r(v * v)), (a: number) => a);
}

export const ReduceSumSquare = reduceOp('ReduceSumSquare', { quant: 'none', npu: 'none' }, reduceSumSquare, {
  init: reduceC.zero,
  step: (a, v, e) => (e.isFloat ? `${a} + ${v} * ${v}` : `${a} + (int64_t)${v} * ${v}`),
});
