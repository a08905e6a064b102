// Folds an inference BatchNormalization into the Conv / Gemm / MatMul that feeds it (that
// producer's output read by nothing else). In float32, every step rounded (fround):
//
//   a[c]  = scale[c] / sqrt(var[c] + eps)
//   W'[c] = W[c] * a[c]                       (output channel c: Conv dim 0, Gemm/MatMul column)
//   b'[c] = (b[c] - mean[c]) * a[c] + B[c]    (b = 0 without bias; Gemm: b = beta * C, beta' = 1)
//
// as ONNX Runtime's Conv+BN fusion does. The result differs from Conv-then-BN only by float32
// rounding. MatMul (2-D input) becomes Gemm so it can take the bias.
//
// Quantized weights (W = DequantizeLinear(w_int, s, zp), per tensor or per output channel):
// the integers stay and the factor goes into the scale, s'[c] = s[c] * |a[c]|; a channel with
// a[c] < 0 has its integers negated (needs zp[c] = 0 and the negated values in range). This
// keeps a 4-bit weight 4-bit, so the conv can still become a QConv. A channel whose folded
// weights would all be zero or subnormal (a[c] = 0, dead channels) gets w_int = zp and keeps
// its scale.
// A BN that fits none of these stays; the interpreter runs it.
//
// A Mul / Div / Add / Sub by a per-channel (or scalar) constant folds the same way (a, B from the
// constant) into quantized weights only, and only when a QuantizeLinear ends the chain after it
// (docs/qat-layers.md); the fold repeats until nothing changes.
import { DType, intRange, isFloat, isInteger } from '../core/ir/dtype';
import { Graph, Node, TensorInfo, attrFloat, attrInt, consumers } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { quantRange } from '../core/numerics';
import type { Pass } from './pass-manager';
import { inferShapes as inferShapesOf } from './shape-inference';
import { allNames, freshName, infoOfValue, nodeNames, originOf, soleConsumer } from './util';

const f = Math.fround;
const MIN_NORMAL = 2 ** -126;

interface BnFactors { a: number[]; mean: number[]; beta: number[] }

/** Per-channel a, mean and B of a foldable BN, or undefined. */
function bnFactors(g: Graph, bn: Node, used: Map<string, Node[]>): BnFactors | undefined {
  if (bn.op !== 'BatchNormalization' || bn.domain !== '') return undefined;
  if (attrInt(bn, 'training_mode', 0) !== 0 || attrInt(bn, 'spatial', 1) !== 1) return undefined;
  if (bn.outputs.slice(1).some((o) => o && (used.has(o) || g.outputs.includes(o)))) return undefined;
  const p = bn.inputs.slice(1, 5).map((i) => g.initializers[i]);
  if (p.length !== 4 || p.some((t) => !t || !isFloat(t.dtype))) return undefined;
  const [scale, bias, mean, vari] = p.map((t) => Array.from(t.data as Float32Array));
  const c = scale.length;
  if (![bias, mean, vari].every((v) => v.length === c)) return undefined;
  const eps = f(attrFloat(bn, 'epsilon', 1e-5));
  const a = scale.map((s, k) => f(s / f(Math.sqrt(f(vari[k] + eps)))));
  return { a, mean, beta: bias };
}

function newBias(b: readonly number[] | undefined, bn: BnFactors): number[] {
  return bn.a.map((a, k) => f(f(f((b ? b[k] : 0) - bn.mean[k]) * a) + bn.beta[k]));
}

/** Float values of a bias/C initializer broadcast to n channels, or undefined if not [n]/[1,n]/scalar. */
function channelValues(t: Tensor | undefined, n: number): number[] | undefined {
  if (!t || !isFloat(t.dtype)) return undefined;
  const len = numel(t.shape);
  if (len === 1) return new Array(n).fill(Number(t.data[0]));
  if (len !== n || t.shape[t.shape.length - 1] !== n) return undefined;
  return Array.from(t.data as Float32Array);
}

interface Fold { producer: Node; bn: Node; replace: Node[]; inits: Record<string, Tensor>; infos: Record<string, TensorInfo> }

