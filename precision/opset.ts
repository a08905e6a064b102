// Moves a graph's default-domain nodes to opset 21 (needed for INT4 Q/DQ), rewriting the ops
// whose attributes became inputs on the way (the rules: frontend/onnx/opset-upgrade.ts).
import { Graph } from '../core/ir/graph';
import { upgradeDefaultOpset } from '../frontend/onnx/opset-upgrade';

export const QDQ_OPSET = 21;
export const QDQ_IR_VERSION = 10;

export function upgradeOpset(g: Graph, to = QDQ_OPSET): Graph {
  return { ...upgradeDefaultOpset(g, to), irVersion: Math.max(g.irVersion, QDQ_IR_VERSION) };
}
