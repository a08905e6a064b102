// Lookup tables for quantized unary chains: DequantizeLinear (per tensor, 8-bit) → one or more
// float unary ops → QuantizeLinear (per tensor) become one 256-entry table, computed at compile
// time by running the interpreter's own ops on all 256 inputs (docs: "non-linear ones are lookup
// tables that the interpreter computes at compile time and the C reads"). The numbers are the
// interpreter's by construction.
import { lookupOp } from '../../ops/engine/registry';
import { isTableLink } from '../../ops/engine/traits';
import { Graph, Node, TensorInfo, consumers } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';


export interface LutChain {
  /** The DequantizeLinear, the float ops, the QuantizeLinear, in order. */
  readonly nodes: readonly Node[];
  /** Integer input of the DQ and output of the Q. */
  readonly input: string;
  readonly output: string;
  /** table[(uint8)x] = y. */
  readonly table: Int32Array;
}

function perTensorConst(g: Graph, n: Node): boolean {
  const s = n.inputs[1], z = n.inputs[2];
  if (!s || !(s in g.initializers) || g.initializers[s].data.length !== 1) return false;
  if (z && (!(z in g.initializers) || g.initializers[z].data.length !== 1)) return false;
  return true;
}

/** Chains found in the graph, keyed by the QuantizeLinear node that ends them. */
export function findLutChains(g: Graph): Map<Node, LutChain> {
  const cons = consumers(g);
  const outputs = new Set(g.outputs);
  const only = (t: string): Node | undefined => {
    const c = cons.get(t);
    return c && c.length === 1 && !outputs.has(t) ? c[0] : undefined;
  };
  const res = new Map<Node, LutChain>();
  for (const dq of g.nodes) {
    if (dq.op !== 'DequantizeLinear' || dq.domain !== '' || !perTensorConst(g, dq)) continue;
    const xi = g.tensors[dq.inputs[0]];
    if (!xi || (xi.dtype !== 'int8' && xi.dtype !== 'uint8') || dq.inputs[0] in g.initializers) continue;
    const chain: Node[] = [dq];
    let t = dq.outputs[0];
    let next = only(t);
    while (next && next.domain === '' && isTableLink(next) && next.inputs[0] === t && next.inputs.slice(1).every((i) => !i || i in g.initializers)) {
      chain.push(next);
      t = next.outputs[0];
      next = only(t);
    }
    if (chain.length < 2 || !next || next.op !== 'QuantizeLinear' || next.domain !== '' || next.inputs[0] !== t || !perTensorConst(g, next)) continue;
    const yi = g.tensors[next.outputs[0]];
    if (!yi || !['int8', 'uint8', 'int4', 'uint4'].includes(yi.dtype)) continue;
    chain.push(next);
    const table = computeTable(g, chain, xi);
    if (table) res.set(next, { nodes: chain, input: dq.inputs[0], output: next.outputs[0], table });
  }
  return res;
}

function computeTable(g: Graph, chain: readonly Node[], xi: TensorInfo): Int32Array | undefined {
  const xs = new (xi.dtype === 'int8' ? Int8Array : Uint8Array)(256);
  for (let i = 0; i < 256; i++) xs[i] = i; // the store wraps: index i holds the value whose byte is i
  let v: Tensor = { dtype: xi.dtype, shape: [256], data: xs };
  for (const n of chain) {
    const impl = lookupOp(n.op, n.domain);
    if (!impl) return undefined;
    const inputs = n.inputs.map((name, k) => (k === 0 ? v : name ? g.initializers[name] : undefined));
    const info = (name: string): TensorInfo | undefined => (name ? { ...g.tensors[name], shape: [256] } : undefined);
    const [out] = impl.run({ node: n, inputs, inputInfos: n.inputs.map((name, k) => (k === 0 ? { ...info(name)!, dtype: v.dtype } : name ? g.tensors[name] : undefined)), outputInfos: n.outputs.map(info) });
    v = out;
  }
  return Int32Array.from(v.data as ArrayLike<number>);
}