/** Folding of a float-weight Conv / Gemm / MatMul. */
function foldFloat(g: Graph, p: Node, bn: Node, k: BnFactors, names: Set<string>): Fold | undefined {
  const w = g.initializers[p.inputs[1]];
  if (!w || w.dtype !== 'float32') return undefined;
  const c = k.a.length;
  const wd = w.data as Float32Array;
  const out = new Float32Array(wd.length);
  let bias: number[] | undefined;
  let node: Node;
  const wName = freshName(names, `${p.inputs[1]}_bn`);
  const bName = freshName(names, `${p.name}_bias_bn`);
  if (p.op === 'Conv') {
    if (w.shape[0] !== c) return undefined;
    if (p.inputs[2]) { bias = channelValues(g.initializers[p.inputs[2]], c); if (!bias) return undefined; }
    const per = wd.length / c;
    for (let i = 0; i < wd.length; i++) out[i] = f(wd[i] * k.a[Math.floor(i / per)]);
    node = { ...p, inputs: [p.inputs[0], wName, bName], outputs: [bn.outputs[0]], origin: originOf(p, bn) };
  } else {
    let transB = 0;
    if (p.op === 'Gemm') {
      transB = attrInt(p, 'transB', 0);
      if (p.inputs[2]) {
        const cv = channelValues(g.initializers[p.inputs[2]], c);
        if (!cv) return undefined;
        const beta = f(attrFloat(p, 'beta', 1));
        bias = cv.map((v) => f(beta * v));
      }
    } else {
      const a = g.tensors[p.inputs[0]];
      if (!a || a.shape.length !== 2) return undefined;
    }
    if (w.shape.length !== 2 || w.shape[transB ? 0 : 1] !== c) return undefined;
    const cols = w.shape[1];
    for (let i = 0; i < wd.length; i++) out[i] = f(wd[i] * k.a[transB ? Math.floor(i / cols) : i % cols]);
    const io = { inputs: [p.inputs[0], wName, bName], outputs: [bn.outputs[0]], origin: originOf(p, bn) };
    node = p.op === 'Gemm'
      ? { ...p, ...io, attrs: { ...p.attrs, beta: 1 } }
      : { name: p.name, op: 'Gemm', domain: '', attrs: {}, ...io };
  }
  const wT = makeTensor('float32', w.shape, out);
  const bT = makeTensor('float32', [c], newBias(bias, k));
  return { producer: p, bn, replace: [node], inits: { [wName]: wT, [bName]: bT }, infos: { [wName]: infoOfValue(wName, wT), [bName]: infoOfValue(bName, bT) } };
}

/** Folding into the scale of a DequantizeLinear'd integer weight of a Conv, Gemm or MatMul
 *  (output channel: Conv dim 0, Gemm/MatMul column; a MatMul with a 2-D input becomes a Gemm). */
