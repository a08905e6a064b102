// The precision a pre-quantized model gives its layers, read from the quantization of the
// weights (integer initializer behind DequantizeLinear, or a QOperator's integer weight) and of
// the input activation (integer tensor behind DequantizeLinear, or a QOperator's input). Bits
// come from `quant.bits` where an importer or lower-qonnx set it, else from the dtype.
import { DType } from '../core/ir/dtype';
import { Graph, Node, QuantParams, producers } from '../core/ir/graph';
import { LayerKind, layerKind } from './layers';

/** Weight and activation bits; 32 means float (not quantized). */
export interface LayerPrecision {
  readonly weightBits: number;
  readonly actBits: number;
}

export const FLOAT_BITS = 32;

export function formatLayerPrecision(p: LayerPrecision): string {
  if (p.weightBits === FLOAT_BITS && p.actBits === FLOAT_BITS) return 'float';
  return `w${p.weightBits}a${p.actBits}`;
}

function dtypeBits(t: DType): number | undefined {
  switch (t) {
    case 'int4': case 'uint4': return 4;
    case 'int8': case 'uint8': return 8;
    case 'int16': case 'uint16': return 16;
    default: return undefined;
  }
}

function bitsOf(g: Graph, name: string): number | undefined {
  const q: QuantParams | undefined = g.tensors[name]?.quant;
  if (q) return q.bits;
  const dt = g.initializers[name]?.dtype ?? g.tensors[name]?.dtype;
  return dt ? dtypeBits(dt) : undefined;
}

/** Bits of the integer tensor behind a DequantizeLinear producing `name`. */
function dqBits(g: Graph, prod: Map<string, Node>, name: string): number | undefined {
  const p = prod.get(name);
  if (!p || p.op !== 'DequantizeLinear' || p.domain !== '') return undefined;
  return bitsOf(g, p.inputs[0]);
}

/** The model's own precision of one node, or undefined when the node is not quantized at all. */
export function modelPrecisionOf(g: Graph, n: Node, prod: Map<string, Node> = producers(g), kind: LayerKind = layerKind(g, n)): LayerPrecision | undefined {
  if (kind === 'none') return undefined;
  if (n.op === 'QLinearConv' || n.op === 'QLinearMatMul') {
    return { weightBits: bitsOf(g, n.inputs[3]) ?? 8, actBits: bitsOf(g, n.inputs[0]) ?? 8 };
  }
  if (n.op === 'ConvInteger' || n.op === 'MatMulInteger' || n.op === 'QConv' || n.op === 'QConvTranspose' || n.op === 'QGemm') {
    return { weightBits: bitsOf(g, n.inputs[1]) ?? 8, actBits: bitsOf(g, n.inputs[0]) ?? 8 };
  }
  const a = dqBits(g, prod, n.inputs[0]);
  if (kind === 'accumulating') {
    const w = dqBits(g, prod, n.inputs[1]);
    if (w === undefined && a === undefined) return undefined;
    return { weightBits: w ?? FLOAT_BITS, actBits: a ?? FLOAT_BITS };
  }
  return a === undefined ? undefined : { weightBits: 8, actBits: a };
}

/** Every node's own precision; empty for a float model. */
export function modelPrecisions(g: Graph): Map<string, LayerPrecision> {
  const prod = producers(g);
  const out = new Map<string, LayerPrecision>();
  for (const n of g.nodes) {
    const p = modelPrecisionOf(g, n, prod);
    if (p) out.set(n.name, p);
  }
  return out;
}

/** True when the model carries any quantization of its own (QDQ, QOperator or lowered QONNX). */
export function isPreQuantized(g: Graph): boolean {
  return g.nodes.some((n) => (n.domain === '' && (n.op === 'QuantizeLinear' || n.op === 'DequantizeLinear' || n.op === 'QLinearConv' || n.op === 'QLinearMatMul' || n.op === 'ConvInteger' || n.op === 'MatMulInteger')) || n.domain === 'hsq');
}
