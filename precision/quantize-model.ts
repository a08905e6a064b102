// Post-training quantization of the float graph (after shape inference, constant folding and
// BatchNormalization folding) into a standard QDQ graph in ONNX Runtime's layout:
//
// - every float activation read or written by a quantized layer goes through
//   QuantizeLinear → DequantizeLinear (asymmetric, calibrated range including 0, int8 by
//   default; `activationType: 'uint8'` for U8S8), except the output of a Conv/Gemm/MatMul read
//   only by a Relu/Clip (the Relu's output is quantized; recognition absorbs the Relu);
// - the output of a value-moving op (MaxPool, Reshape, Transpose, ...) shares its input's
//   parameters, as ORT's quantizer does;
// - weights of Conv/Gemm/MatMul: integer initializers, symmetric per output channel, behind one
//   per-axis DequantizeLinear (axis 0 for Conv and Gemm transB, axis 1 for [K, N] weights);
// - bias: int32 round(b / (x_scale · w_scale[c])), scale x_scale · w_scale, zero point 0;
// - graph outputs stay float (a DequantizeLinear ends the graph).
// Integer tensors carry `quant` (bits, signed, narrow, source 'hsq-ptq'). Activation widths
// below 8 live in an int8/uint8 container here with the range in `quant.bits`; toOnnxQdq turns
// 4-bit ones into INT4 for ONNX Runtime.
//
// Pre-quantized models keep their own quantization: tensors already behind DequantizeLinear or
// feeding a QuantizeLinear are left alone. Where a higher-priority source gives such a layer a
// different width, its weights are requantized from their dequantized values and its input
// quantizer is re-parameterized over the same real range.
import { fail } from '../core/diagnostics';
import { Graph, Node, QuantParams, TensorInfo, attrFloat, attrInt, consumers, producers } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { DType } from '../core/ir/dtype';
import { allNames, freshName, nodeNames } from '../passes/util';
import { removeDeadCode } from '../passes/dead-code';
import { annotateQuant } from '../passes/qdq-recognition';
import { Sample } from './calib-data';
import { ActivationStats, Ranges, observeActivations } from './calibrate';
import { ObserverMethod } from './observers';
import { ACCUMULATING, PASSTHROUGH, isFloatActivation, weightChannelAxis } from './layers';
import { FLOAT_BITS } from './model-precision';
import { PrecisionInputs, ResolvedPrecision, resolvePrecisions } from './resolve';
import { activationParams, rebitActivation } from './act-params';
import { WeightMethod, defaultWeightMethod, dequantizeWeights, quantizeBias, quantizeWeights, weightContainer } from './weights';
import { upgradeOpset } from './opset';
import { outputRangeOf } from '../ops/engine/traits';

export interface QuantizeOptions extends PrecisionInputs {
  /** Resolved precisions (default: resolvePrecisions(graph, this)). */
  readonly precisions?: ReadonlyMap<string, ResolvedPrecision>;
  /** Calibration samples (needed when anything is quantized anew and `ranges` is not given). */
  readonly calib?: readonly Sample[];
  /** Ranges from an earlier calibration, used as given. */
  readonly ranges?: Ranges;
  /** Observers from an earlier calibration (sensitivity runs reuse them): ranges per width. */
  readonly stats?: ActivationStats;
  readonly method?: ObserverMethod;
  /** Weight scale method (default: defaultWeightMethod of each layer's width). */
  readonly weightMethod?: WeightMethod;
  /** Give sub-8-bit Conv/Gemm layers without a bias a zero int32 bias (for bias correction). */
  readonly addBias?: boolean;
  readonly percentile?: number;
  readonly activationType?: 'int8' | 'uint8';
  readonly progress?: boolean;
}

