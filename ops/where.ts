// Where: y = cond ? x : y with three-way broadcasting.
import { Tensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { broadcastTernary } from './lib/broadcast';
import { inferBroadcast, sameDtype } from './lib/elementwise';
import { inputInfo, req } from './lib/tensor-util';

export function where(cond: Tensor, x: Tensor, y: Tensor, subject?: string): Tensor {
  return broadcastTernary(cond, x, y, x.dtype, (c: number, a: unknown, b: unknown) => (c ? a : b), subject);
}

export const Where = defineOp({
  op: 'Where',
  attrs: {},
  traits: { quant: 'none', elementwise: 'ternary', npu: 'none' },
  infer: (args) => {
    const x = inputInfo(args, 1);
    sameDtype(args.node, x.dtype, inputInfo(args, 2).dtype);
    return inferBroadcast(args, x.dtype, [0, 1, 2]);
  },
  run: ({ node, inputs }) => [where(req(node, inputs, 0), req(node, inputs, 1), req(node, inputs, 2), node.name)],
});
