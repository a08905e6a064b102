// ONNX MatMulInteger: int32 (A - a_zero_point)(B - b_zero_point); a_zero_point per tensor or per
// row, b_zero_point per tensor or per column.
import { makeTensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { matmulInt, matmulShape } from './lib/matmul-kernel';
import { need, requireDtype } from './lib/op-util';
import { perChannel } from './lib/quant-params';

export const MatMulInteger = defineOp({
  op: 'MatMulInteger',
  domains: [''],
  attrs: {},
  traits: { quant: 'accumulating', integer: true, weights: { input: 1, channelAxis: () => 1 }, npu: 'conv-like' },
  infer({ node, inputs }) {
    const a = need(node, inputs, 0, 'A'), b = need(node, inputs, 1, 'B');
    return [{ dtype: 'int32', shape: matmulShape(node.name, a.shape, b.shape).outShape }];
  },
  run({ node, inputs }) {
    const a = need(node, inputs, 0, 'A'), b = need(node, inputs, 1, 'B');
    requireDtype(node, 'A', a.dtype, ['int8', 'uint8']);
    requireDtype(node, 'B', b.dtype, ['int8', 'uint8']);
    const s = matmulShape(node.name, a.shape, b.shape);
    const za = perChannel(node.name, 'a_zero_point', inputs[2]?.data, s.M, 0);
    const zb = perChannel(node.name, 'b_zero_point', inputs[3]?.data, s.N, 0);
    const y = makeTensor('int32', s.outShape);
    matmulInt(s, a.data as ArrayLike<number>, za, b.data as ArrayLike<number>, zb, undefined, y.data as Int32Array);
    return [y];
  },
});
