// The one builder of 256-entry lookup tables: a chain of nodes run by the interpreter's own ops
// on every byte value of the chain's integer input, at compile time. A table is therefore the
// interpreter's numbers by construction (docs: "non-linear ones are lookup tables that the
// interpreter computes at compile time and the C reads"); host C and the Cortex-M55 kernels
// both read tables made here.
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { lookupOp } from './registry';

/**
 * Runs `nodes` (each reading the previous one's output at input 0, its other inputs constants of
 * `g`) on the 256 values of an 8-bit (or narrower, sign-extended) tensor of type `xi.dtype`:
 * table[byte] = output value for the input whose byte is `byte`. Undefined when an op has no
 * descriptor.
 */
export function byteTable(g: Graph, nodes: readonly Node[], xi: TensorInfo): Int32Array | undefined {
  const xs = new (xi.dtype === 'int8' || xi.dtype === 'int4' ? Int8Array : Uint8Array)(256);
  for (let i = 0; i < 256; i++) xs[i] = i; // the store wraps: index i holds the value whose byte is i
  let v: Tensor = { dtype: xi.dtype, shape: [256], data: xs };
  let vInfo: TensorInfo = { ...xi, shape: [256] };
  for (const n of nodes) {
    const impl = lookupOp(n.op, n.domain);
    if (!impl) return undefined;
    const inputs = n.inputs.map((name, k) => (k === 0 ? v : name ? g.initializers[name] : undefined));
    const infoOf = (name: string): TensorInfo | undefined => g.tensors[name] ?? (g.initializers[name] && { name, dtype: g.initializers[name].dtype, shape: [...g.initializers[name].shape] });
    const inputInfos = n.inputs.map((name, k) => (k === 0 ? vInfo : name ? infoOf(name) : undefined));
    const outputInfos = n.outputs.map((name) => (name && g.tensors[name] ? { ...g.tensors[name], shape: [256] } : undefined));
    const [out] = impl.run({ node: n, inputs, inputInfos, outputInfos });
    v = out;
    vInfo = outputInfos[0] ?? { name: n.outputs[0], dtype: out.dtype, shape: [256] };
  }
  return Int32Array.from(v.data as ArrayLike<number>);
}
