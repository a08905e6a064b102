// The reference interpreter: runs a graph's nodes in order on concrete tensors. Its numbers are
// hsq's numbers (DEVELOPERS.md "Numerics"); the generated C must equal them bit for bit.
import { HsqError, fail } from '../../core/diagnostics';
import { arrayCtor } from '../../core/ir/dtype';
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { Tensor, numel } from '../../core/ir/tensor';
import { lookupOp } from './registry';

export interface RunOptions {
  /** 'outputs' (default): return the graph outputs and free intermediates after their last use;
   *  'all': return every graph input and node output. */
  readonly keep?: 'outputs' | 'all';
}

function opLabel(n: Node): string {
  return n.domain ? `${n.domain}:${n.op}` : n.op;
}

/** Run one node on its input values (undefined for omitted optional inputs). */
export function runNode(g: Graph, node: Node, values: readonly (Tensor | undefined)[]): Tensor[] {
  const impl = lookupOp(node.op, node.domain);
  if (!impl) fail('unsupported', `node '${node.name}': operator ${opLabel(node)} is not supported`, node.name);
  const inputInfos = node.inputs.map((i) => (i ? g.tensors[i] : undefined));
  const outputInfos = node.outputs.map((o) => (o ? g.tensors[o] : undefined));
  let outs: Tensor[];
  try {
    outs = impl.run({ node, inputs: values, inputInfos, outputInfos });
  } catch (e) {
    if (e instanceof HsqError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`node '${node.name}' (${opLabel(node)}): ${msg}`, { cause: e });
  }
  return outs.map((t, k) => conform(node, t, outputInfos[k]));
}

/**
 * The value under the dtype and shape the graph gives its tensor: same element count and the
 * same storage (e.g. int4 in Int8Array) relabel; anything else is an interpreter bug.
 */
function conform(node: Node, t: Tensor, info: TensorInfo | undefined): Tensor {
  if (!info || !t) return t;
  let { dtype, shape } = t;
  if (info.dtype !== t.dtype && info.dtype !== 'string' && t.dtype !== 'string') {
    if (arrayCtor(info.dtype) !== arrayCtor(t.dtype))
      throw new Error(`node '${node.name}' (${opLabel(node)}): output '${info.name}' computed as ${t.dtype}, graph says ${info.dtype}`);
    dtype = info.dtype;
  }
  const static_ = info.shape.every((d) => d >= 0);
  if (static_ && !sameDims(info.shape, t.shape)) {
    if (numel(info.shape) !== numel(t.shape))
      throw new Error(`node '${node.name}' (${opLabel(node)}): output '${info.name}' computed with shape [${t.shape}], graph says [${info.shape}]`);
    shape = info.shape;
  }
  return dtype === t.dtype && shape === t.shape ? t : { ...t, dtype, shape: [...shape] };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkInput(g: Graph, name: string, t: Tensor): void {
  const info = g.tensors[name];
  if (!info) return;
  if (t.dtype !== info.dtype) fail('bad-input', `input '${name}' has type ${t.dtype}, the model expects ${info.dtype}`, name);
  const ok = t.shape.length === info.shape.length && info.shape.every((d, i) => d < 0 || d === t.shape[i]);
  if (!ok) fail('bad-input', `input '${name}' has shape [${t.shape}], the model expects [${info.shape.map((d, i) => (d < 0 ? info.dimParams?.[i] ?? '?' : d))}]`, name);
  if (t.dtype !== 'string' && t.data.length !== numel(t.shape))
    fail('bad-input', `input '${name}' has ${t.data.length} elements, its shape [${t.shape}] needs ${numel(t.shape)}`, name);
}

/**
 * Run the graph. `inputs` holds every runtime input (graph inputs that are not initializers).
 * Returns the graph outputs, or with keep 'all' every graph input and node output.
 */
export function runGraph(g: Graph, inputs: Record<string, Tensor>, opts: RunOptions = {}): Record<string, Tensor> {
  const keepAll = opts.keep === 'all';
  const runtime = g.inputs.filter((i) => !(i in g.initializers));
  for (const name of Object.keys(inputs)) {
    if (!g.inputs.includes(name)) fail('bad-input', `'${name}' is not an input of the model (inputs: ${runtime.join(', ')})`, name);
    if (name in g.initializers) fail('bad-input', `input '${name}' is a constant of the model and cannot be given`, name);
  }
  const values = new Map<string, Tensor>();
  for (const name of runtime) {
    const t = inputs[name];
    if (!t) fail('bad-input', `input '${name}' is missing`, name);
    checkInput(g, name, t);
    values.set(name, t);
  }

  // Last reader of each intermediate, so it can be dropped after that node.
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, k) => { for (const i of n.inputs) if (i) lastUse.set(i, k); });
  const pinned = new Set<string>(g.outputs);

  const get = (name: string, node: Node): Tensor => {
    const v = values.get(name) ?? g.initializers[name];
    if (!v) throw new Error(`node '${node.name}' (${opLabel(node)}): input '${name}' has no value (graph not in topological order?)`);
    return v;
  };

  for (let k = 0; k < g.nodes.length; k++) {
    const node = g.nodes[k];
    const ins = node.inputs.map((i) => (i ? get(i, node) : undefined));
    const outs = runNode(g, node, ins);
    node.outputs.forEach((o, j) => {
      if (!o) return;
      if (!outs[j]) throw new Error(`node '${node.name}' (${opLabel(node)}): output '${o}' was not produced`);
      values.set(o, outs[j]);
    });
    if (!keepAll) {
      for (const i of node.inputs) if (i && lastUse.get(i) === k && !pinned.has(i)) values.delete(i);
      // Outputs nobody reads and the graph does not return.
      for (const o of node.outputs) if (o && !lastUse.has(o) && !pinned.has(o)) values.delete(o);
    }
  }

  if (keepAll) return Object.fromEntries(values);
  const result: Record<string, Tensor> = {};
  for (const o of g.outputs) {
    const v = values.get(o) ?? g.initializers[o];
    if (!v) throw new Error(`graph output '${o}' was not computed`);
    result[o] = v;
  }
  return result;
}
