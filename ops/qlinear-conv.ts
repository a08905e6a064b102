// ONNX QLinearConv: int32 accumulation of (x - zx)(w - zw[m]) plus int32 bias, requantized with
// requantMultiplier(sx, sw[m], sy), round half even, + zy, saturated to y_zero_point's type.
import { intRange } from '../core/ir/dtype';
import { makeTensor, numel } from '../core/ir/tensor';
import { requantMultiplier } from '../core/numerics';
import { defineOp } from './lib/descriptor';
import { convInt2D } from './lib/conv-kernel';
import { CONV_ATTRS, conv2DParams, convAttrs, convOutputShape } from './lib/conv-setup';
import { need, requireDtype, requireLength, scalarInput } from './lib/op-util';
import { perChannel } from './lib/quant-params';
import { requantizePlanes } from './lib/requant';

export const QLinearConv = defineOp({
  op: 'QLinearConv',
  domains: [''],
  attrs: CONV_ATTRS,
  traits: { quant: 'accumulating', integer: true, weights: { input: 3, channelAxis: () => 0 }, npu: 'conv-like' },
  constInputs: [1, 2, 4, 5, 6, 7],
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 3, 'w');
    const yz = inputs[7];
    return [{ dtype: yz ? yz.dtype : 'uint8', shape: convOutputShape(node, x.shape, w.shape, convAttrs(node, attrs)) }];
  },
  run({ node, attrs, inputs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 3, 'w');
    const [, xs, xz, , ws, wz, ys, yz, B] = inputs;
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8']);
    requireDtype(node, 'w', w.dtype, ['int8', 'uint8']);
    const { params, outShape } = conv2DParams(node, x.shape, w.shape, convAttrs(node, attrs));
    const M = params.M;
    const sx = scalarInput(node, 'x_scale', xs), zx = scalarInput(node, 'x_zero_point', xz, 0);
    const sy = scalarInput(node, 'y_scale', ys), zy = scalarInput(node, 'y_zero_point', yz, 0);
    const sw = perChannel(node.name, 'w_scale', need(node, inputs, 4, 'w_scale').data, M, 1);
    const zw = perChannel(node.name, 'w_zero_point', wz?.data, M, 0);
    if (B) { requireDtype(node, 'B', B.dtype, ['int32']); requireLength(node, 'B', B, M); }
    const acc = new Int32Array(numel(outShape));
    convInt2D(params, x.data as ArrayLike<number>, zx, w.data as ArrayLike<number>, zw, B?.data as Int32Array | undefined, acc);
    const mult = new Float64Array(M);
    for (let m = 0; m < M; m++) mult[m] = requantMultiplier(sx, sw[m], sy);
    const dtype = yz ? yz.dtype : 'uint8';
    const [lo, hi] = intRange(dtype);
    const y = makeTensor(dtype, outShape);
    requantizePlanes(acc, params.N, M, params.OH * params.OW, { mult, mode: 'int', zero: zy, lo, hi }, y.data);
    return [y];
  },
});
