// ONNX DequantizeLinear: y = (x - zero_point) * scale in float32, per tensor, per axis or
// blocked; the output has the scale's type.
import { fail } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { dequantizeValue } from '../core/numerics';
import { attr, defineOp } from './lib/descriptor';
import { need, requireDtype } from './lib/op-util';
import { quantParamIndex } from './lib/quant-params';

export const DequantizeLinear = defineOp({
  op: 'DequantizeLinear',
  attrs: { axis: attr.int(1), block_size: attr.int(0) },
  constInputs: [1, 2],
  traits: { quant: 'none', npu: 'none' },
  infer({ node, inputs }) {
    const x = need(node, inputs, 0, 'x'), s = need(node, inputs, 1, 'x_scale');
    return [{ dtype: s.dtype, shape: x.shape }];
  },
  run({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x'), s = need(node, inputs, 1, 'x_scale'), z = inputs[2];
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8', 'int4', 'uint4', 'int16', 'uint16', 'int32']);
    requireDtype(node, 'x_scale', s.dtype, ['float32', 'float16']);
    if (z && z.dtype !== x.dtype)
      fail('bad-shape', `node '${node.name}' (DequantizeLinear): x_zero_point is ${z.dtype}, x is ${x.dtype}`, node.name);
    if (z && z.data.length !== s.data.length)
      fail('bad-shape', `node '${node.name}' (DequantizeLinear): x_zero_point shape [${z.shape}] differs from x_scale [${s.shape}]`, node.name);
    const idx = quantParamIndex(node.name, x.shape, s.shape, attrs.axis, attrs.block_size);
    const y = makeTensor(s.dtype, x.shape);
    const xd = x.data as Int32Array, sd = s.data as Float32Array, yd = y.data as Float32Array;
    const zd = z ? (z.data as Int32Array) : new Int8Array(s.data.length);
    for (let i = 0; i < xd.length; i++) {
      const p = idx ? idx[i] : 0;
      yd[i] = dequantizeValue(xd[i], sd[p], zd[p]);
    }
    return [y];
  },
});
