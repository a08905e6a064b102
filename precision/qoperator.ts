// QDQ → QOperator: DQ(x) → Conv(DQ(w), DQ(b int32)?) → Q(y) becomes QLinearConv, and
// DQ(a) → MatMul(DQ(w)) → Q(y) becomes QLinearMatMul (the format of ORT's older quantizer).
// Only per-tensor activations and int8/uint8 weights (QLinear ops take no INT4); anything else
// stays QDQ. A Relu between the Conv and the Q is dropped where the Q's zero point is the bottom
// of its range (then the Q's saturation is the Relu, as ORT's quantizer assumes). Used to check hsq against ORT on QOperator models.
import { Graph, Node, consumers, producers } from '../core/ir/graph';
import { removeDeadCode } from '../passes/dead-code';

export function toQOperator(g: Graph): Graph {
  const prod = producers(g);
  const cons = consumers(g);
  const dqOf = (t: string | undefined): Node | undefined => {
    const p = t ? prod.get(t) : undefined;
    return p && p.op === 'DequantizeLinear' && p.domain === '' ? p : undefined;
  };
  const drop = new Set<Node>();
  const swap = new Map<Node, Node>();
  for (const n of g.nodes) {
    if ((n.op !== 'Conv' && n.op !== 'MatMul') || n.domain !== '') continue;
    const x = dqOf(n.inputs[0]), w = dqOf(n.inputs[1]);
    let cs = cons.get(n.outputs[0]) ?? [];
    // A Relu before a Q whose zero point is the bottom of its range is the Q's own saturation.
    let relu: Node | undefined;
    if (cs.length === 1 && cs[0].op === 'Relu' && !g.outputs.includes(n.outputs[0])) { relu = cs[0]; cs = cons.get(relu.outputs[0]) ?? []; }
    const q = cs.length === 1 && cs[0].op === 'QuantizeLinear' && !g.outputs.includes(cs[0].inputs[0]) ? cs[0] : undefined;
    if (relu && q) {
      const z = q.inputs[2] ? g.initializers[q.inputs[2]] : undefined;
      const bottom = z?.dtype === 'int8' ? -128 : 0;
      if (!z || z.data.length !== 1 || Number(z.data[0]) !== bottom) continue;
    }
    if (!x || !w || !q || !(w.inputs[0] in g.initializers)) continue;
    const wt = g.initializers[w.inputs[0]];
    if (wt.dtype !== 'int8' && wt.dtype !== 'uint8') continue;
    if (g.initializers[x.inputs[1]]?.data.length !== 1 || g.initializers[q.inputs[1]]?.data.length !== 1) continue;
    const b = n.op === 'Conv' ? dqOf(n.inputs[2]) : undefined;
    if (n.inputs[2] && !b) continue;
    const inputs = [x.inputs[0], x.inputs[1], x.inputs[2], w.inputs[0], w.inputs[1], w.inputs[2], q.inputs[1], q.inputs[2]];
    if (b) inputs.push(b.inputs[0]);
    const attrs = n.op === 'Conv' ? n.attrs : {};
    swap.set(n, { name: n.name, op: n.op === 'Conv' ? 'QLinearConv' : 'QLinearMatMul', domain: '', opset: n.opset, inputs, outputs: [q.outputs[0]], attrs });
    drop.add(q);
    if (relu) drop.add(relu);
  }
  const nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => swap.get(n) ?? n);
  return removeDeadCode({ ...g, nodes });
}
