// The placement stage as the driver (and a target's runner) runs it: place every layer, then cut
// the placed graph into same-device segments.
import { Graph } from '../core/ir/graph';
import type { PlacementTarget } from './capabilities';
import { Segment, partition } from './partition';
import { placeGraph } from './placement';
import type { Placement, PlacementOptions } from './types';

export interface Placed {
  /** The graph as placement left it (shared DequantizeLinear nodes split on an NPU target). */
  readonly graph: Graph;
  readonly placement: Placement;
  readonly segments: readonly Segment[];
}

export function placeAndPartition(g: Graph, on: PlacementTarget, opts: PlacementOptions = {}): Placed {
  const { graph, placement } = placeGraph(g, on, opts);
  return { graph, placement, segments: partition(graph, placement.deviceOfNode) };
}