function foldQuantized(g: Graph, p: Node, bn: Node, k: BnFactors, dq: Node | undefined, names: Set<string>, nodeNameSet: Set<string>): Fold | undefined {
  if (!dq || dq.op !== 'DequantizeLinear' || dq.domain !== '') return undefined;
  const w = g.initializers[dq.inputs[0]];
  const s = g.initializers[dq.inputs[1]];
  const z = dq.inputs[2] ? g.initializers[dq.inputs[2]] : undefined;
  if (!w || !isInteger(w.dtype) || !s || (dq.inputs[2] && !z) || attrInt(dq, 'block_size', 0) > 0) return undefined;
  const c = k.a.length;
  let chAxis: 0 | 1 = 0;
  if (p.op === 'Gemm') {
    if (attrInt(p, 'transA', 0) !== 0 || attrFloat(p, 'alpha', 1) !== 1) return undefined;
    chAxis = attrInt(p, 'transB', 0) ? 0 : 1;
  } else if (p.op === 'MatMul') {
    const a = g.tensors[p.inputs[0]];
    if (!a || a.shape.length !== 2) return undefined;
    chAxis = 1;
  }
  if (p.op !== 'Conv' && w.shape.length !== 2) return undefined;
  if (w.shape[chAxis] !== c) return undefined;
  const axis = attrInt(dq, 'axis', 1);
  const sn = numel(s.shape);
  if (sn !== 1 && !(sn === c && (axis === chAxis || axis === chAxis - w.shape.length))) return undefined;
  const scale = (m: number) => Number(s.data[sn === 1 ? 0 : m]);
  const zp = (m: number) => (z ? Number(z.data[numel(z.shape) === 1 ? 0 : m]) : 0);
  let bias: number[] | undefined;
  if (p.inputs[2]) {
    bias = channelValues(g.initializers[p.inputs[2]], c);
    if (!bias) return undefined;
    if (p.op === 'Gemm') { const beta = f(attrFloat(p, 'beta', 1)); bias = bias.map((v) => f(beta * v)); }
  }
  const q = g.tensors[dq.inputs[0]]?.quant;
  const [lo, hi] = q ? (q.bipolar ? [-1, 1] : quantRange(q.bits, q.signed, q.narrow)) : intRange(w.dtype);
  const total = numel(w.shape);
  const per = total / c;
  // Element indices of channel m.
  const each = (m: number, fn: (i: number) => void) => {
    if (chAxis === 0) for (let i = m * per; i < (m + 1) * per; i++) fn(i);
    else for (let i = m; i < total; i += c) fn(i);
  };
  const ints = w.data.slice() as Exclude<Tensor['data'], BigInt64Array | BigUint64Array>;
  const newScale: number[] = [];
  for (let m = 0; m < c; m++) {
    const a = k.a[m];
    let maxQ = 0;
    each(m, (i) => { maxQ = Math.max(maxQ, Math.abs(Number(ints[i]) - zp(m))); });
    if (Math.abs(f(f(maxQ * scale(m)) * a)) < MIN_NORMAL) {
      // A dead channel (Brevitas leaves them with tiny scales and BN factors): every folded
      // weight is zero or subnormal in float32, so the channel's weights become zero and its
      // output is the folded bias alone.
      newScale.push(scale(m));
      if (q?.bipolar) return undefined;
      each(m, (i) => { ints[i] = zp(m); });
      continue;
    }
    const sc = f(scale(m) * Math.abs(a));
    if (!(sc >= MIN_NORMAL) || !Number.isFinite(sc)) return undefined;
    newScale.push(sc);
    if (a < 0) {
      if (zp(m) !== 0) return undefined;
      let ok = true;
      each(m, (i) => {
        const v = -Number(ints[i]);
        if (v < lo || v > hi) ok = false;
        ints[i] = v;
      });
      if (!ok) return undefined;
    }
  }
  const zps = Array.from({ length: c }, (_, m) => zp(m));
  const wName = freshName(names, `${dq.inputs[0]}_bn`);
  const sName = freshName(names, `${dq.inputs[1]}_bn`);
  const zName = freshName(names, `${p.name}_wzp_bn`);
  const dqOut = freshName(names, `${dq.outputs[0]}_bn`);
  const bName = freshName(names, `${p.name}_bias_bn`);
  const wT = makeTensor(w.dtype as DType, w.shape, ints);
  const sT = makeTensor(s.dtype, [c], newScale);
  const zT = makeTensor(z ? z.dtype : w.dtype, [c], zps);
  const bT = makeTensor('float32', [c], newBias(bias, k));
  const newDq: Node = { name: freshName(nodeNameSet, `${dq.name}_bn`), op: 'DequantizeLinear', domain: '', opset: dq.opset, inputs: [wName, sName, zName], outputs: [dqOut], attrs: { axis: chAxis }, origin: originOf(dq) };
  const io = { inputs: [p.inputs[0], dqOut, bName], outputs: [bn.outputs[0]], origin: originOf(p, bn) };
  const node: Node = p.op === 'MatMul' ? { name: p.name, op: 'Gemm', domain: '', attrs: {}, ...io }
    : p.op === 'Gemm' ? { ...p, ...io, attrs: { ...p.attrs, beta: 1 } } : { ...p, ...io };
  const { blockSize: _b, ...qRest } = q ?? ({} as NonNullable<typeof q>);
  const wInfo: TensorInfo = q ? { ...infoOfValue(wName, wT), quant: { ...qRest, scale: newScale, zeroPoint: zps, axis: chAxis } } : infoOfValue(wName, wT);
  return {
    producer: p, bn, replace: [newDq, node],
    inits: { [wName]: wT, [sName]: sT, [zName]: zT, [bName]: bT },
    infos: { [wName]: wInfo, [sName]: infoOfValue(sName, sT), [zName]: infoOfValue(zName, zT), [bName]: infoOfValue(bName, bT), [dqOut]: { name: dqOut, dtype: s.dtype, shape: [...w.shape] } },
  };
}

const AFFINE = new Set(['Mul', 'Div', 'Add', 'Sub']);

/**
 * BN-like factors of `Mul | Div | Add | Sub` of the producer's output by a constant that is one
 * value per output channel (or a scalar): a = c, 1/c (float32), or 1; B = c, −c or 0. Only when
 * the chain after it (more affine ops, Relu, Clip) ends in a QuantizeLinear: the layer is a QAT
 * layer whose output is requantized anyway, while a float epilogue (TFC's last Sub/Div/Mul/Add)
 * keeps the model's float arithmetic.
 */
