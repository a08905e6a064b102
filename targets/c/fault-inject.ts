// A test-only fault in the emitted C, to prove that `hsq verify --per-layer` and `--trace` find
// a wrong layer: HSQ_FAULT_INJECT=bias:<layer> makes the C of that layer (IR node name or its
// ONNX origin) use a bias off by one output step on every channel (one unit for a float bias;
// for an int32 accumulator bias, round(1 / multiplier): one rounding step at the output, so the
// fault cannot hide inside the requantization). The interpreter, and every other layer, are
// untouched. Unset (always outside tests), the graph is returned as it is.
import { fail } from '../../core/diagnostics';
import { Graph, Node } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';

export const FAULT_ENV = 'HSQ_FAULT_INJECT';

/** Bias input of the ops that have one. */
const BIAS_INPUT: Readonly<Record<string, number>> = { QConv: 2, QConvTranspose: 2, QGemm: 2, Conv: 2, Gemm: 2, QLinearConv: 8 };

const faulted = new WeakSet<Graph>();

function matches(n: Node, layer: string): boolean {
  return n.name === layer || (n.origin ?? []).includes(layer);
}

/** `g` with the fault of HSQ_FAULT_INJECT applied (idempotent: an already faulted graph is returned as it is). */
export function withInjectedFault(g: Graph): Graph {
  const spec = process.env[FAULT_ENV];
  if (!spec || faulted.has(g)) return g;
  const m = /^bias:(.+)$/.exec(spec);
  if (!m) fail('bad-input', `${FAULT_ENV}='${spec}': expected bias:<layer>`, FAULT_ENV);
  const layer = m[1];
  const node = g.nodes.find((n) => matches(n, layer) && BIAS_INPUT[n.op] !== undefined && n.inputs[BIAS_INPUT[n.op]]);
  // The graph may be one segment of a model (stm32n6 CPU code): a layer elsewhere is no error.
  if (!node) { faulted.add(g); return g; }
  const bias = node.inputs[BIAS_INPUT[node.op]];
  const b = g.initializers[bias];
  if (!b) { faulted.add(g); return g; }
  const data = b.data.slice() as Tensor['data'];
  const step = stepOf(g, node, data.length);
  for (let c = 0; c < data.length; c++) (data as Float32Array)[c] = Number(data[c]) + step[c];
  const out: Graph = { ...g, initializers: { ...g.initializers, [bias]: { ...b, data } } };
  faulted.add(out);
  return out;
}

/** One output step per channel in bias units. */
function stepOf(g: Graph, n: Node, channels: number): number[] {
  const one = new Array<number>(channels).fill(1);
  if (n.op !== 'QConv' && n.op !== 'QConvTranspose' && n.op !== 'QGemm') return one;
  const x = g.tensors[n.inputs[0]]?.quant, w = g.tensors[n.inputs[1]]?.quant, y = g.tensors[n.outputs[0]]?.quant;
  if (!x || !w || !y) return one;
  return one.map((_, c) => Math.max(1, Math.round(y.scale[0] / (x.scale[0] * (w.scale[c] ?? w.scale[0])))));
}
