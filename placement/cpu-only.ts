// Placement on a target without an NPU (host, cortex-m55): every layer on the CPU, the reason
// saying so. The layers are grouped as on an NPU target, so the report lists the same layers
// under the same names on every target; the graph is not rewritten (no DQ is split: there is no
// device boundary to own).
import { Graph } from '../core/ir/graph';
import type { Device } from './cost-model';
import { describeBasics, estimateOnCpu } from './describe';
import { groupLayers } from './layers';
import type { PlacementTarget } from './capabilities';
import { precisionText, reason } from './reasons';
import type { PlacedLayer, Placement, PlacementOptions } from './types';

export function placeOnCpu(g: Graph, on: PlacementTarget, opts: Pick<PlacementOptions, 'costParams'> = {}): { graph: Graph; placement: Placement } {
  const cost = on.costModel;
  const params = cost ? opts.costParams ?? cost.defaults : undefined;
  const layers: PlacedLayer[] = groupLayers(g).map((grp) => {
    const d = describeBasics(g, grp);
    const est = cost ? estimateOnCpu(d, cost, params!) : undefined;
    return {
      name: d.name, op: d.op, nodes: grp.nodes.map((n) => n.name),
      origin: [...new Set(grp.nodes.flatMap((n) => n.origin ?? [n.name]))],
      kind: d.kind, precision: precisionText(d), weightBits: d.weightBits, actBits: d.actBits,
      device: 'cpu', reason: reason.cpuOnly(on.name), source: 'policy', widened: false,
      inputs: d.inputs, outputs: d.outputs, desc: d.desc, est, estCpu: est,
    };
  });
  const deviceOfNode: Record<string, Device> = {};
  const layerOfNode: Record<string, string> = {};
  for (const l of layers) for (const n of l.nodes) { deviceOfNode[n] = 'cpu'; layerOfNode[n] = l.name; }
  return { graph: g, placement: { layers, deviceOfNode, layerOfNode, ...(params ? { params } : {}) } };
}
