// Conv/Gemm/MatMul followed by an Add of a constant per-output-channel vector (how CNTK and
// some TensorFlow exports write a bias) become one layer with that bias: Conv takes it as B,
// MatMul with a 2-D input becomes Gemm with C. Below 8 bits this matters: unfolded, the layer's
// output is quantized twice (before and after the Add) and the Add's grid spends half its
// levels on a range the bias only shifts. The precision stage folds only layers it quantizes
// below 8 bits, so w8 outputs stay as they were. b' = fround(b + c).
import { Graph, Node, attrFloat, attrInt, consumers } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { allNames, freshName } from '../passes/util';

const f = Math.fround;

/** The per-channel values of a constant Add operand for an output of `m` channels on `axis`, or undefined. */
function channelVector(t: Tensor, outRank: number, axis: number, m: number): Float32Array | undefined {
  if (t.dtype !== 'float32' || t.shape.length > outRank) return undefined;
  const shape = [...new Array(outRank - t.shape.length).fill(1), ...t.shape];
  if (shape.some((d, i) => (i === axis ? d !== m && d !== 1 : d !== 1))) return undefined;
  const d = t.data as Float32Array;
  return shape[axis] === m ? Float32Array.from(d) : new Float32Array(m).fill(d[0]);
}

/** Folds the Adds after the named layers; returns the graph, the layers folded and the Adds removed. */
export function foldBiasAdds(g: Graph, layers: ReadonlySet<string>): { graph: Graph; folded: string[]; removed: string[] } {
  const cons = consumers(g);
  const names = allNames(g);
  const inits = { ...g.initializers };
  const drop = new Set<Node>();
  const replace = new Map<Node, Node>();
  const folded: string[] = [];
  for (const n of g.nodes) {
    if (!layers.has(n.name) || n.domain !== '') continue;
    const w = inits[n.inputs[1]];
    const y = n.outputs[0];
    const cs = cons.get(y) ?? [];
    if (!w || w.dtype !== 'float32' || w.shape.length < 2 || cs.length !== 1 || g.outputs.includes(y)) continue;
    const add = cs[0];
    if (add.op !== 'Add' || add.domain !== '' || add.inputs.length !== 2) continue;
    const other = add.inputs[0] === y ? add.inputs[1] : add.inputs[0];
    const c = inits[other];
    const outInfo = g.tensors[y];
    if (!c || !outInfo || other === y) continue;
    let op = n.op;
    let m: number, axis: number;
    if (n.op === 'Conv') { m = w.shape[0]; axis = 1; }
    else if (n.op === 'Gemm' && attrInt(n, 'transA', 0) === 0 && attrFloat(n, 'beta', 1) === 1) { m = attrInt(n, 'transB', 0) ? w.shape[0] : w.shape[1]; axis = 1; }
    else if (n.op === 'MatMul' && w.shape.length === 2 && g.tensors[n.inputs[0]]?.shape.length === 2) { m = w.shape[1]; axis = 1; op = 'Gemm'; }
    else continue;
    const v = channelVector(c, outInfo.shape.length, axis, m);
    if (!v) continue;
    const old = n.inputs[2] ? inits[n.inputs[2]] : undefined;
    if (n.inputs[2] && (!old || old.dtype !== 'float32' || numel(old.shape) !== m)) continue;
    const b = new Float32Array(m);
    for (let k = 0; k < m; k++) b[k] = f((old ? (old.data as Float32Array)[k] : 0) + v[k]);
    const bName = freshName(names, `${n.name}_bias`);
    inits[bName] = makeTensor('float32', [m], b);
    const attrs = op === 'Gemm' && n.op === 'MatMul' ? {} : n.attrs;
    replace.set(n, { ...n, op, inputs: [n.inputs[0], n.inputs[1], bName], outputs: [add.outputs[0]], attrs });
    drop.add(add);
    folded.push(n.name);
  }
  if (!folded.length) return { graph: g, folded, removed: [] };
  const nodes = g.nodes.filter((n) => !drop.has(n)).map((n) => replace.get(n) ?? n);
  const tensors = { ...g.tensors };
  for (const [, n] of replace) {
    const b = n.inputs[2];
    tensors[b] = { name: b, dtype: 'float32', shape: [...inits[b].shape] };
  }
  const used = new Set(nodes.flatMap((n) => n.inputs));
  for (const k of Object.keys(inits)) if (!used.has(k) && !g.outputs.includes(k) && !(g.initializers[k] && g.inputs.includes(k))) delete inits[k];
  return { graph: { ...g, nodes, initializers: inits, tensors }, folded, removed: [...drop].map((n) => n.name) };
}
