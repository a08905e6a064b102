// The cortex-m55 target emitter: the whole model on the CPU. Every op goes through the portable
// host emitter (targets/c) except quantized convolutions and fully connected layers that the
// per-layer generators accept (kernels/conv.ts): those become generated functions with shapes
// and quantization folded in, an MVE path and a scalar path (__ARM_FEATURE_MVE). Generated
// weights live in .hsq_weights (DDR on the an547), like the portable blob.
import { Graph } from '../../core/ir/graph';
import { numel, toNumbers } from '../../core/ir/tensor';
import { canonicalDomain } from '../../ops/engine/registry';
import { accumulatorQuant } from '../../ops/lib/hsq-quant';
import { conv2DParams, readConvAttrs } from '../../ops/lib/conv-setup';
import { HsqError } from '../../core/diagnostics';
import { EmitOptions, EmittedC, emitModel } from '../c/emit-model';
import { safeComment } from '../c/comment';
import { NodeContext } from '../c/context';
import { m55KernelHeader } from './runtime-files';
import { fcAsConv, generateConv, generateFc, KernelDescError, outH, outW } from './kernels/conv';
import { generateBinaryConv } from './kernels/binary';
import { generateDepthwise } from './kernels/depthwise';
import { renderArraysC } from './kernels/arrays';
import type { ConstArray, ConvLayerDesc, GeneratedKernel } from './kernels/types';
import { M55_DOMAIN, fuseQuantChains, integerKernel } from './kernels/fuse';
import { OpKernel, OpKernelError } from './kernels/op-kernel';

export interface M55EmitOptions extends Omit<EmitOptions, 'kernelOverride'> {
  /** Only portable kernels (no generated ones): for comparisons and debugging. */
  readonly portableOnly?: boolean;
}

/** How one QConv/QGemm node is computed on the M55. */
export interface M55LayerReport {
  readonly node: string;
  readonly op: string;
  /** `generated`: per-layer kernel (MVE + scalar); `portable`: hsq_qconv/hsq_qgemm. */
  readonly kernel: 'generated' | 'portable';
  /** The generated C function (kernel 'generated'). */
  readonly fn?: string;
  /** conv, depthwise or fc (kernel 'generated'). */
  readonly kind?: 'conv' | 'depthwise' | 'fc';
  readonly precision?: string;
  readonly macs?: number;
  /** Why the portable kernel was used. */
  readonly reason?: string;
}

/** How one non-MAC 8-bit layer (pooling, quantized add/mul, tables, concat, resize) is computed
 * on the M55 when a generated kernel takes it (kernels/fuse.ts). */
export interface M55OpReport {
  readonly node: string;
  readonly op: string;
  /** lut, clamp, add, mul, maxpool, avgpool, concat, resize. */
  readonly kind: string;
  readonly fn: string;
  /** 'mve': the MVE path is used on an MVE build; 'scalar': this layer has the portable path only. */
  readonly path: 'mve' | 'scalar';
  readonly reason?: string;
}

export interface M55Emitted extends EmittedC {
  readonly layers: readonly M55LayerReport[];
  /** Non-MAC layers computed by generated kernels. */
  readonly ops: readonly M55OpReport[];
  /** Bytes of the generated kernels' constant arrays (in addition to weightsSize). */
  readonly kernelWeightsSize: number;
  /** Those bytes by the node whose kernel holds them. */
  readonly kernelBytesByNode: Readonly<Record<string, number>>;
}

class Unsupported extends Error {}

function need(cond: boolean, why: string): void {
  if (!cond) throw new Unsupported(why);
}

/** Weight width the generators take (semantic bits; storage follows the values). */
function generatorBits(bits: number, bipolar: boolean | undefined): 8 | 4 | 2 | 1 {
  if (bipolar || bits <= 1) return 1;
  if (bits <= 2) return 2;
  if (bits <= 4) return 4;
  return 8;
}

/** The operand checks every accumulating layer (QConv, QGemm) makes before its own. */
function needInt8Operands(ctx: NodeContext): void {
  const xi = ctx.in(0), yi = ctx.out(0);
  need(xi.dtype === 'int8' || xi.dtype === 'uint8', `input ${xi.dtype}`);
  need(yi.dtype === 'int8' || yi.dtype === 'uint8', yi.dtype === 'float32' ? 'float output' : `output ${yi.dtype} (raw accumulators)`);
  need(ctx.isConst(1) && (!ctx.has(2) || ctx.isConst(2)), 'weights or bias not constant');
}

