// Flatten to 2-D [prod(shape[:axis]), prod(shape[axis:])]; axis in [-rank, rank], default 1.
import { Node } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, req, reshaped } from './lib/tensor-util';

export function flattenShape(shape: readonly number[], axis: number, node: Node): number[] {
  const r = shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a > r) throw new HsqError('bad-shape', `node '${node.name}' (Flatten): axis ${axis} out of range for rank ${r}`, node.name);
  return [numel(shape.slice(0, a)), numel(shape.slice(a))];
}

export function flatten(x: Tensor, axis = 1, node?: Node): Tensor {
  return reshaped(x, flattenShape(x.shape, axis, node ?? ({ name: '?' } as Node)));
}

export const Flatten = defineOp({
  op: 'Flatten',
  attrs: { axis: attr.int(1) },
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: flattenShape(x.shape, args.attrs.axis, args.node) }];
  },
  run: ({ node, inputs, attrs }) => [flatten(req(node, inputs, 0), attrs.axis, node)],
});
