// hsq's float32 exp: accuracy against the true exp, edge cases, and bit equality with its C twin
// (runtime-c/hsq_expf.h) compiled by the host gcc.
import * as path from 'path';
import { expf, EXPF_MAX_ARG } from '../core/expf';

import { bitsOf, cBitsHash, fromBits, tsBitsHash, ulp } from './support/float32-twin';

/** Deterministic float32 samples in [lo, hi]: an even sweep plus a seeded random set. */
function samples(lo: number, hi: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(Math.fround(lo + ((hi - lo) * i) / n));
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(Math.fround(lo + ((hi - lo) * s) / 2 ** 32));
  }
  return out;
}

describe('expf', () => {
  test('within 2 ulp of exp over [-87, 88]', () => {
    let worst = 0, at = 0;
    for (const x of samples(-87, 88, 200000)) {
      const t = Math.exp(x);
      const err = Math.abs(expf(x) - t) / ulp(t);
      if (err > worst) { worst = err; at = x; }
    }
    expect({ worst: worst <= 2, at }).toEqual({ worst: true, at });
  });

  test('near zero and at small arguments it is accurate (no cancellation)', () => {
    for (const x of [1e-8, -1e-8, 1e-4, -1e-4, 0.3465, -0.3465, 0.5, -0.5]) {
      const xf = Math.fround(x), t = Math.exp(xf);
      expect(Math.abs(expf(xf) - t) / ulp(t)).toBeLessThanOrEqual(1);
    }
    expect(expf(0)).toBe(1);
    expect(expf(-0)).toBe(1);
    expect(expf(1)).toBe(Math.fround(Math.E));
  });

  test('overflow, underflow into subnormals (no flush to zero), NaN', () => {
    expect(expf(Number.NaN)).toBeNaN();
    expect(expf(Infinity)).toBe(Infinity);
    expect(expf(-Infinity)).toBe(0);
    expect(expf(89)).toBe(Infinity);
    expect(expf(fromBits(bitsOf(EXPF_MAX_ARG) + 1))).toBe(Infinity);
    const big = expf(EXPF_MAX_ARG);
    expect(Number.isFinite(big)).toBe(true);
    expect(Math.abs(big - Math.exp(EXPF_MAX_ARG)) / ulp(big)).toBeLessThanOrEqual(2);
    // subnormal results: within one subnormal step of the true value, never flushed
    let worst = 0, flushed = 0;
    for (const x of samples(-103.5, -87.4, 20000)) {
      const t = Math.exp(x), y = expf(x);
      worst = Math.max(worst, Math.abs(y - t) / Math.max(ulp(t), 2 ** -149));
      if (t > 2 ** -149 && y === 0) flushed++;
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(flushed).toBe(0);
    expect(expf(-103.9)).toBe(2 ** -149);
    expect(expf(-104.5)).toBe(0);
    expect(expf(-200)).toBe(0);
  });

  test('every result is a float32 value', () => {
    for (const x of samples(-110, 90, 5000)) expect(Math.fround(expf(x))).toBe(expf(x));
  });

  test('the C twin runtime-c/hsq_expf.h gives the same bits', () => {
    expect(cBitsHash(path.resolve(__dirname, '../runtime-c/hsq_expf.h'), 'hsq_expf')).toBe(tsBitsHash(expf));
  });
});
