// The IR side of the Cortex-M55 non-MAC kernels. In a quantized graph the 8-bit ops between
// convolutions are DequantizeLinear → float op → QuantizeLinear (ONNX Runtime's QDQ form);
// the portable C computes them that way, through float tensors. Here each such chain whose
// kernel is generated becomes one node of domain 'hsq.m55' reading and writing the 8-bit
// tensors (table of pattern → kernel below); the DequantizeLinear nodes left without a consumer
// go. Integer ops (MaxPool, Concat, nearest Resize, Relu, Clip on int8/uint8) get the same
// kernels without a rewrite. Every function here returns a kernel description, or throws
// OpKernelError with the reason the portable C is kept.
import { attrInt, attrString, Graph, Node, TensorInfo } from '../../../core/ir/graph';
import { Match, NodePat, P, Rule, matchNode, patternGraph } from '../../../core/ir/pattern';
import { intRange } from '../../../core/ir/dtype';
import { numel } from '../../../core/ir/tensor';
import { lookupOp } from '../../../ops/engine/registry';
import { byteTable } from '../../../ops/engine/byte-table';
import { dequantize, quantize, tableChain } from '../../../passes/qdq-patterns';
import { poolSetup } from '../../../ops/lib/pool-setup';
import { dequantizeValue, quantRange, quantizeValue } from '../../../core/numerics';
import { physOrder, physStrides } from '../../c/ctypes';
import { planNd } from '../../c/nd-loop';
import { bcastStrides } from '../../c/ops/util';
import { OpKernel, OpKernelError, QOut, QSide } from './op-kernel';
import { generateUnary } from './lut';
import { generateBinary } from './eltwise';
import { PoolGeometry, generateAvgPool, generateMaxPool } from './pool';
import { generateConcat, generateResize } from './movement';

export const M55_DOMAIN = 'hsq.m55';


/** A kernel generator waiting for its function name (the schedule step is known at emission). */
export type KernelMaker = (fn: string) => OpKernel;

export interface FusedChain {
  /** The new node (domain hsq.m55): inputs the 8-bit tensors, output the QuantizeLinear's. */
  readonly node: Node;
  /** The ONNX op(s) computed, e.g. 'Add' or 'HardSigmoid -> Mul'. */
  readonly op: string;
  readonly make: KernelMaker;
}

const BYTE_TYPES = ['int8', 'uint8', 'int4', 'uint4'];
const isByte = (t: TensorInfo | undefined): t is TensorInfo => !!t && BYTE_TYPES.includes(t.dtype);
const unsigned = (t: TensorInfo) => t.dtype === 'uint8' || t.dtype === 'uint4';

function fail(why: string): never {
  throw new OpKernelError(why);
}

function comment(n: Node, what: string): string {
  return `node '${n.name}' (${what})`;
}

/** Per-tensor constant scale and zero point of a DequantizeLinear / QuantizeLinear. */
function qparams(g: Graph, n: Node): { scale: number; zp: number } | undefined {
  const s = g.initializers[n.inputs[1]];
  const z = n.inputs[2] ? g.initializers[n.inputs[2]] : undefined;
  if (!s || s.data.length !== 1 || s.dtype !== 'float32' || (n.inputs[2] && (!z || z.data.length !== 1))) return undefined;
  if (attrInt(n, 'block_size', 0) > 0) return undefined;
  return { scale: Number(s.data[0]), zp: z ? Number(z.data[0]) : 0 };
}

function inSide(g: Graph, dq: Node): QSide & { tensor: string } {
  const p = qparams(g, dq);
  const xi = g.tensors[dq.inputs[0]] ?? (g.initializers[dq.inputs[0]] && { name: dq.inputs[0], dtype: g.initializers[dq.inputs[0]].dtype, shape: [...g.initializers[dq.inputs[0]].shape] });
  if (!p || !isByte(xi)) fail(`'${dq.name}' is not a per-tensor 8-bit DequantizeLinear`);
  return { tensor: dq.inputs[0], u: unsigned(xi), ...p };
}

function outSide(g: Graph, q: Node): QOut & { tensor: string } {
  const p = qparams(g, q);
  const yi = g.tensors[q.outputs[0]];
  if (!p || !isByte(yi)) fail(`'${q.name}' is not a per-tensor 8-bit QuantizeLinear`);
  const qi = yi.quant;
  if (qi?.bipolar || (qi && qi.bits === 1 && qi.signed)) fail('bipolar output');
  const [lo, hi] = qi ? quantRange(qi.bits, qi.signed, qi.narrow) : intRange(yi.dtype);
  return { tensor: q.outputs[0], u: unsigned(yi), lo, hi, ...p };
}

