// Removes nodes whose outputs nobody reads (not graph outputs), then initializers and tensor
// infos that nothing mentions. Graph inputs stay (they are the model's interface) unless they
// are constants (an initializer listed as input, ONNX IR < 4) that nothing reads.
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import type { Pass } from './pass-manager';

export function removeDeadCode(g: Graph): Graph {
  const live = new Set<string>(g.outputs);
  const kept: Node[] = [];
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (!n.outputs.some((o) => o && live.has(o))) continue;
    kept.push(n);
    for (const i of n.inputs) if (i) live.add(i);
  }
  kept.reverse();
  const inputs = g.inputs.filter((i) => !(i in g.initializers) || live.has(i));
  for (const i of inputs) live.add(i);
  for (const n of kept) for (const o of n.outputs) if (o) live.add(o);
  const initializers: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(g.initializers)) if (live.has(k)) initializers[k] = t;
  const tensors: Record<string, TensorInfo> = {};
  for (const [k, t] of Object.entries(g.tensors)) if (live.has(k)) tensors[k] = t;
  const same = kept.length === g.nodes.length && inputs.length === g.inputs.length
    && Object.keys(initializers).length === Object.keys(g.initializers).length && Object.keys(tensors).length === Object.keys(g.tensors).length;
  return same ? g : { ...g, nodes: kept, inputs, initializers, tensors };
}

export const deadCode: Pass = {
  name: 'dead-code',
  description: 'removes nodes, initializers and tensor infos nothing uses',
  run: (g) => removeDeadCode(g),
};
