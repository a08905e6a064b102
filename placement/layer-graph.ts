// The layer graph: which layer's output each layer reads, and how many bytes cross that edge
// (what a transition between devices must hand over and keep coherent in the caches).
import { Graph, TensorInfo } from '../core/ir/graph';
import { storageBits } from '../core/ir/dtype';
import { numel } from '../core/ir/tensor';

export interface LayerEdge { readonly from: number; readonly to: number; readonly bytes: number }

export interface LayerGraph {
  /** Producer → reader, one per tensor read (a layer reading two outputs of one layer has two). */
  readonly edges: readonly LayerEdge[];
  /** Neighbours of each layer, both directions, in edge order. */
  readonly adj: readonly (readonly number[])[];
}

function bytesOf(info: TensorInfo | undefined): number {
  if (!info) return 0;
  return Math.ceil((numel(info.shape.map((d) => Math.max(d, 0))) * Math.max(storageBits(info.dtype), 8)) / 8);
}

export function layerGraph(g: Graph, layers: readonly { readonly inputs: readonly string[]; readonly outputs: readonly string[] }[]): LayerGraph {
  const producerOf = new Map<string, number>();
  layers.forEach((d, i) => d.outputs.forEach((t) => producerOf.set(t, i)));
  const edges: LayerEdge[] = [];
  layers.forEach((d, i) => d.inputs.forEach((t) => {
    const p = producerOf.get(t);
    if (p !== undefined && p !== i) edges.push({ from: p, to: i, bytes: bytesOf(g.tensors[t]) });
  }));
  const adj: number[][] = layers.map(() => []);
  for (const e of edges) { adj[e.from].push(e.to); adj[e.to].push(e.from); }
  return { edges, adj };
}
