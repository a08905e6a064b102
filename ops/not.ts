// Not: logical negation of a bool tensor.
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function not(x: Tensor): Tensor {
  return mapUnary(x, 'bool', (v: number) => (v ? 0 : 1));
}

export const Not = unaryOp({
  op: 'Not',
  types: ['bool'],
  traits: { quant: 'none', npu: 'none' },
  c: { unary: (v) => `(uint8_t)!${v}` },
  compute: (x) => not(x),
});
