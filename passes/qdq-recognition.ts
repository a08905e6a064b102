// Turns quantized convolutions and matrix products into hsq's integer ops (docs/ir.md):
//
//   Q(act?(Conv(DQ(x), DQ(w_int const), bias?)))    → QConv(x, w, bias)   rule qdq-conv
//   Q(act?(ConvTranspose(DQ(x), DQ(w_int const), bias?))) → QConvTranspose rule qdq-conv-transpose
//   Q(act?(Gemm(DQ(a), DQ(w_int const), bias?)))    → QGemm(a, w, bias)   rule qdq-gemm
//   Q(act?(MatMul(DQ(a), DQ(w_int const))))         → QGemm(a, w)         rule qdq-matmul
//   QLinearConv(x, .., w const, .., bias?)          → QConv               rule qlinear-conv
//   QLinearMatMul(a, .., b const, ..)               → QGemm               rule qlinear-matmul
//
//   Conv / ConvTranspose / Gemm / MatMul (DQ(x), DQ(w_int const)) with no Q after
//                                     → QConv / QConvTranspose / QGemm float_out   rules qdq-*-float
//
// act is Relu or Clip with constant bounds; it becomes the output clamp qmin/qmax (exact:
// quantization is monotone, so quantize(clip(y)) = clamp(quantize(y))). bias given as DQ(int32
// const) becomes int32 in units of x_scale * w_scale[m] (rounded half to even when the given
// scale differs, with a warning); a float constant bias (QONNX, a folded BatchNormalization)
// becomes the float term, input 3, in output units (docs/qat-layers.md). Gemm's transB is folded
// by transposing the integers; ConvTranspose's weight [C, M/group, kH, kW] is regrouped by output
// channel to [M, C/group, kH, kW] (per-channel quant along its axis 1 becomes axis 0, one scale
// per output channel). ConvInteger / MatMulInteger carry no output scale and stay.
//
// Before the rules run, every integer tensor at a QuantizeLinear output or a
// DequantizeLinear input with constant scale/zero point gets `quant` (bits from the dtype
// unless already set, e.g. by lower-qonnx).
import { DType, isFloat, isInteger } from '../core/ir/dtype';
import { Graph, Node, QuantParams, TensorInfo, attrFloat, attrInt, attrInts, attrString } from '../core/ir/graph';
import { Match, NodePat, P, PatternGraph, Rule, matchNode, patternGraph } from '../core/ir/pattern';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { roundHalfEven } from '../core/numerics';
import type { Pass, PassContext } from './pass-manager';
import { clampActivation, fusedClamp, quantOfQdq, sameQuant, tensorRange } from './quant';
import { dequantize, quantize } from './qdq-patterns';
import { allNames, freshName, infoOfValue, originOf } from './util';

const f = Math.fround;

interface Ctx {
  g: Graph;
  prod: ReadonlyMap<string, Node>;
  names: Set<string>;
  warn: (m: string) => void;
}

interface Replacement {
  /** Nodes the replacement stands for; removed. */
  remove: Node[];
  /** The new node, placed where `at` was. */
  node: Node;
  at: Node;
  inits: Record<string, Tensor>;
  infos: Record<string, TensorInfo>;
}

// ---- the pieces patterns are made of ----

interface QTensor { name: string; quant: QuantParams; dtype: DType }

/** The integer tensor behind a matched DequantizeLinear, with its quant. */
function dequantized(c: Ctx, dq: Node): QTensor & { dq: Node } {
  const info = c.g.tensors[dq.inputs[0]];
  return { name: dq.inputs[0], quant: info.quant!, dtype: info.dtype, dq };
}

const ACT_INT = new Set<DType>(['int8', 'uint8']);

function perTensor(q: QuantParams): boolean {
  return q.axis === undefined && q.scale.length === 1;
}

// ---- the patterns ----

/** DequantizeLinear of an integer tensor with quantization parameters (annotateQuant set them). */
const dqQuant = (name: string) => dequantize(name, { where: (n, { g }) => !!g.tensors[n.inputs[0]]?.quant });

/** ... of a constant integer tensor: quantized weights. */
const dqWeight = (name: string) => dequantize(name, {
  where: (n, { g }) => !!g.tensors[n.inputs[0]]?.quant && n.inputs[0] in g.initializers && isInteger(g.initializers[n.inputs[0]].dtype),
});

/** `core -> [Relu | Clip] -> QuantizeLinear`, each link read only by the next, the Q per tensor
 *  to int8/uint8. */
