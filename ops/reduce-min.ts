// ReduceMin: smallest reduced element (NaN propagates); any numeric dtype. Empty: +Inf / maximum.
import { intRange, isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { ReducePlan, reduce, reduceOp } from './lib/reduce';
import { cIntLimit } from './lib/c-limits';

export function reduceMin(x: Tensor, plan: ReducePlan): Tensor {
  if (isBigInt(x.dtype)) return reduce(x, plan, x.dtype, 2n ** 63n - 1n, (a: bigint, v: bigint) => (v < a ? v : a), (a: bigint) => a);
  const init = isFloat(x.dtype) ? Infinity : intRange(x.dtype)[1];
  return reduce(x, plan, x.dtype, init, (a: number, v: number) => (v < a || v !== v ? v : a), (a: number) => a);
}

export const ReduceMin = reduceOp('ReduceMin', { quant: 'none', npu: 'none' }, reduceMin, {
  acc: (e) => e.ctype,
  init: (e) => (e.isFloat ? 'HUGE_VALF' : cIntLimit(e.ctype, 'max')),
  // NaN sticks: once the accumulator is NaN, no comparison is true again.
  step: (a, v, e) => (e.isFloat ? `(${v} < ${a} || ${v} != ${v}) ? ${v} : ${a}` : `${v} < ${a} ? ${v} : ${a}`),
});
