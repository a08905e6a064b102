// LeakyRelu: y = x < 0 ? alpha * x : x (float32 product).
import { Tensor } from '../core/ir/tensor';
import { attr } from './lib/descriptor';
import { unaryOp } from './lib/elementwise';
import { mapUnary, roundFor } from './lib/tensor-util';

export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const r = roundFor(x.dtype);
  const a = r(alpha);
  return mapUnary(x, x.dtype, (v: number) => (v < 0 ? r(a * v) : v));
}

export const LeakyRelu = unaryOp({
  op: 'LeakyRelu',
  attrs: { alpha: attr.float(0.01, { samples: [0.01, 0.1] }) },
  floatOnly: true,
  traits: { quant: 'lookup-table', npu: 'lookup-activation' },
  c: { unary: (v, e) => `(${v} < 0.0f ? ${e.float(Math.fround(e.attrs.alpha))} * ${v} : ${v})` },
  compute: (x, { alpha }) => leakyRelu(x, alpha),
});
