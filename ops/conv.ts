// ONNX Conv (float32), 1-D and 2-D, groups/depthwise, strides, pads, auto_pad, dilations.
import { makeTensor, Tensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { convFloat2D } from './lib/conv-kernel';
import { CONV_ATTRS, conv2DParams, convAttrs, convOutputShape } from './lib/conv-setup';
import { need, requireDtype, requireLength } from './lib/op-util';
import { FUSED_ACTIVATION_ATTRS, applyFusedActivation } from './lib/fused-activation';

export const Conv = defineOp({
  op: 'Conv',
  attrs: { ...CONV_ATTRS, ...FUSED_ACTIVATION_ATTRS },
  types: ['float32'],
  traits: { quant: 'accumulating', weights: { input: 1, channelAxis: () => 0 }, npu: 'conv-like' },
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X'), w = need(node, inputs, 1, 'W');
    return [{ dtype: x.dtype, shape: convOutputShape(node, x.shape, w.shape, convAttrs(node, attrs)) }];
  },
  run({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X'), w = need(node, inputs, 1, 'W'), b = inputs[2];
    requireDtype(node, 'X', x.dtype, ['float32']);
    requireDtype(node, 'W', w.dtype, ['float32']);
    const { params, outShape } = conv2DParams(node, x.shape, w.shape, convAttrs(node, attrs));
    if (b) { requireDtype(node, 'B', b.dtype, ['float32']); requireLength(node, 'B', b, params.M); }
    const y = makeTensor('float32', outShape);
    convFloat2D(params, x.data as Float32Array, w.data as Float32Array, b ? (b.data as Float32Array) : undefined, y.data as Float32Array);
    applyFusedActivation(node, attrs, y.data as Float32Array);
    return [y] as Tensor[];
  },
});
