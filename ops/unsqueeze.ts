// Unsqueeze: insert dims of size 1 at `axes` (input 1 from opset 13, attribute before),
// axes counted in the output rank.
import { Node } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { constNumbers, hasInput, inputInfo, normAxis, req, reshaped, runNumbers } from './lib/tensor-util';

export function unsqueezeShape(shape: readonly number[], axes: readonly number[] | undefined, node: Node): number[] {
  if (!axes) throw new HsqError('bad-input', `node '${node.name}' (Unsqueeze): axes missing`, node.name);
  const rank = shape.length + axes.length;
  const ins = new Set(axes.map((a) => normAxis(a, rank, node)));
  if (ins.size !== axes.length) throw new HsqError('bad-input', `node '${node.name}' (Unsqueeze): repeated axes`, node.name);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : shape[k++]);
  return out;
}

export function unsqueeze(x: Tensor, axes: readonly number[], node?: Node): Tensor {
  return reshaped(x, unsqueezeShape(x.shape, axes, node ?? ({ name: '?' } as Node)));
}

/** axes: input 1 from opset 13, the attribute before. */
function axesOf(node: Node, attrAxes: readonly number[] | undefined, get: () => number[] | undefined): readonly number[] | undefined {
  return hasInput(node, 1) ? get() : attrAxes;
}

export const Unsqueeze = defineOp({
  op: 'Unsqueeze',
  attrs: { axes: attr.ints() },
  constInputs: [1],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: unsqueezeShape(x.shape, axesOf(args.node, args.attrs.axes, () => constNumbers(args, 1, 'axes')), args.node) }];
  },
  run: ({ node, inputs, attrs }) => [unsqueeze(req(node, inputs, 0), axesOf(node, attrs.axes, () => runNumbers(node, inputs, 1))!, node)],
});
