// What the float32 math tests (expf, logf) share: bit views, the float32 ulp, and the check that a
// TypeScript function and its C twin give the same bits, as an FNV-1a hash over every 4093rd bit
// pattern (NaNs folded to one), computed by host gcc's build of the C and by TypeScript.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export const bitsOf = (v: number): number => { f32[0] = v; return u32[0]; };
export const fromBits = (u: number): number => { u32[0] = u; return f32[0]; };

/** float32 ulp at the magnitude of v (subnormal spacing below 2^-126). */
export function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  return 2 ** (e - 23);
}

const STRIDE = 4093;

/** The hash of `f` over the sampled bit patterns, in TypeScript. */
export function tsBitsHash(f: (x: number) => number): string {
  let h = 1469598103934665603n;
  const M = (1n << 64n) - 1n;
  for (let u = 0; u <= 0xffffffff; u += STRIDE) {
    const y = f(fromBits(u));
    const b = y !== y ? 0x7fc00000 : bitsOf(y);
    h = ((h ^ BigInt(b)) * 1099511628211n) & M;
  }
  return h.toString();
}

/** The same hash of the C function `fn` declared by `header`, built by the host gcc
 *  (-O2 -std=c99 -ffp-contract=off): a missing compiler is a failure, not a skip. */
export function cBitsHash(header: string, fn: string, libs: readonly string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hsq-${fn}-`));
  try {
    const src = path.join(dir, 't.c');
    fs.writeFileSync(src, `#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "${header}"
int main(void) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t u = 0; u <= 0xffffffffull; u += ${STRIDE}) {
    uint32_t v = (uint32_t)u, b; float x, y;
    memcpy(&x, &v, 4); y = ${fn}(x); memcpy(&b, &y, 4);
    if (y != y) b = 0x7fc00000u;
    h = (h ^ b) * 1099511628211ull;
  }
  printf("%llu\\n", (unsigned long long)h);
  return 0;
}
`);
    const exe = path.join(dir, 't');
    execFileSync('gcc', ['-O2', '-std=c99', '-ffp-contract=off', '-o', exe, src, ...libs]);
    return execFileSync(exe).toString().trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
