// ReduceL1: sum of |v| over the reduced elements in index order (float32 adds). Integers exact.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceC, reduceOp } from './lib/reduce';
import { roundFor } from './lib/tensor-util';

export function reduceL1(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 0n, (a: bigint, v: bigint) => a + (v < 0n ? -v : v), (a: bigint) => a);
  const r = roundFor(x.dtype);
  if (!isFloat(x.dtype)) return reduce(x, plan, x.dtype, 0, (a: number, v: number) => a + Math.abs(v), (a: number) => a);
  return reduce(x, plan, x.dtype, 0, (a: number, v: number) => r(a + Math.abs(v)), (a: number) => a);
}

export const ReduceL1 = reduceOp('ReduceL1', { quant: 'none', npu: 'none' }, reduceL1, {
  init: reduceC.zero,
  step: (a, v, e) => (e.isFloat ? `${a} + fabsf(${v})` : `${a} + (${v} < 0 ? -(int64_t)${v} : (int64_t)${v})`),
});
