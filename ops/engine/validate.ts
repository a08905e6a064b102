// Graph invariants every pass must keep (docs/ir.md). Throws one HsqError naming the node or
// tensor at fault; the pass manager runs it after every pass.
import { fail } from '../../core/diagnostics';
import { isInteger } from '../../core/ir/dtype';
import { Graph, Node, QuantParams, TensorInfo } from '../../core/ir/graph';
import { Tensor, numel, sameShape } from '../../core/ir/tensor';
import type { OpDescriptor } from '../lib/descriptor';
import { checkModelRules } from './model-rules';

export interface ValidateOptions {
  /** Every graph input and node output must have a static TensorInfo (after shape inference). */
  requireInfos?: boolean;
  /** Re-run each op's shape inference and compare with the recorded infos (implies requireInfos). */
  strict?: boolean;
}

export function validateGraph(g: Graph, opts: ValidateOptions = {}): void {
  const requireInfos = opts.requireInfos || opts.strict;
  checkStructure(g);
  // What a model must satisfy to be compiled at all (ops/engine/model-rules.ts: one rule a line).
  checkModelRules(g);
  for (const [key, info] of Object.entries(g.tensors)) {
    if (info.name !== key) fail('corrupt-model', `tensor info '${key}' is named '${info.name}'`, key);
    const init = g.initializers[key];
    if (init && (init.dtype !== info.dtype || !sameShape(init.shape, info.shape)))
      fail('bad-shape', `initializer '${key}' is ${fmt(init.dtype, init.shape)} but its info says ${fmt(info.dtype, info.shape)}`, key);
    if (info.quant) checkQuant(info, info.quant);
  }
  if (requireInfos) {
    const need = (name: string, what: string) => {
      const info = g.tensors[name];
      if (!info) fail('bad-shape', `${what} '${name}' has no shape (shape inference did not reach it)`, name);
      if (info.shape.some((d) => !(d >= 0) || !Number.isInteger(d)))
        fail('bad-shape', `${what} '${name}' has a shape that is not static: [${info.shape.join(',')}]`, name);
    };
    for (const i of g.inputs) if (!(i in g.initializers)) need(i, 'graph input');
    for (const n of g.nodes) for (const o of n.outputs) if (o) need(o, `output of node '${n.name}'`);
    for (const o of g.outputs) need(o, 'graph output');
  }
  if (opts.strict) checkInference(g);
}

/** Defined-before-use, single producer, topological order, graph outputs defined. */
function checkStructure(g: Graph): void {
  const defined = new Set<string>(g.inputs);
  for (const k of Object.keys(g.initializers)) defined.add(k);
  const producedLater = new Map<string, string>();
  g.nodes.forEach((n) => n.outputs.forEach((o) => { if (o && !producedLater.has(o)) producedLater.set(o, n.name); }));
  const names = new Set<string>();
  for (const n of g.nodes) {
    if (n.name && names.has(n.name)) fail('corrupt-model', `two nodes are named '${n.name}'`, n.name);
    names.add(n.name);
    for (const i of n.inputs) {
      if (!i || defined.has(i)) continue;
      const later = producedLater.get(i);
      if (later !== undefined)
        fail('corrupt-model', `node '${n.name}' reads '${i}' before node '${later}' produces it (nodes are not in topological order or the graph has a cycle)`, n.name);
      fail('corrupt-model', `node '${n.name}' reads '${i}', which is no graph input, initializer or node output`, n.name);
    }
    for (const o of n.outputs) {
      if (!o) continue;
      if (defined.has(o)) {
        const what = g.inputs.includes(o) ? 'a graph input' : o in g.initializers ? 'an initializer' : 'already produced by another node';
        fail('corrupt-model', `node '${n.name}' produces '${o}', which is ${what}`, n.name);
      }
      defined.add(o);
    }
  }
  for (const o of g.outputs) if (!defined.has(o)) fail('corrupt-model', `graph output '${o}' is never produced`, o);
}

