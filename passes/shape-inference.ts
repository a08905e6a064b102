// Fills graph.tensors for every initializer and node output by running each op's inference in
// order, with the values of initializers available to ops that need them (Reshape's shape...).
// Existing quantization on a tensor is kept; dtype and shape are recomputed.
// Shape computations are propagated as it goes: a small output (at most PROPAGATE_ELEMENTS)
// of a node whose inputs are all known, and Shape/Size of a static tensor, is evaluated so a
// later Reshape/Expand/... sees its value (PyTorch's Shape → Gather → Concat → Reshape). The
// graph itself is not changed; constant-folding does that.
import { fail, HsqError } from '../core/diagnostics';
import { isInteger } from '../core/ir/dtype';
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { opName } from '../ops/engine/validate';
import { findUnsupported, lookupOp } from '../ops/engine/registry';
import { runNode } from '../ops/engine/interpreter';
import { Tensor, numel } from '../core/ir/tensor';
import { NONDETERMINISTIC_OPS, foldShapeOf } from './constant-folding';
import type { Pass } from './pass-manager';
import { produce } from './immer';
import { infoOfValue } from './util';

export function inferShapes(g: Graph): Graph {
  checkInputs(g);
  checkSupported(g.nodes);
  return produce(g, (d) => {
    const tensors = d.tensors as Record<string, TensorInfo>;
    for (const [name, t] of Object.entries(g.initializers)) tensors[name] = infoOfValue(name, t, g.tensors[name]);
    const known: Record<string, Tensor> = { ...g.initializers };
    for (const n of g.nodes) {
      const impl = lookupOp(n.op, n.domain)!;
      const inputs = n.inputs.map((i) => (i ? tensors[i] : undefined));
      n.inputs.forEach((i, k) => {
        if (i && !inputs[k]) fail('bad-shape', `node '${n.name}': input '${i}' has no shape`, n.name);
      });
      const values = n.inputs.map((i) => (i ? known[i] : undefined));
      let outs;
      try {
        outs = impl.infer({ node: n, inputs, values });
      } catch (e) {
        throw named(e, n);
      }
      n.outputs.forEach((o, k) => {
        if (!o) return;
        const r = outs[k];
        if (!r) fail('bad-shape', `node '${n.name}' (${opName(n)}): inference gives no output ${k}`, n.name);
        if (r.shape.some((v) => !(v >= 0)))
          fail('bad-shape', `node '${n.name}' (${opName(n)}): output '${o}' has a data-dependent shape [${r.shape.join(',')}]; hsq needs static shapes`, n.name);
        const old = g.tensors[o];
        const keepQuant = old?.quant && isInteger(r.dtype) ? { quant: old.quant } : {};
        tensors[o] = { name: o, dtype: r.dtype, shape: [...r.shape], ...keepQuant };
      });
      propagate(g, n, known, tensors);
    }
  });
}

export const PROPAGATE_ELEMENTS = 4096;

/** Values of small outputs computable at compile time, for the inference of later nodes. */
function propagate(g: Graph, n: Node, known: Record<string, Tensor>, infos: Record<string, TensorInfo>): void {
  if (n.domain !== '' || NONDETERMINISTIC_OPS.has(n.op)) return;
  const shapeOf = foldShapeOf(n, infos);
  let out = shapeOf;
  if (!out) {
    if (!n.inputs.every((i) => !i || i in known)) return;
    if (n.outputs.some((o) => o && (!infos[o] || numel(infos[o].shape) > PROPAGATE_ELEMENTS || infos[o].dtype === 'string'))) return;
    try {
      out = runNode({ ...g, tensors: infos }, n, n.inputs.map((i) => (i ? known[i] : undefined)));
    } catch {
      return; // not evaluable at compile time after all; inference of later nodes says what it needs
    }
  }
  n.outputs.forEach((o, k) => { if (o && out![k]) known[o] = out![k]; });
}

function checkInputs(g: Graph): void {
  for (const name of g.inputs) {
    if (name in g.initializers) continue;
    const info = g.tensors[name];
    if (!info) fail('bad-shape', `graph input '${name}' has no type or shape; give it with --input-shape ${name}=1,3,224,224`, name);
    if (info.shape.some((v) => !(v >= 0))) {
      const dims = info.shape.map((v, k) => (v >= 0 ? String(v) : info.dimParams?.[k] || '?')).join(',');
      const example = info.shape.map((v) => (v >= 0 ? v : 1)).join(',');
      fail('bad-shape', `graph input '${name}' has dynamic dims [${dims}]; fix them with --input-shape ${name}=${example} (e.g. --input-shape NAME=1,3,224,224)`, name);
    }
  }
}

/** One error listing every op hsq cannot run, not just the first. */
function checkSupported(nodes: readonly Node[]): void {
  const byOp = new Map<string, string[]>();
  for (const n of findUnsupported(nodes)) {
    const k = n.domain ? `${n.domain}.${n.op}` : n.op;
    byOp.set(k, [...(byOp.get(k) ?? []), n.name]);
  }
  if (!byOp.size) return;
  const list = [...byOp].map(([op, names]) => `${op} (node${names.length > 1 ? 's' : ''} ${names.slice(0, 5).map((s) => `'${s}'`).join(', ')}${names.length > 5 ? `, … ${names.length} in all` : ''})`);
  fail('unsupported', `unsupported operators: ${list.join('; ')}`, [...byOp.values()][0][0]);
}

function named(e: unknown, n: Node): Error {
  if (e instanceof HsqError) return e.message.includes(n.name) ? e : new HsqError(e.kind, `node '${n.name}' (${opName(n)}): ${e.message}`, e.subject ?? n.name);
  const msg = e instanceof Error ? e.message : String(e);
  return new HsqError('bad-shape', `node '${n.name}' (${opName(n)}): ${msg}`, n.name);
}

export const shapeInference: Pass = {
  name: 'shape-inference',
  description: 'dtype and static shape of every tensor, from the fixed input shapes and constants',
  establishesInfos: true,
  run: (g) => inferShapes(g),
};
