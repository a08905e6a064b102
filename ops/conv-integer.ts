// ONNX ConvInteger: int32 output of Σ (x - x_zero_point)(w - w_zero_point[m]), no requantization.
import { makeTensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { convInt2D } from './lib/conv-kernel';
import { CONV_ATTRS, conv2DParams, convAttrs, convOutputShape } from './lib/conv-setup';
import { need, requireDtype, scalarInput } from './lib/op-util';
import { perChannel } from './lib/quant-params';

export const ConvInteger = defineOp({
  op: 'ConvInteger',
  domains: [''],
  attrs: CONV_ATTRS,
  traits: { quant: 'accumulating', integer: true, weights: { input: 1, channelAxis: () => 0 }, npu: 'conv-like' },
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w');
    return [{ dtype: 'int32', shape: convOutputShape(node, x.shape, w.shape, convAttrs(node, attrs)) }];
  },
  run({ node, attrs, inputs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w');
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8']);
    requireDtype(node, 'w', w.dtype, ['int8', 'uint8']);
    const { params, outShape } = conv2DParams(node, x.shape, w.shape, convAttrs(node, attrs));
    const zx = scalarInput(node, 'x_zero_point', inputs[2], 0);
    const zw = perChannel(node.name, 'w_zero_point', inputs[3]?.data, params.M, 0);
    const y = makeTensor('int32', outShape);
    convInt2D(params, x.data as ArrayLike<number>, zx, w.data as ArrayLike<number>, zw, undefined, y.data as Int32Array);
    return [y];
  },
});
