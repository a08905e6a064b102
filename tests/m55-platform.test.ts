// The Cortex-M55 platform under QEMU mps3-an547 (semihosting console, exit status, host file
// I/O, the SysTick instruction counter, stack-usage files) and the generated conv/FC kernels
// (MVE and scalar paths, bit-exact against the TypeScript reference), each batched into one
// ELF and one QEMU run.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { armToolchainStatus, buildM55, readStackUsage, runQemu, ARM_APT_PACKAGES } from '../toolchain/qemu';
import { generateConv, fcAsConv, KernelDescError } from '../targets/cortex-m55/kernels/conv';
import { referenceConv } from '../targets/cortex-m55/kernels/reference';
import { runKernelsOnM55 } from '../targets/cortex-m55/harness';
import type { ConvLayerDesc } from '../targets/cortex-m55/kernels/types';
import { xorshiftInts } from '../examples/lib/prng';

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`m55-platform: skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describe;

function requireToolchain(): void {
  if (!status.ok)
    throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-m55-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

maybe('Cortex-M55 platform (QEMU mps3-an547)', () => {
  const LOOP_ITERS = 1_000_000;
  let run: { stdout: string; exitCode: number | null };
  let dir: string;

  beforeAll(() => {
    requireToolchain();
    dir = path.join(work, 'platform');
    fs.mkdirSync(dir, { recursive: true });
    const src = path.join(dir, 'app.c');
    fs.writeFileSync(
      src,
      `#include <stdio.h>
