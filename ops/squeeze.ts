// Squeeze: drop the given axes (input 1 from opset 13, attribute before), which must be 1;
// without axes drop every dim of size 1.
import { Node, attrInts } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { OpImpl } from './lib/types';
import { constNumbers, hasInput, inputInfo, normAxis, req, reshaped, runNumbers } from './lib/tensor-util';

export function squeezeShape(shape: readonly number[], axes: readonly number[] | undefined, node: Node): number[] {
  if (!axes || axes.length === 0) return shape.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normAxis(a, shape.length, node)));
  for (const a of drop) {
    if (shape[a] !== 1 && shape[a] !== -1) {
      throw new HsqError('bad-shape', `node ${node.name} (Squeeze): dim ${a} is ${shape[a]}, not 1`, node.name);
    }
  }
  return shape.filter((_, i) => !drop.has(i));
}

export function squeeze(x: Tensor, axes?: readonly number[], node?: Node): Tensor {
  return reshaped(x, squeezeShape(x.shape, axes, node ?? ({ name: '?' } as Node)));
}

function axesOf(node: Node, get: () => number[] | undefined): readonly number[] | undefined {
  return hasInput(node, 1) ? get() : attrInts(node, 'axes');
}

export const Squeeze: OpImpl = {
  op: 'Squeeze', domains: [''],
  constInputs: [1],
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: squeezeShape(x.shape, axesOf(args.node, () => constNumbers(args, 1, 'axes')), args.node) }];
  },
  run: ({ node, inputs }) => [squeeze(req(node, inputs, 0), axesOf(node, () => runNumbers(node, inputs, 1)), node)],
};
