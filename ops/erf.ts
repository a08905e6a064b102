// Erf in float32, C-reproducible with expf (each operation rounds to float32):
//   |x| < 0.5:  Maclaurin series 2/sqrt(pi) * x * (1 - z/3 + z^2/10 - z^3/42 + z^4/216 - z^5/1320),
//               z = x*x, in Horner form (truncation error < 1e-9 there);
//   |x| >= 0.5: 1 - erfc(|x|) with the Numerical Recipes erfc (relative error < 1.2e-7):
//               t = 1/(1 + |x|/2), erfc = t * expf(-x*x - 1.26551223 + t*(1.00002368 + ...)),
//               sign of x restored.
import { Tensor } from '../core/ir/tensor';
import { expf } from '../core/expf';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

const fround = Math.fround;

const f = fround;
const TWO_OVER_SQRT_PI = f(1.1283791670955126);
const S = [-1 / 1320, 1 / 216, -1 / 42, 1 / 10, -1 / 3, 1].map(f);
const C = [0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
  0.09678418, 0.37409196, 1.00002368, -1.26551223].map(f);

export function erff(xIn: number): number {
  const x = f(xIn);
  const ax = Math.abs(x);
  if (!(ax >= 0.5)) {
    if (x !== x) return x;
    const z = f(x * x);
    let p = S[0];
    for (let i = 1; i < S.length; i++) p = f(f(p * z) + S[i]);
    return f(f(TWO_OVER_SQRT_PI * x) * p);
  }
  const t = f(1 / f(1 + f(0.5 * ax)));
  let p = C[0];
  for (let i = 1; i < C.length; i++) p = f(f(p * t) + C[i]);
  const erfc = f(t * expf(f(f(-ax * ax) + p)));
  const r = f(1 - erfc);
  return x < 0 ? -r : r;
}

export function erf(x: Tensor): Tensor {
  return mapUnary(x, x.dtype, erff);
}

export const Erf = unaryOp({
  op: 'Erf',
  floatOnly: true,
  traits: { quant: 'lookup-table', quantizer: false, npu: 'lookup-activation' },
  c: { unary: (v) => `hsq_erff(${v})` },
  compute: (x) => erf(x),
});
