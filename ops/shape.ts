// Shape: the input's dims as int64, sliced by `start`/`end` (opset 15; clamped to [0, rank]).
import { Node, attrInt } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { OpImpl } from './lib/types';
import { inputInfo, req } from './lib/tensor-util';

export function shapeRange(rank: number, start = 0, end?: number): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  return [clamp(start), clamp(end ?? rank)];
}

export function shapeOf(shape: readonly number[], start = 0, end?: number): Tensor {
  const [s, e] = shapeRange(shape.length, start, end);
  const dims = shape.slice(s, Math.max(s, e));
  return makeTensor('int64', [dims.length], dims);
}

function range(node: Node): [number, number | undefined] {
  return [attrInt(node, 'start', 0), attrInt(node, 'end')];
}

export const Shape: OpImpl = {
  op: 'Shape', domains: [''],
  infer: (args) => {
    const x = inputInfo(args, 0);
    const [s, e] = shapeRange(x.shape.length, ...range(args.node));
    return [{ dtype: 'int64', shape: [Math.max(0, e - s)] }];
  },
  run: ({ node, inputs }) => [shapeOf(req(node, inputs, 0).shape, ...range(node))],
};
