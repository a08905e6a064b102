// Add with broadcasting: float32 rounded sum; integers wrap; int64 as BigInt.
import { Tensor } from '../core/ir/tensor';
import { ArithKernels, arith, binaryImpl } from './lib/elementwise';

export const ADD: ArithKernels = { float: (a, b) => a + b, int: (a, b) => a + b, big: (a, b) => a + b };

export function add(a: Tensor, b: Tensor, subject?: string): Tensor {
  return arith(a, b, ADD, subject);
}

export const Add = binaryImpl('Add', (a, b, node) => add(a, b, node.name));
