// ONNX QLinearMatMul: int32 accumulation of (a - za)(b - zb), requantized with
// requantMultiplier(sa[row], sb[col], sy), round half even, + zy, saturated to y_zero_point's type.
// a's scale/zero point may be per row, b's per column.
import { intRange } from '../core/ir/dtype';
import { makeTensor, numel } from '../core/ir/tensor';
import { requantize, requantMultiplier } from '../core/numerics';
import { defineOp } from './lib/descriptor';
import { matmulInt, matmulShape } from './lib/matmul-kernel';
import { need, requireDtype, scalarInput } from './lib/op-util';
import { perChannel } from './lib/quant-params';

export const QLinearMatMul = defineOp({
  op: 'QLinearMatMul',
  domains: [''],
  attrs: {},
  traits: { quant: 'accumulating', integer: true, weights: { input: 3, channelAxis: () => 1 }, npu: 'conv-like' },
  constInputs: [1, 2, 4, 5, 6, 7],
  infer({ node, inputs }) {
    const a = need(node, inputs, 0, 'a'), b = need(node, inputs, 3, 'b');
    const yz = need(node, inputs, 7, 'y_zero_point');
    return [{ dtype: yz.dtype, shape: matmulShape(node.name, a.shape, b.shape).outShape }];
  },
  run({ node, inputs }) {
    const a = need(node, inputs, 0, 'a'), b = need(node, inputs, 3, 'b');
    requireDtype(node, 'a', a.dtype, ['int8', 'uint8']);
    requireDtype(node, 'b', b.dtype, ['int8', 'uint8']);
    const s = matmulShape(node.name, a.shape, b.shape);
    const sa = perChannel(node.name, 'a_scale', need(node, inputs, 1, 'a_scale').data, s.M, 1);
    const za = perChannel(node.name, 'a_zero_point', inputs[2]?.data, s.M, 0);
    const sb = perChannel(node.name, 'b_scale', need(node, inputs, 4, 'b_scale').data, s.N, 1);
    const zb = perChannel(node.name, 'b_zero_point', inputs[5]?.data, s.N, 0);
    const sy = scalarInput(node, 'y_scale', inputs[6]);
    const yzT = need(node, inputs, 7, 'y_zero_point');
    const zy = scalarInput(node, 'y_zero_point', yzT);
    const acc = new Int32Array(numel(s.outShape));
    matmulInt(s, a.data as ArrayLike<number>, za, b.data as ArrayLike<number>, zb, undefined, acc);
    const [lo, hi] = intRange(yzT.dtype);
    const y = makeTensor(yzT.dtype, s.outShape);
    const yd = y.data;
    const mult = new Float64Array(s.M * s.N);
    for (let i = 0; i < s.M; i++) for (let j = 0; j < s.N; j++) mult[i * s.N + j] = requantMultiplier(sa[i], sb[j], sy);
    const mn = s.M * s.N;
    for (let e = 0; e < acc.length; e++) yd[e] = requantize(acc[e], mult[e % mn], zy, lo, hi);
    return [y];
  },
});
