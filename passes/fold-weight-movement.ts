// Moves a data-movement op on a quantized constant weight into the integers:
//
//   Transpose(DequantizeLinear(w_int const, s, zp, axis))  →  DequantizeLinear(Transpose(w_int), s, zp, perm⁻¹(axis))
//
// Brevitas exports a Linear layer as Quant(W [N, K]) → Transpose → MatMul; without this the
// Transpose hides the quantized weight from qdq-recognition and constant folding turns it into
// float32. Exact: a transpose moves integers, and the per-axis parameters follow their axis.
// Only a DequantizeLinear read by the Transpose alone is moved (its integers may be shared).
import { Graph, Node, TensorInfo, attrInt, attrInts, consumers } from '../core/ir/graph';
import { isInteger } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { transpose } from '../ops/transpose';
import type { Pass } from './pass-manager';
import { allNames, freshName, infoOfValue, originOf, soleConsumer } from './util';

export function foldWeightMovement(g: Graph): Graph {
  const used = consumers(g);
  const prod = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) prod.set(o, n);
  const names = allNames(g);
  const replaced = new Map<Node, Node | null>();
  const inits: Record<string, Tensor> = {};
  const infos: Record<string, TensorInfo> = {};
  for (const t of g.nodes) {
    if (t.op !== 'Transpose' || t.domain !== '') continue;
    const dq = prod.get(t.inputs[0]);
    if (!dq || dq.op !== 'DequantizeLinear' || dq.domain !== '' || soleConsumer(g, used, dq.outputs[0]) !== t) continue;
    const w = g.initializers[dq.inputs[0]];
    const info = g.tensors[dq.inputs[0]];
    if (!w || !isInteger(w.dtype) || attrInt(dq, 'block_size', 0) > 0) continue;
    if (dq.inputs.slice(1).some((i) => i && !(i in g.initializers))) continue;
    const rank = w.shape.length;
    const perm = attrInts(t, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const s = g.initializers[dq.inputs[1]];
    const perAxis = s.data.length > 1;
    const axis = perAxis ? ((attrInt(dq, 'axis', 1) % rank) + rank) % rank : undefined;
    const newAxis = axis === undefined ? undefined : perm.indexOf(axis);
    const wt = transpose(w, perm, t);
    const wName = freshName(names, `${dq.inputs[0]}_T`);
    inits[wName] = wt;
    const q = info?.quant ?? g.tensors[dq.inputs[0]]?.quant;
    infos[wName] = q ? { ...infoOfValue(wName, wt), quant: { ...q, ...(newAxis === undefined ? {} : { axis: newAxis }) } } : infoOfValue(wName, wt);
    replaced.set(dq, null);
    replaced.set(t, {
      name: dq.name, op: 'DequantizeLinear', domain: '', opset: dq.opset, inputs: [wName, ...dq.inputs.slice(1)], outputs: [t.outputs[0]],
      attrs: newAxis === undefined ? { ...dq.attrs } : { ...dq.attrs, axis: newAxis }, origin: originOf(dq, t),
    });
  }
  if (!replaced.size) return g;
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const r = replaced.get(n);
    if (r === null) continue;
    nodes.push(r ?? n);
  }
  const tensors = { ...g.tensors, ...infos };
  for (const [n, r] of replaced) if (r === null) delete tensors[n.outputs[0]];
  return { ...g, nodes, initializers: { ...g.initializers, ...inits }, tensors };
}

export const foldWeightMovementPass: Pass = {
  name: 'fold-weight-movement',
  description: 'Transpose(DequantizeLinear(integer weight)) becomes DequantizeLinear of the transposed integers',
  run: (g) => foldWeightMovement(g),
};
