// Which ops have a quantized form, which accumulate (and so have weights), and which only
// move or select values (their output keeps the input's quantization, as ORT's quantizer does).
import { Graph, Node } from '../core/ir/graph';
import { isFloat } from '../core/ir/dtype';
import {
  isAccumulating, isFloatAccumulating, isQuantizedByDefault, keepsInputQuant, opsWhere, quantizedByDefault, weightChannelAxisOf, weightInputOf,
} from '../ops/engine/traits';

/** Float int32-accumulating ops: precision wXaY applies to their constant weights and input. */
export const ACCUMULATING: ReadonlySet<string> = opsWhere((d) => d.traits.quant === 'accumulating' && !d.traits.integer);

/** Ops that already carry quantization in the model (QOperator / integer forms). */
export const QOPERATOR: ReadonlySet<string> = opsWhere((d) => d.traits.quant === 'accumulating' && !!d.traits.integer);

/** Ops whose output is a selection or rearrangement of input values: output shares the input's quant. */
export const PASSTHROUGH: ReadonlySet<string> = opsWhere((d) => d.traits.quant === 'pass-through' || d.traits.quant === 'data-movement');

/** Non-accumulating ops hsq runs quantized (dequantize, float32, quantize; or a lookup table). */
export const ELEMENTWISE_Q: ReadonlySet<string> = opsWhere((d) => quantizedByDefault(d.traits));

export type LayerKind = 'accumulating' | 'activation-only' | 'none';

/** What a precision can mean for this node. */
export function layerKind(g: Graph, n: Node): LayerKind {
  if (n.domain !== '' && n.domain !== 'hsq') return 'none';
  if (isAccumulating(n)) return weightInput(g, n) !== undefined ? 'accumulating' : 'activation-only';
  if (keepsInputQuant(n) || isQuantizedByDefault(n)) return 'activation-only';
  return 'none';
}

/** Index of the constant weight input of an accumulating node, if it has one. */
export function weightInput(g: Graph, n: Node): number | undefined {
  if (!isAccumulating(n)) return undefined;
  const k = weightInputOf(n)!;
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
  return weightChannelAxisOf(n) ?? 1;
}

export { isFloatAccumulating };

/** True for a float tensor that changes at run time (not a constant). */
export function isFloatActivation(g: Graph, name: string): boolean {
  if (!name || name in g.initializers) return false;
  const t = g.tensors[name];
  return !!t && isFloat(t.dtype);
}
