// Generator of Cortex-M55 conv / FC kernels: one C function per layer with every shape a
// constant, an MVE path (inline Helium assembly for the MAC loops, VMLADAVA into even GPRs,
// scheduled for the M55's dual-beat pipeline) and a portable scalar path, both bit-exact with
// numerics.ts (int32 accumulator, float32 requantization, round half to even). Weights are
// stored packed (8, 4, 2 or 1 bits, pack.ts) and unpacked in registers.
//
// Algorithm (both paths): direct convolution on NHWC int8 activations, no im2col. For a
// window without padding taps each kernel row ky is kW*inC contiguous bytes of x; the kernel
// reads rows in place. Windows with padding taps are first copied into a patch in `scratch`
// (padding filled with the input zero point), so Σ(x - zx)w = Σ x'w - zx Σw holds everywhere
// and bias - zx Σw is folded offline. The MVE path computes P pixels x MB channels per pass
// (conv-plan.ts): one weight vector feeds P VMLADAVAs, one activation vector feeds MB (and, in
// slide mode, up to kW taps).
import { hasBiasT, packBlob, planConv, type ConvPlan, type PlanOptions } from './conv-plan';
import { emitMveBlockFn, foldS, passCycles, xCount } from './conv-mve';
import { emitScalarPixelFn } from './conv-scalar';
import { KernelDescError, perChannel } from './layout';
import type { ConstArray, ConvLayerDesc, FcLayerDesc, GeneratedKernel } from './types';
import { le32 } from './arrays';

export { KernelDescError };

/** Override the target's blocking (benchmarks, tests). */
export type GenerateOptions = PlanOptions;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validate(d: ConvLayerDesc): void {
  if (!IDENT.test(d.name)) throw new KernelDescError(`layer '${d.name}': name must be a C identifier`);
  for (const k of ['inH', 'inW', 'inC', 'outC', 'kH', 'kW', 'strideH', 'strideW'] as const)
    if (!Number.isInteger(d[k]) || d[k] < 1) throw new KernelDescError(`layer '${d.name}': ${k} must be a positive integer, got ${d[k]}`);
  if (d.pads.length !== 4 || d.pads.some((p) => !Number.isInteger(p) || p < 0)) throw new KernelDescError(`layer '${d.name}': pads must be 4 non-negative integers`);
  if (![8, 4, 2, 1].includes(d.weightBits)) throw new KernelDescError(`layer '${d.name}': weightBits must be 8, 4, 2 or 1`);
  if (!Number.isInteger(d.inputZeroPoint) || d.inputZeroPoint < -128 || d.inputZeroPoint > 127) throw new KernelDescError(`layer '${d.name}': inputZeroPoint must be an int8 value`);
  const [lo, hi] = d.outputType === 'int8' ? [-128, 127] : [0, 255];
  if (!(d.qmin >= lo && d.qmax <= hi && d.qmin <= d.qmax)) throw new KernelDescError(`layer '${d.name}': qmin/qmax [${d.qmin}, ${d.qmax}] outside ${d.outputType}`);
  if (!Number.isInteger(d.outputZeroPoint) || d.outputZeroPoint < lo || d.outputZeroPoint > hi) throw new KernelDescError(`layer '${d.name}': outputZeroPoint must be a ${d.outputType} value`);
  for (const m of perChannel(d.multiplier, d.outC, d.name, 'multiplier'))
    if (!Number.isFinite(m) || Math.fround(m) !== m) throw new KernelDescError(`layer '${d.name}': multiplier ${m} is not a finite float32`);
  const oh = outH(d);
  const ow = outW(d);
  if (oh < 1 || ow < 1) throw new KernelDescError(`layer '${d.name}': empty output (${oh}x${ow})`);
}

export const outH = (d: ConvLayerDesc) => Math.floor((d.inH + d.pads[0] + d.pads[2] - d.kH) / d.strideH) + 1;
export const outW = (d: ConvLayerDesc) => Math.floor((d.inW + d.pads[1] + d.pads[3] - d.kW) / d.strideW) + 1;
export const convMacs = (d: ConvLayerDesc) => outH(d) * outW(d) * d.outC * d.kH * d.kW * d.inC;

/** A fully connected layer as the equivalent 1x1 convolution on a 1x1 image. */
export function fcAsConv(f: FcLayerDesc): ConvLayerDesc {
  const K = f.inFeatures;
  const N = f.outFeatures;
  if (f.weights.length !== K * N) throw new KernelDescError(`layer '${f.name}': weights has ${f.weights.length} values, expected ${K * N} (inFeatures*outFeatures)`);
  const w = new Int32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[n * K + k] = f.weights[k * N + n];
  return {
    name: f.name, comment: f.comment, inH: 1, inW: 1, inC: K, outC: N, kH: 1, kW: 1, strideH: 1, strideW: 1, pads: [0, 0, 0, 0],
    weights: w, weightBits: f.weightBits, weightZeroPoint: f.weightZeroPoint, bias: f.bias, inputZeroPoint: f.inputZeroPoint,
    multiplier: f.multiplier, outputZeroPoint: f.outputZeroPoint, qmin: f.qmin, qmax: f.qmax, outputType: f.outputType,
    ...(f.floatBias ? { floatBias: f.floatBias } : {}),
    ...(f.bipolarOutput ? { bipolarOutput: true } : {}),
  };
}

