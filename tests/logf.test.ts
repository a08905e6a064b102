// hsq's float32 log (core/logf.ts, used by LogSoftmax): accuracy against the true log, edge
// cases, and bit equality with its C twin (hsq_logf in runtime-c/hsq_runtime.h) by host gcc.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { logf } from '../core/logf';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (v: number) => { f32[0] = v; return u32[0]; };
const fromBits = (u: number) => { u32[0] = u; return f32[0]; };

function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  return 2 ** (e - 23);
}

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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-logf-'));
    const header = path.resolve(__dirname, '../runtime-c/hsq_runtime.h');
    const src = path.join(dir, 't.c');
    fs.writeFileSync(src, `#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "${header}"
int main(void) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t u = 0; u <= 0xffffffffull; u += 4093) {
    uint32_t v = (uint32_t)u, b; float x, y;
    memcpy(&x, &v, 4); y = hsq_logf(x); memcpy(&b, &y, 4);
    if (y != y) b = 0x7fc00000u;
    h = (h ^ b) * 1099511628211ull;
  }
  printf("%llu\\n", (unsigned long long)h);
  return 0;
}
`);
    const exe = path.join(dir, 't');
    execFileSync('gcc', ['-O2', '-std=c99', '-ffp-contract=off', '-o', exe, src, '-lm']);
    const cHash = execFileSync(exe).toString().trim();
    let h = 1469598103934665603n;
    const M = (1n << 64n) - 1n;
    for (let u = 0; u <= 0xffffffff; u += 4093) {
      const y = logf(fromBits(u));
      const b = y !== y ? 0x7fc00000 : bitsOf(y);
      h = ((h ^ BigInt(b)) * 1099511628211n) & M;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    expect(cHash).toBe(h.toString());
  });
});