/** Scale/zero-point counts match per-tensor, per-axis or blocked layout; ranges make sense. */
function checkQuant(info: TensorInfo, q: QuantParams): void {
  const t = info.name;
  const bad = (why: string): never => fail('bad-input', `quantization of tensor '${t}': ${why}`, t);
  if (!isInteger(info.dtype)) bad(`dtype ${info.dtype} is not an integer type`);
  if (!Number.isInteger(q.bits) || q.bits < 1 || q.bits > 32) bad(`bits ${q.bits} is not in 1..32`);
  if (q.scale.length === 0) bad('no scale');
  if (q.scale.length !== q.zeroPoint.length) bad(`${q.scale.length} scales but ${q.zeroPoint.length} zero points`);
  for (const s of q.scale) if (!Number.isFinite(s) || s === 0) bad(`scale ${s} is not finite and non-zero`);
  const lo = q.signed ? -(2 ** (q.bits - 1)) : 0;
  const hi = q.signed ? 2 ** (q.bits - 1) - 1 : 2 ** q.bits - 1;
  for (const z of q.zeroPoint) if (!Number.isInteger(z) || z < Math.min(lo, 0) || z > Math.max(hi, 0)) bad(`zero point ${z} is not an integer in [${lo}, ${hi}]`);
  const known = info.shape.every((d) => d >= 0);
  if (q.axis === undefined) {
    if (q.blockSize !== undefined) bad('blockSize without axis');
    if (q.scale.length !== 1) bad(`${q.scale.length} scales but no axis`);
    return;
  }
  const rank = info.shape.length;
  if (!Number.isInteger(q.axis) || q.axis < 0 || (known && q.axis >= rank)) bad(`axis ${q.axis} is out of range for rank ${rank}`);
  if (!known) return;
  const dim = info.shape[q.axis];
  const want = q.blockSize === undefined ? dim : (numel(info.shape) / (dim || 1)) * Math.ceil(dim / q.blockSize);
  if (q.blockSize !== undefined && (!Number.isInteger(q.blockSize) || q.blockSize < 1)) bad(`block size ${q.blockSize} is not a positive integer`);
  if (q.scale.length !== want && !(q.blockSize === undefined && q.scale.length === 1))
    bad(`${q.scale.length} scales but axis ${q.axis} of shape [${info.shape.join(',')}] needs ${want}`);
}

/** Re-run every op's inference and compare dtype and shape with the recorded infos. */
function checkInference(g: Graph): void {
  // Lazy: the registry pulls in every op; plain validation does not need it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { lookupOp } = require('./registry') as { lookupOp(op: string, domain: string): OpDescriptor | undefined };
  for (const n of g.nodes) {
    const impl = lookupOp(n.op, n.domain);
    if (!impl) fail('unsupported', `node '${n.name}': no implementation of ${opName(n)}`, n.name);
    const inputs = n.inputs.map((i) => (i ? g.tensors[i] ?? infoOf(i, g.initializers[i]) : undefined));
    const values = n.inputs.map((i) => (i ? g.initializers[i] : undefined));
    const outs = impl.infer({ node: n, inputs, values });
    n.outputs.forEach((o, k) => {
      if (!o) return;
      const rec = g.tensors[o];
      const inf = outs[k];
      if (!inf) fail('bad-shape', `node '${n.name}': inference gives no output ${k} ('${o}')`, n.name);
      if (rec.dtype !== inf.dtype || !sameShape(rec.shape, inf.shape))
        fail('bad-shape', `node '${n.name}': output '${o}' is recorded as ${fmt(rec.dtype, rec.shape)} but infers as ${fmt(inf.dtype, inf.shape)}`, n.name);
    });
  }
}

function infoOf(name: string, t: Tensor | undefined): TensorInfo | undefined {
  return t ? { name, dtype: t.dtype, shape: t.shape } : undefined;
}

export function opName(n: Node): string {
  return n.domain ? `${n.domain}.${n.op}` : n.op;
}

function fmt(dtype: string, shape: readonly number[]): string {
  return `${dtype}[${shape.join(',')}]`;
}