// ---------------------------------------------------------------- C emission

interface Ctx {
  d: ConvLayerDesc;
  plan: ConvPlan;
  N: string;
  oh: number;
  ow: number;
  outT: string;
}

/** Interior output range: windows of these pixels have every tap inside the image. */
function interior(ctx: Ctx) {
  const { d, oh, ow } = ctx;
  const [pt, pl] = d.pads;
  const oy0 = Math.ceil(pt / d.strideH);
  const oy1 = Math.min(oh - 1, Math.floor((d.inH - d.kH + pt) / d.strideH));
  const ox0 = Math.ceil(pl / d.strideW);
  const ox1 = Math.min(ow - 1, Math.floor((d.inW - d.kW + pl) / d.strideW));
  return { oy0, oy1, ox0, ox1, border: !(oy0 <= 0 && oy1 >= oh - 1 && ox0 <= 0 && ox1 >= ow - 1) };
}

/** Pixel block widths along an output row: blocks of P, and a remainder of one pixel shared
 *  with the last full block as two narrower blocks (a 1-pixel pass loses most of the reuse). */
export function blockWidths(ow: number, P: number): number[] {
  const w = new Array<number>(Math.floor(ow / P)).fill(P);
  const r = ow % P;
  if (r === 1 && w.length && P > 2) {
    w.pop();
    w.push(Math.ceil((P + 1) / 2), Math.floor((P + 1) / 2));
  } else if (r) w.push(r);
  return w;
}

/**
 * The per-layer entry: walks output rows and pixel blocks, patching border windows.
 * `call(p, border, origin, indent)` is the block call for p pixels whose window origin (pixel 0's
 * first tap) is `origin` (interior) or whose patches start in scratch (border).
 */
function emitDriver(ctx: Ctx, P: number, call: (p: number, border: boolean, indent: string) => string[]): string {
  const { d, oh, ow } = ctx;
  const { oy0, oy1, ox0, ox1, border } = interior(ctx);
  const [pt, pl] = d.pads;
  const o: string[] = [];
  const block = (p: number, indent: string) => {
    const xb = `${indent}const int8_t *xb = x + ((oy * ${d.strideH} - ${pt}) * ${d.inW} + ox * ${d.strideW} - ${pl}) * ${d.inC};`;
    if (!border) return [xb, ...call(p, false, indent)];
    return [
      `${indent}if (row_inside && ox >= ${ox0} && ox + ${p - 1} <= ${ox1}) {`,
      '  ' + xb,
      ...call(p, false, indent + '  '),
      `${indent}} else {`,
      ...call(p, true, indent + '  '),
      `${indent}}`,
    ];
  };
  o.push(`  for (int oy = 0; oy < ${oh}; oy++) {`);
  o.push(`    ${ctx.outT} *yr = y + oy * ${ow * d.outC};`);
  if (border) o.push(`    const int row_inside = oy >= ${oy0} && oy <= ${oy1};`);
  const widths = blockWidths(ow, P);
  const nFull = widths.filter((w) => w === P).length;
  if (nFull > 0) {
    o.push(`    for (int ox = 0; ox < ${nFull * P}; ox += ${P}) {`);
    o.push(...block(P, '      '));
    o.push('    }');
  }
  let ox = nFull * P;
  for (const w of widths.slice(nFull)) {
    o.push(`    {`, `      const int ox = ${ox};`);
    o.push(...block(w, '      '));
    o.push('    }');
    ox += w;
  }
  o.push('  }');
  return o.join('\n');
}

/** Patch of `npos` consecutive window positions from output pixel (oy, ox): [kH][npos*inC],
 *  padding taps = input zero point. (A single pixel's window is npos = kW.) */
function emitPatchFn(ctx: Ctx): string {
  const { d, N } = ctx;
  const C = d.inC;
  return [
    `/* Window rows of output pixels (oy, ox..) as [kH][npos*inC], padding taps = input zero point. */`,
    `static void ${N}_patch(const int8_t *x, int8_t *dst, int oy, int ox, int npos) {`,
    `  for (int ky = 0; ky < ${d.kH}; ky++) {`,
    `    const int iy = oy * ${d.strideH} - ${d.pads[0]} + ky;`,
    `    for (int kx = 0; kx < npos; kx++, dst += ${C}) {`,
    `      const int ix = ox * ${d.strideW} - ${d.pads[1]} + kx;`,
    `      if (iy >= 0 && iy < ${d.inH} && ix >= 0 && ix < ${d.inW}) memcpy(dst, x + (iy * ${d.inW} + ix) * ${C}, ${C});`,
    `      else memset(dst, ${d.inputZeroPoint}, ${C});`,
    `    }`,
    `  }`,
    `}`,
  ].join('\n');
}

