// Expand: broadcast the input to `shape` (numpy rules, both ways: dims of 1 in shape keep x's).
import { Tensor, numel } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { broadcastShapes, forEachBroadcast } from './lib/broadcast';
import { TypedArray, allocArray } from '../core/ir/dtype';
import { constNumbers, inputInfo, req, runNumbers } from './lib/tensor-util';

export function expand(x: Tensor, shape: readonly number[], subject?: string): Tensor {
  const out = broadcastShapes([x.shape, shape], subject);
  const data = allocArray(x.dtype, numel(out)) as unknown as unknown[];
  const src = x.data as unknown as unknown[];
  forEachBroadcast([x.shape], out, (o, len, s, is) => {
    for (let i = 0, p = s[0]; i < len; i++, p += is[0]) data[o + i] = src[p];
  });
  return { dtype: x.dtype, shape: out, data: data as unknown as TypedArray };
}

export const Expand = defineOp({
  op: 'Expand',
  attrs: {},
  constInputs: [1],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, constNumbers(args, 1, 'shape')!], args.node.name) }];
  },
  run: ({ node, inputs }) => [expand(req(node, inputs, 0), runNumbers(node, inputs, 1)!, node.name)],
});
