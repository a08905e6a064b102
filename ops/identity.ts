// Identity: a copy.
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { reshaped } from './lib/tensor-util';

export function identity(x: Tensor): Tensor {
  return reshaped(x, x.shape);
}

export const Identity = unaryOp({
  op: 'Identity',
  traits: { quant: 'data-movement', npu: 'data-movement' },
  c: { unary: (v) => v },
  compute: (x) => identity(x),
});
