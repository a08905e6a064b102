// Reshape: target shape from input 1 (opset 5+) or the `shape` attribute (opset 1). A 0 copies
// the input dim (unless allowzero = 1, then it is a real 0); one -1 is inferred.
import { Node } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { constNumbers, inputInfo, req, reshaped, runNumbers, shapeStr } from './lib/tensor-util';

export function reshapeShape(inShape: readonly number[], target: readonly number[], allowzero: number, node: Node): number[] {
  const out = target.map((d, i) => (d === 0 && !allowzero ? inShape[i] : d));
  if (out.some((d) => d === undefined)) {
    throw new HsqError('bad-shape', `node '${node.name}' (Reshape): 0 in shape ${shapeStr(target)} beyond input rank`, node.name);
  }
  const neg = out.filter((d) => d === -1).length;
  const total = numel(inShape);
  if (neg > 1) throw new HsqError('bad-shape', `node '${node.name}' (Reshape): more than one -1 in ${shapeStr(target)}`, node.name);
  if (neg === 1) {
    const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (known === 0 || total % known !== 0) {
      throw new HsqError('bad-shape', `node '${node.name}' (Reshape): cannot reshape ${shapeStr(inShape)} to ${shapeStr(target)}`, node.name);
    }
    out[out.indexOf(-1)] = total / known;
  }
  if (numel(out) !== total || out.some((d) => d < 0)) {
    throw new HsqError('bad-shape', `node '${node.name}' (Reshape): cannot reshape ${shapeStr(inShape)} to ${shapeStr(target)}`, node.name);
  }
  return out;
}

export function reshape(x: Tensor, shape: readonly number[], allowzero = 0, node?: Node): Tensor {
  const n = node ?? ({ name: '?', op: 'Reshape' } as Node);
  return reshaped(x, reshapeShape(x.shape, shape, allowzero, n));
}

function target(node: Node, shapeAttr: readonly number[] | undefined, get: () => number[] | undefined): number[] {
  const t = node.inputs.length >= 2 ? get() : (shapeAttr as number[] | undefined);
  if (!t) throw new HsqError('bad-input', `node '${node.name}' (Reshape): no target shape`, node.name);
  return t;
}

export const Reshape = defineOp({
  op: 'Reshape',
  // shape: opset 1 (later opsets take it as input 1).
  attrs: { allowzero: attr.int(0), shape: attr.ints() },
  constInputs: [1],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    const t = target(args.node, args.attrs.shape, () => constNumbers(args, 1, 'shape'));
    return [{ dtype: x.dtype, shape: reshapeShape(x.shape, t, args.attrs.allowzero, args.node) }];
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    return [reshape(x, target(node, attrs.shape, () => runNumbers(node, inputs, 1)), attrs.allowzero, node)];
  },
});
