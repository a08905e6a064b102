// ONNX QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point), per tensor, per
// axis or blocked. Output type: zero point's, else output_dtype, else uint8. When the output
// info carries `quant` (a lowered QONNX Quant) the clamp is quantRange(bits, signed, narrow)
// rather than the container's range, and a bipolar output is the sign: x/scale + zp >= 0 → +1,
// else -1 (as QONNX's 1-bit signed Quant).
import { fail } from '../core/diagnostics';
import { DType, dtypeFromOnnx, intRange } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { quantRange, quantizeValue } from '../core/numerics';
import { attr, defineOp } from './lib/descriptor';
import { need, requireDtype } from './lib/op-util';
import { quantParamIndex } from './lib/quant-params';

const OUT_TYPES: readonly DType[] = ['int8', 'uint8', 'int4', 'uint4', 'int16', 'uint16', 'int32'];

function outputType(node: Node, code: number, zeroPoint: { dtype: DType } | undefined): DType {
  if (zeroPoint) return zeroPoint.dtype;
  if (code === 0) return 'uint8';
  const t = dtypeFromOnnx(code);
  if (!t || !OUT_TYPES.includes(t)) return fail('unsupported', `node '${node.name}' (QuantizeLinear): output_dtype ${code} is not supported`, node.name);
  return t;
}

export const QuantizeLinear = defineOp({
  op: 'QuantizeLinear',
  attrs: { axis: attr.int(1), block_size: attr.int(0), output_dtype: attr.int(0) },
  constInputs: [1, 2],
  traits: { quant: 'none', npu: 'none' },
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x');
    return [{ dtype: outputType(node, attrs.output_dtype, inputs[2]), shape: x.shape }];
  },
  run({ node, inputs, outputInfos, attrs }) {
    const x = need(node, inputs, 0, 'x'), s = need(node, inputs, 1, 'y_scale'), z = inputs[2] as Tensor | undefined;
    requireDtype(node, 'x', x.dtype, ['float32', 'float16', 'int32']);
    const dtype = outputType(node, attrs.output_dtype, z);
    requireDtype(node, 'y', dtype, OUT_TYPES);
    const { axis, block_size: blockSize } = attrs;
    const idx = quantParamIndex(node.name, x.shape, s.shape, axis, blockSize);
    if (z && z.data.length !== s.data.length)
      fail('bad-shape', `node '${node.name}' (QuantizeLinear): y_zero_point shape [${z.shape}] differs from y_scale [${s.shape}]`, node.name);
    const q = outputInfos[0]?.quant;
    const [lo, hi] = q ? (q.bipolar ? [-1, 1] : quantRange(q.bits, q.signed, q.narrow)) : intRange(dtype);
    const bipolar = q?.bipolar === true || (q !== undefined && q.bits === 1 && q.signed);
    const y = makeTensor(dtype, x.shape);
    const xd = x.data as Float32Array, sd = s.data as Float32Array, yd = y.data;
    const zd = z ? z.data : new Int8Array(s.data.length);
    for (let i = 0; i < xd.length; i++) {
      const p = idx ? idx[i] : 0;
      const zp = Number(zd[p]);
      if (bipolar) yd[i] = Math.fround(Math.fround(xd[i] / sd[p]) + zp) >= 0 ? 1 : -1;
      else yd[i] = quantizeValue(xd[i], sd[p], zp, lo, hi);
    }
    return [y];
  },
});
