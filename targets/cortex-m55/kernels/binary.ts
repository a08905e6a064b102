// Generator of Cortex-M55 w1a1 conv / FC kernels: 1-bit bipolar weights and activations, x and w
// in {-1, +1}, as XOR/popcount dot products: with bits b = (v < 0), x * w = 1 - 2 (bx ^ bw), so a
// window's sum is K - 2 * popcount(bits(x) ^ bits(w)). The input arrives as int8 {-1, +1} (hsq
// keeps sub-8-bit activations in int8 containers) and is packed to bits once per call; each
// output pixel's window bits are gathered into a contiguous row (im2col of bits, K bits padded to
// whole 16-byte chunks), with a mask of its valid taps when the window has padding (padding taps
// are 0: they count in neither K nor the popcount).
//
// Helium has no vector popcount: per 128-bit chunk, v = x ^ w, c = v - ((v >> 1) & 0x55) (2-bit
// counts), A += sum(c), B += sum(c >> 2) + sum(c >> 4) + sum(c >> 6), popcount = A - 3B. The MVE
// path runs the whole channel loop in one asm block (DLS/LE), two pixels at a time, scheduled by
// schedule.ts; requantization as the other kernels (hsq_m55_requant_px with R = -2).
import { KernelDescError, perChannel } from './errors';
import { outH, outW, convMacs } from './conv';
import { scheduleOps, type MveOp } from './schedule';
import type { ConstArray, ConvLayerDesc, GeneratedKernel } from './types';
import { le32 } from './arrays';

/** Pixels a pass of the MVE path computes (x bits of both stay in registers per chunk). */
const P = 2;

/** One chunk of the channel loop for `np` pixels: loads, XOR (and mask), popcount steps. */
function chunkOps(np: number, masked: boolean): MveOp[] {
  const ops: MveOp[] = [];
  const x = (i: number) => `q${i}`;
  const W = 'q2';
  const M55 = 'q3';
  const t = (i: number) => [`q${4 + 2 * i}`, `q${5 + 2 * i}`];
  const ld = (q: string, p: string): MveOp => ({ asm: `vldrb.u8 ${q}, [%[${p}]], #16`, unit: 'ld', defs: [q, p], uses: [p] });
  for (let i = 0; i < np; i++) ops.push(ld(x(i), `x${i}`));
  ops.push(ld(W, 'w'));
  for (let i = 0; i < np; i++) {
    const [v, s] = t(i);
    const A = `a${i}`;
    const B = `b${i}`;
    ops.push({ asm: `veor ${v}, ${x(i)}, ${W}`, unit: 'alu', defs: [v], uses: [x(i), W] });
    if (masked) {
      // The mask shares the x register's slot: loaded after x's last use.
      ops.push(ld(x(i), `m${i}`));
      ops.push({ asm: `vand ${v}, ${v}, ${x(i)}`, unit: 'alu', defs: [v], uses: [v, x(i)] });
    }
    ops.push({ asm: `vshr.u8 ${s}, ${v}, #1`, unit: 'alu', defs: [s], uses: [v] });
    ops.push({ asm: `vand ${s}, ${s}, ${M55}`, unit: 'alu', defs: [s], uses: [s, M55] });
    ops.push({ asm: `vsub.i8 ${v}, ${v}, ${s}`, unit: 'alu', defs: [v], uses: [v, s] });
    ops.push({ asm: `vaddva.u8 %[${A}], ${v}`, unit: 'mac', defs: [A], uses: [A, v] });
    for (const sh of [2, 4, 6]) {
      ops.push({ asm: `vshr.u8 ${s}, ${v}, #${sh}`, unit: 'alu', defs: [s], uses: [v] });
      ops.push({ asm: `vaddva.u8 %[${B}], ${s}`, unit: 'mac', defs: [B], uses: [B, s] });
    }
  }
  return ops;
}

