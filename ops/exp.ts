// Exp: hsq's float32 expf (never Math.exp for float32 results).
import { Tensor } from '../core/ir/tensor';
import { expf } from '../core/expf';
import { unaryImpl } from './lib/elementwise';
import { mapUnary, requireFloat } from './lib/tensor-util';

export function exp(x: Tensor): Tensor {
  return mapUnary(x, x.dtype, x.dtype === 'float64' ? Math.exp : expf);
}

export const Exp = unaryImpl('Exp', (x, node) => {
  requireFloat(node, x.dtype);
  return exp(x);
});
