// hsq QConv(x, w, bias?) (docs/ir.md): Conv attributes with explicit pads plus qmin/qmax;
// acc[m] = bias[m] + Σ (x - zx)(w - zw[m]) in int32, then
// requantize(acc, requantMultiplier(sx, sw[m], sy), zy, qmin, qmax). Quant comes from the infos.
import { makeTensor, numel } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { convInt2D } from './lib/conv-kernel';
import { CONV_ATTRS, conv2DParams, convAttrs, convOutputShape } from './lib/conv-setup';
import { accumulatorQuant, inferQOutDtype, outputRule } from './lib/hsq-quant';
import { need, requireDtype, requireLength } from './lib/op-util';
import { requantizePlanes } from './lib/requant';

export const QConv = defineOp({
  op: 'QConv',
  domains: ['hsq'],
  attrs: { ...CONV_ATTRS, qmin: attr.int(), qmax: attr.int(), float_out: attr.int(0) },
  traits: { quant: 'accumulating', integer: true, weights: { input: 1, channelAxis: () => 0 }, npu: 'conv-like' },
  constInputs: [1, 2, 3],
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w');
    return [{ dtype: inferQOutDtype(node, x.dtype), shape: convOutputShape(node, x.shape, w.shape, convAttrs(node, attrs)) }];
  },
  run({ node, attrs, inputs, inputInfos, outputInfos }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w'), bias = inputs[2], fbias = inputs[3];
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8']);
    requireDtype(node, 'w', w.dtype, ['int8', 'uint8', 'int4', 'uint4']);
    const { params, outShape } = conv2DParams(node, x.shape, w.shape, convAttrs(node, attrs));
    const M = params.M;
    const dtype = outputInfos[0]?.dtype ?? inferQOutDtype(node, x.dtype);
    const q = accumulatorQuant(node, inputInfos[0], inputInfos[1], outputInfos[0], dtype, M, 0);
    if (bias) { requireDtype(node, 'bias', bias.dtype, ['int32']); requireLength(node, 'bias', bias, M); }
    const acc = new Int32Array(numel(outShape));
    convInt2D(params, x.data as ArrayLike<number>, q.x.zero, w.data as ArrayLike<number>, q.wZero, bias?.data as Int32Array | undefined, acc);
    const y = makeTensor(dtype, outShape);
    requantizePlanes(acc, params.N, M, params.OH * params.OW, outputRule(node, q, fbias, M), y.data);
    return [y];
  },
});
