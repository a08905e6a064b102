// One layer cut out of the original model as a model of its own: the original nodes between the
// layer's input tensors and its output tensors, so ONNX Runtime runs that layer alone on inputs
// it is given (nothing inherited from earlier layers).
//
// The cut is the backward closure of the output tensors, stopping at the given inputs and at
// constants (weight quantizers and shape chains over initializers come along). Where it reaches
// another non-constant tensor, that tensor must be fed too: allowed when `feedable` says hsq
// computed it before this layer (a Shape of an earlier tensor, say); otherwise the cut is open
// and the layer has no ORT figure.
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { encodeModel } from '../frontend/onnx/export';
import { OriginalModel } from './original-model';
import { WideIO, widenSubByteIO } from './sub-byte-io';

export type Cut =
  | { readonly ok: true; readonly nodes: readonly Node[]; readonly inputs: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export function cutBetween(o: OriginalModel, inputs: readonly string[], outputs: readonly string[], feedable: (t: string) => boolean): Cut {
  const stop = new Set(inputs);
  const extra: string[] = [];
  const take = new Set<Node>();
  const seen = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (stop.has(t) || t in o.graph.initializers) continue;
    const p = o.producer.get(t);
    if (p && (o.constant.has(t) || !feedable(t) || outputs.includes(t))) {
      take.add(p);
      for (const i of p.inputs) if (i) stack.push(i);
      continue;
    }
    if (feedable(t)) { extra.push(t); continue; }
    return { ok: false, reason: `the original model computes it from '${t}', which is neither an input of this layer nor computed before it` };
  }
  const used = new Set(o.graph.nodes.filter((n) => take.has(n)).flatMap((n) => n.inputs));
  return { ok: true, nodes: o.graph.nodes.filter((n) => take.has(n)), inputs: [...inputs.filter((i) => used.has(i)), ...extra] };
}

/** The cut as ONNX bytes: inputs typed as the values fed, outputs as the original types them (4-bit ones widened: sub-byte-io.ts). */
export function cutModel(o: OriginalModel, cut: Extract<Cut, { ok: true }>, feeds: Readonly<Record<string, Tensor>>, outputs: readonly string[]): { bytes: Uint8Array; io: WideIO } {
  const names = new Set(cut.nodes.flatMap((n) => [...n.inputs, ...n.outputs]));
  const initializers = Object.fromEntries(Object.entries(o.graph.initializers).filter(([k]) => names.has(k)));
  const tensors: Record<string, TensorInfo> = {};
  for (const t of names) {
    const info = o.infos[t];
    if (info && !(t in initializers)) tensors[t] = { name: t, dtype: info.dtype, shape: info.shape };
  }
  for (const i of cut.inputs) tensors[i] = { name: i, dtype: feeds[i].dtype, shape: feeds[i].shape };
  const g: Graph = {
    ...o.graph, name: 'hsq_layer', nodes: cut.nodes, initializers, tensors, inputs: [...cut.inputs], outputs: [...outputs],
    annotations: {}, metadata: {},
  };
  const io = widenSubByteIO(g);
  return { bytes: encodeModel(io.graph), io };
}
