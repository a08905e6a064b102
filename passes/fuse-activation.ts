// Fuses Relu / Clip / LeakyRelu into the op that produces their input, only where the numbers
// stay identical.
//
// Float Conv / Gemm (float32 output, no activation yet) + Relu | Clip | LeakyRelu: the op gets
//   activation        'relu' | 'clip' | 'leakyrelu'   (STRING)
//   activation_params []      | [min, max] | [alpha]  (FLOATS, float32 values)
// applied to each float32 output element after the bias (ops/lib/fused-activation.ts
// and the C kernels): the same float32 operations the separate op does, so the result is
// bit-identical. (Names follow ONNX Runtime's FusedConv; ONNX export splits them back.)
//
// QConv / QConvTranspose / QGemm (hsq) → DequantizeLinear → Relu | Clip → QuantizeLinear with the same per-tensor
// scale, zero point and dtype on both sides: the activation becomes the output clamp,
// qmin = max(qmin, quantize(lo)), qmax = min(qmax, quantize(hi)) (Relu: lo = 0 → zy), checked
// exhaustively against dequantize → act → quantize over every value the op can emit.
// (Relu/Clip directly between DQ→Conv→Q is absorbed by qdq-recognition already.)
import { Graph, Node, TensorInfo, attrFloat, consumers } from '../core/ir/graph';
import type { Pass } from './pass-manager';
import { clampActivation, fusedClamp, sameQuant, tensorRange } from './quant';
import { originOf, soleConsumer } from './util';

interface Fusion { producer: Node; remove: Node[]; node: Node }

function floatFusion(g: Graph, p: Node, act: Node): Fusion | undefined {
  if (p.domain !== '' || (p.op !== 'Conv' && p.op !== 'Gemm') || p.attrs.activation !== undefined) return undefined;
  if (g.tensors[p.outputs[0]]?.dtype !== 'float32' || act.inputs[0] !== p.outputs[0] || act.domain !== '') return undefined;
  let activation: string, params: number[];
  if (act.op === 'LeakyRelu') { activation = 'leakyrelu'; params = [Math.fround(attrFloat(act, 'alpha', 0.01))]; }
  else {
    const c = clampActivation(g, act);
    if (!c) return undefined;
    if (act.op === 'Relu') { activation = 'relu'; params = []; }
    else { activation = 'clip'; params = [c.lo, c.hi]; }
  }
  const node: Node = {
    ...p, outputs: [act.outputs[0]], origin: originOf(p, act),
    attrs: { ...p.attrs, activation, activation_params: params },
  };
  return { producer: p, remove: [act], node };
}

function quantFusion(g: Graph, p: Node, dq: Node, cons: Map<string, Node[]>): Fusion | undefined {
  if (p.domain !== 'hsq' || (p.op !== 'QConv' && p.op !== 'QConvTranspose' && p.op !== 'QGemm')) return undefined;
  if (dq.op !== 'DequantizeLinear' || dq.domain !== '' || dq.inputs[0] !== p.outputs[0]) return undefined;
  const act = soleConsumer(g, cons, dq.outputs[0]);
  if (!act || (act.op !== 'Relu' && act.op !== 'Clip')) return undefined;
  const q = soleConsumer(g, cons, act.outputs[0]);
  if (!q || q.op !== 'QuantizeLinear' || q.domain !== '' || q.inputs[0] !== act.outputs[0]) return undefined;
  const yi = g.tensors[p.outputs[0]], zi = g.tensors[q.outputs[0]];
  if (!yi?.quant || !zi?.quant || yi.dtype !== zi.dtype || yi.quant.scale.length !== 1) return undefined;
  // The DQ and Q must use exactly the producer's output quantization.
  if (!sameQuant(yi.quant, zi.quant)) return undefined;
  if (g.tensors[dq.inputs[0]]?.quant && !sameQuant(g.tensors[dq.inputs[0]].quant, yi.quant)) return undefined;
  const a = clampActivation(g, act);
  if (!a) return undefined;
  const [lo, hi] = tensorRange(zi.quant, zi.dtype);
  const cur: [number, number] = [(p.attrs.qmin as number | undefined) ?? lo, (p.attrs.qmax as number | undefined) ?? hi];
  const clamp = fusedClamp(a, zi.quant.scale[0], zi.quant.zeroPoint[0], lo, hi, cur);
  if (!clamp) return undefined;
  const node: Node = { ...p, outputs: [q.outputs[0]], origin: originOf(p, dq, act, q), attrs: { ...p.attrs, qmin: clamp[0], qmax: clamp[1] } };
  return { producer: p, remove: [dq, act, q], node };
}

export function fuseActivations(g: Graph): Graph {
  const cons = consumers(g);
  const fusions = new Map<Node, Fusion>();
  const removed = new Set<Node>();
  for (const p of g.nodes) {
    if (removed.has(p)) continue;
    const next = soleConsumer(g, cons, p.outputs[0]);
    if (!next || removed.has(next)) continue;
    const f = (next.op === 'Relu' || next.op === 'Clip' || next.op === 'LeakyRelu' ? floatFusion(g, p, next) : undefined) ?? quantFusion(g, p, next, cons);
    if (!f) continue;
    fusions.set(p, f);
    f.remove.forEach((m) => removed.add(m));
  }
  if (!fusions.size) return g;
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (removed.has(n)) continue;
    const f = fusions.get(n);
    if (!f) { nodes.push(n); continue; }
    nodes.push(f.node);
    delete tensors[n.outputs[0]];
    for (const m of f.remove) for (const o of m.outputs) if (o && o !== f.node.outputs[0]) delete tensors[o];
  }
  return { ...g, nodes, tensors };
}

export const fuseActivation: Pass = {
  name: 'fuse-activation',
  description: 'fuses Relu/Clip/LeakyRelu into Conv/Gemm (activation attribute) and QConv/QGemm (qmin/qmax) where exact',
  run: (g) => fuseActivations(g),
};
