// HardSigmoid: y = max(0, min(1, alpha * x + beta)), each step float32.
import { attrFloat } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { mapUnary, requireFloat, roundFor } from './lib/tensor-util';

const fround = Math.fround;

export function hardSigmoidf(v: number, alpha: number, beta: number): number {
  const t = fround(fround(alpha * v) + beta);
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

export function hardSigmoid(x: Tensor, alpha = 0.2, beta = 0.5): Tensor {
  const r = roundFor(x.dtype);
  const a = r(alpha), b = r(beta);
  if (x.dtype === 'float64') return mapUnary(x, x.dtype, (v: number) => Math.max(0, Math.min(1, a * v + b)));
  return mapUnary(x, x.dtype, (v: number) => hardSigmoidf(v, a, b));
}

export const HardSigmoid = unaryImpl('HardSigmoid', (x, node) => {
  requireFloat(node, x.dtype);
  return hardSigmoid(x, attrFloat(node, 'alpha', 0.2), attrFloat(node, 'beta', 0.5));
});
