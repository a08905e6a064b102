// Sqrt: correctly rounded (fround of the double sqrt equals sqrtf).
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { mapUnary, roundFor } from './lib/tensor-util';

export function sqrt(x: Tensor): Tensor {
  const r = roundFor(x.dtype);
  return mapUnary(x, x.dtype, (v: number) => r(Math.sqrt(v)));
}

export const Sqrt = unaryOp({
  op: 'Sqrt',
  floatOnly: true,
  traits: { quant: 'lookup-table', quantizer: false, npu: 'lookup-activation' },
  c: { unary: (v) => `sqrtf(${v})` },
  compute: (x) => sqrt(x),
});