/** Q(DQ(x)) for every byte x of the input container; undefined when that is the identity. */
function requantTable(x: QSide, y: QOut): Int32Array | undefined {
  const t = new Int32Array(256);
  let identity = x.u === y.u;
  for (let b = 0; b < 256; b++) {
    const v = x.u ? b : (b << 24) >> 24;
    t[b] = quantizeValue(dequantizeValue(v, x.scale, x.zp), y.scale, y.zp, y.lo, y.hi);
    if (t[b] !== v) identity = false;
  }
  return identity ? undefined : t;
}

// ------------------------------------------------------------------ descriptions from the IR

function shapeOf(g: Graph, t: string): number[] {
  const i = g.tensors[t] ?? (g.initializers[t] && { shape: g.initializers[t].shape });
  if (!i) fail(`tensor '${t}' has no shape`);
  return [...i.shape];
}

function binaryMaker(g: Graph, n: Node, op: 'add' | 'mul', a: QSide & { tensor: string }, b: QSide & { tensor: string }, y: QOut & { tensor: string }): KernelMaker {
  const ys = shapeOf(g, y.tensor);
  const as = shapeOf(g, a.tensor), bs = shapeOf(g, b.tensor);
  if (as.length > ys.length || bs.length > ys.length) fail('input rank above the output rank');
  const p = planNd(ys, [{ strides: physStrides(ys) }, { strides: bcastStrides(as, ys) }, { strides: bcastStrides(bs, ys) }]);
  const R = p.shape.length;
  const inner = R ? p.shape[R - 1] : 1;
  const sa = R ? p.strides[1][R - 1] : 1, sb = R ? p.strides[2][R - 1] : 1;
  if ((sa !== 0 && sa !== 1) || (sb !== 0 && sb !== 1) || (R && p.strides[0][R - 1] !== 1)) fail('the innermost dimension is not contiguous');
  const outer = p.shape.slice(0, Math.max(0, R - 1)).map((len, k) => ({ n: len, ya: p.strides[0][k], aa: p.strides[1][k], ba: p.strides[2][k] }));
  return (fn) => generateBinary({ name: fn, comment: comment(n, `${n.op} between DequantizeLinear and QuantizeLinear`), op, a, b, y, outer, inner, innerA: sa as 0 | 1, innerB: sb as 0 | 1 });
}

function poolGeometry(n: Node, xShape: readonly number[]): PoolGeometry {
  if (xShape.length !== 4) fail(`rank ${xShape.length} pooling (NHWC kernels are 2-D)`);
  if (n.op === 'GlobalMaxPool' || n.op === 'GlobalAveragePool') {
    const [N, C, H, W] = xShape;
    return { N, C, H, W, OH: 1, OW: 1, KH: H, KW: W, sh: 1, sw: 1, dh: 1, dw: 1, padT: 0, padL: 0, padB: 0, padR: 0 };
  }
  if (n.outputs[1]) fail('the Indices output');
  const { params: p } = poolSetup(n, xShape);
  return { N: p.N, C: p.C, H: p.H, W: p.W, OH: p.OH, OW: p.OW, KH: p.KH, KW: p.KW, sh: p.sh, sw: p.sw, dh: p.dh, dw: p.dw, padT: p.padT, padL: p.padL, padB: p.padB, padR: p.padR };
}

function concatParts(g: Graph, n: Node, ins: readonly string[], y: string): { outer: number; inners: number[] } {
  const ys = shapeOf(g, y);
  const rank = ys.length;
  const axis = ((attrInt(n, 'axis', 0) % rank) + rank) % rank;
  const order = physOrder(rank);
  const pos = order.indexOf(axis);
  const outer = order.slice(0, pos).reduce((s, d) => s * ys[d], 1);
  const inners = ins.map((t) => { const s = shapeOf(g, t); return order.slice(pos).reduce((p, d) => p * s[d], 1); });
  return { outer, inners };
}

/** Source row / column of every output row / column of a nearest Resize (from the interpreter
 * run on element indices), checked over every element. */
