// Sub with broadcasting: float32 rounded difference; integers wrap; int64 as BigInt.
import { Tensor } from '../core/ir/tensor';
import { ArithKernels, arith, binaryOp } from './lib/elementwise';

export const SUB: ArithKernels = { float: (a, b) => a - b, int: (a, b) => a - b, big: (a, b) => a - b };

export function sub(a: Tensor, b: Tensor, subject?: string): Tensor {
  return arith(a, b, SUB, subject);
}

export const Sub = binaryOp({
  op: 'Sub',
  traits: { quant: 'dequantize-compute-quantize', npu: 'elementwise' },
  c: { binary: (a, b, e) => (e.isFloat ? `${a} - ${b}` : e.wrap('-', a, b)) },
  compute: (a, b, node) => sub(a, b, node.name),
});
