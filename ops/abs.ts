// Abs: y = |x|; integers wrap (|-128| is -128 in int8).
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function abs(x: Tensor): Tensor {
  if (isBigInt(x.dtype)) return mapUnary(x, x.dtype, (v: bigint) => (v < 0n ? -v : v));
  return mapUnary(x, x.dtype, Math.abs);
}

export const Abs = unaryImpl('Abs', (x) => abs(x));
