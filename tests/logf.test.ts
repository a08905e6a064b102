// hsq's float32 log (core/logf.ts, used by LogSoftmax): accuracy against the true log, edge
// cases, and bit equality with its C twin (hsq_logf in runtime-c/hsq_runtime.h) by host gcc.
import * as path from 'path';
import { logf } from '../core/logf';

import { cBitsHash, fromBits, tsBitsHash, ulp } from './support/float32-twin';

describe('logf', () => {
  test('within 2 ulp of log over every positive float32 (a stride through the bit patterns)', () => {
    let worst = 0, at = 0;
    for (let u = 1; u < 0x7f800000; u += 997) {
      const x = fromBits(u), t = Math.log(x);
      if (t === 0) continue;
      const err = Math.abs(logf(x) - t) / ulp(t);
      if (err > worst) { worst = err; at = x; }
    }
    expect({ ok: worst <= 2, at }).toEqual({ ok: true, at });
  });

  test('edge cases: 1, e, 0, negatives, infinity, NaN, subnormals', () => {
    expect(logf(1)).toBe(0);
    expect(Math.abs(logf(Math.E) - 1)).toBeLessThanOrEqual(ulp(1));
    expect(logf(0)).toBe(-Infinity);
    expect(logf(-0)).toBe(-Infinity);
    expect(logf(-1)).toBeNaN();
    expect(logf(NaN)).toBeNaN();
    expect(logf(Infinity)).toBe(Infinity);
    const tiny = 2 ** -149;
    expect(Math.abs(logf(tiny) - Math.log(tiny)) / ulp(Math.log(tiny))).toBeLessThanOrEqual(1);
    for (let u = 1; u < 0x800000; u += 4099) expect(Math.fround(logf(fromBits(u)))).toBe(logf(fromBits(u)));
  });

  test('the C twin hsq_logf gives the same bits', () => {
    expect(cBitsHash(path.resolve(__dirname, '../runtime-c/hsq_runtime.h'), 'hsq_logf', ['-lm'])).toBe(tsBitsHash(logf));
  });
});
