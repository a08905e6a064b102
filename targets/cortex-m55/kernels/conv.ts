// Generator of Cortex-M55 conv / FC kernels: one C function per layer with every shape a
// constant, an MVE path (inline Helium assembly for the MAC loops, VMLADAVA into even GPRs)
// and a portable scalar path, both bit-exact with numerics.ts (int32 accumulator, float32
// requantization, round half to even).
//
// Algorithm (both paths): direct convolution on NHWC int8 activations, no im2col. For a
// window without padding taps each kernel row ky is kW*inC contiguous bytes of x; the kernel
// reads rows in place. Windows with padding taps are first copied into a patch in `scratch`
// ([kH][kW*inC], padding filled with the input zero point), so Σ(x - zx)w = Σ x'w - zx Σw
// holds everywhere and bias - zx Σw is folded offline. The MVE path computes P pixels x MB
// channels per pass: one weight load feeds P VMLADAVAs, one activation load feeds MB.
import { CORTEX_M55, type BlockShape } from '../target';
import { layoutWeights, perChannel, KernelDescError, type WeightLayout } from './layout';
import type { ConstArray, ConvLayerDesc, FcLayerDesc, GeneratedKernel } from './types';

export { KernelDescError };

export interface GenerateOptions {
  /** Override the target's register blocking (benchmarks, tests). */
  block?: BlockShape;
  /** Fully unroll rows of at most this many chunks (default from target.json). */
  unrollChunksUpTo?: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validate(d: ConvLayerDesc): void {
  if (!IDENT.test(d.name)) throw new KernelDescError(`layer ${d.name}: name must be a C identifier`);
  for (const k of ['inH', 'inW', 'inC', 'outC', 'kH', 'kW', 'strideH', 'strideW'] as const)
    if (!Number.isInteger(d[k]) || d[k] < 1) throw new KernelDescError(`layer ${d.name}: ${k} must be a positive integer, got ${d[k]}`);
  if (d.pads.length !== 4 || d.pads.some((p) => !Number.isInteger(p) || p < 0)) throw new KernelDescError(`layer ${d.name}: pads must be 4 non-negative integers`);
  if (![8, 4, 2, 1].includes(d.weightBits)) throw new KernelDescError(`layer ${d.name}: weightBits must be 8, 4, 2 or 1`);
  if (!Number.isInteger(d.inputZeroPoint) || d.inputZeroPoint < -128 || d.inputZeroPoint > 127) throw new KernelDescError(`layer ${d.name}: inputZeroPoint must be an int8 value`);
  const [lo, hi] = d.outputType === 'int8' ? [-128, 127] : [0, 255];
  if (!(d.qmin >= lo && d.qmax <= hi && d.qmin <= d.qmax)) throw new KernelDescError(`layer ${d.name}: qmin/qmax [${d.qmin}, ${d.qmax}] outside ${d.outputType}`);
  if (!Number.isInteger(d.outputZeroPoint) || d.outputZeroPoint < lo || d.outputZeroPoint > hi) throw new KernelDescError(`layer ${d.name}: outputZeroPoint must be a ${d.outputType} value`);
  for (const m of perChannel(d.multiplier, d.outC, d.name, 'multiplier'))
    if (!Number.isFinite(m) || Math.fround(m) !== m) throw new KernelDescError(`layer ${d.name}: multiplier ${m} is not a finite float32`);
  const oh = outH(d);
  const ow = outW(d);
  if (oh < 1 || ow < 1) throw new KernelDescError(`layer ${d.name}: empty output (${oh}x${ow})`);
}

export const outH = (d: ConvLayerDesc) => Math.floor((d.inH + d.pads[0] + d.pads[2] - d.kH) / d.strideH) + 1;
export const outW = (d: ConvLayerDesc) => Math.floor((d.inW + d.pads[1] + d.pads[3] - d.kW) / d.strideW) + 1;
export const convMacs = (d: ConvLayerDesc) => outH(d) * outW(d) * d.outC * d.kH * d.kW * d.inC;

/** A fully connected layer as the equivalent 1x1 convolution on a 1x1 image. */
export function fcAsConv(f: FcLayerDesc): ConvLayerDesc {
  const K = f.inFeatures;
  const N = f.outFeatures;
  if (f.weights.length !== K * N) throw new KernelDescError(`layer ${f.name}: weights has ${f.weights.length} values, expected ${K * N} (inFeatures*outFeatures)`);
  const w = new Int32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[n * K + k] = f.weights[k * N + n];
  return {
    name: f.name, comment: f.comment, inH: 1, inW: 1, inC: K, outC: N, kH: 1, kW: 1, strideH: 1, strideW: 1, pads: [0, 0, 0, 0],
    weights: w, weightBits: f.weightBits, weightZeroPoint: f.weightZeroPoint, bias: f.bias, inputZeroPoint: f.inputZeroPoint,
    multiplier: f.multiplier, outputZeroPoint: f.outputZeroPoint, qmin: f.qmin, qmax: f.qmax, outputType: f.outputType,
  };
}

function le32(values: ArrayLike<number>, float: boolean): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) float ? v.setFloat32(i * 4, values[i], true) : v.setInt32(i * 4, values[i], true);
  return b;
}

