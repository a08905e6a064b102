// Shape: the input's dims as int64, sliced by `start`/`end` (opset 15; clamped to [0, rank]).
import { Tensor, makeTensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
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

export const Shape = defineOp({
  op: 'Shape',
  attrs: { start: attr.int(0), end: attr.int() },
  traits: { quant: 'none', npu: 'none' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    const [s, e] = shapeRange(x.shape.length, args.attrs.start, args.attrs.end);
    return [{ dtype: 'int64', shape: [Math.max(0, e - s)] }];
  },
  run: ({ node, inputs, attrs }) => [shapeOf(req(node, inputs, 0).shape, attrs.start, attrs.end)],
});