function quantizedOutput(core: NodePat): NodePat {
  const inner = { ...core, exclusive: true };
  return quantize(P.or(P.op(['Relu', 'Clip'], { name: 'act', exclusive: true, src: [inner] }), inner), {
    where: (q, { g }) => {
      const info = g.tensors[q.outputs[0]];
      return !!info?.quant && perTensor(info.quant) && ACT_INT.has(info.dtype);
    },
  });
}

/** The output side of a match of quantizedOutput. */
function outputChain(c: Ctx, m: Match): { act?: Node; q: Node; y: QTensor } {
  const q = m.node('q');
  const info = c.g.tensors[q.outputs[0]];
  return { act: m.maybe('act'), q, y: { name: q.outputs[0], quant: info.quant!, dtype: info.dtype } };
}

/** qmin/qmax of the output, narrowed by a fused Relu/Clip; undefined if the act cannot fuse. */
function outputClamp(c: Ctx, y: QTensor, act: Node | undefined): [number, number] | undefined {
  const [lo, hi] = tensorRange(y.quant, y.dtype);
  if (!act) return [lo, hi];
  const a = clampActivation(c.g, act);
  return a && fusedClamp(a, y.quant.scale[0], y.quant.zeroPoint[0], lo, hi);
}

/**
 * int32 bias in units of x_scale * w_scale[m]. From DQ(int32 const) (reused when its scale
 * matches) or a float constant (quantized, round half to even). Undefined if out of int32.
 */
function biasInt(c: Ctx, name: string | undefined, xq: QuantParams, wq: QuantParams, m: number, owner: Node): { t: Tensor; q: QuantParams } | undefined | null {
  if (!name) return null;
  const want = Array.from({ length: m }, (_, k) => f(f(xq.scale[0]) * f(wq.scale[wq.scale.length === 1 ? 0 : k])));
  const perAxis = wq.scale.length > 1;
  const q: QuantParams = { scale: perAxis ? want : [want[0]], zeroPoint: new Array(perAxis ? m : 1).fill(0), ...(perAxis ? { axis: 0 } : {}), bits: 32, signed: true, narrow: false };
  const out = new Int32Array(m);
  const dq = c.prod.get(name);
  let real: (k: number) => number;
  let exactIn: ((k: number) => number) | undefined;
  if (dq && dq.op === 'DequantizeLinear' && dq.domain === '') {
    const b = c.g.initializers[dq.inputs[0]];
    const bq = c.g.tensors[dq.inputs[0]]?.quant;
    if (!b || b.dtype !== 'int32' || numel(b.shape) !== m || !bq || bq.zeroPoint.some((z) => z !== 0)) return undefined;
    const sb = (k: number) => bq.scale[bq.scale.length === 1 ? 0 : k];
    if (want.every((w, k) => f(sb(k)) === w)) exactIn = (k) => Number(b.data[k]);
    real = (k) => Number(b.data[k]) * sb(k);
  } else return undefined;
  let inexact = false;
  for (let k = 0; k < m; k++) {
    let v: number;
    if (exactIn) v = exactIn(k);
    else {
      v = roundHalfEven(real(k) / want[k]);
      if (dq && v !== real(k) / want[k]) inexact = true;
    }
    if (!(v >= -2147483648 && v <= 2147483647)) return undefined;
    out[k] = v;
  }
  if (inexact) c.warn(`node '${owner.name}': bias scale differs from input scale × weight scale; bias requantized (rounded half to even)`);
  return { t: makeTensor('int32', [m], out), q };
}

function convAttrs(c: Ctx, conv: Node, x: string, w: Tensor): Record<string, number | number[]> | undefined {
  const xs = c.g.tensors[x]?.shape;
  if (!xs || xs.length !== 4 || w.shape.length !== 4) return undefined;
  const k = [w.shape[2], w.shape[3]];
  const ks = attrInts(conv, 'kernel_shape');
  if (ks && (ks[0] !== k[0] || ks[1] !== k[1])) return undefined;
  const strides = [...(attrInts(conv, 'strides') ?? [1, 1])];
  const dil = [...(attrInts(conv, 'dilations') ?? [1, 1])];
  const autoPad = attrString(conv, 'auto_pad', 'NOTSET');
  let pads = [...(attrInts(conv, 'pads') ?? [0, 0, 0, 0])];
  if (autoPad === 'VALID') pads = [0, 0, 0, 0];
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = [0, 0, 0, 0];
    for (let d = 0; d < 2; d++) {
      const inD = xs[2 + d];
      const total = Math.max(0, (Math.ceil(inD / strides[d]) - 1) * strides[d] + (k[d] - 1) * dil[d] + 1 - inD);
      const small = Math.floor(total / 2);
      pads[d] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[d + 2] = total - pads[d];
    }
  } else if (autoPad !== 'NOTSET') return undefined;
  return { group: attrInt(conv, 'group', 1), kernel_shape: k, strides, pads, dilations: dil };
}

