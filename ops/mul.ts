// Mul with broadcasting: float32 rounded product; integers wrap (Math.imul for 32-bit, whose
// exact product can exceed 2^53); int64 as BigInt.
import { Tensor } from '../core/ir/tensor';
import { ArithKernels, arith, binaryOp } from './lib/elementwise';

export const MUL: ArithKernels = {
  float: (a, b) => a * b, int: (a, b) => a * b, big: (a, b) => a * b,
  int32: (a, b) => Math.imul(a, b), uint32: (a, b) => Math.imul(a, b) >>> 0,
};

export function mul(a: Tensor, b: Tensor, subject?: string): Tensor {
  return arith(a, b, MUL, subject);
}

export const Mul = binaryOp({
  op: 'Mul',
  traits: { quant: 'dequantize-compute-quantize', npu: 'elementwise' },
  c: { binary: (a, b, e) => (e.isFloat ? `${a} * ${b}` : e.wrap('*', a, b)) },
  compute: (a, b, node) => mul(a, b, node.name),
});
