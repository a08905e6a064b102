// The QDQ graph as ONNX for ONNX Runtime (`--emit-onnx`): opset 21, IR version 10. Activations
// of 4 bits read only by Conv/ConvTranspose/Gemm/MatMul move to INT4/UINT4 containers; other sub-8-bit
// activations stay in int8/uint8 with their range enforced by an integer Clip after the
// QuantizeLinear (ORT's QuantizeLinear saturates to the container). Weights are already stored as the quantizer left them (INT4 for
// 4 and 3 bits, int8 holding the narrower ranges). hsq's `hsq.quant` metadata travels along.
import { DType } from '../core/ir/dtype';
import { Graph, Node, TensorInfo, consumers } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { tensorRange } from '../passes/quant';
import { allNames, freshName, nodeNames } from '../passes/util';
import { encodeModel } from '../frontend/onnx/export';
import { upgradeOpset } from './opset';

export function toOnnxQdq(g0: Graph): Graph {
  const g = upgradeOpset(g0);
  const cons = consumers(g);
  const names = allNames(g);
  const nodeNameSet = nodeNames(g);
  const inits: Record<string, Tensor> = { ...g.initializers };
  const infos: Record<string, TensorInfo> = { ...g.tensors };
  const patched = new Map<Node, Node>();
  const after = new Map<Node, Node[]>();
  for (const n of g.nodes) {
    if (n.op !== 'QuantizeLinear' || n.domain !== '') continue;
    const y = n.outputs[0];
    const info = infos[y];
    const q = info?.quant;
    if (!q || q.bipolar || (info.dtype !== 'int8' && info.dtype !== 'uint8') || q.bits >= 8) continue;
    // INT4 only where every reader of the dequantized value accumulates: ORT's optimizer drops
    // DQ/Q around MaxPool, Reshape, ... and has no INT4 kernels for them.
    const readers = (cons.get(y) ?? []).flatMap((c) => (c.op === 'DequantizeLinear' ? cons.get(c.outputs[0]) ?? [] : [c]));
    const int4ok = readers.length > 0 && readers.every((r) => ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(r.op));
    if (q.bits === 4 && int4ok) {
      const dt: DType = q.signed ? 'int4' : 'uint4';
      const zp = n.inputs[2] ? inits[n.inputs[2]] : undefined;
      const z = freshName(names, `${n.inputs[2] || y}_4bit`);
      inits[z] = makeTensor(dt, zp ? zp.shape : [], zp ? Array.from(zp.data, Number) : [q.signed ? 0 : 0]);
      infos[z] = { name: z, dtype: dt, shape: [...inits[z].shape] };
      infos[y] = { ...info, dtype: dt };
      patched.set(n, { ...n, inputs: [n.inputs[0], n.inputs[1], z] });
      for (const c of cons.get(y) ?? []) {
        if (c.op === 'DequantizeLinear') patched.set(c, { ...(patched.get(c) ?? c), inputs: [y, c.inputs[1], z] });
      }
    } else {
      const [lo, hi] = tensorRange(q, info.dtype);
      const raw = freshName(names, `${y}_unclipped`);
      const lname = freshName(names, `${y}_min`), hname = freshName(names, `${y}_max`);
      inits[lname] = makeTensor(info.dtype, [], [lo]); infos[lname] = { name: lname, dtype: info.dtype, shape: [] };
      inits[hname] = makeTensor(info.dtype, [], [hi]); infos[hname] = { name: hname, dtype: info.dtype, shape: [] };
      infos[raw] = { name: raw, dtype: info.dtype, shape: [...info.shape] };
      patched.set(n, { ...n, outputs: [raw] });
      after.set(n, [{ name: freshName(nodeNameSet, `${n.name}_range`), op: 'Clip', domain: '', opset: 21, inputs: [raw, lname, hname], outputs: [y], attrs: {} }]);
    }
  }
  const nodes: Node[] = [];
  for (const n of g.nodes) { nodes.push(patched.get(n) ?? n); nodes.push(...(after.get(n) ?? [])); }
  return { ...g, nodes, initializers: inits, tensors: infos };
}

/** ONNX bytes of the QDQ graph, as `--emit-onnx` writes them. */
export function encodeQdqOnnx(g: Graph): Uint8Array {
  return encodeModel(toOnnxQdq(g));
}
