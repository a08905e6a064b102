// hsq QGemm(x, w, bias?) (docs/ir.md): x [..., K], constant w [K, N] quantized per tensor or per
// column (axis 1), bias int32 [N]; acc = bias[n] + Σ (x - zx)(w - zw[n]) in int32, then
// requantize(acc, requantMultiplier(sx, sw[n], sy), zy, qmin, qmax).
import { fail } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { accumulatorQuant, inferQOutDtype, outputRule } from './lib/hsq-quant';
import { matmulInt, matmulShape } from './lib/matmul-kernel';
import { need, requireDtype, requireLength } from './lib/op-util';
import { requantizeColumns } from './lib/requant';

function qgemmShape(node: string, x: readonly number[], w: readonly number[]) {
  if (w.length !== 2) fail('bad-shape', `node '${node}': QGemm weights must be 2-D [K, N], got [${w}]`, node);
  if (x.length < 1 || x[x.length - 1] !== w[0]) fail('bad-shape', `node '${node}': QGemm input [${x}] does not match weights [${w}]`, node);
  const K = w[0], N = w[1];
  const rows = x.slice(0, -1).reduce((p, d) => p * d, 1);
  return { K, N, rows, outShape: [...x.slice(0, -1), N] };
}

export const QGemm = defineOp({
  op: 'QGemm',
  domains: ['hsq'],
  attrs: { qmin: attr.int(), qmax: attr.int(), float_out: attr.int(0) },
  traits: { quant: 'accumulating', integer: true, weights: { input: 1, channelAxis: () => 1 }, npu: 'conv-like' },
  constInputs: [1, 2, 3],
  infer({ node, inputs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w');
    return [{ dtype: inferQOutDtype(node, x.dtype), shape: qgemmShape(node.name, x.shape, w.shape).outShape }];
  },
  run({ node, inputs, inputInfos, outputInfos }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w'), bias = inputs[2], fbias = inputs[3];
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8']);
    requireDtype(node, 'w', w.dtype, ['int8', 'uint8', 'int4', 'uint4']);
    const { K, N, rows, outShape } = qgemmShape(node.name, x.shape, w.shape);
    const dtype = outputInfos[0]?.dtype ?? inferQOutDtype(node, x.dtype);
    const q = accumulatorQuant(node, inputInfos[0], inputInfos[1], outputInfos[0], dtype, N, 1);
    if (bias) { requireDtype(node, 'bias', bias.dtype, ['int32']); requireLength(node, 'bias', bias, N); }
    const s = matmulShape(node.name, [rows, K], [K, N]);
    const acc = new Int32Array(rows * N);
    matmulInt(s, x.data as ArrayLike<number>, new Float64Array(rows).fill(q.x.zero), w.data as ArrayLike<number>, q.wZero,
      bias?.data as Int32Array | undefined, acc);
    const y = makeTensor(dtype, outShape);
    requantizeColumns(acc, rows, N, outputRule(node, q, fbias, N), y.data);
    return [y];
  },
});