/** The output of a replacement: a quantized tensor, or (no QuantizeLinear after the layer) a
 *  float32 tensor: y = float(acc) · (x_scale · w_scale[c]) + bias[c]. */
type OutSide = QTensor | { name: string; float: true };

const isFloatOut = (y: OutSide): y is { name: string; float: true } => 'float' in y;

/**
 * A float constant bias as the float term of the requantization (docs/qat-layers.md):
 * b[c] / y_scale in output units (b[c] itself for a float output), float32. Undefined when
 * `name` is not a float constant of m values.
 */
function floatTerm(c: Ctx, name: string, y: OutSide, m: number): Tensor | undefined {
  const b = c.g.initializers[name];
  if (!b || !isFloat(b.dtype) || (numel(b.shape) !== m && numel(b.shape) !== 1)) return undefined;
  const sy = isFloatOut(y) ? 1 : f(y.quant.scale[0]);
  const v = Array.from({ length: m }, (_, k) => f(Number(b.data[numel(b.shape) === 1 ? 0 : k]) / sy));
  if (v.some((x) => !Number.isFinite(x))) return undefined;
  return makeTensor('float32', [m], v);
}

/** Assembles a QConv / QGemm replacement; checks every operand's quant. A bias given as
 *  DQ(int32) stays int32 in accumulator units (what ONNX Runtime computes); a float constant
 *  bias (QONNX, or a BatchNormalization folded into the bias) becomes the float term. */
type Kind = 'QConv' | 'QConvTranspose' | 'QGemm';

/** Output-channel axis of the integer weight of each kind (QConvTranspose's is regrouped). */
const wAxis = (kind: Kind): 0 | 1 => (kind === 'QGemm' ? 1 : 0);

function build(c: Ctx, kind: Kind, anchor: Node, remove: Node[], at: Node, x: QTensor, w0: { name: string; t: Tensor; quant: QuantParams },
  biasName: string | undefined, y: OutSide, clamp: [number, number] | undefined, attrs: Record<string, number | number[] | string>): Replacement | undefined {
  const w = w0;
  if (!perTensor(x.quant) || !ACT_INT.has(x.dtype) || !isInteger(w.t.dtype) || w.quant.blockSize !== undefined) return undefined;
  const m = w.t.shape[wAxis(kind)];
  if (w.quant.scale.length !== 1 && w.quant.axis !== wAxis(kind)) return undefined;
  const biasDq = biasName ? c.prod.get(biasName) : undefined;
  const isIntBias = !!biasDq && biasDq.op === 'DequantizeLinear' && biasDq.domain === '';
  let wq = w;
  let bias: ReturnType<typeof biasInt> = null;
  let fterm: Tensor | undefined;
  if (biasName && isIntBias) {
    bias = biasInt(c, biasName, x.quant, w.quant, m, anchor);
    if (bias === undefined && w.quant.scale.length === m && m > 1) {
      // Channels whose weights are all zero points (dead channels, often with tiny scales) may
      // take any weight scale: give them one that makes their bias representable in int32.
      const fixed = rescaleDeadChannels(c, w, wAxis(kind));
      if (fixed) { wq = fixed; bias = biasInt(c, biasName, x.quant, wq.quant, m, anchor); }
    }
    if (bias === undefined) return undefined;
  } else if (biasName) {
    fterm = floatTerm(c, biasName, y, m);
    if (!fterm) return undefined;
  }
  const inits: Record<string, Tensor> = {};
  const infos: Record<string, TensorInfo> = {};
  const inputs = [x.name, wq.name];
  if (bias) {
    const bn = freshName(c.names, `${anchor.name}_bias_q`);
    inits[bn] = bias.t;
    infos[bn] = { ...infoOfValue(bn, bias.t), quant: bias.q };
    inputs.push(bn);
  }
  if (fterm) {
    const fn = freshName(c.names, `${anchor.name}_float_bias`);
    inits[fn] = fterm;
    infos[fn] = infoOfValue(fn, fterm);
    if (inputs.length === 2) inputs.push('');
    inputs.push(fn);
  }
  if (!(wq.name in c.g.initializers)) { inits[wq.name] = wq.t; infos[wq.name] = { ...infoOfValue(wq.name, wq.t), quant: wq.quant }; }
  const outAttrs: Record<string, number> = isFloatOut(y) ? { float_out: 1 } : { qmin: clamp![0], qmax: clamp![1] };
  const node: Node = {
    name: anchor.name, op: kind, domain: 'hsq', inputs, outputs: [y.name],
    attrs: { ...attrs, ...outAttrs }, origin: originOf(...remove),
  };
  return { remove, node, at, inits, infos };
}

