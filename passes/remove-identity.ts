// Removes Identity and inference-mode Dropout, rewiring their readers to the source tensor.
// Graph output names never change: when the removed node produces a graph output, the producer
// of its input is renamed to the output name instead (when that is possible without changing
// another graph output or a graph input; otherwise the node stays).
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import type { Pass } from './pass-manager';

/** The input a pass-through node forwards, or undefined if the node must stay. */
function passThrough(g: Graph, n: Node, used: () => Set<string>): string | undefined {
  if (n.domain !== '') return undefined;
  if (n.op === 'Identity') return n.inputs[0] || undefined;
  if (n.op !== 'Dropout') return undefined;
  if (n.outputs.length > 1 && n.outputs[1] && used().has(n.outputs[1])) return undefined; // mask is read
  const training = n.inputs[2] ? g.initializers[n.inputs[2]] : undefined;
  if (n.inputs[2] && (!training || Number(training.data[0]) !== 0)) return undefined; // training mode (or unknown)
  return n.inputs[0] || undefined;
}

export function removeIdentity(g: Graph): Graph {
  let nodes = [...g.nodes];
  let tensors: Record<string, TensorInfo> = { ...g.tensors };
  const outputs = new Set(g.outputs);
  const inputs = new Set(g.inputs);
  let changed = false;
  for (let k = 0; k < nodes.length; ) {
    const n = nodes[k];
    const used = () => new Set<string>([...g.outputs, ...nodes.flatMap((m) => m.inputs)]);
    const src = passThrough(g, n, used);
    const dst = n.outputs[0];
    if (src === undefined || !dst) { k++; continue; }
    let from: string, to: string;
    if (!outputs.has(dst)) { from = dst; to = src; }
    else if (!outputs.has(src) && !inputs.has(src) && !(src in g.initializers) && nodes.some((m) => m.outputs.includes(src))) { from = src; to = dst; }
    else { k++; continue; }
    nodes.splice(k, 1);
    const ren = (s: string) => (s === from ? to : s);
    nodes = nodes.map((m) => (m.inputs.includes(from) || m.outputs.includes(from) ? { ...m, inputs: m.inputs.map(ren), outputs: m.outputs.map(ren) } : m));
    tensors = { ...tensors };
    if (from === src && tensors[src]) tensors[dst] = { ...tensors[src], name: dst };
    delete tensors[from];
    for (const o of n.outputs.slice(1)) if (o) delete tensors[o];
    changed = true;
  }
  return changed ? { ...g, nodes, tensors } : g;
}

export const removeIdentityPass: Pass = {
  name: 'remove-identity',
  description: 'removes Identity and inference-mode Dropout, keeping graph output names',
  run: (g) => removeIdentity(g),
};
