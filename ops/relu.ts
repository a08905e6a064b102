// Relu: y = max(x, 0); NaN stays NaN. Any numeric dtype.
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function relu(x: Tensor): Tensor {
  if (isBigInt(x.dtype)) return mapUnary(x, x.dtype, (v: bigint) => (v > 0n ? v : 0n));
  return mapUnary(x, x.dtype, (v: number) => (v > 0 || v !== v ? v : 0));
}

export const Relu = unaryImpl('Relu', (x) => relu(x));