/** The asm of a pass: every output channel for np pixels; the channel loop runs on LE. */
function passAsm(np: number, masked: boolean, chunks: number, M: number): string[] {
  const lines: string[] = ['vmov.i8 q3, #0x55', `movw lr, #${M}`, 'dls lr, lr', '1:'];
  const body: MveOp[] = [];
  for (let i = 0; i < np; i++) body.push({ asm: `movs %[a${i}], #0`, unit: 'int', defs: [`a${i}`], uses: [] }, { asm: `movs %[b${i}], #0`, unit: 'int', defs: [`b${i}`], uses: [] });
  for (let k = 0; k < chunks; k++) body.push(...chunkOps(np, masked));
  for (let i = 0; i < np; i++) {
    // popcount = A - 3B; store, rewind this pixel's bits (and mask) for the next channel.
    body.push({ asm: `add %[b${i}], %[b${i}], %[b${i}], lsl #1`, unit: 'int', defs: [`b${i}`], uses: [`b${i}`] });
    body.push({ asm: `sub %[a${i}], %[a${i}], %[b${i}]`, unit: 'int', defs: [`a${i}`], uses: [`a${i}`, `b${i}`] });
    body.push({ asm: `str %[a${i}], [%[o${i}]], #4`, unit: 'int', defs: [`o${i}`], uses: [`a${i}`, `o${i}`] });
    body.push({ asm: `sub %[x${i}], %[x${i}], #${chunks * 16}`, unit: 'int', defs: [`x${i}`], uses: [`x${i}`] });
    if (masked) body.push({ asm: `sub %[m${i}], %[m${i}], #${chunks * 16}`, unit: 'int', defs: [`m${i}`], uses: [`m${i}`] });
  }
  for (const op of scheduleOps(body)) lines.push(...op.asm.split('\n'));
  lines.push('le lr, 1b');
  return lines;
}

export function validateBinary(d: ConvLayerDesc): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(d.name)) throw new KernelDescError(`layer '${d.name}': name must be a C identifier`);
  if (d.weightBits !== 1) throw new KernelDescError(`layer '${d.name}': w1a1 kernels need 1-bit weights`);
  if (d.inputZeroPoint !== 0) throw new KernelDescError(`layer '${d.name}': w1a1 kernels need bipolar activations (input zero point 0)`);
  if (d.inC % 8) throw new KernelDescError(`layer '${d.name}': w1a1 kernels need inC a multiple of 8`);
}

/**
 * Generate a w1a1 kernel. Contract: x holds only -1 and +1 (the generator cannot check data);
 * weights minus zero point must be -1 or +1.
 */
