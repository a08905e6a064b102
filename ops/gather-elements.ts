// GatherElements: out[i...] = data[i... with axis index replaced by indices[i...]]; out has the
// indices' shape; negative indices count from the end. Any data dtype. A data movement in C
// when the indices are constant (movement.ts).
import { TypedArray, allocArray } from '../core/ir/dtype';
import { HsqError } from '../core/diagnostics';
import { Node } from '../core/ir/graph';
import { Tensor, numel, strides } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, normAxis, req } from './lib/tensor-util';

export function gatherElements(data: Tensor, indices: Tensor, axis: number, node: Node): Tensor {
  const r = data.shape.length;
  const a = normAxis(axis, r, node);
  if (indices.shape.length !== r) throw new HsqError('bad-shape', `node ${node.name} (GatherElements): indices rank ${indices.shape.length}, data rank ${r}`, node.name);
  const ds = strides(data.shape), n = numel(indices.shape), dim = data.shape[a];
  const out = allocArray(data.dtype, n) as unknown as unknown[];
  const src = data.data as unknown as unknown[];
  const ctr = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o++) {
    let v = Number(indices.data[o]);
    if (v < 0) v += dim;
    if (!(v >= 0 && v < dim)) throw new HsqError('bad-input', `node ${node.name} (GatherElements): index ${Number(indices.data[o])} out of range for dim ${dim}`, node.name);
    let s = 0;
    for (let d = 0; d < r; d++) s += (d === a ? v : ctr[d]) * ds[d];
    out[o] = src[s];
    for (let d = r - 1; d >= 0; d--) { if (++ctr[d] < indices.shape[d]) break; ctr[d] = 0; }
  }
  return { dtype: data.dtype, shape: [...indices.shape], data: out as unknown as TypedArray };
}

export const GatherElements = defineOp({
  op: 'GatherElements',
  attrs: { axis: attr.int(0) },
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => [{ dtype: inputInfo(args, 0).dtype, shape: [...inputInfo(args, 1).shape] }],
  run: ({ node, inputs, attrs }) => [gatherElements(req(node, inputs, 0), req(node, inputs, 1), attrs.axis, node)],
});
