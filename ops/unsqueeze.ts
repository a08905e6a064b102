// Unsqueeze: insert dims of size 1 at `axes` (input 1 from opset 13, attribute before),
// axes counted in the output rank.
import { Node, attrInts } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { OpImpl } from './lib/types';
import { constNumbers, hasInput, inputInfo, normAxis, req, reshaped, runNumbers } from './lib/tensor-util';

export function unsqueezeShape(shape: readonly number[], axes: readonly number[] | undefined, node: Node): number[] {
  if (!axes) throw new HsqError('bad-input', `node ${node.name} (Unsqueeze): axes missing`, node.name);
  const rank = shape.length + axes.length;
  const ins = new Set(axes.map((a) => normAxis(a, rank, node)));
  if (ins.size !== axes.length) throw new HsqError('bad-input', `node ${node.name} (Unsqueeze): repeated axes`, node.name);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : shape[k++]);
  return out;
}

export function unsqueeze(x: Tensor, axes: readonly number[], node?: Node): Tensor {
  return reshaped(x, unsqueezeShape(x.shape, axes, node ?? ({ name: '?' } as Node)));
}

function axesOf(node: Node, get: () => number[] | undefined): readonly number[] | undefined {
  return hasInput(node, 1) ? get() : attrInts(node, 'axes');
}

export const Unsqueeze: OpImpl = {
  op: 'Unsqueeze', domains: [''],
  constInputs: [1],
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: unsqueezeShape(x.shape, axesOf(args.node, () => constNumbers(args, 1, 'axes')), args.node) }];
  },
  run: ({ node, inputs }) => [unsqueeze(req(node, inputs, 0), axesOf(node, () => runNumbers(node, inputs, 1))!, node)],
};
