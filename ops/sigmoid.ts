// Sigmoid: y = 1 / (1 + expf(-x)), each step float32.
import { Tensor } from '../core/ir/tensor';
import { expf } from '../core/expf';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

const fround = Math.fround;

export function sigmoidf(v: number): number {
  return fround(1 / fround(1 + expf(-v)));
}

export function sigmoid(x: Tensor): Tensor {
  if (x.dtype === 'float64') return mapUnary(x, x.dtype, (v: number) => 1 / (1 + Math.exp(-v)));
  return mapUnary(x, x.dtype, sigmoidf);
}

export const Sigmoid = unaryOp({
  op: 'Sigmoid',
  floatOnly: true,
  traits: { quant: 'lookup-table', npu: 'lookup-activation', outputRange: [0, 1] },
  c: { unary: (v) => `(1.0f / (1.0f + hsq_expf(-${v})))` },
  compute: (x) => sigmoid(x),
});
