// Upsample (deprecated since opset 10): Resize with asymmetric coordinates and ORT's legacy
// nearest rule; scales from input 1 (opset 9) or the `scales` attribute (opset 7).
import { Node } from '../core/ir/graph';
import { Tensor, toNumbers } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { ResizeOptions, resize, resizePlan } from './resize';
import { constNumbers, hasInput, inputInfo, req } from './lib/tensor-util';

function options(node: Node, m: string): ResizeOptions & { mode: 'nearest' | 'linear' } {
  let mode = m;
  if (mode === 'bilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear') {
    throw new HsqError('unsupported', `node '${node.name}' (Upsample): mode ${mode} is not supported`, node.name);
  }
  return { mode: mode as 'nearest' | 'linear', coordinateTransformationMode: 'asymmetric', nearestMode: 'legacy', extrapolationValue: 0 };
}

/** scales: input 1 (opset 9) or the attribute (opset 7). */
function scalesOf(node: Node, attrScales: readonly number[] | undefined, get: () => number[] | undefined): number[] {
  const s = hasInput(node, 1) ? get() : (attrScales as number[] | undefined);
  if (!s) throw new HsqError('bad-input', `node '${node.name}' (Upsample): scales missing`, node.name);
  return s;
}

export function upsample(x: Tensor, scales: readonly number[], mode: 'nearest' | 'linear' = 'nearest', node?: Node): Tensor {
  const nd = node ?? ({ name: '?', op: 'Upsample', attrs: {} } as unknown as Node);
  return resize(x, resizePlan(x.shape, scales, undefined, undefined, 'stretch', nd),
    { mode, coordinateTransformationMode: 'asymmetric', nearestMode: 'legacy', extrapolationValue: 0 });
}

export const Upsample = defineOp({
  op: 'Upsample',
  attrs: { mode: attr.string('nearest'), scales: attr.floats() },
  constInputs: [1],
  traits: { quant: 'none', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    options(args.node, args.attrs.mode);
    const s = scalesOf(args.node, args.attrs.scales, () => constNumbers(args, 1, 'scales'));
    return [{ dtype: x.dtype, shape: resizePlan(x.shape, s, undefined, undefined, 'stretch', args.node).outShape }];
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    const s = scalesOf(node, attrs.scales, () => toNumbers(req(node, inputs, 1)));
    return [upsample(x, s, options(node, attrs.mode).mode, node)];
  },
});