/**
 * The quantization fields a conv and an FC kernel descriptor share: weights with their bit width
 * and per-channel zero points (`channels` along `axis`), bias, input zero point (uint8 runs as
 * int8), per-channel requantization multipliers, output zero point and clamp.
 */
function kernelQuantFields(ctx: NodeContext, fn: string, channels: number, axis: 0 | 1) {
  const n = ctx.node;
  const xi = ctx.in(0), yi = ctx.out(0);
  const q = accumulatorQuant(n, xi, ctx.in(1), yi, yi.dtype, channels, axis);
  // w1a1 (bipolar input and weights): the XOR/popcount kernels, which also give a sign
  // (BipolarQuant) output. Otherwise the generated kernels round and clamp: a sign or float
  // output takes hsq_qconv/hsq_qgemm.
  const binary = !!xi.quant?.bipolar && !!q.w.bipolar && q.x.zero === 0;
  need(q.mode === 'int' || (binary && q.mode === 'bipolar'), q.mode === 'bipolar' ? 'bipolar (sign) output' : 'float output');
  const xUnsigned = xi.dtype === 'uint8';
  // uint8 activations run as int8: x - 128 with zero point zx - 128 gives the same Σ(x - zx)w.
  const zx = xUnsigned ? q.x.zero - 128 : q.x.zero;
  need(Number.isInteger(zx) && zx >= -128 && zx <= 127, `input zero point ${q.x.zero}`);
  return {
    xUnsigned,
    binary,
    fields: {
      name: fn,
      comment: `node '${safeComment(n.name)}' (${n.op})`,
      weights: toNumbers(ctx.constValue(1)),
      weightBits: generatorBits(q.w.bits, q.w.bipolar),
      weightZeroPoint: q.wZero,
      bias: ctx.has(2) ? Int32Array.from(ctx.constValue(2).data as Int32Array) : undefined,
      inputZeroPoint: zx,
      multiplier: q.multiplier,
      outputZeroPoint: q.y.zero,
      qmin: q.lo, qmax: q.hi,
      outputType: yi.dtype as 'int8' | 'uint8',
      ...(ctx.has(3) ? { floatBias: Float32Array.from(ctx.constValue(3).data as Float32Array) } : {}),
      ...(q.mode === 'bipolar' ? { bipolarOutput: true } : {}),
    },
  };
}

interface QConvParams {
  readonly desc: ConvLayerDesc;
  readonly xUnsigned: boolean;
  /** Bipolar input and weights: the w1a1 XOR/popcount kernel. */
  readonly binary: boolean;
  readonly batch: number;
  readonly group: number;
}

/** A ConvLayerDesc of an hsq QConv node, or Unsupported with the reason. */
function qconvDesc(ctx: NodeContext, fn: string): QConvParams {
  const n = ctx.node;
  const xi = ctx.in(0);
  need(xi.shape.length === 4, `${xi.shape.length - 2}-D convolution`);
  needInt8Operands(ctx);
  const w = ctx.constValue(1);
  const { params: p } = conv2DParams(n, xi.shape, w.shape, readConvAttrs(n));
  need(p.dh === 1 && p.dw === 1, `dilation ${p.dh}x${p.dw}`);
  const depthwise = p.group > 1 && p.group === p.C && p.M === p.C;
  need(p.group === 1 || depthwise, `group ${p.group}`);
  const { xUnsigned, binary, fields } = kernelQuantFields(ctx, fn, p.M, 0);
  const padB = Math.max(0, (p.OH - 1) * p.sh + p.KH - p.H - p.padT);
  const padR = Math.max(0, (p.OW - 1) * p.sw + p.KW - p.W - p.padL);
  const desc: ConvLayerDesc = {
    ...fields,
    inH: p.H, inW: p.W, inC: depthwise ? 1 : p.C, outC: depthwise ? 1 : p.M,
    kH: p.KH, kW: p.KW, strideH: p.sh, strideW: p.sw,
    pads: [p.padT, p.padL, padB, padR],
  };
  if (depthwise) {
    need(!fields.bipolarOutput, 'bipolar (sign) output of a depthwise conv');
    return { desc: { ...desc, inC: p.C, outC: p.M }, xUnsigned, binary: false, batch: p.N, group: p.group };
  }
  need(outH(desc) === p.OH && outW(desc) === p.OW, `output ${p.OH}x${p.OW} does not match the kernel geometry`);
  return { desc, xUnsigned, binary, batch: p.N, group: 1 };
}

