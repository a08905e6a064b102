// ReduceL2: sqrt of the sum of v*v (float32: the square and each add rounded, then one
// correctly rounded sqrtf, as ORT's float kernel). Integers: the exact sum, sqrt truncated.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceC, reduceOp } from './lib/reduce';
import { roundFor } from './lib/tensor-util';

export function reduceL2(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 0n, (a: bigint, v: bigint) => a + v * v, (a: bigint) => BigInt(Math.trunc(Math.sqrt(Number(a)))));
  const r = roundFor(x.dtype);
  if (!isFloat(x.dtype)) return reduce(x, plan, x.dtype, 0, (a: number, v: number) => a + v * v, (a: number) => Math.trunc(Math.sqrt(a)));
  return reduce(x, plan, x.dtype, 0, (a: number, v: number) => r(a + r(v * v)), (a: number) => r(Math.sqrt(a)));
}

export const ReduceL2 = reduceOp('ReduceL2', { quant: 'dequantize-compute-quantize', npu: 'none' }, reduceL2, {
  init: reduceC.zero,
  step: (a, v, e) => (e.isFloat ? `${a} + ${v} * ${v}` : `${a} + (int64_t)${v} * ${v}`),
  finish: (a, _n, e) => (e.isFloat ? `sqrtf(${a})` : `(int64_t)sqrt((double)${a})`),
});
