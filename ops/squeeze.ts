// Squeeze: drop the given axes (input 1 from opset 13, attribute before), which must be 1;
// without axes drop every dim of size 1.
import { Node } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { constNumbers, hasInput, inputInfo, normAxis, req, reshaped, runNumbers } from './lib/tensor-util';

export function squeezeShape(shape: readonly number[], axes: readonly number[] | undefined, node: Node): number[] {
  if (!axes || axes.length === 0) return shape.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normAxis(a, shape.length, node)));
  for (const a of drop) {
    if (shape[a] !== 1 && shape[a] !== -1) {
      throw new HsqError('bad-shape', `node '${node.name}' (Squeeze): dim ${a} is ${shape[a]}, not 1`, node.name);
    }
  }
  return shape.filter((_, i) => !drop.has(i));
}

export function squeeze(x: Tensor, axes?: readonly number[], node?: Node): Tensor {
  return reshaped(x, squeezeShape(x.shape, axes, node ?? ({ name: '?' } as Node)));
}

/** axes: input 1 from opset 13, the attribute before. */
function axesOf(node: Node, attrAxes: readonly number[] | undefined, get: () => number[] | undefined): readonly number[] | undefined {
  return hasInput(node, 1) ? get() : attrAxes;
}

export const Squeeze = defineOp({
  op: 'Squeeze',
  attrs: { axes: attr.ints() },
  constInputs: [1],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: squeezeShape(x.shape, axesOf(args.node, args.attrs.axes, () => constNumbers(args, 1, 'axes')), args.node) }];
  },
  run: ({ node, inputs, attrs }) => [squeeze(req(node, inputs, 0), axesOf(node, attrs.axes, () => runNumbers(node, inputs, 1)), node)],
});
