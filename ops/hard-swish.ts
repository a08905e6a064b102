// HardSwish: y = x * HardSigmoid(x) with alpha = 1/6 (float32), beta = 0.5; each step float32.
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { hardSigmoidf } from './hard-sigmoid';
import { mapUnary, requireFloat } from './lib/tensor-util';

const fround = Math.fround;

export const HARD_SWISH_ALPHA = fround(1 / 6);

export function hardSwishf(v: number): number {
  return fround(v * hardSigmoidf(v, HARD_SWISH_ALPHA, 0.5));
}

export function hardSwish(x: Tensor): Tensor {
  if (x.dtype === 'float64') return mapUnary(x, x.dtype, (v: number) => v * Math.max(0, Math.min(1, v / 6 + 0.5)));
  return mapUnary(x, x.dtype, hardSwishf);
}

export const HardSwish = unaryImpl('HardSwish', (x, node) => {
  requireFloat(node, x.dtype);
  return hardSwish(x);
});
