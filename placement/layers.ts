// Layer grouping. A layer is a QConv/QGemm, or a compute node with the DequantizeLinear nodes
// that feed it and the QuantizeLinear nodes that read it (the IR's quantized float op), or a lone
// Q/DQ at a float boundary. A layer is named after its node; a fused QConv/QGemm after the
// Conv/Gemm/MatMul it came from (origin[0]), the name the user knows from the ONNX file.
import { Graph, Node, consumers } from '../core/ir/graph';
import type { LayerGroup } from './layer-adapter';

export interface Group extends LayerGroup { name: string; nodes: Node[] }

export const isQ = (n: Node): boolean => n.op === 'QuantizeLinear' && n.domain === '';
export const isDQ = (n: Node): boolean => n.op === 'DequantizeLinear' && n.domain === '';
/** Ops whose layer has weights (and MACs). */
export const isMacOp = (n: Node): boolean => (n.domain === 'hsq' && (n.op === 'QConv' || n.op === 'QConvTranspose' || n.op === 'QGemm'))
  || (n.domain === '' && ['Conv', 'Gemm', 'MatMul', 'ConvTranspose'].includes(n.op));

const DISPLAY: Readonly<Record<string, string>> = { QConv: 'Conv', QConvTranspose: 'ConvTranspose', QGemm: 'Gemm' };

/** ONNX-level op as the user knows it (QConv → Conv, QConvTranspose → ConvTranspose, QGemm → Gemm). */
export const displayOp = (n: Node): string => (n.domain === 'hsq' && DISPLAY[n.op] ? DISPLAY[n.op] : n.op);

/** Groups nodes into layers (see the header); node order inside a group is graph order. */
export function groupLayers(g: Graph): Group[] {
  const cons = consumers(g);
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const owner = new Map<Node, Node>(); // absorbed Q/DQ → core
  for (const n of g.nodes) {
    if (isDQ(n)) {
      const rs = cons.get(n.outputs[0]) ?? [];
      if (rs.length === 1 && !isQ(rs[0]) && !isDQ(rs[0]) && !g.outputs.includes(n.outputs[0])) owner.set(n, rs[0]);
    }
  }
  const prod = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) prod.set(o, n);
  for (const n of g.nodes) {
    if (!isQ(n)) continue;
    const p = prod.get(n.inputs[0]);
    if (p && !isQ(p) && !isDQ(p)) owner.set(n, p);
  }
  const groups = new Map<Node, Group>();
  const names = new Set<string>();
  const out: Group[] = [];
  for (const n of g.nodes) {
    if (owner.has(n)) continue;
    let name = isMacOp(n) && n.origin?.length ? n.origin[0] : n.name;
    if (names.has(name) || (name !== n.name && g.nodes.some((m) => m.name === name && m !== n))) name = n.name;
    names.add(name);
    const grp: Group = { name, core: n, dqs: new Map(), qs: [], nodes: [n] };
    groups.set(n, grp);
    out.push(grp);
  }
  for (const [n, core] of owner) {
    const grp = groups.get(core)!;
    grp.nodes.push(n);
    if (isDQ(n)) (grp.dqs as Map<string, Node>).set(n.outputs[0], n);
    else (grp.qs as Node[]).push(n);
  }
  for (const grp of out) grp.nodes.sort((a, b) => index.get(a)! - index.get(b)!);
  return out;
}