/** Where a layer's quantized weights and bias live in the QDQ graph (for rounding and bias correction). */
export interface QuantizedLayer {
  readonly layer: string;
  readonly op: string;
  readonly weightBits: number;
  readonly weightMethod: WeightMethod;
  /** Integer weight initializer and its per-channel quant. */
  readonly weight: string;
  readonly quant: QuantParams;
  /** The float weights the integers came from. */
  readonly real: Tensor;
  /** int32 bias initializer, when the layer has one hsq quantized. */
  readonly bias?: string;
  /** Scale of the layer's quantized input (the bias scale is this times the weight scale). */
  readonly inputScale?: number;
}

export interface QuantizeResult {
  readonly graph: Graph;
  readonly precisions: ReadonlyMap<string, ResolvedPrecision>;
  /** The range each quantized activation was given. */
  readonly ranges: Ranges;
  readonly layers: ReadonlyMap<string, QuantizedLayer>;
}

const f = Math.fround;
const SOURCE = 'hsq-ptq';

/** A depthwise ConvTranspose ([C, 1, kH, kW] weights, group C) is quantized per output channel
 *  along axis 0 (input channel c feeds output channel c only); others along axis 1. */
function convTransposeAxis(n: Node, w: Tensor | undefined): number | undefined {
  if (n.op !== 'ConvTranspose' || !w || w.shape.length < 3) return undefined;
  return attrInt(n, 'group', 1) === w.shape[0] && w.shape[1] === 1 ? 0 : 1;
}

/**
 * The output grid of a Softmax, as TFLite fixes it: scale 2^-bits, zero point at the bottom of the
 * range (int8: 1/256, -128; uint8: 1/256, 0), so 0 .. 1 - 2^-bits in exact steps (1 saturates to
 * the top). Calibration would give a data-dependent scale for values known to lie in [0, 1].
 */
function softmaxParams(bits: number, signed: boolean): QuantParams {
  return { scale: [2 ** -bits], zeroPoint: [signed ? -(2 ** (bits - 1)) : 0], bits, signed, narrow: false, source: SOURCE };
}

/** The QDQ graph (see the file comment). */
export function quantizeModel(g0: Graph, opts: QuantizeOptions = {}): Graph {
  return quantizeModelDetailed(g0, opts).graph;
}