/** The requantization of MVE pixel i (acc row i of the block function). */
function mveRequant(ctx: Ctx, i: number): string {
  const { plan, N, d } = ctx;
  const M = d.outC;
  const sterm = plan.sCoef && plan.uniformCoef !== undefined && !foldS(plan) ? `${plan.uniformCoef} * s${i}` : '0';
  const coef = plan.sCoef && plan.uniformCoef === undefined ? `${N}_sc` : '0';
  const s = plan.sCoef && plan.uniformCoef === undefined ? `s${i}` : '0';
  const fb = plan.floatBias ? `${N}_fb` : '0';
  const bt = hasBiasT(plan) ? `${N}_bt` : '0';
  return `hsq_m55_requant_px(acc + ${i * M}, ${bt}, ${N}_m, ${M}, ${plan.R}, ${sterm}, ${coef}, ${s}, ${fb}, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax}, y + ${i * M});`;
}

/** The plan with the fewest model cycles per pass among the register variants: in slide mode
 *  input positions may share x registers (position p uses x[p % n]), which frees registers for
 *  the unpack mask or for the scheduler. */
function bestPlan(d: ConvLayerDesc, fc: boolean, ow: number, options: GenerateOptions): ConvPlan {
  const first = planConv(d, fc, ow, options);
  if (first.mode !== 'slide' || options.xRegs !== undefined) return first;
  const nx = xCount(first, first.P);
  let best = first;
  let bestCycles = passCycles(first);
  for (let n = nx - 1; n >= first.P; n--) {
    const alt = planConv(d, fc, ow, { ...options, xRegs: n });
    const c = passCycles(alt);
    if (c < bestCycles) [best, bestCycles] = [alt, c];
  }
  return best;
}

