// DepthToSpace on NCHW, blocksize b. DCR (default): view x as [N, b, b, C/b², H, W], transpose
// to [N, C/b², H, b, W, b]; CRD: view as [N, C/b², b, b, H, W], transpose to the same layout.
import { Node } from '../core/ir/graph';
import { Tensor, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, req, stridedCopy } from './lib/tensor-util';

export function depthToSpaceShape(shape: readonly number[], b: number, node: Node): number[] {
  if (shape.length !== 4 || b < 1 || shape[1] % (b * b) !== 0) {
    throw new HsqError('bad-shape', `node '${node.name}' (DepthToSpace): input [${shape.join(',')}] with blocksize ${b}`, node.name);
  }
  return [shape[0], shape[1] / (b * b), shape[2] * b, shape[3] * b];
}

export function depthToSpace(x: Tensor, blocksize: number, mode = 'DCR', node?: Node): Tensor {
  const nd = node ?? ({ name: '?' } as Node);
  const out = depthToSpaceShape(x.shape, blocksize, nd);
  const [N, , H, W] = x.shape, b = blocksize, C = out[1];
  let view: number[], perm: number[];
  if (mode === 'DCR') { view = [N, b, b, C, H, W]; perm = [0, 3, 4, 1, 5, 2]; }
  else if (mode === 'CRD') { view = [N, C, b, b, H, W]; perm = [0, 1, 4, 2, 5, 3]; }
  else throw new HsqError('bad-input', `node '${nd.name}' (DepthToSpace): mode ${mode}`, nd.name);
  const st = strides(view);
  const tshape = perm.map((p) => view[p]);
  return { dtype: x.dtype, shape: out, data: stridedCopy(x.data, x.dtype, tshape, 0, perm.map((p) => st[p])) };
}

export const DepthToSpace = defineOp({
  op: 'DepthToSpace',
  attrs: { blocksize: attr.int(0), mode: attr.string('DCR') },
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: depthToSpaceShape(x.shape, args.attrs.blocksize, args.node) }];
  },
  run: ({ node, inputs, attrs }) => [depthToSpace(req(node, inputs, 0), attrs.blocksize, attrs.mode, node)],
});
