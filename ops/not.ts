// Not: logical negation of a bool tensor.
import { Tensor } from '../core/ir/tensor';
import { unaryImpl } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function not(x: Tensor): Tensor {
  return mapUnary(x, 'bool', (v: number) => (v ? 0 : 1));
}

export const Not = unaryImpl('Not', (x) => not(x));
