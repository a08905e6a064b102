// The exact two-device labelling behind "weightless layers follow their neighbours": a minimum
// s-t cut (Edmonds–Karp max-flow) where the source side is the NPU and the sink side the CPU.
// Each free node i has an edge s→i of its CPU cost (cut when i ends on the CPU) and i→t of its
// NPU cost (cut when it ends on the NPU); each layer-graph edge costs its transition both ways.
// A minimum cut is then the cheapest labelling: with two labels and a pairwise cost paid only
// when the ends differ, every labelling is a cut of the same cost and vice versa.
import type { Device } from './cost-model';

/** A flow network with float capacities (Edmonds–Karp: shortest augmenting paths by BFS). */
export class FlowNet {
  private readonly cap: Map<number, number>[];
  constructor(readonly n: number) { this.cap = Array.from({ length: n }, () => new Map()); }
  add(u: number, v: number, c: number): void {
    if (c <= 0) return;
    this.cap[u].set(v, (this.cap[u].get(v) ?? 0) + c);
    if (!this.cap[v].has(u)) this.cap[v].set(u, 0);
  }
  /** Max-flow from s to t; afterwards `reachesSink` tells which side of the cut each node is on. */
  maxflow(s: number, t: number): void {
    for (;;) {
      const prev = new Array<number>(this.n).fill(-1);
      prev[s] = s;
      const queue = [s];
      while (queue.length && prev[t] < 0) {
        const u = queue.shift()!;
        for (const [v, c] of this.cap[u]) if (c > 1e-9 && prev[v] < 0) { prev[v] = u; queue.push(v); }
      }
      if (prev[t] < 0) return;
      let f = Infinity;
      for (let v = t; v !== s; v = prev[v]) f = Math.min(f, this.cap[prev[v]].get(v)!);
      for (let v = t; v !== s; v = prev[v]) {
        const u = prev[v];
        this.cap[u].set(v, this.cap[u].get(v)! - f);
        this.cap[v].set(u, (this.cap[v].get(u) ?? 0) + f);
      }
    }
  }
  /** Nodes that can still reach t in the residual graph (the sink side; ties go to the source). */
  reachesSink(t: number): boolean[] {
    const seen = new Array<boolean>(this.n).fill(false);
    seen[t] = true;
    const queue = [t];
    while (queue.length) {
      const v = queue.shift()!;
      for (let u = 0; u < this.n; u++) if (!seen[u] && (this.cap[u].get(v) ?? 0) > 1e-9) { seen[u] = true; queue.push(u); }
    }
    return seen;
  }
}

/** Capacity standing for "never": a fixed node's tie to its side, an NPU cost the NPU cannot pay. */
export const NEVER = 1e12;

export interface LabellingProblem {
  /** A node's device when it is not free (not moved by the cut). */
  readonly fixed: readonly (Device | undefined)[];
  /** Cost of each free node on the CPU and on the NPU (undefined: the NPU cannot run it). */
  readonly cpuCost: readonly number[];
  readonly npuCost: readonly (number | undefined)[];
  /** Undirected edges with the cost paid when their ends are on different devices. */
  readonly edges: readonly { readonly a: number; readonly b: number; readonly cost: number }[];
}

/**
 * The cheapest device of every node given the fixed ones. Ties (several minimum cuts) go to the
 * NPU: a node is on the CPU only when it can still reach the sink in the residual network.
 */
export function minCutLabels(p: LabellingProblem): Device[] {
  const N = p.fixed.length;
  const S = N, T = N + 1;
  const net = new FlowNet(N + 2);
  for (let i = 0; i < N; i++) {
    const f = p.fixed[i];
    if (f) { net.add(f === 'npu' ? S : i, f === 'npu' ? i : T, NEVER); continue; }
    net.add(S, i, p.cpuCost[i]);          // paid when i ends on the CPU side
    net.add(i, T, p.npuCost[i] ?? NEVER); // paid when i ends on the NPU side
  }
  for (const e of p.edges) {
    net.add(e.a, e.b, e.cost);
    net.add(e.b, e.a, e.cost);
  }
  net.maxflow(S, T);
  const sink = net.reachesSink(T);
  return p.fixed.map((f, i) => f ?? (sink[i] ? 'cpu' : 'npu'));
}
