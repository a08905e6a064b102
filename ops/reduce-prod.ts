// ReduceProd: product of the reduced elements in index order (float32 multiplies from 1);
// integers exact (bigint for int64). Empty: 1.
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceC, reduceOp } from './lib/reduce';
import { roundFor } from './lib/tensor-util';

export function reduceProd(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 1n, (a: bigint, v: bigint) => BigInt.asIntN(64, a * v), (a: bigint) => a);
  const r = roundFor(x.dtype);
  // Integers: the product wraps like the C accumulator (int64), then the store wraps to the type.
  if (x.dtype !== 'float32' && x.dtype !== 'float16' && x.dtype !== 'float64')
    return reduce(x, plan, x.dtype, 1n, (a: bigint, v: number) => BigInt.asIntN(64, a * BigInt(v)), (a: bigint) => Number(BigInt.asIntN(32, a)));
  return reduce(x, plan, x.dtype, 1, (a: number, v: number) => r(a * v), (a: number) => a);
}

export const ReduceProd = reduceOp('ReduceProd', { quant: 'none', npu: 'none' }, reduceProd, {
  init: reduceC.one,
  step: (a, v, e) => (e.isFloat ? `${a} * ${v}` : `(int64_t)((uint64_t)${a} * (uint64_t)${v})`),
});