/** Emits a call of `k` per batch image / row; converts uint8 input to int8 first. */
function emitCall(ctx: NodeContext, k: GeneratedKernel, xUnsigned: boolean, calls: number, header: string): void {
  const xi = ctx.in(0);
  const total = numel(xi.shape);
  const scratch = ctx.scratch(Math.max(16, k.scratchBytes), 'int8_t');
  ctx.emit(`  /* ${header} */`, '  {');
  if (xUnsigned) {
    const xs = ctx.scratch(total, 'int8_t');
    ctx.emit(
      `    const uint8_t* xu = ${ctx.inPtr(0)};`,
      `    int8_t* x = ${xs};`,
      `    for (int32_t i = 0; i < ${total}; i++) x[i] = (int8_t)(xu[i] ^ 0x80u); /* uint8 -> int8, zero point - 128 */`,
    );
  } else ctx.emit(`    const int8_t* x = ${ctx.inPtr(0)};`);
  const yt = ctx.ctypeOut().name;
  ctx.emit(`    ${yt}* y = ${ctx.outPtr()};`);
  if (calls === 1) ctx.emit(`    ${k.fn}(x, y, ${scratch});`);
  else ctx.emit(`    for (int32_t b = 0; b < ${calls}; b++) ${k.fn}(x + b * ${k.inputBytes}, y + b * ${k.outputBytes}, ${scratch});`);
  ctx.emit('  }');
}

/** Semantic precision, e.g. w4a8; the weight storage when it differs (2-bit weights in 4-bit lanes). */
function precisionOf(bits: number, storage: number, actBits: number): string {
  return `w${bits}a${actBits}${bits !== storage ? ` (stored ${storage}-bit)` : ''}`;
}

/** Emits `model` for the Cortex-M55: NAME.c/.h/_weights.c as the host, plus NAME_m55.c (the
 * generated kernels) and NAME_m55_weights.c (their constant arrays) when there are any. */
