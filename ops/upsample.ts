// Upsample (deprecated since opset 10): Resize with asymmetric coordinates and ORT's legacy
// nearest rule; scales from input 1 (opset 9) or the `scales` attribute (opset 7).
import { Node, attrInts, attrString } from '../core/ir/graph';
import { Tensor, toNumbers } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { OpImpl } from './lib/types';
import { ResizeOptions, resize, resizePlan } from './resize';
import { constNumbers, hasInput, inputInfo, req } from './lib/tensor-util';

function options(node: Node): ResizeOptions {
  let mode = attrString(node, 'mode', 'nearest');
  if (mode === 'bilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear') {
    throw new HsqError('unsupported', `node ${node.name} (Upsample): mode ${mode} is not supported`, node.name);
  }
  return { mode, coordinateTransformationMode: 'asymmetric', nearestMode: 'legacy', extrapolationValue: 0 };
}

function scalesOf(node: Node, get: () => number[] | undefined): number[] {
  const s = hasInput(node, 1) ? get() : (attrInts(node, 'scales') as number[] | undefined);
  if (!s) throw new HsqError('bad-input', `node ${node.name} (Upsample): scales missing`, node.name);
  return s;
}

export function upsample(x: Tensor, scales: readonly number[], mode: 'nearest' | 'linear' = 'nearest', node?: Node): Tensor {
  const nd = node ?? ({ name: '?', op: 'Upsample', attrs: {} } as unknown as Node);
  return resize(x, resizePlan(x.shape, scales, undefined, undefined, 'stretch', nd),
    { mode, coordinateTransformationMode: 'asymmetric', nearestMode: 'legacy', extrapolationValue: 0 });
}

export const Upsample: OpImpl = {
  op: 'Upsample', domains: [''],
  constInputs: [1],
  infer: (args) => {
    const x = inputInfo(args, 0);
    options(args.node);
    const s = scalesOf(args.node, () => constNumbers(args, 1, 'scales'));
    return [{ dtype: x.dtype, shape: resizePlan(x.shape, s, undefined, undefined, 'stretch', args.node).outShape }];
  },
  run: ({ node, inputs }) => {
    const x = req(node, inputs, 0);
    const s = scalesOf(node, () => toNumbers(req(node, inputs, 1)));
    return [upsample(x, s, options(node).mode, node)];
  },
};