function resizeIndex(g: Graph, n: Node, x: string, y: string): { N: number; C: number; H: number; W: number; OH: number; OW: number; ih: number[]; iw: number[] } {
  const mode = attrString(n, 'mode', 'nearest');
  if (mode !== 'nearest') fail(`mode '${mode}'`);
  const xs = shapeOf(g, x), ys = shapeOf(g, y);
  if (xs.length !== 4) fail(`rank ${xs.length} resize`);
  const [N, C, H, W] = xs, [ON, OC, OH, OW] = ys;
  if (ON !== N || OC !== C) fail('batch or channels resized');
  const impl = lookupOp(n.op, n.domain);
  if (!impl) fail('no interpreter implementation');
  const idx = new Int32Array(numel(xs));
  for (let i = 0; i < idx.length; i++) idx[i] = i + 1;
  const inputs = n.inputs.map((t, k) => (k === 0 ? { dtype: 'int32' as const, shape: xs, data: idx } : t ? g.initializers[t] : undefined));
  if (n.inputs.some((t, k) => k > 0 && t && !g.initializers[t])) fail('scales or sizes not constant');
  const infos = n.inputs.map((t, k) => (k === 0 ? { name: t, dtype: 'int32' as const, shape: xs } : t ? { name: t, dtype: g.initializers[t].dtype, shape: [...g.initializers[t].shape] } : undefined));
  const node = 'extrapolation_value' in n.attrs ? { ...n, attrs: { ...n.attrs, extrapolation_value: 0 } } : n;
  const [out] = impl.run({ node, inputs, inputInfos: infos, outputInfos: [{ name: y, dtype: 'int32', shape: ys }] });
  const m = out.data as Int32Array;
  if (m.length !== numel(ys)) fail('index map size');
  const ih: number[] = [], iw: number[] = [];
  for (let oy = 0; oy < OH; oy++) ih.push(Math.floor((m[oy * OW] - 1) / W) % H);
  for (let ox = 0; ox < OW; ox++) iw.push((m[ox] - 1) % W);
  let o = 0;
  for (let nn = 0; nn < N; nn++) for (let c = 0; c < C; c++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++, o++)
    if (m[o] !== ((nn * C + c) * H + ih[oy]) * W + iw[ox] + 1) fail('not a separable row/column map');
  return { N, C, H, W, OH, OW, ih, iw };
}

// ------------------------------------------------------------------ chains → nodes

interface Found { nodes: Node[]; fused: FusedChain; dqs: Node[] }

/** A DequantizeLinear the kernels can read: per-tensor constant scale and zero point. */
const dq = (name: string) => dequantize(name, { where: (n, { g }) => qparams(g, n) !== undefined });

/** QuantizeLinear ending a chain whose compute node `core` it alone reads. */
const endQ = (core: NodePat) => quantize({ ...core, exclusive: true });

/** The fused node standing for `core` .. `q`, reading `inputs` (8-bit tensors). */
function fusedNode(core: Node, op: string, inputs: string[], q: Node, src: readonly Node[]): Node {
  return { name: core.name, op, domain: M55_DOMAIN, inputs, outputs: [q.outputs[0]], attrs: core.attrs, origin: [core.name, ...src.filter((s) => s !== core).map((s) => s.name)] };
}

type Handler = (m: Match, g: Graph) => Found | undefined;

/** Pattern -> kernel, tried in order at every QuantizeLinear; a handler throws OpKernelError when
 *  the pattern matched but the kernel cannot take the layer (the reason is reported). */
