// Gather along `axis`: out = data[:axis] ++ indices.shape ++ data[axis+1:]; negative indices
// count from the end. Any data dtype; int32 or int64 indices.
import { TypedArray, allocArray } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, normAxis, req } from './lib/tensor-util';

export function gatherShape(data: readonly number[], indices: readonly number[], axis: number, node: Node): number[] {
  const a = normAxis(axis, data.length, node);
  return [...data.slice(0, a), ...indices, ...data.slice(a + 1)];
}

export function gather(data: Tensor, indices: Tensor, axis = 0, node?: Node): Tensor {
  const n = node ?? ({ name: '?', op: 'Gather' } as Node);
  const a = normAxis(axis, data.shape.length, n);
  const shape = gatherShape(data.shape, indices.shape, a, n);
  const dim = data.shape[a];
  const outer = numel(data.shape.slice(0, a)), inner = numel(data.shape.slice(a + 1));
  const ni = indices.data.length;
  const idx = new Int32Array(ni);
  for (let i = 0; i < ni; i++) {
    let v = Number(indices.data[i]);
    if (v < 0) v += dim;
    if (!(v >= 0 && v < dim)) {
      throw new HsqError('bad-input', `node '${n.name}' (Gather): index ${Number(indices.data[i])} out of range for dim ${dim}`, n.name);
    }
    idx[i] = v;
  }
  const out = allocArray(data.dtype, numel(shape)) as TypedArray & { set(src: ArrayLike<unknown>, off: number): void };
  const src = data.data as Float32Array;
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < ni; i++) {
      const from = (o * dim + idx[i]) * inner;
      if (inner === 1) (out as unknown as unknown[])[pos] = (src as unknown as unknown[])[from];
      else out.set(src.subarray(from, from + inner), pos);
      pos += inner;
    }
  }
  return { dtype: data.dtype, shape, data: out };
}

export const Gather = defineOp({
  op: 'Gather',
  attrs: { axis: attr.int(0) },
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const d = inputInfo(args, 0), i = inputInfo(args, 1);
    return [{ dtype: d.dtype, shape: gatherShape(d.shape, i.shape, args.attrs.axis, args.node) }];
  },
  run: ({ node, inputs, attrs }) => [gather(req(node, inputs, 0), req(node, inputs, 1), attrs.axis, node)],
});
