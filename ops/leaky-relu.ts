// LeakyRelu: y = x < 0 ? alpha * x : x (float32 product).
import { attrFloat } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { mapUnary, requireFloat, roundFor } from './lib/tensor-util';

export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const r = roundFor(x.dtype);
  const a = r(alpha);
  return mapUnary(x, x.dtype, (v: number) => (v < 0 ? r(a * v) : v));
}

export const LeakyRelu = unaryImpl('LeakyRelu', (x, node) => {
  requireFloat(node, x.dtype);
  return leakyRelu(x, attrFloat(node, 'alpha', 0.01));
});