export function generateBinaryConv(d: ConvLayerDesc): GeneratedKernel {
  validateBinary(d);
  const N = d.name;
  const { inH: H, inW: Wd, inC: C, outC: M, kH, kW } = d;
  const oh = outH(d);
  const ow = outW(d);
  if (oh < 1 || ow < 1) throw new KernelDescError(`layer '${d.name}': empty output`);
  const K = kH * kW * C;
  const zw = perChannel(d.weightZeroPoint, M, N, 'weightZeroPoint');
  const Cb = C / 8;
  const Kb = K / 8;
  const chunks = Math.ceil(Kb / 16);
  const rowBytes = chunks * 16;
  // Weights: per channel the window's bits in (ky, kx, c) order, 1 for -1.
  const wbits = new Uint8Array(M * rowBytes);
  for (let m = 0; m < M; m++)
    for (let ky = 0; ky < kH; ky++)
      for (let kx = 0; kx < kW; kx++)
        for (let c = 0; c < C; c++) {
          const v = d.weights[((m * C + c) * kH + ky) * kW + kx] - zw[m];
          if (v !== 1 && v !== -1) throw new KernelDescError(`layer '${d.name}': w1a1 weights minus zero point must be -1 or +1, got ${v}`);
          const e = (ky * kW + kx) * C + c;
          if (v < 0) wbits[m * rowBytes + (e >> 3)] |= 1 << (e & 7);
        }
  const bias = d.bias ? perChannel(d.bias, M, N, 'bias') : new Array<number>(M).fill(0);
  const mult = perChannel(d.multiplier, M, N, 'multiplier');
  for (const m of mult) if (!Number.isFinite(m) || Math.fround(m) !== m) throw new KernelDescError(`layer '${d.name}': multiplier ${m} is not a finite float32`);
  // X = -2 * popcount + (bias + K) + (valid taps - K) for windows with padding.
  const biasT = Int32Array.from(bias, (b) => b + K);
  const fb = d.floatBias ? Float32Array.from(perChannel(d.floatBias, M, N, 'floatBias'), (v) => Math.fround(v)) : undefined;
  const outT = d.outputType === 'int8' ? 'int8_t' : 'uint8_t';
  const arrays: ConstArray[] = [
    { symbol: `${N}_w`, ctype: 'int8_t', bytes: wbits, align: 16, kind: 'weights' },
    { symbol: `${N}_bt`, ctype: 'int32_t', bytes: le32(biasT, false), align: 4, kind: 'params' },
    { symbol: `${N}_m`, ctype: 'float', bytes: le32(mult, true), align: 4, kind: 'params' },
    ...(fb ? [{ symbol: `${N}_fb`, ctype: 'float' as const, bytes: le32(fb, true), align: 4, kind: 'params' as const }] : []),
  ];
  // scratch: [packed input H*W*Cb][P windows][P masks][P x M int32 popcounts], 16-aligned pieces.
  const al = (n: number) => Math.ceil(n / 16) * 16;
  const offWin = al(H * Wd * Cb);
  const offMask = offWin + P * rowBytes;
  const offPc = offMask + P * rowBytes;
  const scratchBytes = offPc + al(P * M * 4);
  const [pt, pl] = d.pads;
  const sign = (X: string) => `hsq_m55_sign_x(${X}, ${N}_m[m], ${fb ? `${N}_fb[m]` : '0.0f'}, ${fb ? 1 : 0})`;
  const rq = (i: string, y: string, sterm: string) => d.bipolarOutput
    ? `{ ${outT} *yo = ${y}; for (int m = 0; m < ${M}; m++) yo[m] = (${outT})${sign(`-2 * pc[${i} * ${M} + m] + ${N}_bt[m] + ${sterm}`)}; }`
    : `hsq_m55_requant_px(pc + ${i} * ${M}, ${N}_bt, ${N}_m, ${M}, -2, ${sterm}, 0, 0, ${fb ? `${N}_fb` : '0'}, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax}, ${y});`;
  const mvePass = (np: number, masked: boolean) => {
    const fname = `${N}_pass${np}${masked ? 'm' : ''}`;
    const ins = [...Array.from({ length: np }, (_, i) => `const uint8_t *x${i}`), ...(masked ? Array.from({ length: np }, (_, i) => `const uint8_t *m${i}`) : []), 'int32_t *pc'];
    const lines = passAsm(np, masked, chunks, M);
    const regs = [...Array.from({ length: np }, (_, i) => [`[a${i}] "=&Te"(a${i})`, `[b${i}] "=&Te"(b${i})`, `[x${i}] "+r"(x${i})`, `[o${i}] "+r"(o${i})`, ...(masked ? [`[m${i}] "+r"(m${i})`] : [])]).flat(), '[w] "+r"(w)'];
    return [
      `static void __attribute__((noinline)) ${fname}(${ins.join(', ')}) {`,
      `  const uint8_t *w = (const uint8_t *)${N}_w;`,
      `  int32_t ${Array.from({ length: np }, (_, i) => `a${i}, b${i}, *o${i} = pc + ${i * M}`).join(', ')};`,
      '  __asm volatile(',
      ...lines.map((l) => `      "${l}\\n"`),
      `      : ${regs.join(', ')}`,
      '      :',
      `      : "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "lr", "memory");`,
      '}',
    ].join('\n');
  };
  const source = [
    `/* ${d.comment ?? N}: w1a1 ${d.inH * d.inW === 1 && kH === 1 ? `fully connected ${C} -> ${M}` : `conv ${kH}x${kW} stride ${d.strideH}x${d.strideW} pads [${d.pads.join(', ')}]`},`,
    ` * x ${H}x${Wd}x${C} int8 in {-1, +1} -> y ${oh}x${ow}x${M} ${d.bipolarOutput ? 'int8 in {-1, +1} (sign of float(acc) * m' + (fb ? ' + fb' : '') + ')' : `${d.outputType} (zp ${d.outputZeroPoint}, clamp [${d.qmin}, ${d.qmax}])`}, NHWC.`,
    ` * Weights: 1 bit each (${wbits.length} bytes, ${rowBytes} per channel), ${convMacs(d)} MACs as XOR/popcount over ${chunks} chunk(s) of 128 bits a window.`,
    ` * scratch: ${scratchBytes} bytes, 16-byte aligned. Generated by hsq (targets/cortex-m55/kernels/binary.ts). */`,
    '#include <stdint.h>',
    '#include <string.h>',
    '#include "hsq_m55_kernels.h"',
    '',
    ...arrays.map((a) => `extern const ${a.ctype} ${a.symbol}[${a.bytes.length / (a.ctype === 'int8_t' ? 1 : 4)}];`),
    '',
    `/* Pack x to bits (1 for -1), H*W pixels of ${Cb} bytes. */`,
    `static void ${N}_pack(const int8_t *x, uint8_t *b) {`,
    '#if defined(__ARM_FEATURE_MVE)',
    '  int i = 0;',
    `  for (; i + 16 <= ${H * Wd * C}; i += 16, x += 16, b += 2) {`,
    '    const uint16_t p = (uint16_t)vcmpltq_n_s8(vldrbq_s8(x), 0);',
    '    b[0] = (uint8_t)p;',
    '    b[1] = (uint8_t)(p >> 8);',
    '  }',
    ...((H * Wd * C) % 16 ? ['  b[0] = (uint8_t)vcmpltq_n_s8(vldrbq_z_s8(x, vctp8q(8)), 0); /* the last 8 values */'] : []),
    '  (void)i;',
    '#else',
    `  memset(b, 0, ${H * Wd * Cb});`,
    `  for (int i = 0; i < ${H * Wd * C}; i++) if (x[i] < 0) b[i >> 3] |= (uint8_t)(1u << (i & 7));`,
    '#endif',
    '}',
    '',
    `/* Window bits of output pixel (oy, ox) in (ky, kx, c) order, and (mask) its valid taps; returns the valid taps x inC. */`,
    `static int32_t ${N}_window(const uint8_t *b, uint8_t *win, uint8_t *mask, int oy, int ox) {`,
    `  int32_t valid = 0;`,
    ...(rowBytes > Kb ? [`  memset(win + ${Kb}, 0, ${rowBytes - Kb});`] : []),
    // Every tap inside: a kernel row is kW*inC contiguous bits of the packed input.
    ...(d.strideW === 1 ? [
      `  if (!mask) {`,
      `    for (int ky = 0; ky < ${kH}; ky++)`,
      `      memcpy(win + ky * ${kW * Cb}, b + ((oy * ${d.strideH} - ${pt} + ky) * ${Wd} + ox - ${pl}) * ${Cb}, ${kW * Cb});`,
      `    return ${K};`,
      `  }`,
    ] : []),
    `  memset(win, 0, ${rowBytes});`,
    `  if (mask) memset(mask, 0, ${rowBytes});`,
    `  for (int ky = 0; ky < ${kH}; ky++) {`,
    `    const int iy = oy * ${d.strideH} - ${pt} + ky;`,
    `    for (int kx = 0; kx < ${kW}; kx++) {`,
    `      const int ix = ox * ${d.strideW} - ${pl} + kx;`,
    `      if (iy < 0 || iy >= ${H} || ix < 0 || ix >= ${Wd}) continue;`,
    `      memcpy(win + (ky * ${kW} + kx) * ${Cb}, b + (iy * ${Wd} + ix) * ${Cb}, ${Cb});`,
    `      if (mask) memset(mask + (ky * ${kW} + kx) * ${Cb}, 0xff, ${Cb});`,
    `      valid += ${C};`,
    '    }',
    '  }',
    '  return valid;',
    '}',
    '',
    `static int ${N}_inside(int oy, int ox) {`,
    `  return oy * ${d.strideH} - ${pt} >= 0 && oy * ${d.strideH} - ${pt} + ${kH} <= ${H} && ox * ${d.strideW} - ${pl} >= 0 && ox * ${d.strideW} - ${pl} + ${kW} <= ${Wd};`,
    '}',
    '',
    '#if defined(__ARM_FEATURE_MVE)',
    mvePass(P, false),
    '',
    mvePass(P, true),
    '',
    mvePass(1, false),
    '',
    mvePass(1, true),
    '',
    `void ${N}(const int8_t *x, ${outT} *y, int8_t *scratch) {`,
    '  uint8_t *b = (uint8_t *)scratch;',
    `  uint8_t *win = b + ${offWin}, *mask = b + ${offMask};`,
    `  int32_t *pc = (int32_t *)(b + ${offPc});`,
    `  ${N}_pack(x, b);`,
    `  for (int o = 0; o < ${oh * ow}; o += ${P}) {`,
    `    const int np = o + ${P} <= ${oh * ow} ? ${P} : ${oh * ow} - o;`,
    '    int in = 1;',
    `    int32_t st[${P}];`,
    '    for (int i = 0; i < np; i++) {',
    `      const int oy = (o + i) / ${ow}, ox = (o + i) % ${ow};`,
    `      in &= ${N}_inside(oy, ox);`,
    '    }',
    '    for (int i = 0; i < np; i++) {',
    `      const int oy = (o + i) / ${ow}, ox = (o + i) % ${ow};`,
    `      st[i] = ${N}_window(b, win + i * ${rowBytes}, in ? 0 : mask + i * ${rowBytes}, oy, ox) - ${K};`,
    '    }',
    `    if (np == ${P}) {`,
    `      if (in) ${N}_pass${P}(win, win + ${rowBytes}, pc);`,
    `      else ${N}_pass${P}m(win, win + ${rowBytes}, mask, mask + ${rowBytes}, pc);`,
    '    } else {',
    `      if (in) ${N}_pass1(win, pc);`,
    `      else ${N}_pass1m(win, mask, pc);`,
    '    }',
    `    for (int i = 0; i < np; i++) ${rq('i', `y + (o + i) * ${M}`, 'st[i]')}`,
    '  }',
    '}',
    '#else /* portable scalar path */',
    `void ${N}(const int8_t *x, ${outT} *y, int8_t *scratch) {`,
    '  uint8_t *b = (uint8_t *)scratch;',
    `  uint8_t *win = b + ${offWin}, *mask = b + ${offMask};`,
    `  ${N}_pack(x, b);`,
    `  for (int o = 0; o < ${oh * ow}; o++) {`,
    `    const int oy = o / ${ow}, ox = o % ${ow};`,
    `    const int in = ${N}_inside(oy, ox);`,
    `    const int32_t st = ${N}_window(b, win, in ? 0 : mask, oy, ox) - ${K};`,
    `    const uint8_t *w = (const uint8_t *)${N}_w;`,
    `    for (int m = 0; m < ${M}; m++, w += ${rowBytes}) {`,
    '      int32_t p = 0;',
    `      for (int k = 0; k < ${Kb}; k++) p += __builtin_popcount((unsigned)((win[k] ^ w[k]) & (in ? 0xffu : mask[k])));`,
    d.bipolarOutput
      ? `      y[o * ${M} + m] = (${outT})${sign(`-2 * p + ${N}_bt[m] + st`)};`
      : `      y[o * ${M} + m] = (${outT})hsq_m55_requant_x(-2 * p + ${N}_bt[m] + st, ${N}_m[m], ${fb ? `${N}_fb[m]` : '0.0f'}, ${fb ? 1 : 0}, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax});`,
    '    }',
    '  }',
    '}',
    '#endif',
    '',
  ].join('\n');
  return {
    fn: N, prototype: `void ${N}(const int8_t *x, ${outT} *y, int8_t *scratch)`, source, arrays, scratchBytes, macs: convMacs(d), storageBits: 1,
    inputBytes: H * Wd * C, outputBytes: oh * ow * M,
  };
}
