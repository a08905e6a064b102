// The min-cut behind the followers (placement/min-cut.ts): max-flow on a textbook network with a
// known cut, small labellings with known answers, ties, and random problems against brute force.
import type { Device } from '../placement/cost-model';
import { FlowNet, LabellingProblem, minCutLabels } from '../placement/min-cut';
import { rng } from './passes-helpers';

/** Total cost of a labelling: each free node on its device, each edge whose ends differ. */
function energy(p: LabellingProblem, devs: readonly Device[]): number {
  let e = 0;
  devs.forEach((d, i) => {
    if (p.fixed[i]) { if (d !== p.fixed[i]) e += Infinity; return; }
    e += d === 'cpu' ? p.cpuCost[i] : p.npuCost[i] ?? Infinity;
  });
  for (const x of p.edges) if (devs[x.a] !== devs[x.b]) e += x.cost;
  return e;
}

/** Every labelling of the free nodes, cheapest first (stable: enumeration order among equals). */
function allLabellings(p: LabellingProblem): { devs: Device[]; e: number }[] {
  const free = p.fixed.map((f, i) => (f ? -1 : i)).filter((i) => i >= 0);
  const out: { devs: Device[]; e: number }[] = [];
  for (let m = 0; m < 1 << free.length; m++) {
    const devs = p.fixed.map((f) => f ?? 'npu') as Device[];
    free.forEach((i, k) => { if (m & (1 << k)) devs[i] = 'cpu'; });
    out.push({ devs, e: energy(p, devs) });
  }
  return out.sort((a, b) => a.e - b.e);
}

describe('FlowNet (Edmonds–Karp)', () => {
  test('the CLRS network (fig. 26.1): max flow 23, minimum cut {v3, t} on the sink side', () => {
    const net = new FlowNet(6); // s=0, v1..v4=1..4, t=5
    const edges: [number, number, number][] = [[0, 1, 16], [0, 2, 13], [1, 3, 12], [2, 1, 4], [2, 4, 14], [3, 2, 9], [3, 5, 20], [4, 3, 7], [4, 5, 4]];
    for (const [u, v, c] of edges) net.add(u, v, c);
    net.maxflow(0, 5);
    const sink = net.reachesSink(5);
    expect(sink.map((x, i) => (x ? i : -1)).filter((i) => i >= 0)).toEqual([3, 5]);
    const cut = edges.filter(([u, v]) => !sink[u] && sink[v]).reduce((a, [, , c]) => a + c, 0);
    expect(cut).toBe(23);
  });

  test('parallel capacities add; zero and negative capacities add no edge', () => {
    const net = new FlowNet(3);
    net.add(0, 1, 2); net.add(0, 1, 3); net.add(1, 2, 10); net.add(0, 2, 0); net.add(0, 2, -4);
    net.maxflow(0, 2);
    // 5 units saturate 0→1: only 1 and 2 still reach the sink.
    expect(net.reachesSink(2)).toEqual([false, true, true]);
  });
});

describe('minCutLabels', () => {
  test('a follower between an NPU and a CPU layer goes where it costs least, transition included', () => {
    const base = { fixed: ['npu', undefined, 'cpu'] as (Device | undefined)[], edges: [{ a: 0, b: 1, cost: 10 }, { a: 1, b: 2, cost: 10 }] };
    // NPU: 1 + one transition (10) = 11; CPU: 5 + 10 = 15.
    expect(minCutLabels({ ...base, cpuCost: [0, 5, 0], npuCost: [0, 1, 0] })).toEqual(['npu', 'npu', 'cpu']);
    // NPU: 20 + 10 > CPU: 5 + 10.
    expect(minCutLabels({ ...base, cpuCost: [0, 5, 0], npuCost: [0, 20, 0] })).toEqual(['npu', 'cpu', 'cpu']);
    // The NPU cannot run it: CPU whatever the costs.
    expect(minCutLabels({ ...base, cpuCost: [0, 1e6, 0], npuCost: [0, undefined, 0] })).toEqual(['npu', 'cpu', 'cpu']);
  });

  test('a chain of followers moves together: the cut is at one edge, the cheapest', () => {
    // npu0 - f1 - f2 - f3 - cpu4: edge costs 9, 2, 7, 9; followers a little cheaper on the CPU.
    const p: LabellingProblem = {
      fixed: ['npu', undefined, undefined, undefined, 'cpu'], cpuCost: [0, 1, 1, 1, 0], npuCost: [0, 2, 2, 2, 0],
      edges: [{ a: 0, b: 1, cost: 9 }, { a: 1, b: 2, cost: 2 }, { a: 2, b: 3, cost: 7 }, { a: 3, b: 4, cost: 9 }],
    };
    // Cut at 1–2: f1 on the NPU (2), f2 and f3 on the CPU (1 + 1), edge 2 → total 6.
    const devs = minCutLabels(p);
    expect(devs).toEqual(['npu', 'npu', 'cpu', 'cpu', 'cpu']);
    expect(energy(p, devs)).toBe(6);
  });

  test('ties go to the NPU (the source side)', () => {
    // Equal on both devices, equal transitions either way.
    const p: LabellingProblem = {
      fixed: ['npu', undefined, 'cpu'], cpuCost: [0, 3, 0], npuCost: [0, 3, 0],
      edges: [{ a: 0, b: 1, cost: 4 }, { a: 1, b: 2, cost: 4 }],
    };
    expect(minCutLabels(p)).toEqual(['npu', 'npu', 'cpu']);
    // No neighbours at all, free both ways: NPU.
    expect(minCutLabels({ fixed: [undefined], cpuCost: [0], npuCost: [0], edges: [] })).toEqual(['npu']);
    // Two free nodes with equal costs and a cheap link: both on the NPU, never split.
    expect(minCutLabels({ fixed: [undefined, undefined], cpuCost: [2, 2], npuCost: [2, 2], edges: [{ a: 0, b: 1, cost: 1 }] })).toEqual(['npu', 'npu']);
  });

  test('random problems: the labelling is a minimum of the brute-force energy, and among minima puts the fewest nodes on the CPU', () => {
    const r = rng(20261201);
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + Math.floor(r(0, 7));
      const fixed = Array.from({ length: n }, () => { const u = r(0, 1); return u < 0.2 ? 'npu' : u < 0.4 ? 'cpu' : undefined; }) as (Device | undefined)[];
      // Integer costs make ties common.
      const cpuCost = Array.from({ length: n }, () => Math.floor(r(0, 6)));
      const npuCost = Array.from({ length: n }, () => (r(0, 1) < 0.15 ? undefined : Math.floor(r(0, 6))));
      const edges: { a: number; b: number; cost: number }[] = [];
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (r(0, 1) < 0.4) edges.push({ a, b, cost: Math.floor(r(1, 5)) });
      const p = { fixed, cpuCost, npuCost, edges };
      const devs = minCutLabels(p);
      const all = allLabellings(p);
      const e = energy(p, devs);
      expect(e).toBe(all[0].e);
      // The sink side of the residual graph is the smallest minimum cut: every other optimum has
      // at least these nodes on the CPU.
      const cpuSet = new Set(devs.map((d, i) => (d === 'cpu' ? i : -1)).filter((i) => i >= 0));
      for (const o of all.filter((x) => x.e === e)) for (const i of cpuSet) expect(o.devs[i]).toBe('cpu');
    }
  });
});