function affineFactors(g: Graph, p: Node, n: Node, used: Map<string, Node[]>): BnFactors | undefined {
  if (n.domain !== '' || !AFFINE.has(n.op) || n.inputs[0] !== p.outputs[0]) return undefined;
  const t = g.initializers[n.inputs[1]];
  const y = g.tensors[p.outputs[0]];
  if (!t || !isFloat(t.dtype) || !y) return undefined;
  const rank = y.shape.length;
  const chAxis = p.op === 'Conv' ? 1 : rank - 1;
  const c = y.shape[chAxis];
  const len = numel(t.shape);
  if (len !== 1) {
    if (len !== c || t.shape.length > rank) return undefined;
    // The constant's one non-1 dim must line up with the channel axis under broadcasting.
    const off = rank - t.shape.length;
    if (t.shape.some((d, i) => d !== 1 && i + off !== chAxis)) return undefined;
  }
  let q: Node | undefined = n;
  for (let k = 0; k < 6 && q && q.op !== 'QuantizeLinear'; k++) {
    if (q !== n && !AFFINE.has(q.op) && q.op !== 'Relu' && q.op !== 'Clip') return undefined;
    q = soleConsumer(g, used, q.outputs[0]);
  }
  if (!q || q.op !== 'QuantizeLinear') return undefined;
  const v = (k: number) => Number(t.data[len === 1 ? 0 : k]);
  const ch = Array.from({ length: c }, (_, k) => v(k));
  const zeros = new Array<number>(c).fill(0), ones = new Array<number>(c).fill(1);
  if (n.op === 'Mul') return { a: ch.map(f), mean: zeros, beta: zeros };
  if (n.op === 'Div') return ch.every((x) => x !== 0) ? { a: ch.map((x) => f(1 / x)), mean: zeros, beta: zeros } : undefined;
  if (n.op === 'Add') return { a: ones, mean: zeros, beta: ch.map(f) };
  return { a: ones, mean: zeros, beta: ch.map((x) => f(-x)) };
}

export function foldBatchNorm(g: Graph): Graph {
  const used = consumers(g);
  const prod = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) prod.set(o, n);
  const names = allNames(g);
  const nodeNameSet = nodeNames(g);
  const folds = new Map<Node, Fold>();
  const removed = new Set<Node>();
  for (const p of g.nodes) {
    if (p.domain !== '' || !['Conv', 'Gemm', 'MatMul'].includes(p.op) || removed.has(p)) continue;
    const bn = soleConsumer(g, used, p.outputs[0]);
    if (!bn || bn.inputs[0] !== p.outputs[0]) continue;
    const k = bnFactors(g, bn, used) ?? affineFactors(g, p, bn, used);
    if (!k) continue;
    // A Mul/Add/Sub/Div affine folds only into quantized weights (a QAT layer, docs/qat-layers.md).
    const fold = (bn.op === 'BatchNormalization' ? foldFloat(g, p, bn, k, names) : undefined) ?? foldQuantized(g, p, bn, k, prod.get(p.inputs[1]), names, nodeNameSet);
    if (!fold) continue;
    folds.set(p, fold);
    removed.add(bn);
  }
  if (!folds.size) return g;
  const nodes: Node[] = [];
  const initializers = { ...g.initializers };
  const tensors = { ...g.tensors };
  for (const n of g.nodes) {
    if (removed.has(n)) continue;
    const fold = folds.get(n);
    if (!fold) { nodes.push(n); continue; }
    nodes.push(...fold.replace);
    Object.assign(initializers, fold.inits);
    Object.assign(tensors, fold.infos);
    delete tensors[n.outputs[0]];
  }
  return { ...g, nodes, initializers, tensors };
}

/** Folds until nothing changes (a Mul then an Add fold one after the other). */
function foldAll(g0: Graph): Graph {
  let g = g0;
  for (let i = 0; i < 8; i++) {
    const next = foldBatchNorm(g);
    if (next === g) break;
    g = inferShapesOf(next);
  }
  return g;
}

export const foldBatchNormPass: Pass = {
  name: 'fold-batchnorm',
  description: 'folds BatchNormalization (or a per-channel affine before a quantizer) into the Conv/Gemm/MatMul before it',
  run: (g) => foldAll(g),
};
