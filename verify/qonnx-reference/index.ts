// A reference for QONNX models: Quant (IntQuant), BipolarQuant and Trunc lowered to standard
// ONNX nodes that compute qonnx's own definition (src/qonnx/custom_op/general/) step by step
// in float32, so ONNX Runtime can run any QONNX model and act as the oracle for it.
//
// Tensor names of the model are kept (each QONNX node's output keeps its name; new tensors are
// named after the node), so a tensor of the QONNX model can be fetched from the reference.
// ORT should run the reference without graph optimizations: qonnx executes a model node by node
// (each standard node alone in ORT), so fusions such as Conv+BatchNormalization, which change
// float32 rounding, are not part of what it defines (see ORT_REFERENCE_OPTIONS).
import { fail } from '../../core/diagnostics';
import { Graph, Node } from '../../core/ir/graph';
import { QONNX_DOMAINS } from '../../passes/lower-qonnx';
import { allNames, nodeNames } from '../../passes/util';
import { RefBuilder } from './builder';
import { lowerBipolarQuant } from './bipolar-quant';
import { lowerQuant } from './quant';
import { lowerTrunc } from './trunc';

export { QONNX_DOMAINS };

export interface QonnxReference {
  /** The model with every QONNX node replaced by standard ONNX nodes (same tensor names). */
  readonly graph: Graph;
  /** QONNX nodes lowered (0: the model had none and `graph` is the input). */
  readonly lowered: number;
  /** Readings the reference had to make where qonnx itself would stop (missing attributes). */
  readonly notes: readonly string[];
}

/** ONNX Runtime session options for running a reference as qonnx executes it. */
export const ORT_REFERENCE_OPTIONS = { optimization: 'disabled' } as const;

export const isQonnxNode = (n: Node): boolean => QONNX_DOMAINS.includes(n.domain);

export function qonnxReference(g: Graph): QonnxReference {
  if (!g.nodes.some(isQonnxNode)) return { graph: g, lowered: 0, notes: [] };
  const names = allNames(g), nodes = nodeNames(g);
  const opset = g.opsets[''] ?? 1;
  const out: Node[] = [];
  const initializers = { ...g.initializers };
  const notes: string[] = [];
  let lowered = 0;
  for (const n of g.nodes) {
    if (!isQonnxNode(n)) { out.push(n); continue; }
    if (n.outputs.length !== 1 || !n.outputs[0]) fail('bad-input', `node '${n.name}' (${n.op}): expected one output`, n.name);
    const b = new RefBuilder(g, names, nodes, opset, n.name);
    switch (n.op) {
      case 'Quant': case 'IntQuant': lowerQuant(g, n, b, notes); break;
      case 'BipolarQuant': lowerBipolarQuant(n, b); break;
      case 'Trunc': lowerTrunc(g, n, b); break;
      default: fail('unsupported', `node '${n.name}': QONNX op ${n.domain}:${n.op} has no standard-ONNX reference (Quant, IntQuant, BipolarQuant, Trunc)`, n.name);
    }
    out.push(...b.nodes);
    Object.assign(initializers, b.initializers);
    lowered++;
  }
  const opsets = Object.fromEntries(Object.entries(g.opsets).filter(([d]) => !QONNX_DOMAINS.includes(d)));
  return { graph: { ...g, nodes: out, initializers, opsets: { ...opsets, '': opset } }, lowered, notes };
}
