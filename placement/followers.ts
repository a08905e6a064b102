// Weightless layers the NPU can run (pools, activations, element-wise, data movement) follow
// their neighbours: the exact min-cut over the layer graph (min-cut.ts) with each layer's time on
// either device and a transition cost on every tensor that would cross, then one correction the
// per-tensor cost misses (islands, below).
import type { CostModel, CostParams, Device } from './cost-model';
import type { LayerInfo } from './describe';
import type { LayerGraph } from './layer-graph';
import { minCutLabels } from './min-cut';

/** Devices of every layer: `fixed` where given, the followers' by min-cut. */
export function solveFollowers(layers: readonly LayerInfo[], lg: LayerGraph, fixed: readonly (Device | undefined)[], cost: CostModel, params: CostParams): Device[] {
  const devs = minCutLabels({
    fixed,
    cpuCost: layers.map((d) => d.estCpu.us),
    npuCost: layers.map((d) => d.estNpu?.us),
    edges: lg.edges.map((e) => ({ a: e.from, b: e.to, cost: cost.transition({ from: 'npu', to: 'cpu', bytes: e.bytes }, params) })),
  });
  // Islands: a connected run of followers whose every outside neighbour is on the other
  // device joins them. A separate segment costs a stedgeai network, an epoch-block restart and
  // cache maintenance that the per-tensor transition cost undercounts.
  const seen = new Set<number>();
  for (let i = 0; i < layers.length; i++) {
    if (fixed[i] || seen.has(i)) continue;
    const island: number[] = [];
    const outside = new Set<Device>();
    const stack = [i];
    seen.add(i);
    while (stack.length) {
      const u = stack.pop()!;
      island.push(u);
      for (const v of lg.adj[u]) {
        if (!fixed[v] && devs[v] === devs[i]) { if (!seen.has(v)) { seen.add(v); stack.push(v); } } else outside.add(devs[v]);
      }
    }
    if (outside.size === 1 && !outside.has(devs[i])) {
      const to = [...outside][0];
      if (to === 'cpu' || island.every((u) => layers[u].estNpu)) for (const u of island) devs[u] = to;
    }
  }
  return devs;
}
