// ONNX Conv (float32), 1-D and 2-D, groups/depthwise, strides, pads, auto_pad, dilations.
import { makeTensor, Tensor } from '../core/ir/tensor';
import { OpImpl } from './lib/types';
import { convFloat2D } from './lib/conv-kernel';
import { conv2DParams, convOutputShape, readConvAttrs } from './lib/conv-setup';
import { need, requireDtype, requireLength } from './lib/op-util';
import { applyFusedActivation } from './lib/fused-activation';

export const Conv: OpImpl = {
  op: 'Conv',
  domains: [''],
  infer({ node, inputs }) {
    const x = need(node, inputs, 0, 'X'), w = need(node, inputs, 1, 'W');
    return [{ dtype: x.dtype, shape: convOutputShape(node, x.shape, w.shape, readConvAttrs(node)) }];
  },
  run({ node, inputs }) {
    const x = need(node, inputs, 0, 'X'), w = need(node, inputs, 1, 'W'), b = inputs[2];
    requireDtype(node, 'X', x.dtype, ['float32']);
    requireDtype(node, 'W', w.dtype, ['float32']);
    const { params, outShape } = conv2DParams(node, x.shape, w.shape, readConvAttrs(node));
    if (b) { requireDtype(node, 'B', b.dtype, ['float32']); requireLength(node, 'B', b, params.M); }
    const y = makeTensor('float32', outShape);
    convFloat2D(params, x.data as Float32Array, w.data as Float32Array, b ? (b.data as Float32Array) : undefined, y.data as Float32Array);
    applyFusedActivation(node, y.data as Float32Array);
    return [y] as Tensor[];
  },
};
