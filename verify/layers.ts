// The layers `hsq verify --per-layer` checks: the placement pass's grouping (a QConv/QGemm, or a
// compute node with the DequantizeLinear nodes feeding it and the QuantizeLinear nodes reading
// it, or a lone Q/DQ), named as report.json names them. One difference: placement first gives
// every reader of a shared DequantizeLinear its own copy; here the shared DQ is its own layer, so
// the checked graph is the one the engines run, unchanged.
//
// A layer's inputs are the non-constant tensors its nodes read from outside it; its outputs the
// tensors it produces that other layers (or the graph outputs) read.
import { Graph, Node } from '../core/ir/graph';
import { precisionFields } from '../placement/describe';
import { precisionText } from '../placement/reasons';
import { groupLayers } from '../placement/placement';

export interface VerifyLayer {
  readonly name: string;
  /** The ONNX op the user knows (QConv shows as Conv). */
  readonly op: string;
  /** w4a8, a8, f32 ... as report.json writes it. */
  readonly precision: string;
  /** The computing node (QConv, the float op of a DQ → op → Q group, a lone Q or DQ). */
  readonly core: Node;
  /** The layer's IR nodes in graph order. */
  readonly nodes: readonly Node[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

const displayOp = (n: Node): string => (n.domain === 'hsq' && n.op === 'QConv' ? 'Conv' : n.domain === 'hsq' && n.op === 'QGemm' ? 'Gemm' : n.op);

export function verifyLayers(g: Graph): VerifyLayer[] {
  const readers = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) (readers.get(i) ?? readers.set(i, []).get(i)!).push(n);
  const graphOutputs = new Set(g.outputs);
  return groupLayers(g).map((grp) => {
    const own = new Set(grp.nodes);
    const produced = new Set(grp.nodes.flatMap((n) => n.outputs.filter(Boolean)));
    const inputs: string[] = [];
    for (const n of grp.nodes) for (const i of n.inputs)
      if (i && !(i in g.initializers) && !produced.has(i) && !inputs.includes(i)) inputs.push(i);
    const outputs = [...produced].filter((t) => graphOutputs.has(t) || (readers.get(t) ?? []).some((r) => !own.has(r)));
    const precision = precisionText(precisionFields(g, grp));
    return { name: grp.name, op: displayOp(grp.core), precision, core: grp.core, nodes: grp.nodes, inputs, outputs };
  });
}
