// Quantized Softmax / LogSoftmax: DequantizeLinear (per tensor, of an 8-bit activation) ->
// Softmax | LogSoftmax -> QuantizeLinear (per tensor, to at most 8 bits), each link read by the
// next only, is one layer on the 8-bit tensors (ops/engine/traits: quant
// 'dequantize-compute-quantize'): x dequantized, the float32 rows of the float op, y quantized
// round half to even (targets/c/ops/softmax.ts). The numbers are the interpreter's, which runs
// the three nodes; the float tensors between them are never stored.
import { intRange } from '../../core/ir/dtype';
import { Graph, Node } from '../../core/ir/graph';
import { matchNode, P, patternGraph } from '../../core/ir/pattern';
import { quantRange } from '../../core/numerics';
import { constPerTensor, dequantizeByteActivation, quantize } from '../../passes/qdq-patterns';
import { SoftmaxQuant } from './ops/softmax';

export interface SoftmaxChain {
  /** The DequantizeLinear, the Softmax / LogSoftmax, the QuantizeLinear, in order. */
  readonly nodes: readonly Node[];
  /** The layer as one node: the float op reading the DQ's input and writing the Q's output. */
  readonly node: Node;
  readonly log: boolean;
  readonly quant: SoftmaxQuant;
}

const BYTE_OUT = ['int8', 'uint8'];

/** Scale and zero point of a per-tensor Q/DQ with constant float32 parameters (the C rows read
 *  them as float), not blocked. */
function perTensor(g: Graph, n: Node): { scale: number; zp: number } | undefined {
  if (g.initializers[n.inputs[1]]?.dtype !== 'float32' || ((n.attrs.block_size as number | undefined) ?? 0) > 0) return undefined;
  return constPerTensor(g, n);
}

const CHAIN = quantize(
  P.op(['Softmax', 'LogSoftmax'], {
    name: 'op', exclusive: true,
    src: [dequantizeByteActivation('dq', (dq, { g }) => !!perTensor(g, dq))],
  }),
  { where: (q, { g }) => !!perTensor(g, q) && BYTE_OUT.includes(g.tensors[q.outputs[0]]?.dtype) && !g.tensors[q.outputs[0]]?.quant?.bipolar },
);

/** Chains found in the graph, keyed by the QuantizeLinear node that ends them. */
export function findSoftmaxChains(g: Graph): Map<Node, SoftmaxChain> {
  const m = patternGraph(g);
  const res = new Map<Node, SoftmaxChain>();
  for (const n of g.nodes) {
    const match = matchNode(m, CHAIN, n);
    if (!match) continue;
    const dq = match.node('dq'), op = match.node('op');
    const x = perTensor(g, dq)!, y = perTensor(g, n)!;
    const yi = g.tensors[n.outputs[0]];
    const [lo, hi] = yi.quant ? quantRange(yi.quant.bits, yi.quant.signed, yi.quant.narrow) : intRange(yi.dtype);
    res.set(n, {
      nodes: [dq, op, n],
      node: { ...op, inputs: [dq.inputs[0]], outputs: [n.outputs[0]] },
      log: op.op === 'LogSoftmax',
      quant: { xScale: x.scale, xZero: x.zp, yScale: y.scale, yZero: y.zp, lo, hi },
    });
  }
  return res;
}