// ---------------------------------------------------------------- MVE inline assembly

interface AsmShape {
  P: number;
  MB: number;
  L: WeightLayout;
  kH: number;
  /** Bytes between kernel rows in the source (W*C for the image, kW*C for a patch). */
  rowStride: number;
  unroll: number;
}

/** The asm body (lines) computing P x MB accumulators over all kernel rows. */
function asmBody(s: AsmShape): { lines: string[]; advInReg: boolean } {
  const { P, MB, L } = s;
  const w8 = L.storageBits === 8;
  const lines: string[] = [];
  const A = (i: number, c: number) => `%[a${i}_${c}]`;
  const X = (i: number) => `%[p${i}]`;
  const qw = (c: number) => `q${c}`;
  const qx = (i: number) => `q${MB + i}`;
  const qT = `q${MB + P}`;
  const qM = `q${MB + P + 1}`;
  const vpst = (n: number) => 'vpst' + 't'.repeat(n - 1);
  const predLoads = (rem: number, off: number) => {
    if (rem === 16) {
      for (let i = 0; i < P; i++) lines.push(`vldrb.8 ${qx(i)}, [${X(i)}${off ? `, #${off}` : ''}]`);
      return;
    }
    lines.push(`mov lr, #${rem}`, 'vctp.8 lr');
    for (let i0 = 0; i0 < P; i0 += 4) {
      const n = Math.min(4, P - i0);
      lines.push(vpst(n));
      for (let i = i0; i < i0 + n; i++) lines.push(`vldrbt.8 ${qx(i)}, [${X(i)}${off ? `, #${off}` : ''}]`);
    }
  };
  const macs = (q: (c: number) => string) => {
    for (let c = 0; c < MB; c++) {
      const src = q(c);
      for (let i = 0; i < P; i++) lines.push(`vmladava.s8 ${A(i, c)}, ${qx(i)}, ${src}`);
    }
  };
  const loadW = () => {
    for (let c = 0; c < MB; c++) lines.push(`vldrb.8 ${qw(c)}, [%[w]], #16`);
  };
  const nibbleMacs = (hi: boolean) => {
    for (let c = 0; c < MB; c++) {
      lines.push(hi ? `vand ${qT}, ${qw(c)}, ${qM}` : `vshl.i8 ${qT}, ${qw(c)}, #4`);
      for (let i = 0; i < P; i++) lines.push(`vmladava.s8 ${A(i, c)}, ${qx(i)}, ${qT}`);
    }
  };
  const fullChunk = () => {
    loadW();
    if (w8) {
      for (let i = 0; i < P; i++) lines.push(`vldrb.8 ${qx(i)}, [${X(i)}], #16`);
      macs(qw);
    } else {
      for (let i = 0; i < P; i++) lines.push(`vldrb.8 ${qx(i)}, [${X(i)}], #16`);
      nibbleMacs(false);
      for (let i = 0; i < P; i++) lines.push(`vldrb.8 ${qx(i)}, [${X(i)}], #16`);
      nibbleMacs(true);
    }
  };
  if (!w8) lines.push(`vmov.i8 ${qM}, #0xf0`);
  const adv = s.rowStride - L.fullChunks * L.chunkElems;
  const advInReg = adv > 4095;
  for (let ky = 0; ky < s.kH; ky++) {
    if (L.fullChunks > 0 && L.fullChunks <= s.unroll) for (let j = 0; j < L.fullChunks; j++) fullChunk();
    else if (L.fullChunks > 0) {
      lines.push(`mov lr, #${L.fullChunks}`, 'dls lr, lr', '1:');
      fullChunk();
      lines.push('le lr, 1b');
    }
    if (L.tailElems) {
      loadW();
      if (w8) {
        predLoads(L.tailElems, 0);
        macs(qw);
      } else {
        predLoads(Math.min(16, L.tailElems), 0);
        nibbleMacs(false);
        if (L.tailElems > 16) {
          predLoads(L.tailElems - 16, 16);
          nibbleMacs(true);
        }
      }
    }
    if (ky + 1 < s.kH && adv !== 0)
      for (let i = 0; i < P; i++) lines.push(advInReg ? `add ${X(i)}, ${X(i)}, %[adv]` : `addw ${X(i)}, ${X(i)}, #${adv}`);
  }
  return { lines, advInReg };
}

// ---------------------------------------------------------------- C emission

interface Ctx {
  d: ConvLayerDesc;
  L: WeightLayout;
  N: string;
  oh: number;
  ow: number;
  outT: string;
  unroll: number;
}

/** `static void <name>(x0.., y)` computing P pixels of every channel (MVE). */
function emitMveBlockFn(ctx: Ctx, fname: string, P: number, rowStride: number): string {
  const { d, L, N } = ctx;
  const out: string[] = [];
  const args = [...Array.from({ length: P }, (_, i) => `const int8_t *x${i}`), `${ctx.outT} *y`, 'int32_t *acc'].join(', ');
  out.push(`static void ${fname}(${args}) {`);
  out.push(`  const int8_t *w = ${N}_w;`);
  let m0 = 0;
  let bi = 0;
  while (bi < L.blocks.length) {
    const MB = L.blocks[bi];
    let nb = 0;
    while (bi + nb < L.blocks.length && L.blocks[bi + nb] === MB) nb++;
    const { lines, advInReg } = asmBody({ P, MB, L, kH: d.kH, rowStride, unroll: ctx.unroll });
    const loop = nb > 1;
    const ind = loop ? '    ' : '  ';
    out.push(loop ? `  for (int m = ${m0}; m < ${m0 + nb * MB}; m += ${MB}) {` : `  {`);
    if (!loop) out.push(`${ind}const int m = ${m0};`);
    for (let i = 0; i < P; i++) for (let c = 0; c < MB; c++) out.push(`${ind}int32_t a${i}_${c} = 0;`);
    for (let i = 0; i < P; i++) out.push(`${ind}const int8_t *p${i} = x${i};`);
    out.push(`${ind}__asm volatile(`);
    for (const l of lines) out.push(`${ind}    "${l}\\n"`);
    const outs = [
      ...Array.from({ length: P * MB }, (_, k) => `[a${Math.floor(k / MB)}_${k % MB}] "+Te"(a${Math.floor(k / MB)}_${k % MB})`),
      ...Array.from({ length: P }, (_, i) => `[p${i}] "+r"(p${i})`),
      '[w] "+r"(w)',
    ];
    const ins = advInReg ? [`[adv] "r"(${rowStride - L.fullChunks * L.chunkElems})`] : [];
    const nq = L.storageBits === 8 ? MB + P : MB + P + 2;
    const clobbers = [...Array.from({ length: nq }, (_, q) => `"q${q}"`), '"lr"', '"memory"'];
    out.push(`${ind}    : ${outs.join(', ')}`, `${ind}    : ${ins.join(', ')}`, `${ind}    : ${clobbers.join(', ')});`);
    for (let i = 0; i < P; i++) for (let c = 0; c < MB; c++) out.push(`${ind}acc[${i * d.outC} + m + ${c}] = a${i}_${c};`);
    out.push('  }');
    m0 += nb * MB;
    bi += nb;
  }
  for (let i = 0; i < P; i++)
    out.push(`  hsq_m55_requant_row(acc + ${i * d.outC}, ${N}_b, ${N}_m, ${d.outC}, ${L.storageBits === 8 ? 0 : 4}, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax}, y + ${i * d.outC});`);
  out.push('}');
  return out.join('\n');
}

/** `static void <name>(x, y)`: one pixel, every channel, portable C over the same blob. */
function emitScalarPixelFn(ctx: Ctx, fname: string, rowStride: number): string {
  const { d, L, N } = ctx;
  const G = L.chunkElems;
  const o: string[] = [];
  o.push(`static void ${fname}(const int8_t *x, ${ctx.outT} *y) {`);
  o.push(`  const int8_t *w = ${N}_w;`);
  o.push(`  int m = 0;`);
  const sizes = [...new Set(L.blocks)];
  // Blocks are all `blockChannels` wide except possibly the last.
  for (const MB of sizes) {
    const count = L.blocks.filter((b) => b === MB).length;
    o.push(`  for (int blk = 0; blk < ${count}; blk++, m += ${MB}) {`);
    o.push(`    int32_t acc[${MB}] = {0};`);
    o.push(`    for (int ky = 0; ky < ${d.kH}; ky++) {`);
    o.push(`      const int8_t *row = x + ky * ${rowStride};`);
    o.push(`      for (int j = 0; j < ${L.chunksPerRow}; j++, w += ${MB * 16}) {`);
    o.push(`        const int8_t *xs = row + j * ${G};`);
    o.push(`        const int n = j < ${L.fullChunks} ? ${G} : ${L.tailElems || G};`);
    o.push(`        for (int c = 0; c < ${MB}; c++) {`);
    o.push(`          const int8_t *wc = w + c * 16;`);
    o.push(`          int32_t s = 0;`);
    if (L.storageBits === 8) {
      o.push(`          for (int k = 0; k < n; k++) s += (int32_t)xs[k] * wc[k];`);
    } else {
      o.push(`          const int nlo = n < 16 ? n : 16;`);
      o.push(`          for (int k = 0; k < nlo; k++) s += (int32_t)xs[k] * (int8_t)((uint8_t)wc[k] << 4);`);
      o.push(`          for (int k = 16; k < n; k++) s += (int32_t)xs[k] * (int8_t)((uint8_t)wc[k - 16] & 0xf0);`);
    }
    o.push(`          acc[c] += s;`);
    o.push(`        }`, `      }`, `    }`);
    o.push(`    for (int c = 0; c < ${MB}; c++)`);
    const acc = L.storageBits === 8 ? `${N}_b[m + c] + acc[c]` : `${N}_b[m + c] + (acc[c] >> 4)`;
    o.push(`      y[m + c] = (${ctx.outT})hsq_m55_requant(${acc}, ${N}_m[m + c], ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax});`);
    o.push(`  }`);
  }
  o.push('}');
  return o.join('\n');
}

/** The per-layer entry: walks output rows and pixel blocks, patching border windows. */
function emitDriver(ctx: Ctx, P: number, blockFn: (p: number, border: boolean) => string, accBytes: number): string {
  const { d, N, oh, ow } = ctx;
  const C = d.inC;
  const [pt, pl] = d.pads;
  const R = d.kW * C;
  const patch = d.kH * R;
  // Interior windows: every tap inside the image.
  const oy0 = Math.ceil(pt / d.strideH);
  const oy1 = Math.min(oh - 1, Math.floor((d.inH - d.kH + pt) / d.strideH));
  const ox0 = Math.ceil(pl / d.strideW);
  const ox1 = Math.min(ow - 1, Math.floor((d.inW - d.kW + pl) / d.strideW));
  const hasBorder = !(oy0 <= 0 && oy1 >= oh - 1 && ox0 <= 0 && ox1 >= ow - 1);
  const o: string[] = [];
  const call = (p: number, indent: string) => {
    const interior = `${indent}const int8_t *xb = x + ((oy * ${d.strideH} - ${pt}) * ${d.inW} + ox * ${d.strideW} - ${pl}) * ${C};`;
    const args = (base: (i: number) => string) => [...Array.from({ length: p }, (_, i) => base(i)), `yr + ox * ${d.outC}`, ...(accBytes ? ['(int32_t *)scratch'] : [])].join(', ');
    const direct = `${indent}${blockFn(p, false)}(${args((i) => (i ? `xb + ${i * d.strideW * C}` : 'xb'))});`;
    if (!hasBorder) return [interior, direct];
    return [
      `${indent}if (row_inside && ox >= ${ox0} && ox + ${p - 1} <= ${ox1}) {`,
      '  ' + interior,
      '  ' + direct,
      `${indent}} else {`,
      `${indent}  for (int i = 0; i < ${p}; i++) ${N}_patch(x, scratch + ${accBytes} + i * ${patch}, oy, ox + i);`,
      `${indent}  ${blockFn(p, true)}(${args((i) => `scratch + ${accBytes + i * patch}`)});`,
      `${indent}}`,
    ];
  };
  o.push(`  for (int oy = 0; oy < ${oh}; oy++) {`);
  o.push(`    ${ctx.outT} *yr = y + oy * ${ow * d.outC};`);
  if (hasBorder) o.push(`    const int row_inside = oy >= ${oy0} && oy <= ${oy1};`);
  const full = Math.floor(ow / P) * P;
  if (full > 0) {
    o.push(`    for (int ox = 0; ox < ${full}; ox += ${P}) {`);
    o.push(...call(P, '      '));
    o.push('    }');
  }
  if (ow % P) {
    o.push(`    {`, `      const int ox = ${full};`);
    o.push(...call(ow % P, '      '));
    o.push('    }');
  }
  o.push('  }');
  return o.join('\n');
}

function emitPatchFn(ctx: Ctx): string {
  const { d, N } = ctx;
  const C = d.inC;
  return [
    `/* Window of output pixel (oy, ox) as [kH][kW*inC], padding taps = input zero point. */`,
    `static void ${N}_patch(const int8_t *x, int8_t *dst, int oy, int ox) {`,
    `  for (int ky = 0; ky < ${d.kH}; ky++) {`,
    `    const int iy = oy * ${d.strideH} - ${d.pads[0]} + ky;`,
    `    for (int kx = 0; kx < ${d.kW}; kx++, dst += ${C}) {`,
    `      const int ix = ox * ${d.strideW} - ${d.pads[1]} + kx;`,
    `      if (iy >= 0 && iy < ${d.inH} && ix >= 0 && ix < ${d.inW}) memcpy(dst, x + (iy * ${d.inW} + ix) * ${C}, ${C});`,
    `      else memset(dst, ${d.inputZeroPoint}, ${C});`,
    `    }`,
    `  }`,
    `}`,
  ].join('\n');
}

/** Generate the kernel of a convolution (NHWC, batch 1, group 1). */
export function generateConv(desc: ConvLayerDesc, options: GenerateOptions = {}): GeneratedKernel {
  validate(desc);
  const oh0 = outH(desc);
  const ow0 = outW(desc);
  const macs = convMacs(desc);
  // A 1x1 stride-1 unpadded conv is one long row of pixels: block across image rows too.
  const linear = desc.kH === 1 && desc.kW === 1 && desc.strideH === 1 && desc.strideW === 1 && desc.pads.every((p) => p === 0);
  const d: ConvLayerDesc = linear ? { ...desc, inH: 1, inW: desc.inH * desc.inW } : desc;
  const oh = outH(d);
  const ow = outW(d);
  const fc = oh * ow === 1;
  const cfg = CORTEX_M55.kernels;
  const N = d.name;
  // Pick the block shape from the storage width (known only after centering the weights).
  const probe = layoutWeights(d, 1);
  const shape = options.block ?? (probe.storageBits === 8 ? cfg.w8 : cfg.w4)[fc ? 'fc' : 'conv'];
  const L = shape.channels === 1 ? probe : layoutWeights(d, shape.channels);
  const outT = d.outputType === 'int8' ? 'int8_t' : 'uint8_t';
  const ctx: Ctx = { d, L, N, oh, ow, outT, unroll: options.unrollChunksUpTo ?? cfg.unrollChunksUpTo };
  const P = Math.max(1, Math.min(shape.pixels, ow));
  const R = d.kW * d.inC;
  const patch = d.kH * R;
  const imgStride = d.inW * d.inC;

  // Which block functions the drivers call.
  const mveFns: string[] = [];
  const scalarFns: string[] = [];
  const want = new Set<string>();
  const mveName = (p: number, border: boolean) => `${N}_mve_p${p}${border ? '_patch' : ''}`;
  const scalarName = (_p: number, border: boolean) => `${N}_px${border ? '_patch' : ''}`;
  const accBytes = Math.ceil((P * d.outC * 4) / 16) * 16;
  const mveDriver = emitDriver(ctx, P, (p, b) => (want.add(`m${p}${b ? 'b' : ''}`), mveName(p, b)), accBytes);
  const scalarDriver = emitDriver(ctx, 1, (p, b) => (want.add(`s${b ? 'b' : ''}`), scalarName(p, b)), 0);
  for (const key of [...want].sort()) {
    if (key.startsWith('m')) {
      const border = key.endsWith('b');
      const p = Number(key.slice(1).replace('b', ''));
      mveFns.push(emitMveBlockFn(ctx, mveName(p, border), p, border ? R : imgStride));
    } else scalarFns.push(emitScalarPixelFn(ctx, scalarName(1, key === 'sb'), key === 'sb' ? R : imgStride));
  }
  const border = [...want].some((k) => k.endsWith('b'));
  // MVE: [int32 accumulators P x outC][patches]; scalar: [patch] (a prefix of the same).
  const scratchBytes = accBytes + (border ? P * patch : 0);

  const mult = perChannel(d.multiplier, d.outC, N, 'multiplier');
  const arrays: ConstArray[] = [
    { symbol: `${N}_w`, ctype: 'int8_t', bytes: L.blob, align: 16, kind: 'weights' },
    { symbol: `${N}_b`, ctype: 'int32_t', bytes: le32(L.biasFolded, false), align: 4, kind: 'params' },
    { symbol: `${N}_m`, ctype: 'float', bytes: le32(mult, true), align: 4, kind: 'params' },
  ];
  const fn = N;
  const prototype = `void ${fn}(const int8_t *x, ${outT} *y, int8_t *scratch)`;
  const sw = desc.weightBits === 8 ? 'w8' : `w${desc.weightBits}`;
  const header = [
    `/* ${desc.comment ?? desc.name}: ${fc && desc.inH * desc.inW === 1 && desc.kH === 1 ? `fully connected ${desc.inC} -> ${desc.outC}` : `conv ${desc.kH}x${desc.kW} stride ${desc.strideH}x${desc.strideW} pads [${desc.pads.join(', ')}]`},`,
    ` * x ${desc.inH}x${desc.inW}x${desc.inC} int8 (zp ${desc.inputZeroPoint}) -> y ${outH(desc)}x${outW(desc)}x${desc.outC} ${d.outputType} (zp ${d.outputZeroPoint}, clamp [${d.qmin}, ${d.qmax}]), NHWC.`,
    ` * ${sw}a8 (weights stored as ${L.storageBits}-bit), ${macs} MACs. MVE: ${P} pixel(s) x ${L.blockChannels} channel(s) per pass.`,
    ` * scratch: ${scratchBytes} bytes, 16-byte aligned (accumulators${border ? ', border windows' : ''}). Generated by hsq (targets/cortex-m55/kernels/conv.ts). */`,
  ].join('\n');
  const source = [
    header,
    '#include <stdint.h>',
    '#include <string.h>',
    '#include "hsq_m55_kernels.h"',
    '',
    `extern const int8_t ${N}_w[${L.blob.length}];`,
    `extern const int32_t ${N}_b[${d.outC}];`,
    `extern const float ${N}_m[${d.outC}];`,
    '',
    ...(border ? [emitPatchFn(ctx), ''] : []),
    '#if defined(__ARM_FEATURE_MVE)',
    ...mveFns.flatMap((f) => [f, '']),
    `${prototype} {`,
    mveDriver,
    '}',
    '#else /* portable scalar path */',
    ...scalarFns.flatMap((f) => [f, '']),
    `${prototype} {`,
    ...(border ? [] : ['  (void)scratch;']),
    scalarDriver,
    '}',
    '#endif',
    '',
  ].join('\n');
  return {
    fn, prototype, source, arrays, scratchBytes, macs, storageBits: L.storageBits,
    inputBytes: desc.inH * desc.inW * desc.inC, outputBytes: outH(desc) * outW(desc) * desc.outC,
  };
}

/** Generate the kernel of a fully connected layer (batch 1). */
export function generateFc(desc: FcLayerDesc, options: GenerateOptions = {}): GeneratedKernel {
  return generateConv(fcAsConv(desc), options);
}
