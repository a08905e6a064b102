// The model as the user gave it, as ONNX Runtime can run it, and how hsq's tensors relate to its
// tensors.
//
// The original is the imported model with constant inputs bound (before any hsq pass); a QONNX
// model is replaced by its standard-ONNX reference (same tensor names). An hsq tensor links to
// an original tensor when
// - the original has a tensor of that name (passes keep the names of the tensors they keep:
//   a fused QConv writes the name of the QuantizeLinear output it replaces, a folded
//   BatchNormalization the name of its own output, a removed Identity its output's): the same
//   values, or, when hsq holds integers with quantization where the original holds floats, their
//   dequantization;
// - it is the integer tensor lower-qonnx put between QuantizeLinear and DequantizeLinear for a
//   QONNX activation quantizer: the Quant node's float output is its dequantization.
// Every other hsq tensor (constants, fused intermediates) has no original counterpart.
import { isFloat } from '../core/ir/dtype';
import { Graph, Node, QuantParams, TensorInfo, producers } from '../core/ir/graph';
import { lowerQonnx } from '../passes/lower-qonnx';
import { inferShapes } from '../passes/shape-inference';
import { qonnxReference } from './qonnx-reference';

export interface Link {
  /** Name of the tensor in the original model. */
  readonly tensor: string;
  /** 'same': equal values; 'dequantize': original = (hsq - zero point) * scale in float32. */
  readonly via: 'same' | 'dequantize';
  /** The hsq tensor's quantization (for 'dequantize', and to count steps). */
  readonly quant?: QuantParams;
}

export interface OriginalModel {
  /** What ORT runs: the original, or its QONNX reference. */
  readonly graph: Graph;
  readonly kind: 'onnx' | 'qonnx-reference';
  /** Tensor infos of the original (from its own shape inference where it succeeds). */
  readonly infos: Readonly<Record<string, TensorInfo>>;
  readonly producer: ReadonlyMap<string, Node>;
  /** Tensors computed from initializers alone. */
  readonly constant: ReadonlySet<string>;
  /** The QONNX reference's readings of missing attributes. */
  readonly notes: readonly string[];
  /** Integer tensor lower-qonnx made → the original Quant output it dequantizes to. */
  readonly dequantizes: ReadonlyMap<string, string>;
}

function constantTensors(g: Graph): Set<string> {
  const c = new Set(Object.keys(g.initializers));
  for (const n of g.nodes) if (n.inputs.every((i) => !i || c.has(i))) for (const o of n.outputs) if (o) c.add(o);
  return c;
}

/** `bound`: the imported model with its constant inputs bound (frontend/bind-inputs). */
export function originalModel(bound: Graph): OriginalModel {
  let infos: Record<string, TensorInfo> = { ...bound.tensors };
  try { infos = { ...infos, ...inferShapes(bound).tensors }; } catch { /* value_info of the file only */ }
  const ref = qonnxReference(bound);
  const dequantizes = new Map<string, string>();
  if (ref.lowered > 0) {
    for (const n of lowerQonnx(bound).nodes) {
      if (n.op === 'DequantizeLinear' && n.domain === '' && n.origin && !(n.inputs[0] in bound.initializers) && infos[n.outputs[0]])
        dequantizes.set(n.inputs[0], n.outputs[0]);
    }
  }
  return {
    graph: ref.graph, kind: ref.lowered > 0 ? 'qonnx-reference' : 'onnx', infos,
    producer: producers(ref.graph), constant: constantTensors(ref.graph), notes: ref.notes, dequantizes,
  };
}

/** The original tensor an hsq tensor stands for, if any. */
export function linkOf(g: Graph, o: OriginalModel, t: string): Link | undefined {
  const info = g.tensors[t];
  if (!info || t in g.initializers) return undefined;
  const quant = info.quant;
  const known = o.producer.has(t) || (o.graph.inputs.includes(t) && !(t in o.graph.initializers));
  if (known) {
    const oi = o.infos[t];
    if (!oi) return undefined;
    if (isFloat(oi.dtype) === isFloat(info.dtype)) return { tensor: t, via: 'same', ...(quant ? { quant } : {}) };
    if (isFloat(oi.dtype) && quant && quant.blockSize === undefined) return { tensor: t, via: 'dequantize', quant };
    return undefined;
  }
  const d = o.dequantizes.get(t);
  if (d && quant && quant.blockSize === undefined) return { tensor: d, via: 'dequantize', quant };
  return undefined;
}
