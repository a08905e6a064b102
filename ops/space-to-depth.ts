// SpaceToDepth on NCHW, blocksize b: view x as [N, C, H/b, b, W/b, b], transpose to
// [N, b, b, C, H/b, W/b] (the inverse of DepthToSpace DCR).
import { Node } from '../core/ir/graph';
import { Tensor, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, req, stridedCopy } from './lib/tensor-util';

export function spaceToDepthShape(shape: readonly number[], b: number, node: Node): number[] {
  if (shape.length !== 4 || b < 1 || shape[2] % b !== 0 || shape[3] % b !== 0) {
    throw new HsqError('bad-shape', `node '${node.name}' (SpaceToDepth): input [${shape.join(',')}] with blocksize ${b}`, node.name);
  }
  return [shape[0], shape[1] * b * b, shape[2] / b, shape[3] / b];
}

export function spaceToDepth(x: Tensor, blocksize: number, node?: Node): Tensor {
  const out = spaceToDepthShape(x.shape, blocksize, node ?? ({ name: '?' } as Node));
  const [N, C, H, W] = x.shape, b = blocksize;
  const view = [N, C, H / b, b, W / b, b], perm = [0, 3, 5, 1, 2, 4];
  const st = strides(view);
  return { dtype: x.dtype, shape: out, data: stridedCopy(x.data, x.dtype, perm.map((p) => view[p]), 0, perm.map((p) => st[p])) };
}

export const SpaceToDepth = defineOp({
  op: 'SpaceToDepth',
  attrs: { blocksize: attr.int(0) },
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: spaceToDepthShape(x.shape, args.attrs.blocksize, args.node) }];
  },
  run: ({ node, inputs, attrs }) => [spaceToDepth(req(node, inputs, 0), attrs.blocksize, node)],
});
