// The pieces QDQ-chain rule tables are made of (core/ir/pattern.ts): a quantized op in the IR
// is DequantizeLinear -> op -> QuantizeLinear, so every table that recognises one -- QDQ
// recognition (passes/qdq-recognition.ts), the host lookup tables (targets/c/lut.ts), the
// Cortex-M55 fuser (targets/cortex-m55/kernels/fuse.ts), placement's layer grouping -- is
// written with these.
import { Graph, Node } from '../core/ir/graph';
import { toNumbers } from '../core/ir/tensor';
import { ChainPat, NodePat, P, Pat, PatternGraph } from '../core/ir/pattern';
import { isTableLink } from '../ops/engine/traits';

type Where = (n: Node, m: PatternGraph) => boolean;

/** DequantizeLinear (ONNX domain) captured as `name`, its integer input as tensor `${name}.x`. */
export function dequantize(name: string, o: { where?: Where; exclusive?: boolean } = {}): NodePat {
  return P.op('DequantizeLinear', { name, where: o.where, exclusive: o.exclusive, src: [P.tensor(`${name}.x`)] });
}

/** Scale and zero point of a Q/DQ whose parameters are constant scalars (one element each; no
 *  zero point input is zero), else undefined. */
export function constPerTensor(g: Graph, n: Node): { scale: number; zp: number } | undefined {
  const s = g.initializers[n.inputs[1]], z = n.inputs[2] ? g.initializers[n.inputs[2]] : undefined;
  if (!s || s.data.length !== 1 || (n.inputs[2] && (!z || z.data.length !== 1))) return undefined;
  return { scale: Math.fround(Number(s.data[0])), zp: z ? toNumbers(z)[0] : 0 };
}

/** A DequantizeLinear of an 8-bit activation (not a constant) with constant per-tensor
 *  parameters, read by the next node only: the start of a chain that becomes one 8-bit layer
 *  (lookup tables, quantized Softmax). `where` adds a condition. */
export function dequantizeByteActivation(name: string, where?: Where): NodePat {
  return dequantize(name, {
    exclusive: true,
    where: (dq, m) => {
      const xi = m.g.tensors[dq.inputs[0]];
      return !!constPerTensor(m.g, dq) && !!xi && (xi.dtype === 'int8' || xi.dtype === 'uint8') && !(dq.inputs[0] in m.g.initializers) && (!where || where(dq, m));
    },
  });
}

/** QuantizeLinear (ONNX domain) of `inner`, captured as `name`. */
export function quantize(inner: Pat, o: { name?: string; where?: Where } = {}): NodePat {
  return P.op('QuantizeLinear', { name: o.name ?? 'q', where: o.where, src: [inner] });
}

/** Every input after the first is a constant (a unary op's parameters: Clip bounds...). */
export const constParameters: Where = (n, m) => n.inputs.slice(1).every((i) => !i || i in m.g.initializers);

/**
 * One or more table links -- unary ops with a quantized form (ops/engine/traits.ts
 * isTableLink), parameters constant, each output read by the next only -- down to `inner`.
 * Captured as `name`, in data-flow order.
 */
export function tableChain(inner: Pat, name = 'links'): ChainPat {
  return P.chain(P.node({ where: (n, m) => isTableLink(n) && constParameters(n, m), exclusive: true }), inner, name);
}

const isQdq = (n: Node): boolean => n.domain === '' && (n.op === 'QuantizeLinear' || n.op === 'DequantizeLinear');

/**
 * Placement's layers: a QuantizeLinear belongs to the layer of the node it quantizes (`core`,
 * any node but a Q or DQ) ...
 */
export const LAYER_OUTPUT_Q: NodePat = P.op('QuantizeLinear', { name: 'q', src: [P.node({ name: 'core', domain: null, where: (n) => !isQdq(n) })] });

/** ... and a DequantizeLinear read only by one such node belongs to that node's layer
 *  (captured as 'dq', one per input it feeds). */
export const LAYER_INPUT_DQS: NodePat = P.node({
  name: 'core', domain: null, where: (n) => !isQdq(n),
  srcAll: P.opt(P.op('DequantizeLinear', { name: 'dq', exclusive: true })),
});
