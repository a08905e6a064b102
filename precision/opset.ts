// Moves a graph's default-domain nodes to opset 21 (needed for INT4 Q/DQ), rewriting the few
// ops whose attributes became inputs on the way: Squeeze/Unsqueeze/ReduceSum axes (13),
// Split split (13), the other Reduce* axes (18).
import { Graph, Node } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { allNames, freshName } from '../passes/util';

const AXES_AT: Record<string, number> = {
  Squeeze: 13, Unsqueeze: 13, ReduceSum: 13,
  ReduceMean: 18, ReduceMax: 18, ReduceMin: 18, ReduceProd: 18, ReduceL1: 18, ReduceL2: 18,
  ReduceLogSum: 18, ReduceLogSumExp: 18, ReduceSumSquare: 18,
};

export const QDQ_OPSET = 21;
export const QDQ_IR_VERSION = 10;

export function upgradeOpset(g: Graph, to = QDQ_OPSET): Graph {
  const from = g.opsets[''] ?? to;
  if (from >= to) return { ...g, irVersion: Math.max(g.irVersion, QDQ_IR_VERSION) };
  const names = allNames(g);
  const initializers = { ...g.initializers };
  const tensors = { ...g.tensors };
  const nodes: Node[] = g.nodes.map((n) => {
    if (n.domain !== '') return n;
    const v = n.opset ?? from;
    let out: Node = { ...n, opset: to };
    const key = n.op === 'Split' ? 'split' : 'axes';
    const at = n.op === 'Split' ? 13 : AXES_AT[n.op];
    const val = n.attrs[key] as readonly number[] | undefined;
    if (at !== undefined && v < at && val !== undefined) {
      const attrs = { ...n.attrs };
      delete attrs[key];
      const attrTypes = n.attrTypes ? { ...n.attrTypes } : undefined;
      if (attrTypes) delete attrTypes[key];
      const c = freshName(names, `${n.name}_${key}`);
      initializers[c] = makeTensor('int64', [val.length], val);
      tensors[c] = { name: c, dtype: 'int64', shape: [val.length] };
      const inputs = [...n.inputs];
      inputs[1] = c;
      out = { ...out, inputs, attrs, ...(attrTypes ? { attrTypes } : {}) };
    }
    return out;
  });
  return { ...g, nodes, initializers, tensors, opsets: { ...g.opsets, '': to }, irVersion: Math.max(g.irVersion, QDQ_IR_VERSION) };
}
