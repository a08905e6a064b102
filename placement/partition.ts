// Partitioning: the placed graph cut into same-device segments, in an execution order.
//
// Greedy device batching over the DAG (list scheduling): keep a ready list per device; run every
// ready node of the current device (lowest graph index first, releasing its readers) until none
// is left, then close the segment and switch devices. Every node's inputs come from earlier
// nodes of the same segment or from earlier segments, so the segment graph is acyclic by
// construction, also for splits, concats and residuals, where grouping connected same-device
// nodes naively can create a cycle (A→B→D on the NPU, A→C→D on the CPU: {A,B,D} ⇄ {C}).
// A segment only closes when its device has nothing ready, so segments are as long as the
// dependencies allow. Both starting devices are tried and the one with fewer segments kept.
import { fail } from '../core/diagnostics';
import { Graph, Node } from '../core/ir/graph';
import type { Device } from './cost-model';

export interface Segment {
  /** 0-based position in the execution order. */
  readonly id: number;
  readonly device: Device;
  /** IR node names in execution order. */
  readonly nodes: readonly string[];
  /** Tensors the segment reads from graph inputs or earlier segments (not initializers). */
  readonly inputs: readonly string[];
  /** Tensors the segment produces that later segments or the graph outputs read. */
  readonly outputs: readonly string[];
}

/** Segments of `g` given each node's device (deviceOfNode from the placement). */
export function partition(g: Graph, deviceOfNode: Readonly<Record<string, Device>>): Segment[] {
  if (g.nodes.length === 0) return [];
  for (const n of g.nodes) if (!deviceOfNode[n.name]) fail('bad-input', `partition: node '${n.name}' has no device`, n.name);
  const a = schedule(g, deviceOfNode, deviceOfNode[g.nodes[0].name]);
  const other: Device = deviceOfNode[g.nodes[0].name] === 'npu' ? 'cpu' : 'npu';
  const b = g.nodes.some((n) => deviceOfNode[n.name] === other) ? schedule(g, deviceOfNode, other) : a;
  const order = b.length < a.length ? b : a;
  return describe(g, order, deviceOfNode);
}

function schedule(g: Graph, dev: Readonly<Record<string, Device>>, start: Device): Node[][] {
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const prod = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) prod.set(o, n);
  const deps = new Map<Node, number>();
  const readers = new Map<Node, Node[]>();
  for (const n of g.nodes) {
    const ps = new Set<Node>();
    for (const i of n.inputs) { const p = i ? prod.get(i) : undefined; if (p && p !== n) ps.add(p); }
    deps.set(n, ps.size);
    for (const p of ps) { const l = readers.get(p); if (l) l.push(n); else readers.set(p, [n]); }
  }
  const ready: Record<Device, Node[]> = { npu: [], cpu: [] };
  const push = (n: Node): void => {
    const l = ready[dev[n.name]];
    // Keep sorted by graph index (the list is short: a binary insert is not worth it).
    let k = l.length;
    while (k > 0 && index.get(l[k - 1])! > index.get(n)!) k--;
    l.splice(k, 0, n);
  };
  for (const n of g.nodes) if (deps.get(n) === 0) push(n);
  const segs: Node[][] = [];
  let cur = start;
  let done = 0;
  while (done < g.nodes.length) {
    if (ready[cur].length === 0) {
      cur = cur === 'npu' ? 'cpu' : 'npu';
      if (ready[cur].length === 0) fail('corrupt-model', 'partition: the graph has a cycle', g.name);
    }
    const seg: Node[] = [];
    while (ready[cur].length) {
      const n = ready[cur].shift()!;
      seg.push(n);
      done++;
      for (const r of readers.get(n) ?? []) {
        const left = deps.get(r)! - 1;
        deps.set(r, left);
        if (left === 0) push(r);
      }
    }
    segs.push(seg);
    cur = cur === 'npu' ? 'cpu' : 'npu';
  }
  return segs;
}

function describe(g: Graph, segs: Node[][], dev: Readonly<Record<string, Device>>): Segment[] {
  const segOf = new Map<string, number>(); // tensor → producing segment
  segs.forEach((s, k) => s.forEach((n) => n.outputs.forEach((o) => { if (o) segOf.set(o, k); })));
  const readBy = new Map<string, Set<number>>();
  segs.forEach((s, k) => s.forEach((n) => n.inputs.forEach((i) => {
    if (!i) return;
    if (!readBy.has(i)) readBy.set(i, new Set());
    readBy.get(i)!.add(k);
  })));
  const graphOut = new Set(g.outputs);
  return segs.map((s, k) => {
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (const n of s) {
      for (const i of n.inputs) {
        if (!i || i in g.initializers || inputs.includes(i)) continue;
        if (segOf.get(i) !== k) inputs.push(i);
      }
      for (const o of n.outputs) {
        if (!o) continue;
        const external = [...(readBy.get(o) ?? [])].some((r) => r !== k);
        if ((external || graphOut.has(o)) && !outputs.includes(o)) outputs.push(o);
      }
    }
    return { id: k, device: dev[s[0].name], nodes: s.map((n) => n.name), inputs, outputs };
  });
}

/** Device switches between consecutive segments. */
export function countTransitions(segments: readonly Segment[]): number {
  let t = 0;
  for (let k = 1; k < segments.length; k++) if (segments[k].device !== segments[k - 1].device) t++;
  return t;
}

/** Segment-level edges (producer segment → reader segment), for checks and reports. */
export function segmentEdges(segments: readonly Segment[]): [number, number][] {
  const prodSeg = new Map<string, number>();
  for (const s of segments) for (const o of s.outputs) prodSeg.set(o, s.id);
  const edges: [number, number][] = [];
  for (const s of segments) for (const i of s.inputs) {
    const p = prodSeg.get(i);
    if (p !== undefined && !edges.some(([a, b]) => a === p && b === s.id)) edges.push([p, s.id]);
  }
  return edges;
}
