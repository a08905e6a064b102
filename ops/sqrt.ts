// Sqrt: correctly rounded (fround of the double sqrt equals sqrtf).
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { mapUnary, requireFloat, roundFor } from './lib/tensor-util';

export function sqrt(x: Tensor): Tensor {
  const r = roundFor(x.dtype);
  return mapUnary(x, x.dtype, (v: number) => r(Math.sqrt(v)));
}

export const Sqrt = unaryImpl('Sqrt', (x, node) => {
  requireFloat(node, x.dtype);
  return sqrt(x);
});