function rescaleDeadChannels(c: Ctx, w: { name: string; t: Tensor; quant: QuantParams }, axis: 0 | 1): { name: string; t: Tensor; quant: QuantParams } | undefined {
  const m = w.quant.scale.length;
  const dead = new Array<boolean>(m).fill(true);
  const [rows, cols] = [w.t.shape[0], numel(w.t.shape) / w.t.shape[0]];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const ch = axis === 0 ? i : j;
    if (Number(w.t.data[i * cols + j]) !== w.quant.zeroPoint[ch]) dead[ch] = false;
  }
  const live = w.quant.scale.filter((_, k) => !dead[k]);
  if (live.length === m) return undefined;
  const s = live.length ? Math.max(...live) : 1;
  const quant = { ...w.quant, scale: w.quant.scale.map((v, k) => (dead[k] ? s : v)) };
  return { name: freshName(c.names, `${w.name}_q`), t: w.t, quant };
}

function weightOf(c: Ctx, dq: Node): { name: string; t: Tensor; quant: QuantParams } {
  const d = dequantized(c, dq);
  return { name: d.name, t: c.g.initializers[d.name], quant: d.quant };
}

/** Integer transpose of a [N, K] weight to [K, N]; per-row quant becomes per-column. */
function transposed(c: Ctx, w: { name: string; t: Tensor; quant: QuantParams }) {
  const [n, k] = w.t.shape;
  const out = new (w.t.data.constructor as Int8ArrayConstructor)(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[j * n + i] = Number(w.t.data[i * k + j]);
  const quant = w.quant.axis === 0 ? { ...w.quant, axis: 1 } : w.quant.axis === 1 ? undefined : w.quant;
  if (!quant) return undefined;
  return { name: freshName(c.names, `${w.name}_T`), t: makeTensor(w.t.dtype, [k, n], out), quant };
}

/**
 * ConvTranspose's integer weight [C, M/group, kH, kW] regrouped by output channel as
 * [M, C/group, kH, kW] (values moved, not flipped), quant per tensor or one scale per output
 * channel m along axis 0: from per-channel along axis 1 (M/group scales, shared by the groups:
 * m's is m mod M/group's), or along axis 0 when each group has one input channel (depthwise:
 * group g = input channel g feeds output channels g*M/group.., whose scale is g's).
 * Undefined for other quantization.
 */
function regroupedTransposeWeight(c: Ctx, w: { name: string; t: Tensor; quant: QuantParams }, group: number) {
  const s = w.t.shape;
  if (s.length < 3 || s[0] % group !== 0) return undefined;
  const C = s[0], Mg = s[1], Cg = C / group, M = Mg * group, K = numel(s.slice(2));
  let quant: QuantParams;
  if (w.quant.scale.length === 1 && w.quant.zeroPoint.length <= 1) {
    const { axis: _axis, ...rest } = w.quant;
    void _axis;
    quant = rest;
  }
  else if (w.quant.axis === 1 && w.quant.scale.length === Mg) {
    const per = <T>(v: readonly T[]): T[] => Array.from({ length: M }, (_, m) => v[v.length === 1 ? 0 : m % Mg]);
    quant = { ...w.quant, scale: per(w.quant.scale), zeroPoint: per(w.quant.zeroPoint.length ? w.quant.zeroPoint : [0]), axis: 0 };
  } else if (w.quant.axis === 0 && w.quant.scale.length === C && Cg === 1) {
    const per = <T>(v: readonly T[]): T[] => Array.from({ length: M }, (_, m) => v[v.length === 1 ? 0 : Math.floor(m / Mg)]);
    quant = { ...w.quant, scale: per(w.quant.scale), zeroPoint: per(w.quant.zeroPoint.length ? w.quant.zeroPoint : [0]), axis: 0 };
  } else return undefined;
  const out = new (w.t.data.constructor as Int8ArrayConstructor)(numel(s));
  for (let ci = 0; ci < C; ci++) {
    const g = Math.floor(ci / Cg), cl = ci - g * Cg;
    for (let mm = 0; mm < Mg; mm++) {
      const m = g * Mg + mm;
      for (let k = 0; k < K; k++) out[(m * Cg + cl) * K + k] = Number(w.t.data[(ci * Mg + mm) * K + k]);
    }
  }
  return { name: freshName(c.names, `${w.name}_by_output_channel`), t: makeTensor(w.t.dtype, [M, Cg, ...s.slice(2)], out), quant };
}

/** The ConvTranspose attributes a QConvTranspose keeps (the same geometry, ops/conv-transpose.ts). */
function convTransposeAttrs(c: Ctx, n: Node, x: string): Record<string, number | number[] | string> | undefined {
  const xs = c.g.tensors[x]?.shape;
  if (!xs || (xs.length !== 3 && xs.length !== 4)) return undefined;
  const out: Record<string, number | number[] | string> = {};
  for (const k of ['auto_pad', 'dilations', 'group', 'kernel_shape', 'output_padding', 'output_shape', 'pads', 'strides']) {
    const v = n.attrs[k];
    if (v !== undefined) out[k] = v as number | number[] | string;
  }
  return out;
}

// ---- the rules ----

interface QdqRule extends Rule<Ctx, Replacement> {
  /** The capture whose position orders the rewrites (the node the replacement stands at). */
  readonly anchor: string;
}

/** The two convolutions as integer layers: what differs is the weight layout and the geometry
 *  attributes kept (ConvTranspose's weights are regrouped output channel first). */
interface ConvKind {
  readonly qop: 'QConv' | 'QConvTranspose';
  weight(c: Ctx, w: ReturnType<typeof weightOf>, conv: Node): ReturnType<typeof weightOf> | undefined;
  attrs(c: Ctx, conv: Node, x: string, w: ReturnType<typeof weightOf>): Record<string, number | number[] | string> | undefined;
}
const CONV_KINDS: Readonly<Record<'Conv' | 'ConvTranspose', ConvKind>> = {
  Conv: { qop: 'QConv', weight: (_c, w) => w, attrs: (c, conv, x, w) => convAttrs(c, conv, x, w.t) },
  ConvTranspose: {
    qop: 'QConvTranspose',
    weight: (c, w, conv) => regroupedTransposeWeight(c, w, attrInt(conv, 'group', 1)),
    attrs: (c, conv, x) => convTransposeAttrs(c, conv, x),
  },
};

/** DQ(x), DQ(W) → Conv/ConvTranspose → [Relu|Clip] → Q: one integer layer. */
function qdqConvRule(op: keyof typeof CONV_KINDS, name: string): QdqRule {
  const k = CONV_KINDS[op];
  return {
    name,
    anchor: 'conv',
    pattern: quantizedOutput(P.op(op, { name: 'conv', src: [dqQuant('x'), dqWeight('w')] })),
    apply(m, c) {
      const conv = m.node('conv');
      const x = dequantized(c, m.node('x'));
      const w = k.weight(c, weightOf(c, m.node('w')), conv);
      const out = outputChain(c, m);
      const attrs = w && k.attrs(c, conv, x.name, w);
      const clamp = outputClamp(c, out.y, out.act);
      if (!w || !attrs || !clamp) return undefined;
      const remove = [conv, ...(out.act ? [out.act] : []), out.q];
      return build(c, k.qop, conv, remove, conv, x, w, conv.inputs[2] || undefined, out.y, clamp, attrs);
    },
  };
}

const qdqConv = qdqConvRule('Conv', 'qdq-conv');
const qdqConvTranspose = qdqConvRule('ConvTranspose', 'qdq-conv-transpose');

const qdqGemm: QdqRule = {
  name: 'qdq-gemm',
  anchor: 'gemm',
  pattern: quantizedOutput(P.op('Gemm', { name: 'gemm', src: [dqQuant('x'), dqWeight('w')] })),
  apply(m, c) {
    const gemm = m.node('gemm');
    if (attrInt(gemm, 'transA', 0) !== 0 || attrFloat(gemm, 'alpha', 1) !== 1 || (gemm.inputs[2] && attrFloat(gemm, 'beta', 1) !== 1)) return undefined;
    const x = dequantized(c, m.node('x'));
    let w: ReturnType<typeof weightOf> | undefined = weightOf(c, m.node('w'));
    const out = outputChain(c, m);
    if (w.t.shape.length !== 2) return undefined;
    if (attrInt(gemm, 'transB', 0)) w = transposed(c, w);
    const clamp = outputClamp(c, out.y, out.act);
    if (!w || !clamp) return undefined;
    const bias = gemm.inputs[2];
    if (bias && c.g.tensors[bias] && numel(c.g.tensors[bias].shape) !== w.t.shape[1]) return undefined;
    return build(c, 'QGemm', gemm, [gemm, ...(out.act ? [out.act] : []), out.q], gemm, x, w, bias, out.y, clamp, {});
  },
};

const qdqMatMul: QdqRule = {
  name: 'qdq-matmul',
  anchor: 'mm',
  pattern: quantizedOutput(P.op('MatMul', { name: 'mm', src: [dqQuant('x'), dqWeight('w')] })),
  apply(m, c) {
    const mm = m.node('mm');
    const x = dequantized(c, m.node('x'));
    const w = weightOf(c, m.node('w'));
    const out = outputChain(c, m);
    const xr = c.g.tensors[x.name]?.shape.length;
    if (w.t.shape.length !== 2 || !xr || xr < 2) return undefined;
    const clamp = outputClamp(c, out.y, out.act);
    if (!clamp) return undefined;
    return build(c, 'QGemm', mm, [mm, ...(out.act ? [out.act] : []), out.q], mm, x, w, undefined, out.y, clamp, {});
  },
};

/** Integer layers whose result stays float (no QuantizeLinear after them: TFC's last MatMul,
 *  before its float epilogue): QConv / QGemm with float_out, y = float(acc)·(sx·sw[c]) + bias[c].
 *  Tried after the quantized-output rules, so they only take what those leave. */
const floatOut = (c: Ctx, n: Node): { name: string; float: true } | undefined =>
  c.g.tensors[n.outputs[0]]?.dtype === 'float32' ? { name: n.outputs[0], float: true } : undefined;

/** DQ(x), DQ(W) → Conv/ConvTranspose with a float output: an integer layer with float_out. */
function qdqConvFloatRule(op: keyof typeof CONV_KINDS, name: string): QdqRule {
  const k = CONV_KINDS[op];
  return {
    name,
    anchor: 'conv',
    pattern: P.op(op, { name: 'conv', src: [dqQuant('x'), dqWeight('w')] }),
    apply(m, c) {
      const conv = m.node('conv');
      const x = dequantized(c, m.node('x'));
      const w = k.weight(c, weightOf(c, m.node('w')), conv);
      const y = floatOut(c, conv);
      const attrs = w && k.attrs(c, conv, x.name, w);
      if (!w || !attrs || !y) return undefined;
      return build(c, k.qop, conv, [conv], conv, x, w, conv.inputs[2] || undefined, y, undefined, attrs);
    },
  };
}

const qdqConvFloat = qdqConvFloatRule('Conv', 'qdq-conv-float');
const qdqConvTransposeFloat = qdqConvFloatRule('ConvTranspose', 'qdq-conv-transpose-float');

const qdqGemmFloat: QdqRule = {
  name: 'qdq-gemm-float',
  anchor: 'gemm',
  pattern: P.op(['Gemm', 'MatMul'], { name: 'gemm', src: [dqQuant('x'), dqWeight('w')] }),
  apply(m, c) {
    const gemm = m.node('gemm');
    if (gemm.op === 'Gemm' && (attrInt(gemm, 'transA', 0) !== 0 || attrFloat(gemm, 'alpha', 1) !== 1 || (gemm.inputs[2] && attrFloat(gemm, 'beta', 1) !== 1))) return undefined;
    const x = dequantized(c, m.node('x'));
    let w: ReturnType<typeof weightOf> | undefined = weightOf(c, m.node('w'));
    const y = floatOut(c, gemm);
    const xr = c.g.tensors[x.name]?.shape.length;
    if (w.t.shape.length !== 2 || !y || !xr || (gemm.op === 'MatMul' && xr < 2)) return undefined;
    if (gemm.op === 'Gemm' && attrInt(gemm, 'transB', 0)) w = transposed(c, w);
    if (!w) return undefined;
    const bias = gemm.op === 'Gemm' ? gemm.inputs[2] || undefined : undefined;
    return build(c, 'QGemm', gemm, [gemm], gemm, x, w, bias, y, undefined, {});
  },
};

/** Quant of a QLinear operand given as (tensor, scale, zp) inputs; set onto infos. */
function qlinearOperand(c: Ctx, n: Node, t: number, s: number, z: number, rank: number | undefined, infos: Record<string, TensorInfo>): QTensor | undefined {
  const name = n.inputs[t];
  // Initializers (the weights) have no tensor info of their own until someone gives them one.
  const init = c.g.initializers[name];
  const info = c.g.tensors[name] ?? (init ? infoOfValue(name, init) : undefined);
  if (!info) return undefined;
  const view: Node = { ...n, inputs: [name, n.inputs[s], n.inputs[z]], attrs: rank === 4 ? { axis: 0 } : { axis: 1 } };
  const q = quantOfQdq(c.g, view, name, info.dtype, rank ?? info.shape.length, info.quant);
  if (!q || (info.quant && !sameQuant(info.quant, q))) return undefined;
  infos[name] = { ...info, quant: q };
  return { name, quant: q, dtype: info.dtype };
}

const qlinearConv: QdqRule = {
  name: 'qlinear-conv',
  anchor: 'n',
  pattern: P.op('QLinearConv', { name: 'n' }),
  apply(m, c) {
    const n = m.node('n');
    const infos: Record<string, TensorInfo> = {};
    const x = qlinearOperand(c, n, 0, 1, 2, undefined, infos);
    const wq = qlinearOperand(c, n, 3, 4, 5, 4, infos);
    const yInfo = c.g.tensors[n.outputs[0]];
    const wt = c.g.initializers[n.inputs[3]];
    if (!x || !wq || !wt || !yInfo) return undefined;
    const yView: Node = { ...n, inputs: [n.outputs[0], n.inputs[6], n.inputs[7]], attrs: {} };
    const yq = quantOfQdq(c.g, yView, n.outputs[0], yInfo.dtype, yInfo.shape.length, yInfo.quant);
    if (!yq || !perTensor(yq)) return undefined;
    const yT: QTensor = { name: n.outputs[0], quant: yq, dtype: yInfo.dtype };
    const attrs = convAttrs(c, n, x.name, wt);
    if (!attrs) return undefined;
    const b = n.inputs[8];
    const bInfos: Record<string, TensorInfo> = {};
    if (b) {
      const bt = c.g.initializers[b];
      if (!bt || bt.dtype !== 'int32') return undefined;
    }
    const r = build(c, 'QConv', n, [n], n, x, { name: wq.name, t: wt, quant: wq.quant }, undefined, yT, tensorRange(yq, yT.dtype), attrs);
    if (!r) return undefined;
    if (b) {
      // QLinearConv's bias is int32 in units of x_scale * w_scale already.
      const bn = freshName(c.names, `${n.name}_bias_q`);
      const bt = c.g.initializers[b];
      const m = wt.shape[0];
      const want = Array.from({ length: m }, (_, k) => f(f(x.quant.scale[0]) * f(wq.quant.scale[wq.quant.scale.length === 1 ? 0 : k])));
      const per = wq.quant.scale.length > 1;
      r.inits[bn] = bt;
      bInfos[bn] = { ...infoOfValue(bn, bt), quant: { scale: per ? want : [want[0]], zeroPoint: new Array(per ? m : 1).fill(0), ...(per ? { axis: 0 } : {}), bits: 32, signed: true, narrow: false } };
      r.node = { ...r.node, inputs: [...r.node.inputs, bn] };
    }
    Object.assign(r.infos, infos, bInfos, { [yT.name]: { ...yInfo, quant: yq } });
    return r;
  },
};

const qlinearMatMul: QdqRule = {
  name: 'qlinear-matmul',
  anchor: 'n',
  pattern: P.op('QLinearMatMul', { name: 'n' }),
  apply(m, c) {
    const n = m.node('n');
    const infos: Record<string, TensorInfo> = {};
    const x = qlinearOperand(c, n, 0, 1, 2, undefined, infos);
    const wq = qlinearOperand(c, n, 3, 4, 5, 2, infos);
    const wt = c.g.initializers[n.inputs[3]];
    const yInfo = c.g.tensors[n.outputs[0]];
    if (!x || !wq || !wt || wt.shape.length !== 2 || !yInfo) return undefined;
    const yq = quantOfQdq(c.g, { ...n, inputs: [n.outputs[0], n.inputs[6], n.inputs[7]], attrs: {} }, n.outputs[0], yInfo.dtype, yInfo.shape.length, yInfo.quant);
    if (!yq || !perTensor(yq)) return undefined;
    const yT: QTensor = { name: n.outputs[0], quant: yq, dtype: yInfo.dtype };
    const r = build(c, 'QGemm', n, [n], n, x, { name: wq.name, t: wt, quant: wq.quant }, undefined, yT, tensorRange(yq, yT.dtype), {});
    if (!r) return undefined;
    Object.assign(r.infos, infos, { [yT.name]: { ...yInfo, quant: yq } });
    return r;
  },
};

export const QDQ_RULES: readonly QdqRule[] = [qdqConv, qdqConvTranspose, qdqGemm, qdqMatMul, qlinearConv, qlinearMatMul, qdqConvFloat, qdqConvTransposeFloat, qdqGemmFloat];

// ---- driver ----

/** Sets `quant` on the integer side of every QuantizeLinear / DequantizeLinear with constant parameters. */
export function annotateQuant(g: Graph, warn: (m: string) => void = () => undefined): Graph {
  let tensors: Record<string, TensorInfo> | undefined;
  for (const n of g.nodes) {
    if (n.domain !== '' || (n.op !== 'QuantizeLinear' && n.op !== 'DequantizeLinear')) continue;
    const name = n.op === 'QuantizeLinear' ? n.outputs[0] : n.inputs[0];
    const cur = (tensors ?? g.tensors)[name] ?? (g.initializers[name] ? infoOfValue(name, g.initializers[name]) : undefined);
    if (!cur || !isInteger(cur.dtype)) continue;
    const q = quantOfQdq(g, n, name, cur.dtype, cur.shape.length, cur.quant);
    if (!q) continue;
    if (cur.quant && !sameQuant(cur.quant, q)) {
      // q takes bits/signed/narrow from cur.quant, so this is a scale/zero point/axis conflict.
      warn(`tensor '${name}' is quantized with different parameters by '${n.name}' than elsewhere; keeping the first`);
      continue;
    }
    tensors ??= { ...g.tensors };
    tensors[name] = { ...cur, quant: q };
  }
  return tensors ? { ...g, tensors } : g;
}

export function recognizeQdq(g0: Graph, ctx?: PassContext): Graph {
  const warn = ctx?.warn ?? (() => undefined);
  const g = annotateQuant(g0, warn);
  const pg = patternGraph(g);
  const c: Ctx = { g, prod: pg.producers, names: allNames(g), warn };
  // Structural matches (each rooted at its QuantizeLinear or QLinear node), rewritten in the
  // order of their anchors so that names and warnings come in graph order.
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const found: { rule: QdqRule; match: Match; anchor: Node; order: number }[] = [];
  for (const n of g.nodes) {
    QDQ_RULES.forEach((rule, order) => {
      const match = matchNode(pg, rule.pattern, n);
      if (match) found.push({ rule, match, anchor: match.node(rule.anchor), order });
    });
  }
  // Same anchor: the rule listed first wins (a quantized output before a float one).
  found.sort((a, b) => index.get(a.anchor)! - index.get(b.anchor)! || a.order - b.order);
  const taken = new Set<Node>();
  const byAt = new Map<Node, Replacement>();
  for (const { rule, match, anchor } of found) {
    if (taken.has(anchor)) continue;
    const r = rule.apply(match, c);
    if (!r || r.remove.some((m) => taken.has(m))) continue;
    r.remove.forEach((m) => taken.add(m));
    byAt.set(r.at, r);
  }
  if (!byAt.size) return g;
  const nodes: Node[] = [];
  const initializers = { ...g.initializers };
  const tensors = { ...g.tensors };
  for (const n of g.nodes) {
    const r = byAt.get(n);
    if (r) {
      nodes.push(r.node);
      Object.assign(initializers, r.inits);
      Object.assign(tensors, r.infos);
      for (const m of r.remove) for (const o of m.outputs) if (o && o !== r.node.outputs[0]) delete tensors[o];
    } else if (!taken.has(n)) nodes.push(n);
  }
  return { ...g, nodes, initializers, tensors };
}

export const qdqRecognition: Pass = {
  name: 'qdq-recognition',
  description: 'marks quantized tensors; DQ→Conv/ConvTranspose/Gemm/MatMul→[Relu|Clip]→Q and QLinear* become integer layers',
  run: (g, ctx) => recognizeQdq(g, ctx),
};
