// The one rewrite placement makes: a DequantizeLinear of an activation read by several nodes is
// duplicated, one per reader (same numbers), so that every layer owns its DQs and a layer's
// device decides where its dequantization runs.
import { Graph, Node, TensorInfo, consumers } from '../core/ir/graph';
import { allNames, freshName } from '../passes/util';

/** A DequantizeLinear of an activation read by several nodes becomes one DQ per reader. */
export function splitSharedDequantize(g: Graph): Graph {
  const cons = consumers(g);
  const shared = g.nodes.filter((n) => n.op === 'DequantizeLinear' && n.domain === '' && !(n.inputs[0] in g.initializers)
    && !g.outputs.includes(n.outputs[0]) && (cons.get(n.outputs[0])?.length ?? 0) > 1);
  if (shared.length === 0) return g;
  const tensorNames = allNames(g);
  const nodeNames = new Set(g.nodes.map((n) => n.name));
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  const rename = new Map<Node, Map<string, string>>(); // reader → old tensor → new tensor
  const copies = new Map<Node, Node[]>();
  for (const dq of shared) {
    const out = dq.outputs[0];
    const readers = [...new Set(cons.get(out)!)];
    const list: Node[] = [];
    for (const r of readers) {
      const t = freshName(tensorNames, `${out}_${r.name}`);
      const name = freshName(nodeNames, `${dq.name}_${r.name}`);
      list.push({ ...dq, name, outputs: [t], origin: dq.origin ?? [dq.name] });
      if (g.tensors[out]) tensors[t] = { ...g.tensors[out], name: t };
      if (!rename.has(r)) rename.set(r, new Map());
      rename.get(r)!.set(out, t);
    }
    copies.set(dq, list);
    delete tensors[out];
  }
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const c = copies.get(n);
    if (c) { nodes.push(...c); continue; }
    const m = rename.get(n);
    nodes.push(m ? { ...n, inputs: n.inputs.map((i) => m.get(i) ?? i) } : n);
  }
  return { ...g, nodes, tensors };
}
