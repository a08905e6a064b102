// `If` whose condition is known at compile time is replaced by the branch it takes: the branch's
// nodes and initializers are spliced in at the If's place (names made unique under the If's
// name, the branch outputs renamed to the If's outputs), repeatedly, so nested Ifs fold too.
// The condition is evaluated with the interpreter from the graph's constants (initializers,
// inputs bound with --bind, and whatever is computed from them only). An If whose condition
// depends on a runtime input is an error naming the node: hsq emits straight-line code.
import { onnx } from 'onnx-proto';
import { fail } from '../../core/diagnostics';
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { lookupOp } from '../../ops/engine/registry';
import { decodeModel } from './import';

/** Value of `name` when it depends on constants only (memoised in `known`). */
function constantOf(g: Graph, name: string, known: Map<string, Tensor | null>, producers: Map<string, Node>): Tensor | undefined {
  if (name in g.initializers) return g.initializers[name];
  if (known.has(name)) return known.get(name) ?? undefined;
  known.set(name, null);
  const p = producers.get(name);
  const impl = p && lookupOp(p.op, p.domain);
  if (!p || !impl || p.op === 'If') return undefined;
  const inputs: (Tensor | undefined)[] = [];
  for (const i of p.inputs) {
    if (!i) { inputs.push(undefined); continue; }
    const v = constantOf(g, i, known, producers);
    if (!v) return undefined;
    inputs.push(v);
  }
  try {
    const outs = impl.run({ node: p, inputs, inputInfos: p.inputs.map((i) => g.tensors[i]), outputInfos: p.outputs.map((o) => g.tensors[o]) });
    p.outputs.forEach((o, k) => known.set(o, outs[k] ?? null));
  } catch {
    return undefined;
  }
  return known.get(name) ?? undefined;
}

function branchGraph(g: Graph, n: Node, which: 'then_branch' | 'else_branch'): Graph {
  const a = n.attrs[which] as { graph?: onnx.IGraphProto } | undefined;
  if (!a?.graph) return fail('corrupt-model', `node '${n.name}' (If): no ${which}`, n.name);
  const opsetImport = Object.entries(g.opsets).map(([domain, version]) => ({ domain, version }));
  const bytes = onnx.ModelProto.encode({ irVersion: g.irVersion || 8, opsetImport, graph: { ...a.graph, input: [] } }).finish();
  return decodeModel(bytes);
}

function spliceBranch(g: Graph, n: Node, b: Graph): Graph {
  const taken = new Set<string>([...Object.keys(g.tensors), ...Object.keys(g.initializers), ...g.nodes.flatMap((m) => [...m.inputs, ...m.outputs]), ...g.nodes.map((m) => m.name)]);
  const fresh = (base: string): string => { let s = base; for (let k = 1; taken.has(s); k++) s = `${base}_${k}`; taken.add(s); return s; };
  const rename = new Map<string, string>();
  // Branch outputs produced inside the branch take the If's output names.
  const produced = new Set(b.nodes.flatMap((m) => m.outputs));
  const copies: { src: string; k: number }[] = [];
  b.outputs.forEach((o, k) => {
    if (produced.has(o) && !rename.has(o)) rename.set(o, n.outputs[k]);
    else copies.push({ src: o, k });
  });
  for (const t of [...produced, ...Object.keys(b.initializers)]) if (t && !rename.has(t)) rename.set(t, fresh(`${n.name}/${t}`));
  const r = (t: string) => (t ? rename.get(t) ?? t : t);
  const nodes = b.nodes.map((m) => ({ ...m, name: fresh(`${n.name}/${m.name}`), inputs: m.inputs.map(r), outputs: m.outputs.map(r) }));
  // An output that is an outer-scope value, a branch initializer or another output: an Identity.
  const identities: Node[] = copies.map(({ src, k }) => ({ name: fresh(`${n.name}/out${k}`), op: 'Identity', domain: '', opset: g.opsets[''], inputs: [r(src)], outputs: [n.outputs[k]], attrs: {} }));
  const initializers = { ...g.initializers };
  for (const [k, v] of Object.entries(b.initializers)) initializers[r(k)] = v;
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  for (const [k, v] of Object.entries(b.tensors)) if (!n.outputs.includes(r(k))) tensors[r(k)] = { ...v, name: r(k) };
  const at = g.nodes.indexOf(n);
  return { ...g, nodes: [...g.nodes.slice(0, at), ...nodes, ...identities, ...g.nodes.slice(at + 1)], initializers, tensors };
}

/** Every default-domain If folded into the branch its constant condition selects. */
export function foldConstantIfs(g0: Graph): Graph {
  let g = g0;
  for (let guard = 0; guard < 10000; guard++) {
    const n = g.nodes.find((m) => m.op === 'If' && m.domain === '');
    if (!n) return g;
    const producers = new Map<string, Node>();
    for (const m of g.nodes) for (const o of m.outputs) if (o) producers.set(o, m);
    const cond = constantOf(g, n.inputs[0], new Map(), producers);
    if (!cond) {
      fail('unsupported', `node '${n.name}' (If): its condition '${n.inputs[0]}' is not known at compile time; make the graph inputs it depends on constants with --bind NAME=VALUE`, n.name);
    }
    if (cond.data.length !== 1) fail('bad-input', `node '${n.name}' (If): the condition has ${cond.data.length} elements (one expected)`, n.name);
    g = spliceBranch(g, n, branchGraph(g, n, Number(cond.data[0]) ? 'then_branch' : 'else_branch'));
  }
  return g;
}
