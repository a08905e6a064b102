// Tile: output dim i = input dim i * repeats[i], the input repeated along each axis (repeats an
// int64 input, constant at compile time). Any dtype; a data movement (C: movement.ts).
import { TypedArray, allocArray } from '../core/ir/dtype';
import { HsqError } from '../core/diagnostics';
import { Tensor, numel } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { constNumbers, inputInfo, req, runNumbers } from './lib/tensor-util';
import { Node } from '../core/ir/graph';

function tiledShape(shape: readonly number[], repeats: readonly number[] | undefined, node: Node): number[] {
  if (!repeats || repeats.length !== shape.length || repeats.some((r) => r < 0))
    throw new HsqError('bad-input', `node ${node.name} (Tile): repeats [${repeats ?? ''}] must give one non-negative count per dim of [${shape}]`, node.name);
  return shape.map((d, i) => d * repeats[i]);
}

export function tile(x: Tensor, repeats: readonly number[], node: Node): Tensor {
  const shape = tiledShape(x.shape, repeats, node);
  const n = numel(shape), r = shape.length;
  const out = allocArray(x.dtype, n) as unknown as unknown[];
  const src = x.data as unknown as unknown[];
  const ctr = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o++) {
    let s = 0;
    for (let d = 0; d < r; d++) s = s * x.shape[d] + (ctr[d] % x.shape[d]);
    out[o] = src[s];
    for (let d = r - 1; d >= 0; d--) { if (++ctr[d] < shape[d]) break; ctr[d] = 0; }
  }
  return { dtype: x.dtype, shape, data: out as unknown as TypedArray };
}

export const Tile = defineOp({
  op: 'Tile',
  attrs: {},
  constInputs: [1],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: tiledShape(x.shape, constNumbers(args, 1, 'repeats'), args.node) }];
  },
  run: ({ node, inputs }) => [tile(req(node, inputs, 0), runNumbers(node, inputs, 1) ?? [], node)],
});
