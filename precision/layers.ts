// Which ops have a quantized form, which accumulate (and so have weights), and which only
// move or select values (their output keeps the input's quantization, as ORT's quantizer does).
import { Graph, Node, attrInt } from '../core/ir/graph';
import { isFloat } from '../core/ir/dtype';

/** int32-accumulating ops: precision wXaY applies to their constant weights and input. */
export const ACCUMULATING: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul']);

/** Ops that already carry quantization in the model (QOperator / integer forms). */
export const QOPERATOR: ReadonlySet<string> = new Set(['QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);

/** Ops whose output is a selection or rearrangement of input values: output shares the input's quant. */
export const PASSTHROUGH: ReadonlySet<string> = new Set([
  'MaxPool', 'GlobalMaxPool', 'Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity',
  'DepthToSpace', 'SpaceToDepth', 'Slice', 'Gather', 'Split', 'Expand',
]);

/** Non-accumulating ops hsq runs quantized (dequantize, float32, quantize; or a lookup table). */
export const ELEMENTWISE_Q: ReadonlySet<string> = new Set([
  'Relu', 'Clip', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh',
  'Add', 'Sub', 'Mul', 'AveragePool', 'GlobalAveragePool', 'Concat', 'Resize', 'Pad', 'ReduceMean',
]);

export type LayerKind = 'accumulating' | 'activation-only' | 'none';

/** What a precision can mean for this node. */
export function layerKind(g: Graph, n: Node): LayerKind {
  if (n.domain !== '' && n.domain !== 'hsq') return 'none';
  if (ACCUMULATING.has(n.op) || QOPERATOR.has(n.op) || n.op === 'QConv' || n.op === 'QGemm') {
    return weightInput(g, n) !== undefined ? 'accumulating' : 'activation-only';
  }
  if (PASSTHROUGH.has(n.op) || ELEMENTWISE_Q.has(n.op)) return 'activation-only';
  return 'none';
}

/** Index of the constant weight input of an accumulating node, if it has one. */
export function weightInput(g: Graph, n: Node): number | undefined {
  const k = n.op === 'QLinearConv' || n.op === 'QLinearMatMul' ? 3 : 1;
  if (!ACCUMULATING.has(n.op) && !QOPERATOR.has(n.op) && n.op !== 'QConv' && n.op !== 'QGemm') return undefined;
  const name = n.inputs[k];
  if (!name) return undefined;
  if (name in g.initializers) return k;
  // Behind a DequantizeLinear of a constant (QDQ / lowered QONNX weights).
  const p = g.nodes.find((m) => m.outputs.includes(name));
  if (p && p.op === 'DequantizeLinear' && p.inputs[0] in g.initializers) return k;
  return undefined;
}

/**
 * Output-channel axis of the (float) weight of an accumulating op: Conv [M,C,kh,kw] → 0;
 * MatMul [K,N] → 1; Gemm [K,N] → 1, or 0 with transB ([N,K]).
 */
export function weightChannelAxis(n: Node): number {
  if (n.op === 'Conv' || n.op === 'QLinearConv' || n.op === 'ConvInteger' || n.op === 'QConv') return 0;
  if (n.op === 'Gemm') return attrInt(n, 'transB', 0) ? 0 : 1;
  return 1;
}

/** True for a float tensor that changes at run time (not a constant). */
export function isFloatActivation(g: Graph, name: string): boolean {
  if (!name || name in g.initializers) return false;
  const t = g.tensors[name];
  return !!t && isFloat(t.dtype);
}
