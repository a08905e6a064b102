// Builders for the small IR graphs the pass tests use (seeded: same graph every run).
import { DType } from '../core/ir/dtype';
import { AttrValue, Graph, Node, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, domain = '', name?: string): Node {
  return { name: name ?? `${op}_${outputs[0]}`, op, domain, inputs, outputs, attrs };
}

export function graph(spec: {
  inputs: [string, DType, number[]][];
  outputs: string[];
  nodes: Node[];
  inits?: Record<string, Tensor>;
  tensors?: TensorInfo[];
  opset?: number;
}): Graph {
  const tensors: Record<string, TensorInfo> = {};
  for (const [name, dtype, shape] of spec.inputs) tensors[name] = { name, dtype, shape };
  for (const t of spec.tensors ?? []) tensors[t.name] = t;
  return {
    name: 'test', inputs: spec.inputs.map((i) => i[0]), outputs: spec.outputs, tensors,
    initializers: spec.inits ?? {}, nodes: spec.nodes, opsets: { '': spec.opset ?? 17 },
    annotations: {}, metadata: {}, irVersion: 8,
  };
}

export const f32 = (shape: number[], data: ArrayLike<number>): Tensor => makeTensor('float32', shape, Float32Array.from(data, (v) => Math.fround(v)));
export const i64 = (data: number[]): Tensor => makeTensor('int64', [data.length], data);
export const scalar = (dtype: DType, v: number): Tensor => makeTensor(dtype, [], [v]);

/** Deterministic uniform numbers in [lo, hi). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0 || 1;
  return (lo = -1, hi = 1) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return lo + ((s >>> 0) / 4294967296) * (hi - lo);
  };
}

export function randT(r: ReturnType<typeof rng>, shape: number[], lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(shape, Array.from({ length: n }, () => r(lo, hi)));
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(b.shape).toEqual(a.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
}

export function ops(g: Graph): string[] {
  return g.nodes.map((n) => (n.domain ? `${n.domain}:${n.op}` : n.op));
}
