// Dropout at inference: output = input; the optional mask output is all true. (A constant
// training_mode = true is not inference and is rejected.)
import { Tensor, makeTensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { defineOp } from './lib/descriptor';
import { hasInput, inputInfo, req, reshaped } from './lib/tensor-util';

export function dropout(x: Tensor): [Tensor, Tensor] {
  const mask = makeTensor('bool', x.shape);
  (mask.data as Uint8Array).fill(1);
  return [reshaped(x, x.shape), mask];
}

export const Dropout = defineOp({
  op: 'Dropout',
  attrs: {},
  // Removed before emission (passes/remove-identity) unless its mask is read or training_mode
  // is not a constant 0; as an expression it is the identity.
  traits: { quant: 'none', elementwise: 'unary', npu: 'none' },
  c: { unary: (v) => v },
  infer: (args) => {
    const t = args.values[2];
    if (hasInput(args.node, 2) && t && Number(t.data[0]) !== 0) {
      throw new HsqError('unsupported', `node '${args.node.name}' (Dropout): training_mode = true is not inference`, args.node.name);
    }
    const x = inputInfo(args, 0);
    const outs = [{ dtype: x.dtype, shape: [...x.shape] }];
    if (args.node.outputs.length > 1) outs.push({ dtype: 'bool', shape: [...x.shape] });
    return outs;
  },
  run: ({ node, inputs }) => {
    const [y, mask] = dropout(req(node, inputs, 0));
    return node.outputs.length > 1 ? [y, mask] : [y];
  },
});