#include <stdint.h>
#include "hsq_m55.h"
int main(void) {
  printf("hello from the m55, %d %.2f\\n", 55, 0.25);
  unsigned char buf[256];
  FILE *f = fopen("in.bin", "rb");
  if (!f || fread(buf, 1, 256, f) != 256) return 10;
  fclose(f);
  for (int i = 0; i < 256; i++) buf[i] = (unsigned char)(buf[i] * 3 + 1);
  f = fopen("out.bin", "wb");
  if (!f || fwrite(buf, 1, 256, f) != 256) return 11;
  fclose(f);
  hsq_m55_counter_start();
  uint64_t t0 = hsq_m55_counter_read();
  unsigned n = ${LOOP_ITERS};
  /* 4 instructions an iteration */
  __asm volatile("1: subs %0, %0, #1\\n nop\\n nop\\n bne 1b\\n" : "+r"(n));
  uint64_t t1 = hsq_m55_counter_read();
  printf("ticks %llu dwt %lu\\n", (unsigned long long)(t1 - t0), (unsigned long)hsq_m55_dwt_cyccnt());
  return 42;
}
`,
    );
    fs.writeFileSync(path.join(dir, 'in.bin'), Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7) & 255)));
    const elf = buildM55([src], [], { opt: '-O2', out: path.join(dir, 'app.elf') });
    run = runQemu(elf, { icount: true, timeoutMs: 60000, cwd: dir });
  });

  test('printf reaches the host through semihosting', () => {
    expect(run.stdout).toContain('hello from the m55, 55 0.25');
  });

  test('exit(code) becomes the QEMU exit status', () => {
    expect(run.exitCode).toBe(42);
  });

  test('binary file round trip through semihosting', () => {
    const out = fs.readFileSync(path.join(dir, 'out.bin'));
    expect(Array.from(out)).toEqual(Array.from({ length: 256 }, (_, i) => (((i * 7) & 255) * 3 + 1) & 255));
  });

  test('SysTick under -icount shift=0 counts one tick per 31.25 instructions', () => {
    const m = /ticks (\d+)/.exec(run.stdout);
    expect(m).not.toBeNull();
    const instr = Number(m![1]) * 31.25;
    // 4 instructions an iteration plus a handful around the loop, within one tick.
    expect(instr).toBeGreaterThanOrEqual(4 * LOOP_ITERS - 32);
    expect(instr).toBeLessThanOrEqual(4 * LOOP_ITERS + 64);
  });

  test('stack usage files are parsed', () => {
    const su = readStackUsage(dir);
    const main = su.find((s) => s.fn === 'main');
    expect(main).toBeDefined();
    expect(main!.bytes).toBeGreaterThan(256); // the 256-byte buffer lives on the stack
    expect(su.some((s) => s.fn === 'hsq_m55_counter_read')).toBe(true);
  });

  test('a nonzero exit status from a fault is reported', () => {
    const src = path.join(dir, 'fault.c');
    fs.writeFileSync(src, 'int main(void) { volatile int z = 0; return 5 / z; }\n');
    const elf = buildM55([src], [], { opt: '-O2', out: path.join(dir, 'fault.elf') });
    const r = runQemu(elf, { timeoutMs: 30000 });
    expect(r.stderr + r.stdout).toMatch(/hsq-m55: fault, IPSR=00000003 .*PC=/); // HardFault (UsageFault escalated)
    expect(r.exitCode).toBe(134);
  });
});

interface Case {
  desc: ConvLayerDesc;
  x: Int8Array;
}

function convCase(name: string, o: Partial<ConvLayerDesc> & { H: number; W: number; C: number; M: number; k: number; s?: number; p?: number[]; bits: 8 | 4 | 2 | 1 }, seed: number): Case {
  const r = xorshiftInts(seed);
  const { H, W, C, M, k, bits } = o;
  const s = o.s ?? 1;
  const p = o.p ?? [0, 0, 0, 0];
  const zw = o.weightZeroPoint ?? 0;
  const [lo, hi] = bits === 8 ? [-128, 127] : bits === 1 ? [-1, 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  const weights = Array.from({ length: M * C * k * k }, () => (bits === 1 ? (r(0, 1) ? 1 : -1) : r(lo, hi)) + (typeof zw === 'number' ? zw : 0));
  const K = C * k * k;
  const typ = Math.sqrt(K) * 74 * Math.max(1, (hi - lo) / 3.4);
  const desc: ConvLayerDesc = {
    name, inH: H, inW: W, inC: C, outC: M, kH: k, kW: k, strideH: s, strideW: s, pads: p as [number, number, number, number],
    weights, weightBits: bits, weightZeroPoint: zw, bias: Array.from({ length: M }, () => r(-3000, 3000)), inputZeroPoint: r(-30, 30),
    multiplier: Array.from({ length: M }, () => Math.fround((50 / typ) * (0.5 + r(0, 100) / 100))), outputZeroPoint: r(-8, 8),
    qmin: -128, qmax: 127, outputType: 'int8', ...o,
  } as ConvLayerDesc;
  return { desc, x: Int8Array.from({ length: H * W * C }, () => r(-128, 127)) };
}

function kernelCases(): Case[] {
  return [
    convCase('k3_pad1_w8', { H: 9, W: 10, C: 16, M: 6, k: 3, p: [1, 1, 1, 1], bits: 8 }, 1),
    convCase('k3_s2_asym_w8', { H: 11, W: 9, C: 24, M: 7, k: 3, s: 2, p: [0, 1, 1, 0], bits: 8 }, 2),
    convCase('k3_pad1_w4', { H: 9, W: 10, C: 16, M: 6, k: 3, p: [1, 1, 1, 1], bits: 4 }, 3),
    convCase('k5_s2_w4_oddc', { H: 12, W: 11, C: 21, M: 5, k: 5, s: 2, p: [2, 2, 2, 2], bits: 4 }, 4),
    convCase('k3_pad2_w2', { H: 6, W: 7, C: 8, M: 4, k: 3, p: [2, 2, 2, 2], bits: 2 }, 5),
    convCase('k1_w1_relu_u8', { H: 5, W: 6, C: 40, M: 9, k: 1, bits: 1, outputType: 'uint8', qmin: 0, qmax: 255, outputZeroPoint: 3 }, 6),
    convCase('k3_w8_zw', { H: 7, W: 7, C: 32, M: 8, k: 3, p: [1, 1, 1, 1], bits: 8, weightZeroPoint: 0 }, 7),
    convCase('k3_u4_zw8', { H: 7, W: 8, C: 32, M: 8, k: 3, p: [1, 1, 1, 1], bits: 4, weightZeroPoint: 8 }, 8),
    convCase('k2_w8_clamp', { H: 8, W: 8, C: 48, M: 10, k: 2, s: 2, bits: 8, qmin: -20, qmax: 90 }, 9),
    { ...fcCase('fc_w8', 200, 23, 8, 10) },
    { ...fcCase('fc_w4', 333, 17, 4, 11) },
    // Slide mode (stride 1, inC a multiple of 16) at every width, a row long enough for the
    // pipelined loop, 1x1 as one row of pixels, per-channel offsets (zero points that move the
    // range off the signed field), bipolar 1-bit weights (window-sum term), the float term.
    convCase('k3_slide_w2', { H: 8, W: 11, C: 32, M: 5, k: 3, p: [1, 1, 1, 1], bits: 2 }, 12),
    convCase('k3_slide_w1', { H: 7, W: 10, C: 48, M: 6, k: 3, p: [1, 1, 1, 1], bits: 1 }, 13),
    convCase('k3_long_w4', { H: 5, W: 7, C: 160, M: 4, k: 3, p: [1, 1, 1, 1], bits: 4 }, 14),
    convCase('k1_slide_w4', { H: 4, W: 5, C: 32, M: 6, k: 1, bits: 4 }, 15),
    convCase('k3_w2_offsets', { H: 6, W: 8, C: 16, M: 4, k: 3, p: [1, 1, 1, 1], bits: 2, weightZeroPoint: [1, -1, 0, 2] }, 16),
    convCase('k3_fbias_w8', { H: 5, W: 6, C: 16, M: 5, k: 3, p: [1, 1, 1, 1], bits: 8, floatBias: [0.25, -3.5, 7.125, -0.5, 12.75] }, 17),
    { ...fcCase('fc_w2', 160, 13, 2, 18) },
    { ...fcCase('fc_w1', 130, 11, 1, 19) },
  ];
}

function fcCase(name: string, K: number, N: number, bits: 8 | 4 | 2 | 1, seed: number): Case {
  const c = convCase(name, { H: 1, W: 1, C: K, M: N, k: 1, bits }, seed);
  const w = new Int32Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[k * N + n] = c.desc.weights[n * K + k];
  const d = c.desc;
  return {
    desc: fcAsConv({
      name, inFeatures: K, outFeatures: N, weights: w, weightBits: bits, weightZeroPoint: 0, bias: d.bias, inputZeroPoint: d.inputZeroPoint,
      multiplier: d.multiplier, outputZeroPoint: d.outputZeroPoint, qmin: -128, qmax: 127, outputType: 'int8',
    }),
    x: c.x,
  };
}

maybe('generated Cortex-M55 conv/FC kernels', () => {
  test('MVE and scalar paths equal the reference bit for bit (one ELF, one QEMU run)', () => {
    requireToolchain();
    const cases = kernelCases();
    const refs = cases.map((c) => new Uint8Array(referenceConv(c.desc, c.x).buffer));
    // The reference must see rounding and both clamps, or the comparison proves little.
    const all = refs.flatMap((r) => Array.from(r));
    expect(new Set(all).size).toBeGreaterThan(100);
    const harness = [
      ...cases.map((c) => ({ kernel: generateConv({ ...c.desc, name: `${c.desc.name}_mve` }), input: c.x })),
      ...cases.map((c) => ({ kernel: generateConv({ ...c.desc, name: `${c.desc.name}_scalar` }), input: c.x, scalarPath: true })),
    ];
    const res = runKernelsOnM55(harness, { dir: path.join(work, 'kernels'), timeoutMs: 120000 });
    const failures: string[] = [];
    harness.forEach((h, i) => {
      const ref = refs[i % cases.length];
      const out = res.outputs[i];
      let bad = 0;
      for (let j = 0; j < ref.length; j++) if (out[j] !== ref[j]) bad++;
      if (bad || out.length !== ref.length) failures.push(`${h.kernel.fn}: ${bad}/${ref.length} differ`);
    });
    expect(failures).toEqual([]);
    // The MVE path really ran Helium code: far fewer instructions than the scalar path.
    expect(res.instructions[0] * 4).toBeLessThan(res.instructions[cases.length]);
  });

  test('storage: the declared width when every channel fits (with an offset), wider otherwise', () => {
    const c = kernelCases();
    expect(generateConv(c[2].desc).storageBits).toBe(4);
    expect(generateConv(c[7].desc).storageBits).toBe(4); // uint4 with zero point 8
    expect(generateConv({ ...c[2].desc, weightZeroPoint: -9 }).storageBits).toBe(4); // w - zw in [1, 16]: offset 9
    const w = Array.from(c[2].desc.weights);
    w[0] = 9; // one channel spans 17 values
    expect(generateConv({ ...c[2].desc, weights: w }).storageBits).toBe(8);
    expect(generateConv(c.find((k) => k.desc.name === 'k3_slide_w2')!.desc).storageBits).toBe(2);
    expect(generateConv(c.find((k) => k.desc.name === 'k3_slide_w1')!.desc).storageBits).toBe(1);
    // A w8 layer stays 8-bit even when its values would fit fewer bits.
    expect(generateConv({ ...c[2].desc, weightBits: 8 }).storageBits).toBe(8);
  });

  test('weight bytes follow the storage width (slide-mode 3x3, 64 channels)', () => {
    const bytes = (bits: 8 | 4 | 2 | 1) => {
      const k = generateConv(convCase(`wb${bits}`, { H: 4, W: 6, C: 64, M: 4, k: 3, p: [1, 1, 1, 1], bits }, 30).desc);
      return k.arrays.find((a) => a.kind === 'weights')!.bytes.length;
    };
    const dense = 4 * 3 * 3 * 64;
    expect([bytes(8), bytes(4), bytes(2), bytes(1)]).toEqual([dense, dense / 2, dense / 4, dense / 8]);
  });

  test('bad descriptions get one clear error naming the layer and key', () => {
    const c = kernelCases()[0].desc;
    expect(() => generateConv({ ...c, weights: c.weights.length ? Array.from(c.weights).slice(1) : [] })).toThrow(/layer 'k3_pad1_w8': weights has/);
    expect(() => generateConv({ ...c, multiplier: NaN })).toThrow(KernelDescError);
    expect(() => generateConv({ ...c, name: 'not a name' })).toThrow(/C identifier/);
  });

  test('output is deterministic', () => {
    const c = kernelCases()[3].desc;
    expect(generateConv(c).source).toBe(generateConv(c).source);
  });
});
