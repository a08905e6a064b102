// HardSwish: y = x * HardSigmoid(x) with alpha = 1/6 (float32), beta = 0.5; each step float32.
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { hardSigmoidf } from './hard-sigmoid';
import { mapUnary } from './lib/tensor-util';

const fround = Math.fround;

export const HARD_SWISH_ALPHA = fround(1 / 6);

export function hardSwishf(v: number): number {
  return fround(v * hardSigmoidf(v, HARD_SWISH_ALPHA, 0.5));
}

export function hardSwish(x: Tensor): Tensor {
  if (x.dtype === 'float64') return mapUnary(x, x.dtype, (v: number) => v * Math.max(0, Math.min(1, v / 6 + 0.5)));
  return mapUnary(x, x.dtype, hardSwishf);
}

export const HardSwish = unaryOp({
  op: 'HardSwish',
  floatOnly: true,
  traits: { quant: 'lookup-table', npu: 'lookup-activation' },
  c: { unary: (v, e) => `(${v} * hsq_hard_sigmoid(${v}, ${e.float(HARD_SWISH_ALPHA)}, 0.5f))` },
  compute: (x) => hardSwish(x),
});
