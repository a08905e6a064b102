// ReduceMean: sum of the reduced elements in index order (float32 adds from 0), divided by
// their count (one float32 division). Integer tensors: exact sum, truncating division.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceC, reduceOp } from './lib/reduce';
import { roundFor } from './lib/tensor-util';

export function reduceMean(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 0n, (a: bigint, v: bigint) => a + v, (a: bigint, n: number) => a / BigInt(n));
  if (!isFloat(x.dtype)) return reduce(x, plan, x.dtype, 0, (a: number, v: number) => a + v, (a: number, n: number) => Math.trunc(a / n));
  const r = roundFor(x.dtype);
  return reduce(x, plan, x.dtype, 0, (a: number, v: number) => r(a + v), (a: number, n: number) => r(a / n));
}

export const ReduceMean = reduceOp('ReduceMean', { quant: 'dequantize-compute-quantize', npu: 'none' }, reduceMean, {
  init: reduceC.zero,
  step: (a, v) => `${a} + ${v}`,
  // One float32 division by the count (exact in float for any tensor hsq handles); C's integer
  // division truncates like Math.trunc.
  finish: (a, n, e) => (e.isFloat ? `${a} / ${e.float(n)}` : `${a} / ${n}`),
});
