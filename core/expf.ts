// The one float32 exp of hsq (docs/ir.md "Float semantics"). runtime-c/hsq_expf.h is its C twin:
// the same constants, the same operations in the same order. Change one, change both.
//
// Algorithm (Cephes expf, with exact scaling):
//   k = floor(x * log2(e) + 0.5)            nearest integer, in float32
//   r = (x - k * LN2_HI) - k * LN2_LO        LN2_HI has 9 significant bits, so k * LN2_HI and
//                                            the first subtraction are exact for |k| <= 151
//   p = ((((((P0 r + P1) r + P2) r + P3) r + P4) r + P5) * r^2 + r) + 1     (Horner, float32)
//   exp(x) = p * 2^k, the power of two applied without intermediate rounding: for k < -126 as
//   (p * 2^(k+126)) * 2^-126, exact first, then one rounding into the subnormal range (no flush
//   to zero); for k = 128 as (p * 2^127) * 2.
// Every JS step is one float32 operation (Math.fround of the double result equals the float32
// result for +, -, *), so the C twin gives the same bits with -ffp-contract=off.

const f = Math.fround;

const LOG2E = f(1.44269504088896341);
const LN2_HI = f(0.693359375);
const LN2_LO = f(-2.12194440e-4);
const P0 = f(1.9875691500e-4);
const P1 = f(1.3981999507e-3);
const P2 = f(8.3334519073e-3);
const P3 = f(4.1665795894e-2);
const P4 = f(1.6666665459e-1);
const P5 = f(5.0000001201e-1);
/** Largest float32 whose exp is finite (0x42B17217). */
export const EXPF_MAX_ARG = f(88.72283172607421875);
/** Below this exp(x) < 2^-150 rounds to +0. */
export const EXPF_MIN_ARG = -104;

const TWO_M126 = 2 ** -126;
/** 2^k for k in [-126, 127] at index k + 126 (exact; the C builds it from its bits). */
const POW2 = Float64Array.from({ length: 254 }, (_, i) => 2 ** (i - 126));

/** float32 exp; the argument is taken as float32. */
export function expf(xIn: number): number {
  const x = f(xIn);
  if (x !== x) return x;                      // NaN
  if (x > EXPF_MAX_ARG) return Infinity;
  if (x < EXPF_MIN_ARG) return 0;
  const k = Math.floor(f(f(x * LOG2E) + 0.5));
  const r = f(f(x - f(k * LN2_HI)) - f(k * LN2_LO));
  const z = f(r * r);
  let p = f(f(P0 * r) + P1);
  p = f(f(p * r) + P2);
  p = f(f(p * r) + P3);
  p = f(f(p * r) + P4);
  p = f(f(p * r) + P5);
  p = f(f(f(p * z) + r) + 1);
  if (k > 127) return f(f(p * POW2[253]) * 2);
  if (k < -126) return f(f(p * POW2[k + 252]) * TWO_M126);
  return f(p * POW2[k + 126]);
}
