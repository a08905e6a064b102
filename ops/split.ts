// Split along `axis` into the node's outputs: sizes from the `split` input (opset 13+) or
// attribute (older); else `num_outputs` (opset 18, last chunk smaller) or equal parts.
import { Node } from '../core/ir/graph';
import { Tensor, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { constNumbers, inputInfo, normAxis, req, runNumbers, stridedCopy } from './lib/tensor-util';

/** Chunk sizes: `split` when given; else `num_outputs` chunks (the last smaller, opset 18) or
 * `outputs` equal parts. */
export function splitSizes(dim: number, split: readonly number[] | undefined, numOutputs: number | undefined, outputs: number, node: Node): number[] {
  let sizes: number[];
  if (split && split.length > 0) sizes = [...split];
  else {
    const n = numOutputs ?? outputs;
    const chunk = Math.ceil(dim / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
    if (numOutputs === undefined && dim % n !== 0) {
      throw new HsqError('bad-shape', `node '${node.name}' (Split): dim ${dim} does not split into ${n} equal parts`, node.name);
    }
  }
  const total = sizes.reduce((s, v) => s + v, 0);
  if (total !== dim || sizes.some((v) => v < 0)) {
    throw new HsqError('bad-shape', `node '${node.name}' (Split): split [${sizes.join(',')}] does not add up to ${dim}`, node.name);
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

export const Split = defineOp({
  op: 'Split',
  // split: before opset 13 (then input 1).
  attrs: { axis: attr.int(0), split: attr.ints(), num_outputs: attr.int() },
  constInputs: [1],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const { node, attrs } = args;
    const x = inputInfo(args, 0);
    const a = normAxis(attrs.axis, x.shape.length, node);
    const sizes = splitSizes(x.shape[a], constNumbers(args, 1, 'split') ?? attrs.split, attrs.num_outputs, node.outputs.length, node);
    return sizes.map((s) => { const shape = [...x.shape]; shape[a] = s; return { dtype: x.dtype, shape }; });
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    const a = normAxis(attrs.axis, x.shape.length, node);
    const sizes = splitSizes(x.shape[a], runNumbers(node, inputs, 1) ?? attrs.split, attrs.num_outputs, node.outputs.length, node);
    return split(x, a, sizes, node);
  },
});
