// ONNX MatMul (float32), numpy.matmul semantics incl. 1-D operands and batch broadcasting.
import { makeTensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { matmulFloat, matmulShape } from './lib/matmul-kernel';
import { need, requireDtype } from './lib/op-util';

export const MatMul = defineOp({
  op: 'MatMul',
  domains: [''],
  attrs: {},
  types: ['float32'],
  traits: { quant: 'accumulating', weights: { input: 1, channelAxis: () => 1 }, npu: 'conv-like' },
  infer({ node, inputs }) {
    const a = need(node, inputs, 0, 'A'), b = need(node, inputs, 1, 'B');
    return [{ dtype: a.dtype, shape: matmulShape(node.name, a.shape, b.shape).outShape }];
  },
  run({ node, inputs }) {
    const a = need(node, inputs, 0, 'A'), b = need(node, inputs, 1, 'B');
    requireDtype(node, 'A', a.dtype, ['float32']);
    requireDtype(node, 'B', b.dtype, ['float32']);
    const s = matmulShape(node.name, a.shape, b.shape);
    const y = makeTensor('float32', s.outShape);
    matmulFloat(s, a.data as Float32Array, b.data as Float32Array, y.data as Float32Array);
    return [y];
  },
});
