// Reciprocal: y = 1 / x, one float32 division (correctly rounded, as C's 1.0f / x).
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { mapUnary, roundFor } from './lib/tensor-util';

export function reciprocal(x: Tensor): Tensor {
  const r = roundFor(x.dtype);
  return mapUnary(x, x.dtype, (v: number) => r(1 / v));
}

export const Reciprocal = unaryOp({
  op: 'Reciprocal',
  floatOnly: true,
  traits: { quant: 'lookup-table', quantizer: false, npu: 'lookup-activation' },
  c: { unary: (v) => `(1.0f / ${v})` },
  compute: (x) => reciprocal(x),
});
