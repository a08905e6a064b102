// Split along `axis` into the node's outputs: sizes from the `split` input (opset 13+) or
// attribute (older); else `num_outputs` (opset 18, last chunk smaller) or equal parts.
import { Node, attrInt, attrInts } from '../core/ir/graph';
import { Tensor, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { OpImpl } from './lib/types';
import { constNumbers, inputInfo, normAxis, req, runNumbers, stridedCopy } from './lib/tensor-util';

export function splitSizes(dim: number, split: readonly number[] | undefined, numOutputs: number, node: Node): number[] {
  let sizes: number[];
  if (split && split.length > 0) sizes = [...split];
  else {
    const n = attrInt(node, 'num_outputs') ?? numOutputs;
    const chunk = Math.ceil(dim / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
    if (attrInt(node, 'num_outputs') === undefined && dim % n !== 0) {
      throw new HsqError('bad-shape', `node ${node.name} (Split): dim ${dim} does not split into ${n} equal parts`, node.name);
    }
  }
  const total = sizes.reduce((s, v) => s + v, 0);
  if (total !== dim || sizes.some((v) => v < 0)) {
    throw new HsqError('bad-shape', `node ${node.name} (Split): split [${sizes.join(',')}] does not add up to ${dim}`, node.name);
  }
  return sizes;
}

export function split(x: Tensor, axis: number, sizes: readonly number[], node: Node): Tensor[] {
  const a = normAxis(axis, x.shape.length, node);
  const st = strides(x.shape);
  const outs: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    const shape = [...x.shape];
    shape[a] = s;
    outs.push({ dtype: x.dtype, shape, data: stridedCopy(x.data, x.dtype, shape, start * st[a], st) });
    start += s;
  }
  return outs;
}

function splitArg(node: Node, fromInput: number[] | undefined): number[] | undefined {
  return fromInput ?? (attrInts(node, 'split') as number[] | undefined);
}

export const Split: OpImpl = {
  op: 'Split', domains: [''],
  constInputs: [1],
  infer: (args) => {
    const { node } = args;
    const x = inputInfo(args, 0);
    const a = normAxis(attrInt(node, 'axis', 0), x.shape.length, node);
    const sizes = splitSizes(x.shape[a], splitArg(node, constNumbers(args, 1, 'split')), node.outputs.length, node);
    return sizes.map((s) => { const shape = [...x.shape]; shape[a] = s; return { dtype: x.dtype, shape }; });
  },
  run: ({ node, inputs }) => {
    const x = req(node, inputs, 0);
    const a = normAxis(attrInt(node, 'axis', 0), x.shape.length, node);
    const sizes = splitSizes(x.shape[a], splitArg(node, runNumbers(node, inputs, 1)), node.outputs.length, node);
    return split(x, a, sizes, node);
  },
};
