// Transpose by `perm` (default: reverse the dims); one strided copy.
import { Node } from '../core/ir/graph';
import { Tensor, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, req, stridedCopy } from './lib/tensor-util';

export function checkPerm(perm: readonly number[] | undefined, rank: number, node: Node): number[] {
  const p = perm ? [...perm] : Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const ok = p.length === rank && new Set(p).size === rank && p.every((v) => v >= 0 && v < rank);
  if (!ok) throw new HsqError('bad-input', `node '${node.name}' (Transpose): perm [${p.join(',')}] invalid for rank ${rank}`, node.name);
  return p;
}

export function transpose(x: Tensor, perm?: readonly number[], node?: Node): Tensor {
  const p = checkPerm(perm, x.shape.length, node ?? ({ name: '?' } as Node));
  const st = strides(x.shape);
  const shape = p.map((a) => x.shape[a]);
  return { dtype: x.dtype, shape, data: stridedCopy(x.data, x.dtype, shape, 0, p.map((a) => st[a])) };
}

export const Transpose = defineOp({
  op: 'Transpose',
  attrs: { perm: attr.ints() },
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    const p = checkPerm(args.attrs.perm, x.shape.length, args.node);
    return [{ dtype: x.dtype, shape: p.map((a) => x.shape[a]) }];
  },
  run: ({ node, inputs, attrs }) => [transpose(req(node, inputs, 0), attrs.perm, node)],
});
