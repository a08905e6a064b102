// Gelu (opset 20), float32, each step rounded to float32, in ONNX Runtime's order:
//   approximate 'none': y = (x * 0.5) * (erff(x * (1/sqrt 2)) + 1)
//   approximate 'tanh': y = (x * 0.5) * (tanhf(sqrt(2/pi) * (x + (0.044715 * (x * x)) * x)) + 1)
// with hsq's C-reproducible erff and tanhf. Quantized, it is a lookup table like any unary op.
import { Tensor } from '../core/ir/tensor';
import { attr } from './lib/descriptor';
import { unaryOp } from './lib/elementwise';
import { requireDtype } from './lib/op-util';
import { mapUnary } from './lib/tensor-util';
import { erff } from './erf';
import { tanhf } from './tanh';

const f = Math.fround;
const SQRT1_2 = f(Math.SQRT1_2);
const SQRT_2_OVER_PI = f(Math.sqrt(2 / Math.PI));
const CUBIC = f(0.044715);

export function geluf(x: number): number {
  return f(f(x * 0.5) * f(erff(f(x * SQRT1_2)) + 1));
}

export function geluTanhf(x: number): number {
  const inner = f(x + f(f(CUBIC * f(x * x)) * x));
  return f(f(x * 0.5) * f(tanhf(f(SQRT_2_OVER_PI * inner)) + 1));
}

export function gelu(x: Tensor, approximate = 'none'): Tensor {
  return mapUnary(x, x.dtype, approximate === 'tanh' ? geluTanhf : geluf);
}

export const Gelu = unaryOp({
  op: 'Gelu',
  since: 20,
  attrs: { approximate: attr.string('none', { values: ['none', 'tanh'] }) },
  types: ['float32', 'float16'],
  traits: { quant: 'lookup-table', npu: 'lookup-activation' },
  c: {
    // The same operations in the same order (C float arithmetic rounds each to float32).
    unary: (v, e) => (e.attrs.approximate === 'tanh'
      ? `((${v} * 0.5f) * (hsq_tanhf(${e.float(SQRT_2_OVER_PI)} * (${v} + (${e.float(CUBIC)} * (${v} * ${v})) * ${v})) + 1.0f))`
      : `((${v} * 0.5f) * (hsq_erff(${v} * ${e.float(SQRT1_2)}) + 1.0f))`),
  },
  compute: (x, { approximate }, node) => {
    requireDtype(node, 'X', x.dtype, ['float32', 'float16']);
    return gelu(x, approximate);
  },
});
