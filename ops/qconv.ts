// hsq QConv(x, w, bias?) (docs/ir.md): Conv attributes with explicit pads plus qmin/qmax;
// acc[m] = bias[m] + Σ (x - zx)(w - zw[m]) in int32, then
// requantize(acc, requantMultiplier(sx, sw[m], sy), zy, qmin, qmax). Quant comes from the infos.
import { fail } from '../core/diagnostics';
import { makeTensor, numel } from '../core/ir/tensor';
import { requantMultiplier } from '../core/numerics';
import { attr, defineOp } from './lib/descriptor';
import { convInt2D } from './lib/conv-kernel';
import { CONV_ATTRS, conv2DParams, convAttrs, convOutputShape } from './lib/conv-setup';
import { inferQOutDtype, outputClamp, perTensor, quantOf } from './lib/hsq-quant';
import { need, requireDtype, requireLength } from './lib/op-util';
import { perChannel } from './lib/quant-params';
import { requantizePlanes } from './lib/requant';

export const QConv = defineOp({
  op: 'QConv',
  domains: ['hsq'],
  attrs: { ...CONV_ATTRS, qmin: attr.int(), qmax: attr.int() },
  traits: { quant: 'accumulating', integer: true, weights: { input: 1, channelAxis: () => 0 }, npu: 'conv-like' },
  constInputs: [1, 2],
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w');
    return [{ dtype: inferQOutDtype(node, x.dtype), shape: convOutputShape(node, x.shape, w.shape, convAttrs(node, attrs)) }];
  },
  run({ node, attrs, inputs, inputInfos, outputInfos }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w'), bias = inputs[2];
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8']);
    requireDtype(node, 'w', w.dtype, ['int8', 'uint8', 'int4', 'uint4']);
    const { params, outShape } = conv2DParams(node, x.shape, w.shape, convAttrs(node, attrs));
    const M = params.M;
    const qx = perTensor(node, quantOf(node, inputInfos[0], 'x'), 'x');
    const qwInfo = quantOf(node, inputInfos[1], 'w');
    if (qwInfo.scale.length > 1 && (qwInfo.axis ?? 0) !== 0 || qwInfo.blockSize)
      fail('unsupported', `node '${node.name}' (QConv): weights must be quantized per tensor or per output channel (axis 0)`, node.name);
    const sw = perChannel(node.name, 'w scale', qwInfo.scale, M, 1);
    const zw = perChannel(node.name, 'w zero point', qwInfo.zeroPoint, M, 0);
    const outInfo = outputInfos[0];
    const qy = quantOf(node, outInfo, 'output');
    const y0 = perTensor(node, qy, 'output');
    if (bias) { requireDtype(node, 'bias', bias.dtype, ['int32']); requireLength(node, 'bias', bias, M); }
    const acc = new Int32Array(numel(outShape));
    convInt2D(params, x.data as ArrayLike<number>, qx.zero, w.data as ArrayLike<number>, zw, bias?.data as Int32Array | undefined, acc);
    const mult = new Float64Array(M);
    for (let m = 0; m < M; m++) mult[m] = requantMultiplier(qx.scale, sw[m], y0.scale);
    const dtype = outInfo?.dtype ?? inferQOutDtype(node, x.dtype);
    const [lo, hi] = outputClamp(node, qy, dtype);
    const y = makeTensor(dtype, outShape);
    requantizePlanes(acc, params.N, M, params.OH * params.OW, mult, y0.zero, lo, hi, y.data);
    return [y];
  },
});
