// ReduceSum: sum of the reduced elements in index order (float32 adds from 0; integers wrap).
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceC, reduceOp } from './lib/reduce';
import { roundFor } from './lib/tensor-util';

export function reduceSum(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 0n, (a: bigint, v: bigint) => a + v, (a: bigint) => a);
  const r = roundFor(x.dtype);
  return reduce(x, plan, x.dtype, 0, (a: number, v: number) => r(a + v), (a: number) => a);
}

export const ReduceSum = reduceOp('ReduceSum', { quant: 'none', npu: 'none' }, reduceSum, {
  init: reduceC.zero,
  step: (a, v) => `${a} + ${v}`,
});
