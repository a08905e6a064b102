// PRelu: y = x < 0 ? slope * x : x, slope broadcast to x (unidirectional).
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { broadcastBinary } from './lib/broadcast';
import { binaryOp } from './lib/elementwise';
import { roundFor } from './lib/tensor-util';

export function prelu(x: Tensor, slope: Tensor, subject?: string): Tensor {
  if (isBigInt(x.dtype)) return broadcastBinary(x, slope, x.dtype, (v: bigint, s: bigint) => (v < 0n ? v * s : v), subject);
  if (!isFloat(x.dtype)) return broadcastBinary(x, slope, x.dtype, (v: number, s: number) => (v < 0 ? Math.imul(v, s) : v), subject);
  const r = roundFor(x.dtype);
  return broadcastBinary(x, slope, x.dtype, (v: number, s: number) => (v < 0 ? r(s * v) : v), subject);
}

export const PRelu = binaryOp({
  op: 'PRelu',
  traits: { quant: 'dequantize-compute-quantize', npu: 'elementwise' },
  c: { binary: (a, b, e) => (e.isFloat ? `(${a} < 0.0f ? ${b} * ${a} : ${a})` : `(${a} < 0 ? ${e.wrap('*', b, a)} : ${a})`) },
  compute: (x, slope, node) => prelu(x, slope, node.name),
});
