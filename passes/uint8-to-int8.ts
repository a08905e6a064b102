// uint8 activations as int8 by the lossless zero-point shift, for NPUs that take signed int8
// only (Neural-ART): q' = q − 128, zp' = zp − 128. Every integer of the tensor moves by the same
// 128, so QuantizeLinear (saturate(round(x/s) + zp) over [0, 255] ↔ over [−128, 127]),
// DequantizeLinear ((q − zp)·s), QConv/QConvTranspose/QGemm (x − zx, and round(v) + zy clamped to qmin/qmax,
// shifted with it) and order-preserving data movement compute the same values. In the
// two's-complement byte this is q XOR 0x80.
//
// A tensor is shifted together with every tensor a data-movement op links it to (they share
// parameters); a group is shifted only when every node touching it is in the table below and
// none of its tensors is a graph input or output (their dtype is the user's contract) or has a
// range other than full 8-bit unsigned (sub-8-bit unsigned ranges stay for the CPU kernels).
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import type { Pass } from './pass-manager';
import { allNames, freshName } from './util';

/** Ops that only move or reorder integers (the output is some input element or a max of them). */
const MOVES = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Slice', 'Split', 'DepthToSpace', 'SpaceToDepth', 'MaxPool', 'GlobalMaxPool', 'Identity']);

const full8 = (t: TensorInfo | undefined): boolean => !!t && t.dtype === 'uint8' && !!t.quant && t.quant.bits === 8 && !t.quant.signed && !t.quant.narrow
  && t.quant.scale.length === 1 && t.quant.zeroPoint.length === 1;

export function shiftUint8ToInt8(g: Graph): Graph {
  const candidates = Object.values(g.tensors).filter((t) => full8(t) && !(t.name in g.initializers)).map((t) => t.name);
  if (!candidates.length) return g;
  // Union-find over tensors linked by data movement.
  const parent = new Map<string, string>();
  const find = (t: string): string => { let r = t; while (parent.get(r) !== r) r = parent.get(r)!; parent.set(t, r); return r; };
  for (const t of candidates) parent.set(t, t);
  const bad = new Set<string>();
  const touch = new Map<string, Node[]>();
  for (const n of g.nodes) for (const t of [...n.inputs, ...n.outputs]) if (t && parent.has(t)) touch.set(t, [...(touch.get(t) ?? []), n]);
  for (const n of g.nodes) {
    if (n.domain !== '' || !MOVES.has(n.op)) continue;
    const ts = [n.inputs[0], ...n.outputs].filter((t): t is string => !!t);
    const ints = ts.filter((t) => parent.has(t));
    if (ints.length !== ts.length) { for (const t of ints) bad.add(t); continue; }
    for (const t of ints.slice(1)) parent.set(find(t), find(ints[0]));
  }
  const ok = (n: Node, t: string): boolean => {
    if (n.domain === 'hsq' && (n.op === 'QConv' || n.op === 'QConvTranspose' || n.op === 'QGemm')) return n.inputs[0] === t || n.outputs[0] === t;
    if (n.domain !== '') return false;
    if (n.op === 'QuantizeLinear') return n.outputs[0] === t && !!n.inputs[2] && n.inputs[2] in g.initializers && !n.attrs.output_dtype;
    if (n.op === 'DequantizeLinear') return n.inputs[0] === t && !!n.inputs[2] && n.inputs[2] in g.initializers;
    if (MOVES.has(n.op)) return n.inputs[0] === t || n.outputs.includes(t);
    return false;
  };
  for (const t of candidates) {
    if (g.inputs.includes(t) || g.outputs.includes(t)) bad.add(t);
    for (const n of touch.get(t) ?? []) if (!ok(n, t)) bad.add(t);
  }
  const badRoot = new Set([...bad].map(find));
  const shift = new Set(candidates.filter((t) => !badRoot.has(find(t))));
  if (!shift.size) return g;

  const names = allNames(g);
  const initializers = { ...g.initializers };
  const tensors = { ...g.tensors };
  for (const t of shift) {
    const info = tensors[t];
    tensors[t] = { ...info, dtype: 'int8', quant: { ...info.quant!, signed: true, zeroPoint: [info.quant!.zeroPoint[0] - 128] } };
  }
  // Zero-point constants: a fresh int8 one per Q/DQ (the uint8 one may be shared elsewhere).
  const zpFor = (z: string): string => {
    const v = Number(g.initializers[z].data[0]) - 128;
    const name = freshName(names, `${z}_s8`);
    initializers[name] = makeTensor('int8', [], [v]);
    tensors[name] = { name, dtype: 'int8', shape: [] };
    return name;
  };
  const nodes = g.nodes.map((n): Node => {
    if (n.domain === '' && n.op === 'QuantizeLinear' && shift.has(n.outputs[0])) return { ...n, inputs: [n.inputs[0], n.inputs[1], zpFor(n.inputs[2])] };
    if (n.domain === '' && n.op === 'DequantizeLinear' && shift.has(n.inputs[0])) return { ...n, inputs: [n.inputs[0], n.inputs[1], zpFor(n.inputs[2])] };
    if (n.domain === 'hsq' && shift.has(n.outputs[0]) && typeof n.attrs.qmin === 'number' && typeof n.attrs.qmax === 'number')
      return { ...n, attrs: { ...n.attrs, qmin: (n.attrs.qmin as number) - 128, qmax: (n.attrs.qmax as number) - 128 } };
    return n;
  });
  return { ...g, nodes, initializers, tensors };
}

export const uint8ToInt8Pass: Pass = {
  name: 'uint8-to-int8',
  description: 'uint8 activations become int8 by the lossless zero-point shift (q − 128, zp − 128), for int8-only NPUs',
  run: (g) => shiftUint8ToInt8(g),
};