export function emitM55Model(g0: Graph, opts: M55EmitOptions): M55Emitted {
  const kernels: GeneratedKernel[] = [];
  const layers: M55LayerReport[] = [];
  const opKernels: OpKernel[] = [];
  const ops: M55OpReport[] = [];
  const kernelBytesByNode: Record<string, number> = {};
  // DequantizeLinear -> op -> QuantizeLinear chains the generated kernels take become single nodes.
  const fusion = opts.portableOnly ? undefined : fuseQuantChains(g0);
  const g = fusion ? fusion.graph : g0;
  const override = (ctx: NodeContext): boolean => {
    const n = ctx.node;
    const key = `${canonicalDomain(n.domain) ?? ''}:${n.op}`;
    const portable = (reason: string) => { layers.push({ node: n.name, op: n.op, kernel: 'portable', reason }); return false; };
    // No generated kernel transposes a convolution: the portable gather (hsq_qconv_transpose).
    if (key === 'hsq:QConvTranspose') return portable('no generated Cortex-M55 kernel for ConvTranspose (portable hsq_qconv_transpose)');
    if (key !== 'hsq:QConv' && key !== 'hsq:QGemm') return !opts.portableOnly && overrideOp(ctx, g, fusion?.fused, opKernels, ops);
    const fn = `${ctx.model.prefix}_L${ctx.step}`;
    if (opts.portableOnly) return portable('portable kernels requested');
    try {
      let k: GeneratedKernel, calls: number, xUnsigned: boolean, kind: 'conv' | 'depthwise' | 'fc', bits: number;
      if (key === 'hsq:QConv') {
        const q = qconvDesc(ctx, fn);
        kind = q.group > 1 ? 'depthwise' : 'conv';
        k = kind === 'depthwise' ? generateDepthwise(q.desc) : q.binary ? generateBinaryConv(q.desc) : generateConv(q.desc);
        calls = q.batch;
        xUnsigned = q.xUnsigned;
        bits = q.desc.weightBits;
      } else {
        const f = qgemmDesc(ctx, fn);
        k = f.binary ? generateBinaryConv(fcAsConv(f.desc)) : generateFc(f.desc);
        calls = f.rows;
        xUnsigned = f.xUnsigned;
        kind = 'fc';
        bits = f.desc.weightBits;
      }
      kernels.push(k);
      kernelBytesByNode[n.name] = (kernelBytesByNode[n.name] ?? 0) + k.arrays.reduce((a, x) => a + x.bytes.length, 0);
      ctx.model.statics.push(`${k.prototype};`);
      const precision = precisionOf(bits, k.storageBits, ctx.in(0).quant?.bits ?? 8);
      emitCall(ctx, k, xUnsigned, calls, `generated Cortex-M55 kernel ${k.fn} (${kind}, ${precision}, ${k.macs * calls} MACs): MVE and scalar paths in ${ctx.model.prefix}_m55.c`);
      layers.push({ node: n.name, op: n.op, kernel: 'generated', fn: k.fn, kind, precision, macs: k.macs * calls });
      return true;
    } catch (e) {
      if (e instanceof Unsupported || e instanceof KernelDescError) return portable(e.message);
      if (e instanceof HsqError) return portable(e.message);
      throw e;
    }
  };
  const base = emitModel(g, { ...opts, kernelOverride: override });
  const P = base.name;
  const files: Record<string, string | Uint8Array> = { ...base.files };
  const arrays: ConstArray[] = kernels.flatMap((k) => k.arrays);
  const kernelWeightsSize = arrays.reduce((s, a) => s + a.bytes.length, 0);
  if (kernels.length || opKernels.length) {
    files[`${P}_m55.c`] = kernelsSource(P, g, [...kernels.map((k) => k.source), ...opKernels.map((k) => k.source)]);
    if (kernels.length) files[`${P}_m55_weights.c`] = arraysSource(P, arrays);
  }
  if (!opts.omitRuntime) Object.assign(files, m55KernelHeader());
  return { ...base, files, layers, ops, kernelWeightsSize, kernelBytesByNode };
}

/** A generated kernel for a fused chain (node of domain hsq.m55) or an integer node the
 * kernels take; false leaves the node to the portable emitter. */
function overrideOp(ctx: NodeContext, g: Graph, fused: ReadonlyMap<string, import('./kernels/fuse').FusedChain> | undefined,
  out: OpKernel[], report: M55OpReport[]): boolean {
  const n = ctx.node;
  const fn = `${ctx.model.prefix}_L${ctx.step}`;
  let k: OpKernel;
  let inputs: number[];
  if (n.domain === M55_DOMAIN) {
    const f = fused?.get(n.name);
    if (!f) throw new Error(`internal: fused node '${n.name}' without a kernel`);
    k = f.make(fn);
    inputs = n.inputs.map((_, i) => i);
  } else {
    try {
      const make = integerKernel(g, n);
      if (!make) return false;
      k = make(fn);
    } catch (e) {
      if (e instanceof OpKernelError || e instanceof HsqError) return false;
      throw e;
    }
    inputs = n.op === 'Concat' ? n.inputs.map((t, i) => (t ? i : -1)).filter((i) => i >= 0) : [0];
  }
  out.push(k);
  ctx.model.statics.push(`${k.prototype};`);
  ctx.emit(`  /* generated Cortex-M55 kernel ${k.fn} (${k.kind}${k.path === 'mve' ? ', MVE' : ', scalar only'}): MVE and scalar paths in ${ctx.model.prefix}_m55.c */`,
    `  ${k.fn}(${[...inputs.map((i) => ctx.inPtr(i)), ctx.outPtr()].join(', ')});`);
  const op = n.domain === M55_DOMAIN ? fused!.get(n.name)!.op : n.op;
  report.push({ node: n.origin?.[0] ?? n.name, op, kind: k.kind, fn: k.fn, path: k.path, ...(k.reason ? { reason: k.reason } : {}) });
  return true;
}

interface FcParams { readonly desc: import('./kernels/types').FcLayerDesc; readonly rows: number; readonly xUnsigned: boolean; readonly binary: boolean }

