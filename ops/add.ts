// Add with broadcasting: float32 rounded sum; integers wrap; int64 as BigInt.
import { Tensor } from '../core/ir/tensor';
import { ArithKernels, arith, binaryOp } from './lib/elementwise';

export const ADD: ArithKernels = { float: (a, b) => a + b, int: (a, b) => a + b, big: (a, b) => a + b };

export function add(a: Tensor, b: Tensor, subject?: string): Tensor {
  return arith(a, b, ADD, subject);
}

export const Add = binaryOp({
  op: 'Add',
  traits: { quant: 'dequantize-compute-quantize', npu: 'elementwise' },
  c: { binary: (a, b, e) => (e.isFloat ? `${a} + ${b}` : e.wrap('+', a, b)) },
  compute: (a, b, node) => add(a, b, node.name),
});