const RULES: readonly Rule<Graph, Found>[] = ([
  ['table', quantize(tableChain(dq('dq'))), (m, g) => {
    const d = m.node('dq'), chain = m.all('links'), q = m.node('q'), n = chain[0];
    const x = inSide(g, d), y = outSide(g, q);
    const table = byteTable(g, [d, ...chain, q], g.tensors[d.inputs[0]] ?? { name: x.tensor, dtype: x.u ? 'uint8' : 'int8', shape: [] });
    if (!table) return undefined;
    const nEl = numel(shapeOf(g, x.tensor));
    const what = chain.map((c) => c.op).join(' -> ');
    return {
      nodes: [...chain, q], dqs: [d],
      fused: { node: fusedNode(n, 'QUnary', [x.tensor], q, [...chain, q]), op: what, make: (fn) => generateUnary({ name: fn, comment: comment(n, `DequantizeLinear -> ${what} -> QuantizeLinear`), n: nEl, xu: x.u, yu: y.u, table }) },
    };
  }],
  ['add-mul', endQ(P.op(['Add', 'Mul'], { name: 'op', src: [dq('a'), dq('b')] })), (m, g) => {
    const n = m.node('op'), q = m.node('q'), da = m.node('a'), db = m.node('b');
    const a = inSide(g, da), b = inSide(g, db), y = outSide(g, q);
    return { nodes: [n, q], dqs: [da, db], fused: { node: fusedNode(n, `Q${n.op}`, [a.tensor, b.tensor], q, [n, q]), op: n.op, make: binaryMaker(g, n, n.op === 'Add' ? 'add' : 'mul', a, b, y) } };
  }],
  ['average-pool', endQ(P.op(['AveragePool', 'GlobalAveragePool'], { name: 'op', src: [dq('x')] })), (m, g) => {
    const n = m.node('op'), q = m.node('q'), d = m.node('x');
    const x = inSide(g, d), y = outSide(g, q);
    const geo = poolGeometry(n, shapeOf(g, n.inputs[0]));
    const cip = n.op === 'AveragePool' && attrInt(n, 'count_include_pad', 0) !== 0;
    return { nodes: [n, q], dqs: [d], fused: { node: fusedNode(n, `Q${n.op}`, [x.tensor], q, [n, q]), op: n.op, make: (fn) => generateAvgPool({ name: fn, comment: comment(n, `${n.op} between DequantizeLinear and QuantizeLinear`), ...geo, countIncludePad: cip, x, y }) } };
  }],
  ['max-pool', endQ(P.op(['MaxPool', 'GlobalMaxPool'], { name: 'op', src: [dq('x')] })), (m, g) => {
    const n = m.node('op'), q = m.node('q'), d = m.node('x');
    const x = inSide(g, d), y = outSide(g, q);
    if (requantTable(x, y)) fail('the QuantizeLinear does not undo the DequantizeLinear');
    const geo = poolGeometry(n, shapeOf(g, n.inputs[0]));
    const empty = quantizeValue(-3.4028234663852886e38, y.scale, y.zp, y.lo, y.hi);
    return { nodes: [n, q], dqs: [d], fused: { node: fusedNode(n, `Q${n.op}`, [x.tensor], q, [n, q]), op: n.op, make: (fn) => generateMaxPool({ name: fn, comment: comment(n, `${n.op} between DequantizeLinear and QuantizeLinear`), ...geo, u: x.u, empty }) } };
  }],
  ['concat', endQ(P.op('Concat', { name: 'op', srcAll: dq('x') })), (m, g) => {
    const n = m.node('op'), q = m.node('q'), dqs = m.all('x');
    const sides = dqs.map((d) => inSide(g, d));
    const y = outSide(g, q);
    const { outer, inners } = concatParts(g, n, n.inputs.filter((t) => t), n.outputs[0]);
    const parts = sides.map((s, i) => ({ inner: inners[i], u: s.u, table: requantTable(s, y) }));
    return { nodes: [n, q], dqs, fused: { node: fusedNode(n, 'QConcat', sides.map((s) => s.tensor), q, [n, q]), op: n.op, make: (fn) => generateConcat({ name: fn, comment: comment(n, 'Concat between DequantizeLinear and QuantizeLinear'), yu: y.u, outer, parts }) } };
  }],
  ['resize', endQ(P.op(['Resize', 'Upsample'], { name: 'op', src: [dq('x')] })), (m, g) => {
    const n = m.node('op'), q = m.node('q'), d = m.node('x');
    const x = inSide(g, d), y = outSide(g, q);
    const r = resizeIndex(g, n, n.inputs[0], n.outputs[0]);
    const table = requantTable(x, y);
    return { nodes: [n, q], dqs: [d], fused: { node: fusedNode(n, `Q${n.op}`, [x.tensor], q, [n, q]), op: n.op, make: (fn) => generateResize({ name: fn, comment: comment(n, `${n.op} between DequantizeLinear and QuantizeLinear`), ...r, xu: x.u, yu: y.u, table }) } };
  }],
] as [string, NodePat, Handler][]).map(([name, pattern, handle]) => ({ name, pattern, apply: (m: Match, g: Graph) => handle(m, g) }));

/** The compute node of a match: the op, or the first link of a table chain. */
const coreOf = (m: Match): Node => m.maybe('op') ?? m.all('links')[0];