function qgemmDesc(ctx: NodeContext, fn: string): FcParams {
  const xi = ctx.in(0), yi = ctx.out(0);
  need(xi.shape.length !== 4 && yi.shape.length !== 4, '4-D activations');
  needInt8Operands(ctx);
  const w = ctx.constValue(1);
  need(w.shape.length === 2, `weights of rank ${w.shape.length}`);
  const [K, N] = w.shape;
  const { xUnsigned, binary, fields } = kernelQuantFields(ctx, fn, N, 1);
  need(xi.shape[xi.shape.length - 1] === K, 'inner dimension');
  const rows = numel(xi.shape) / K;
  return { rows, xUnsigned, binary, desc: { ...fields, inFeatures: K, outFeatures: N } };
}

function kernelsSource(P: string, g: Graph, kernels: string[]): string {
  const head = [
    `/* ${P}_m55: generated Cortex-M55 kernels of the model '${safeComment(g.name)}' (${kernels.length} layer${kernels.length === 1 ? '' : 's'}).`,
    ' * Each function has an MVE path (Helium, when __ARM_FEATURE_MVE is defined) and a portable',
    ' * scalar path; both equal the interpreter bit for bit. Generated by hsq; do not edit. */',
    '#include <stdint.h>',
    '#include <string.h>',
    '#include "hsq_m55_kernels.h"',
    '',
  ];
  // The generated sources repeat their includes; keep the per-layer text as is.
  return [...head, ...kernels].join('\n');
}

/** Constant arrays: weights as string literals in .hsq_weights (fast to compile), the small
 * per-channel parameters as C initialisers in .rodata. */
function arraysSource(P: string, arrays: ConstArray[]): string | Uint8Array {
  const parts: Buffer[] = [];
  parts.push(Buffer.from([
    `/* ${P}_m55_weights: constant arrays of the generated kernels in ${P}_m55.c. Generated by hsq; do not edit. */`,
    '#include <stdint.h>',
    '',
  ].join('\n'), 'latin1'));
  const params = arrays.filter((a) => a.kind !== 'weights');
  if (params.length) parts.push(Buffer.from(renderArraysC(params, {}).replace(/^#include <stdint.h>\n\n/, ''), 'latin1'));
  for (const a of arrays.filter((x) => x.kind === 'weights')) {
    const s = a.ctype === 'int8_t' ? 1 : 4;
    parts.push(Buffer.from(`const ${a.ctype} ${a.symbol}[${a.bytes.length / s}] __attribute__((aligned(${a.align}), section(".hsq_weights"))) =\n`, 'latin1'));
    if (a.ctype !== 'int8_t') throw new Error(`internal: weights array ${a.symbol} of ${a.ctype}`);
    parts.push(stringLiteral(a.bytes), Buffer.from(';\n\n', 'latin1'));
  }
  const out = Buffer.concat(parts);
  return out.length <= 32 * 2 ** 20 ? out.toString('latin1') : new Uint8Array(out);
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Lines of "\xNN..." for 80 bytes each (no trailing semicolon; an empty array gives ""). */
function stringLiteral(b: Uint8Array): Buffer {
  if (b.length === 0) return Buffer.from('""', 'latin1');
  const per = 80;
  const nLines = Math.ceil(b.length / per);
  const out = Buffer.allocUnsafe(b.length * 4 + nLines * 3);
  let o = 0;
  for (let i = 0; i < b.length; i += per) {
    const end = Math.min(b.length, i + per);
    out[o++] = 0x22;
    for (let j = i; j < end; j++) {
      out[o] = 0x5c; out[o + 1] = 0x78; out[o + 2] = HEX[b[j] >> 4]; out[o + 3] = HEX[b[j] & 15];
      o += 4;
    }
    out[o++] = 0x22;
    if (end < b.length) out[o++] = 0x0a;
  }
  return out.subarray(0, o);
}

/** One line per QConv/QGemm/QConvTranspose: what computes it. */
export function layerSummary(layers: readonly M55LayerReport[]): string[] {
  return layers.map((l) => l.kernel === 'generated'
    ? `${l.node}: generated ${l.kind} kernel ${l.fn} (${l.precision}, ${l.macs} MACs)`
    : `${l.node}: portable kernel (${l.reason})`);
}