/** Generate the kernel of a convolution (NHWC, batch 1, group 1). */
export function generateConv(desc: ConvLayerDesc, options: GenerateOptions = {}): GeneratedKernel {
  validate(desc);
  const macs = convMacs(desc);
  // A 1x1 stride-1 unpadded conv is one long row of pixels: block across image rows too.
  const linear = desc.kH === 1 && desc.kW === 1 && desc.strideH === 1 && desc.strideW === 1 && desc.pads.every((p) => p === 0);
  const d: ConvLayerDesc = linear ? { ...desc, inH: 1, inW: desc.inH * desc.inW } : desc;
  const oh = outH(d);
  const ow = outW(d);
  const fc = oh * ow === 1;
  const plan = bestPlan(d, fc, ow, options);
  const blob = packBlob(plan);
  const N = d.name;
  const outT = d.outputType === 'int8' ? 'int8_t' : 'uint8_t';
  const ctx: Ctx = { d, plan, N, oh, ow, outT };
  const C = d.inC;
  const P = Math.max(1, Math.min(plan.P, ow));
  const slide = plan.mode === 'slide';
  const R = d.kW * C;
  const { border } = interior(ctx);
  const accBytes = Math.ceil((P * d.outC * 4) / 16) * 16;
  // Border scratch: rows mode one window per pixel, slide mode one shared window of P+kW-1 positions.
  const patchBytes = (p: number) => d.kH * (slide ? xCount(plan, p) * C : p * R);

  const mveFns = new Map<string, string>();
  const mveName = (p: number, b: boolean) => `${N}_mve_p${p}${b ? '_patch' : ''}`;
  const mveCall = (p: number, b: boolean, ind: string): string[] => {
    const fname = mveName(p, b);
    if (!mveFns.has(fname)) {
      const rowStride = b ? (slide ? xCount(plan, p) * C : R) : d.inW * C;
      mveFns.set(fname, emitMveBlockFn(plan, { N, outT }, fname, p, rowStride, (i) => mveRequant(ctx, i)));
    }
    const y = `yr + ox * ${d.outC}`;
    if (!b) {
      const xs = slide ? ['xb'] : Array.from({ length: p }, (_, i) => (i ? `xb + ${i * d.strideW * C}` : 'xb'));
      return [`${ind}${fname}(${[...xs, y, '(int32_t *)scratch'].join(', ')});`];
    }
    if (slide) return [`${ind}${N}_patch(x, scratch + ${accBytes}, oy, ox, ${xCount(plan, p)});`, `${ind}${fname}(scratch + ${accBytes}, ${y}, (int32_t *)scratch);`];
    return [
      `${ind}for (int i = 0; i < ${p}; i++) ${N}_patch(x, scratch + ${accBytes} + i * ${d.kH * R}, oy, ox + i, ${d.kW});`,
      `${ind}${fname}(${[...Array.from({ length: p }, (_, i) => `scratch + ${accBytes + i * d.kH * R}`), y, '(int32_t *)scratch'].join(', ')});`,
    ];
  };
  const mveDriver = emitDriver(ctx, P, mveCall);
  const scalarCall = (_p: number, b: boolean, ind: string): string[] => {
    const y = `yr + ox * ${d.outC}`;
    if (!b) return [`${ind}${N}_px(xb, ${d.inW * C}, ${y});`];
    return [`${ind}${N}_patch(x, scratch, oy, ox, ${d.kW});`, `${ind}${N}_px(scratch, ${R}, ${y});`];
  };
  const scalarDriver = emitDriver(ctx, 1, scalarCall);
  // MVE: [int32 accumulators P x outC][patches]; scalar: [patch] (a prefix of the same).
  const scratchBytes = accBytes + (border ? Math.max(...blockWidths(ow, P).map(patchBytes)) : 0);

  const arrays: ConstArray[] = [
    { symbol: `${N}_w`, ctype: 'int8_t', bytes: blob, align: 16, kind: 'weights' },
    ...(hasBiasT(plan) ? [{ symbol: `${N}_bt`, ctype: 'int32_t' as const, bytes: le32(plan.biasT, false), align: 4, kind: 'params' as const }] : []),
    { symbol: `${N}_m`, ctype: 'float', bytes: le32(plan.mult, true), align: 4, kind: 'params' },
    ...(plan.sCoef && plan.uniformCoef === undefined ? [{ symbol: `${N}_sc`, ctype: 'int32_t' as const, bytes: le32(plan.sCoef, false), align: 4, kind: 'params' as const }] : []),
    ...(plan.floatBias ? [{ symbol: `${N}_fb`, ctype: 'float' as const, bytes: le32(plan.floatBias, true), align: 4, kind: 'params' as const }] : []),
  ];
  const fn = N;
  const prototype = `void ${fn}(const int8_t *x, ${outT} *y, int8_t *scratch)`;
  const sw = `w${desc.weightBits}`;
  const header = [
    `/* ${desc.comment ?? desc.name}: ${fc && desc.inH * desc.inW === 1 && desc.kH === 1 ? `fully connected ${desc.inC} -> ${desc.outC}` : `conv ${desc.kH}x${desc.kW} stride ${desc.strideH}x${desc.strideW} pads [${desc.pads.join(', ')}]`},`,
    ` * x ${desc.inH}x${desc.inW}x${desc.inC} int8 (zp ${desc.inputZeroPoint}) -> y ${outH(desc)}x${outW(desc)}x${desc.outC} ${d.outputType} (zp ${d.outputZeroPoint}, clamp [${d.qmin}, ${d.qmax}]), NHWC.`,
    ` * ${sw}a8, weights stored as ${plan.bits}-bit fields (${blob.length} bytes), ${macs} MACs. MVE: ${plan.mode} mode, ${P} pixel(s) x ${plan.MB} channel(s) per pass.`,
    ` * scratch: ${scratchBytes} bytes, 16-byte aligned (accumulators${border ? ', border windows' : ''}). Generated by hsq (targets/cortex-m55/kernels/conv.ts). */`,
  ].join('\n');
  const externs = arrays.map((a) => `extern const ${a.ctype} ${a.symbol}[${a.bytes.length / (a.ctype === 'int8_t' ? 1 : 4)}];`);
  const source = [
    header,
    '#include <stdint.h>',
    '#include <string.h>',
    '#include "hsq_m55_kernels.h"',
    '',
    ...externs,
    '',
    ...(border ? [emitPatchFn(ctx), ''] : []),
    '#if defined(__ARM_FEATURE_MVE)',
    ...[...mveFns.keys()].sort().flatMap((k) => [mveFns.get(k)!, '']),
    `${prototype} {`,
    mveDriver,
    '}',
    '#else /* portable scalar path */',
    emitScalarPixelFn(plan, { N, outT }, `${N}_px`),
    '',
    `${prototype} {`,
    ...(border ? [] : ['  (void)scratch;']),
    scalarDriver,
    '}',
    '#endif',
    '',
  ].join('\n');
  return {
    fn, prototype, source, arrays, scratchBytes, macs, storageBits: plan.bits,
    inputBytes: desc.inH * desc.inW * desc.inC, outputBytes: outH(desc) * outW(desc) * desc.outC,
  };
}

/** Generate the kernel of a fully connected layer (batch 1). */
export function generateFc(desc: FcLayerDesc, options: GenerateOptions = {}): GeneratedKernel {
  return generateConv(fcAsConv(desc), options);
}
