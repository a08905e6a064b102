// Small graph helpers shared by the passes.
import { Graph, Node, TensorInfo, consumers } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';

/** Every tensor name the graph mentions (inputs, outputs, initializers, infos, node edges). */
export function allNames(g: Graph): Set<string> {
  const s = new Set<string>([...g.inputs, ...g.outputs, ...Object.keys(g.initializers), ...Object.keys(g.tensors)]);
  for (const n of g.nodes) {
    for (const i of n.inputs) if (i) s.add(i);
    for (const o of n.outputs) if (o) s.add(o);
  }
  return s;
}

/** A name based on `base` that is not in `taken`; adds it to `taken`. */
export function freshName(taken: Set<string>, base: string): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/** Node names are kept unique too (reports and annotations key on them). */
export function nodeNames(g: Graph): Set<string> {
  return new Set(g.nodes.map((n) => n.name));
}

/** Info of a constant: dtype and shape from the value, quantization kept from an old info. */
export function infoOfValue(name: string, t: Tensor, old?: TensorInfo): TensorInfo {
  const info: TensorInfo = old?.quant ? { name, dtype: t.dtype, shape: [...t.shape], quant: old.quant } : { name, dtype: t.dtype, shape: [...t.shape] };
  // The grid a float weight was dequantized from stays while its values are float32 of that shape.
  return old?.weightGrid && t.dtype === 'float32' && old.dtype === 'float32' ? { ...info, weightGrid: old.weightGrid } : info;
}

/**
 * The single node reading `name` when exactly one node reads it (once) and it is not a graph
 * output; otherwise undefined. Fusions only absorb tensors nobody else sees.
 */
export function soleConsumer(g: Graph, cons: Map<string, Node[]>, name: string): Node | undefined {
  if (g.outputs.includes(name)) return undefined;
  const l = cons.get(name);
  if (!l || l.length !== 1) return undefined;
  const n = l[0];
  return n.inputs.filter((i) => i === name).length === 1 ? n : undefined;
}

export { consumers };

/** Origin list of a fused node: the ONNX node names it stands for. */
export function originOf(...nodes: Node[]): string[] {
  const out: string[] = [];
  for (const n of nodes) for (const o of n.origin ?? [n.name]) if (!out.includes(o)) out.push(o);
  return out;
}

/** Scalar or 1-element value of a constant, or undefined. */
export function constScalar(g: Graph, name: string | undefined): number | undefined {
  if (!name) return undefined;
  const t = g.initializers[name];
  if (!t || t.data.length !== 1) return undefined;
  return Number(t.data[0]);
}
