// Flash a layer's parameters take on the MCU: weights in their storage container (8, 4, 2 or 1
// bits an element, packed) plus an int32 bias per output channel.
import { Graph, Node, producers } from '../core/ir/graph';
import { numel } from '../core/ir/tensor';
import { containerBits } from '../core/precision';
import { ACCUMULATING, weightChannelAxis } from './layers';

export interface LayerWeights {
  readonly layer: string;
  readonly op: string;
  readonly elements: number;
  readonly channels: number;
}

/** Float or integer weights of every Conv/Gemm/MatMul with constant weights. */
export function layerWeights(g: Graph): LayerWeights[] {
  const prod = producers(g);
  const out: LayerWeights[] = [];
  for (const n of g.nodes) {
    if (!ACCUMULATING.has(n.op) || n.domain !== '') continue;
    let w = g.initializers[n.inputs[1]];
    const p = prod.get(n.inputs[1]);
    if (!w && p?.op === 'DequantizeLinear') w = g.initializers[p.inputs[0]];
    if (!w || w.shape.length < 2) continue;
    out.push({ layer: n.name, op: n.op, elements: numel(w.shape), channels: w.shape[weightChannelAxis(n as Node)] });
  }
  return out;
}

export function layerFlashBytes(l: LayerWeights, weightBits: number): number {
  return Math.ceil((l.elements * containerBits(weightBits)) / 8) + 4 * l.channels;
}