export function quantizeModelDetailed(g0: Graph, opts: QuantizeOptions = {}): QuantizeResult {
  const precisions = opts.precisions ?? resolvePrecisions(g0, opts);
  const signed = (opts.activationType ?? 'int8') === 'int8';
  // A pre-quantized model's integer tensors get their quant (bits from the dtype: int4 → 4) as
  // recognition would give them, so a layer given another width finds its integer weights and
  // requantizes them (without it a QDQ model's weights looked float-less and were kept).
  const g = annotateQuant(g0);
  const prod = producers(g);
  const cons = consumers(g);
  const names = allNames(g);
  const nodeNameSet = nodeNames(g);
  const inits: Record<string, Tensor> = { ...g.initializers };
  const infos: Record<string, TensorInfo> = { ...g.tensors };
  const before = new Map<Node, Node[]>();   // nodes to insert before a node (weight/bias DQs)
  const replaced = new Map<Node, Node>();
  const addBefore = (n: Node, m: Node) => { const l = before.get(n); if (l) l.push(m); else before.set(n, [m]); };
  const cur = (n: Node) => replaced.get(n) ?? n;
  const opset = 21;

  // Layers hsq quantizes now: every quantizable node whose precision is not the model's own and not float.
  const qset = new Set<Node>();
  for (const n of g.nodes) {
    const p = precisions.get(n.name);
    if (p && p.source !== 'model' && p.precision.actBits !== FLOAT_BITS) qset.add(n);
  }
  const prec = (n: Node) => precisions.get(n.name)!.precision;

  const isDqOut = (t: string) => prod.get(t)?.op === 'DequantizeLinear';
  const feedsQ = (t: string) => (cons.get(t) ?? []).some((c) => c.op === 'QuantizeLinear');

  // ---- pre-quantized inputs of re-precisioned layers: change the input quantizer's width ----
  const rebit = new Map<string, number>();  // integer tensor → new bits
  for (const n of qset) {
    const x = n.inputs[0];
    const dq = prod.get(x);
    if (!dq || dq.op !== 'DequantizeLinear') continue;
    const intName = dq.inputs[0];
    const q = infos[intName]?.quant;
    const want = prec(n).actBits;
    if (q && q.bits !== want && prod.get(intName)?.op === 'QuantizeLinear') rebit.set(intName, Math.max(want, rebit.get(intName) ?? 0));
  }
  for (const [intName, bits] of rebit) {
    const q = infos[intName].quant!;
    const nq = rebitActivation(q, bits, 'hsq-requantized');
    const container: DType = q.signed ? 'int8' : 'uint8';
    const s = freshName(names, `${intName}_scale`), z = freshName(names, `${intName}_zero_point`);
    inits[s] = makeTensor('float32', [], nq.scale);
    inits[z] = makeTensor(container, [], nq.zeroPoint);
    infos[s] = { name: s, dtype: 'float32', shape: [] };
    infos[z] = { name: z, dtype: container, shape: [] };
    infos[intName] = { ...infos[intName], dtype: container, quant: nq };
    const users = [prod.get(intName)!, ...(cons.get(intName) ?? []).filter((c) => c.op === 'DequantizeLinear')];
    for (const u of users) replaced.set(u, { ...cur(u), inputs: [u.inputs[0], s, z], attrs: {} });
  }

  // ---- which float activations get Q → DQ ----
  const qdq = new Set<string>();
  const consider = (t: string) => {
    if (!isFloatActivation(g, t) || isDqOut(t) || feedsQ(t)) return;
    const p = prod.get(t);
    const cs = cons.get(t) ?? [];
    const needed = (p && qset.has(p)) || cs.some((c) => qset.has(c));
    if (!needed) return;
    const act = (c: Node) => c.op === 'Relu' || c.op === 'Clip';
    if (p && qset.has(p) && ACCUMULATING.has(p.op) && !g.outputs.includes(t) && cs.length === 1 && act(cs[0]) && qset.has(cs[0])) return;
    // A pre-quantized model's Conv → Relu → Q: the model's own Q ends the layer.
    if (p && qset.has(p) && !g.outputs.includes(t) && cs.length > 0 && cs.every((c) => act(c) && !qset.has(c) && feedsQ(c.outputs[0]))) return;
    qdq.add(t);
  };
  for (const i of g.inputs) consider(i);
  for (const n of g.nodes) for (const o of n.outputs) if (o) consider(o);

  // Groups: a value-moving op's output shares its input's parameters.
  const parent = new Map<string, string>();
  const find = (t: string): string => { let r = t; while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!; return r; };
  for (const n of g.nodes) {
    if (!qset.has(n) || !PASSTHROUGH.has(n.op) || !qdq.has(n.inputs[0])) continue;
    for (const o of n.outputs) if (qdq.has(o)) { const a = find(n.inputs[0]), b = find(o); if (a !== b) parent.set(b, a); }
  }
  // A tensor's width: what its quantized readers ask for (a value-moving reader at the default
  // asks nothing: the group's other members decide), else its producer's, else 8.
  const asked = (t: string): number | undefined => {
    const cs = (cons.get(t) ?? []).filter((c) => qset.has(c) && !(PASSTHROUGH.has(c.op) && precisions.get(c.name)!.source === 'default'));
    return cs.length ? Math.max(...cs.map((c) => prec(c).actBits)) : undefined;
  };
  // A graph output keeps 8 bits: wXaY sets a layer's input width, and what reads the model's
  // outputs (argmax, box decoding, thresholds) needs their resolution.
  const fallbackBits = (t: string) => {
    const p = prod.get(t);
    return p && qset.has(p) && !g.outputs.includes(t) ? prec(p).actBits : 8;
  };

  // ---- ranges ----
  // A bounded op's output (Sigmoid, Tanh...) takes the op's own range, not a calibrated one.
  const natural = (t: string) => { const p = prod.get(t); return p ? outputRangeOf(p) : undefined; };
  const fixed: Ranges = { ...Object.fromEntries([...qdq].flatMap((t) => { const r = natural(t); return r ? [[t, r]] : []; })), ...opts.ranges };
  let stats: ActivationStats = opts.stats ?? new Map();
  const missing = [...qdq].filter((t) => !(t in fixed) && !stats.has(t));
  if (missing.length) {
    if (!opts.calib || opts.calib.length === 0) fail('bad-input', `quantizing needs calibration data for ${missing.length} tensor${missing.length > 1 ? 's' : ''} (e.g. '${missing[0]}'): give --calib DIR or --calib random`, missing[0]);
    stats = new Map([...stats, ...observeActivations(g, opts.calib, { tensors: missing, method: opts.method, percentile: opts.percentile, progress: opts.progress })]);
  }
  // A group's width first (what its readers ask, else its producers'), then its range at that
  // width: the union of its members' ranges.
  const groups = new Map<string, { lo: number; hi: number; bits: number; fallback: number; members: string[] }>();
  for (const t of qdq) {
    const r = find(t);
    const e = groups.get(r);
    const bits = asked(t) ?? 0, fallback = fallbackBits(t);
    if (e) { e.bits = Math.max(e.bits, bits); e.fallback = Math.max(e.fallback, fallback); e.members.push(t); }
    else groups.set(r, { lo: Infinity, hi: -Infinity, bits, fallback, members: [t] });
  }
  // Softmax outputs (and what only moves them) lie in [0, 1]: a fixed grid, not a calibrated one.
  const isSoftmaxValue = (t: string): boolean => {
    const p = prod.get(t);
    return !!p && p.domain === '' && (p.op === 'Softmax' || (PASSTHROUGH.has(p.op) && isSoftmaxValue(p.inputs[0])));
  };
  const ranges: Record<string, readonly [number, number]> = {};
  for (const e of groups.values()) {
    if (!e.bits) e.bits = e.fallback;
    for (const t of e.members) {
      const [lo, hi] = ranges[t] = fixed[t] ?? stats.get(t)!.range(e.bits, signed);
      e.lo = Math.min(e.lo, lo); e.hi = Math.max(e.hi, hi);
    }
  }
  const container: DType = signed ? 'int8' : 'uint8';
  const groupParams = new Map<string, { q: QuantParams; s: string; z: string }>();
  for (const [r, e] of groups) {
    const q = e.members.every(isSoftmaxValue) ? softmaxParams(e.bits, signed) : activationParams(e.lo, e.hi, e.bits, signed, SOURCE);
    const s = freshName(names, `${r}_scale`), z = freshName(names, `${r}_zero_point`);
    inits[s] = makeTensor('float32', [], q.scale);
    inits[z] = makeTensor(container, [], q.zeroPoint);
    infos[s] = { name: s, dtype: 'float32', shape: [] };
    infos[z] = { name: z, dtype: container, shape: [] };
    groupParams.set(r, { q, s, z });
  }

  // ---- tensor renames and Q/DQ nodes ----
  const rename = new Map<string, string>();       // consumers read this instead
  const outRename = new Map<string, string>();    // producer writes this instead (graph outputs)
  const qdqNodes = new Map<string, Node[]>();
  for (const t of qdq) {
    const { q, s, z } = groupParams.get(find(t))!;
    const isOut = g.outputs.includes(t) && !g.inputs.includes(t);
    const src = isOut ? freshName(names, `${t}_float`) : t;
    const qi = freshName(names, `${t}_quantized`);
    const dqo = isOut ? t : freshName(names, `${t}_dequantized`);
    if (isOut) { outRename.set(t, src); infos[src] = { ...infos[t], name: src }; }
    else rename.set(t, dqo);
    const shape = [...g.tensors[t].shape];
    infos[qi] = { name: qi, dtype: container, shape, quant: q };
    infos[dqo] = { name: dqo, dtype: 'float32', shape };
    qdqNodes.set(t, [
      { name: freshName(nodeNameSet, `${t}_QuantizeLinear`), op: 'QuantizeLinear', domain: '', opset, inputs: [src, s, z], outputs: [qi], attrs: {} },
      { name: freshName(nodeNameSet, `${t}_DequantizeLinear`), op: 'DequantizeLinear', domain: '', opset, inputs: [qi, s, z], outputs: [dqo], attrs: {} },
    ]);
  }
  /** Scale of the quantized activation a node reads as input 0 (for its bias). */
  const inputScale = (n: Node): number | undefined => {
    const x = n.inputs[0];
    if (qdq.has(x)) return groupParams.get(find(x))!.q.scale[0];
    const dq = prod.get(x);
    if (dq?.op === 'DequantizeLinear') { const q = infos[dq.inputs[0]]?.quant; if (q && q.scale.length === 1) return q.scale[0]; }
    return undefined;
  };

  // ---- weights and biases ----
  const layers = new Map<string, QuantizedLayer>();
  for (const n of qset) {
    if (!ACCUMULATING.has(n.op)) continue;
    const p = prec(n);
    if (p.weightBits === FLOAT_BITS) continue;
    const wName = n.inputs[1];
    const axis = convTransposeAxis(n, g.initializers[wName] ?? g.initializers[prod.get(wName)?.inputs[0] ?? '']) ?? weightChannelAxis(n);
    let wq: { t: Tensor; quant: QuantParams } | undefined;
    let real: Tensor | undefined;
    const wInit = g.initializers[wName];
    const wdq = prod.get(wName);
    const wm = opts.weightMethod ?? defaultWeightMethod(p.weightBits);
    if (wInit && wInit.dtype === 'float32' && wInit.shape.length >= 2) {
      real = wInit;
      wq = quantizeWeights(wInit, p.weightBits, axis, SOURCE, wm);
    } else if (wdq?.op === 'DequantizeLinear' && g.initializers[wdq.inputs[0]] && infos[wdq.inputs[0]]?.quant) {
      const q0 = infos[wdq.inputs[0]].quant!;
      if (q0.bits === p.weightBits) continue;   // already at this width: keep the model's integers
      real = dequantizeWeights(g.initializers[wdq.inputs[0]], q0);
      wq = quantizeWeights(real, p.weightBits, q0.axis ?? axis, 'hsq-requantized', wm);
    }
    if (!wq || !real) continue;
    const base = wdq?.op === 'DequantizeLinear' ? wdq.inputs[0] : wName;
    const wi = freshName(names, `${base}_${n.name}_quantized`);
    const ws = freshName(names, `${base}_${n.name}_scale`), wz = freshName(names, `${base}_${n.name}_zero_point`);
    const wo = freshName(names, `${base}_${n.name}_dequantized`);
    let m = wq.quant.scale.length;
    inits[wi] = wq.t; infos[wi] = { name: wi, dtype: wq.t.dtype, shape: [...wq.t.shape], quant: wq.quant };
    inits[ws] = makeTensor('float32', [m], wq.quant.scale); infos[ws] = { name: ws, dtype: 'float32', shape: [m] };
    inits[wz] = makeTensor(weightContainer(p.weightBits), [m], new Int8Array(m)); infos[wz] = { name: wz, dtype: weightContainer(p.weightBits), shape: [m] };
    infos[wo] = { name: wo, dtype: 'float32', shape: [...wq.t.shape] };
    addBefore(n, { name: freshName(nodeNameSet, `${n.name}_weight_DequantizeLinear`), op: 'DequantizeLinear', domain: '', opset, inputs: [wi, ws, wz], outputs: [wo], attrs: { axis: wq.quant.axis! } });
    const inputs = [...cur(n).inputs];
    inputs[1] = wo;

    // Bias: Conv / ConvTranspose input 2, Gemm C (beta 1, one value per output channel).
    const bName = n.inputs[2];
    const sx = inputScale(n);
    let biasInit: string | undefined;
    const convLike = n.op === 'Conv' || n.op === 'ConvTranspose';
    const biasable = convLike || (n.op === 'Gemm' && attrFloat(n, 'beta', 1) === 1 && attrInt(n, 'transA', 0) === 0);
    const zeroBias = !bName && opts.addBias === true && p.weightBits < 8 && biasable && (convLike || attrFloat(n, 'alpha', 1) === 1);
    // ConvTranspose's M/group weight scales repeat for every group: output channel c has c mod M/group's.
    const group = n.op === 'ConvTranspose' ? attrInt(n, 'group', 1) : 1;
    if (n.op === 'ConvTranspose') m = wq.t.shape[1] * group; // output channels
    const ws0 = wq.quant.scale, perOut = wq.quant.axis === 0 ? (c: number) => ws0[Math.floor(c / (m / ws0.length))] : (c: number) => ws0[c % ws0.length];
    const biasWScale = group > 1 && ws0.length > 1 ? Array.from({ length: m }, (_, c) => perOut(c)) : ws0;
    if ((bName || zeroBias) && sx !== undefined && biasable) {
      let real: Tensor | undefined = bName ? g.initializers[bName] : makeTensor('float32', [m], new Float32Array(m));
      const bdq = bName ? prod.get(bName) : undefined;
      if (!real && bdq?.op === 'DequantizeLinear' && g.initializers[bdq.inputs[0]] && infos[bdq.inputs[0]]?.quant) real = dequantizeWeights(g.initializers[bdq.inputs[0]], infos[bdq.inputs[0]].quant!);
      if (real && real.dtype === 'float32' && numel(real.shape) === m) {
        const b = quantizeBias(real, sx, biasWScale);
        const bi = freshName(names, `${n.name}_bias_quantized`), bs = freshName(names, `${n.name}_bias_scale`);
        const bz = freshName(names, `${n.name}_bias_zero_point`), bo = freshName(names, `${n.name}_bias_dequantized`);
        const bq: QuantParams = { scale: b.scale, zeroPoint: new Array(m).fill(0), axis: 0, bits: 32, signed: true, narrow: false, source: SOURCE };
        inits[bi] = b.t; infos[bi] = { name: bi, dtype: 'int32', shape: [m], quant: bq };
        inits[bs] = makeTensor('float32', [m], b.scale); infos[bs] = { name: bs, dtype: 'float32', shape: [m] };
        inits[bz] = makeTensor('int32', [m], new Int32Array(m)); infos[bz] = { name: bz, dtype: 'int32', shape: [m] };
        infos[bo] = { name: bo, dtype: 'float32', shape: [m] };
        addBefore(n, { name: freshName(nodeNameSet, `${n.name}_bias_DequantizeLinear`), op: 'DequantizeLinear', domain: '', opset, inputs: [bi, bs, bz], outputs: [bo], attrs: { axis: 0 } });
        inputs[2] = bo;
        biasInit = bi;
      }
    }
    replaced.set(n, { ...cur(n), inputs });
    layers.set(n.name, {
      layer: n.name, op: n.op, weightBits: p.weightBits, weightMethod: wm, weight: wi, quant: wq.quant, real,
      ...(biasInit ? { bias: biasInit } : {}), ...(sx !== undefined ? { inputScale: sx } : {}),
    });
  }

  // ---- assemble ----
  const nodes: Node[] = [];
  for (const i of g.inputs) if (qdq.has(i)) nodes.push(...qdqNodes.get(i)!);
  for (const n0 of g.nodes) {
    for (const m of before.get(n0) ?? []) nodes.push(m);
    const n = cur(n0);
    nodes.push({
      ...n,
      inputs: n.inputs.map((i) => rename.get(i) ?? i),
      outputs: n.outputs.map((o) => outRename.get(o) ?? o),
    });
    for (const o of n0.outputs) if (o && qdq.has(o)) nodes.push(...qdqNodes.get(o)!);
  }
  let out: Graph = { ...g, nodes, initializers: inits, tensors: infos };
  out = removeDeadCode(out);
  const needs21 = Object.values(out.initializers).some((t) => t.dtype === 'int4' || t.dtype === 'uint4') || qdq.size > 0 || rebit.size > 0;
  if (needs21) out = upgradeOpset(out);
  return { graph: out, precisions, ranges, layers };
}
