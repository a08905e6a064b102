// onnxruntime-node (1.30) cannot exchange int4/uint4 tensors with JavaScript: feeding or
// fetching one is an error ("Tensor.type is not supported"), and a later fetch in the same
// process can exhaust memory. So a model for ORT takes 4-bit inputs as int8/uint8 and Casts them
// to 4 bits inside, and Casts its 4-bit outputs to int8/uint8 (Cast takes int4 from opset 21,
// the opset those types need anyway). Values are unchanged; names are mapped back.
import { DType } from '../core/ir/dtype';
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { retype } from './tensor-convert';

const WIDE: Partial<Record<DType, { code: number; dtype: 'int8' | 'uint8'; narrow: number }>> = {
  int4: { code: 3, dtype: 'int8', narrow: 22 },
  uint4: { code: 2, dtype: 'uint8', narrow: 21 },
};

export interface WideIO {
  readonly graph: Graph;
  /** 4-bit graph input → the int8/uint8 input that replaces it. */
  readonly inputs: ReadonlyMap<string, string>;
  /** Fetched name → the 4-bit graph output it stands for. */
  readonly outputs: ReadonlyMap<string, string>;
}

/** `infos`: tensor types where the graph's own infos lack them. */
export function widenSubByteIO(g: Graph, infos: Readonly<Record<string, TensorInfo>> = {}): WideIO {
  const info = (t: string): TensorInfo | undefined => g.tensors[t] ?? infos[t];
  const inputs = new Map<string, string>(), outputs = new Map<string, string>();
  const pre: Node[] = [], post: Node[] = [];
  const tensors = { ...g.tensors };
  const wide = (t: string) => {
    const i = info(t);
    const w = i && !(t in g.initializers) ? WIDE[i.dtype] : undefined;
    if (!w || !i) return undefined;
    const name = `${t}__hsq_${w.dtype}`;
    tensors[name] = { name, dtype: w.dtype, shape: i.shape };
    return { ...w, name };
  };
  const graphInputs = g.inputs.map((t) => {
    const w = wide(t);
    if (!w) return t;
    pre.push({ name: `${t}__hsq_cast`, op: 'Cast', domain: '', inputs: [w.name], outputs: [t], attrs: { to: w.narrow } });
    inputs.set(t, w.name);
    return w.name;
  });
  const graphOutputs = g.outputs.map((t) => {
    const w = wide(t);
    if (!w) return t;
    post.push({ name: `${t}__hsq_cast`, op: 'Cast', domain: '', inputs: [t], outputs: [w.name], attrs: { to: w.code } });
    outputs.set(w.name, t);
    return w.name;
  });
  if (!inputs.size && !outputs.size) return { graph: g, inputs, outputs };
  return { graph: { ...g, nodes: [...pre, ...g.nodes, ...post], tensors, inputs: graphInputs, outputs: graphOutputs }, inputs, outputs };
}

/** Feeds under the widened inputs' names and types. */
export function wideFeeds(feeds: Readonly<Record<string, Tensor>>, w: WideIO): Record<string, Tensor> {
  if (!w.inputs.size) return { ...feeds };
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => {
    const name = w.inputs.get(k);
    return name ? [name, retype(v, WIDE[v.dtype]?.dtype ?? v.dtype)] : [k, v];
  }));
}

/** ORT's results under the original output names. */
export function narrowResults(r: Record<string, Tensor>, w: WideIO): Record<string, Tensor> {
  if (!w.outputs.size) return r;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [w.outputs.get(k) ?? k, v]));
}
