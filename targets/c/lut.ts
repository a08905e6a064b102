// Lookup tables for quantized unary chains: DequantizeLinear (per tensor, 8-bit) → one or more
// unary ops with a quantized form → QuantizeLinear (per tensor) become one 256-entry table
// (ops/engine/byte-table.ts: the interpreter's own ops run on all 256 inputs). Which ops may be
// links is their descriptors' business (ops/engine/traits.ts isTableLink): a new LUT op needs
// nothing here.
import { Graph, Node } from '../../core/ir/graph';
import { matchNode, patternGraph } from '../../core/ir/pattern';
import { byteTable } from '../../ops/engine/byte-table';
import { constPerTensor, dequantizeByteActivation, quantize, tableChain } from '../../passes/qdq-patterns';

export interface LutChain {
  /** The DequantizeLinear, the float ops, the QuantizeLinear, in order. */
  readonly nodes: readonly Node[];
  /** Integer input of the DQ and output of the Q. */
  readonly input: string;
  readonly output: string;
  /** table[(uint8)x] = y. */
  readonly table: Int32Array;
}

const BYTE_OUT = ['int8', 'uint8', 'int4', 'uint4'];

/** DequantizeLinear (per tensor, of an 8-bit activation) -> table links -> QuantizeLinear (per
 *  tensor, to at most 8 bits); every link read by the next only, the DQ too. */
const LUT_CHAIN = quantize(
  tableChain(dequantizeByteActivation('dq')),
  { where: (q, { g }) => !!constPerTensor(g, q) && BYTE_OUT.includes(g.tensors[q.outputs[0]]?.dtype) },
);

/** Chains found in the graph, keyed by the QuantizeLinear node that ends them. */
export function findLutChains(g: Graph): Map<Node, LutChain> {
  const m = patternGraph(g);
  const res = new Map<Node, LutChain>();
  for (const n of g.nodes) {
    const match = matchNode(m, LUT_CHAIN, n);
    if (!match) continue;
    const dq = match.node('dq');
    const chain = [dq, ...match.all('links'), n];
    const table = byteTable(g, chain, g.tensors[dq.inputs[0]]);
    if (table) res.set(n, { nodes: chain, input: dq.inputs[0], output: n.outputs[0], table });
  }
  return res;
}
