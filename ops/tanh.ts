// Tanh in float32 (Cephes tanhf), C-reproducible with expf:
//   |x| >= 0.625:  t = 1 - 2 / (expf(2|x|) + 1), sign of x restored (stable: expf overflow to
//                  +Inf gives exactly 1, no Inf/Inf);
//   |x| <  0.625:  t = x + x * z * P(z), z = x*x, P the Cephes odd minimax polynomial in Horner
//                  form (avoids the cancellation of 1 - small near 0).
// Each operation rounds to float32.
import { Tensor } from '../core/ir/tensor';
import { expf } from '../core/expf';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

const fround = Math.fround;

const T0 = fround(-5.70498872745e-3);
const T1 = fround(2.06390887954e-2);
const T2 = fround(-5.37397155531e-2);
const T3 = fround(1.33314422036e-1);
const T4 = fround(-3.33332819422e-1);

export function tanhf(xIn: number): number {
  const x = fround(xIn);
  const ax = Math.abs(x);
  if (ax >= 0.625) {
    const e = expf(ax + ax);
    const t = fround(1 - fround(2 / fround(e + 1)));
    return x < 0 ? -t : t;
  }
  const z = fround(x * x);
  let p = fround(fround(T0 * z) + T1);
  p = fround(fround(p * z) + T2);
  p = fround(fround(p * z) + T3);
  p = fround(fround(p * z) + T4);
  return fround(fround(fround(p * z) * x) + x);
}

export function tanh(x: Tensor): Tensor {
  if (x.dtype === 'float64') return mapUnary(x, x.dtype, Math.tanh);
  return mapUnary(x, x.dtype, tanhf);
}

export const Tanh = unaryOp({
  op: 'Tanh',
  floatOnly: true,
  traits: { quant: 'lookup-table', npu: 'lookup-activation', outputRange: [-1, 1] },
  c: { unary: (v) => `hsq_tanhf(${v})` },
  compute: (x) => tanh(x),
});
