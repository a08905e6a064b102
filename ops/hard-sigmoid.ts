// HardSigmoid: y = max(0, min(1, alpha * x + beta)), each step float32.
import { Tensor } from '../core/ir/tensor';
import { attr } from './lib/descriptor';
import { unaryOp } from './lib/elementwise';
import { mapUnary, roundFor } from './lib/tensor-util';

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

export const HardSigmoid = unaryOp({
  op: 'HardSigmoid',
  attrs: { alpha: attr.float(0.2), beta: attr.float(0.5) },
  floatOnly: true,
  traits: { quant: 'lookup-table', npu: 'lookup-activation', outputRange: [0, 1] },
  c: { unary: (v, e) => `hsq_hard_sigmoid(${v}, ${e.float(fround(e.attrs.alpha))}, ${e.float(fround(e.attrs.beta))})` },
  compute: (x, { alpha, beta }) => hardSigmoid(x, alpha, beta),
});