export interface FuseResult {
  readonly graph: Graph;
  /** Fused nodes by name. */
  readonly fused: ReadonlyMap<string, FusedChain>;
  /** Chains left to the portable C, with the reason. */
  readonly skipped: readonly { node: string; op: string; reason: string }[];
}

/** Replaces every DequantizeLinear → op → QuantizeLinear chain the kernels take by one node. */
export function fuseQuantChains(g: Graph): FuseResult {
  const pg = patternGraph(g);
  const cons = pg.consumers;
  const outs = pg.outputs;
  const fused = new Map<string, FusedChain>();
  const skipped: { node: string; op: string; reason: string }[] = [];
  const removed = new Set<Node>();
  const replace = new Map<Node, Node>(); // QuantizeLinear (end of a chain) → the fused node
  const dqUses = new Map<Node, number>();
  // Structural matches at every QuantizeLinear, taken in the order of their compute nodes.
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const found: { core: Node; rule: Rule<Graph, Found>; match: Match }[] = [];
  for (const q of g.nodes) {
    for (const rule of RULES) {
      const match = matchNode(pg, rule.pattern, q);
      if (match) { found.push({ core: coreOf(match), rule, match }); break; }
    }
  }
  found.sort((a, b) => index.get(a.core)! - index.get(b.core)!);
  for (const { core: n, rule, match } of found) {
    let f: Found | undefined;
    try {
      f = rule.apply(match, g);
      f?.fused.make('hsq_m55_check'); // a chain is fused only when its kernel generates
    } catch (e) {
      if (!(e instanceof OpKernelError)) throw e;
      skipped.push({ node: n.name, op: n.op, reason: e.message });
      continue;
    }
    if (!f) continue;
    for (const m of f.nodes) removed.add(m);
    replace.set(f.nodes[f.nodes.length - 1], f.fused.node);
    fused.set(f.fused.node.name, f.fused);
    for (const d of f.dqs) dqUses.set(d, (dqUses.get(d) ?? 0) + 1);
  }
  if (!fused.size) return { graph: g, fused, skipped };
  // A DequantizeLinear goes when every consumer of its output was fused (and it is no output).
  for (const [dq, k] of dqUses) {
    const t = dq.outputs[0];
    const users = (cons.get(t) ?? []).filter((c) => !removed.has(c));
    if (!users.length && !outs.has(t)) removed.add(dq);
    void k;
  }
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const r = replace.get(n);
    if (r) nodes.push(r);
    else if (!removed.has(n)) nodes.push(n);
  }
  return { graph: { ...g, nodes }, fused, skipped };
}

// ------------------------------------------------------------------ integer nodes

/** The kernel of an integer (8-bit) node the target computes without a rewrite, or undefined. */
export function integerKernel(g: Graph, n: Node): KernelMaker | undefined {
  if (n.domain !== '') return undefined;
  const info = (t: string) => g.tensors[t];
  const x = info(n.inputs[0]);
  if (!x || (x.dtype !== 'int8' && x.dtype !== 'uint8')) return undefined;
  const u = x.dtype === 'uint8';
  switch (n.op) {
    case 'MaxPool': case 'GlobalMaxPool': {
      const geo = poolGeometry(n, x.shape);
      return (fn) => generateMaxPool({ name: fn, comment: comment(n, n.op), ...geo, u, empty: intRange(x.dtype)[0] });
    }
    case 'Relu': case 'Clip': {
      if (n.inputs.slice(1).some((i) => i && !(i in g.initializers))) fail('bounds not constant');
      const table = byteTable(g, [n], { ...x, shape: [256] });
      if (!table) return undefined;
      return (fn) => generateUnary({ name: fn, comment: comment(n, n.op), n: numel(x.shape), xu: u, yu: u, table });
    }
    case 'Concat': {
      const ins = n.inputs.filter((t) => t);
      if (ins.some((t) => (info(t) ?? g.initializers[t])?.dtype !== x.dtype)) fail('mixed input types');
      const { outer, inners } = concatParts(g, n, ins, n.outputs[0]);
      return (fn) => generateConcat({ name: fn, comment: comment(n, 'Concat'), yu: u, outer, parts: inners.map((inner) => ({ inner, u })) });
    }
    case 'Resize': case 'Upsample': {
      const r = resizeIndex(g, n, n.inputs[0], n.outputs[0]);
      return (fn) => generateResize({ name: fn, comment: comment(n, `${n.op} nearest`), ...r, xu: u, yu: u });
    }
    default: return undefined;
  }
}
