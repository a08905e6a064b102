// Neg: y = -x; integers wrap (-(-128) is -128 in int8) as the typed array store does.
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function neg(x: Tensor): Tensor {
  if (isBigInt(x.dtype)) return mapUnary(x, x.dtype, (v: bigint) => -v);
  return mapUnary(x, x.dtype, (v: number) => -v);
}

export const Neg = unaryOp({
  op: 'Neg',
  traits: { quant: 'lookup-table', quantizer: false, npu: 'elementwise' },
  c: { unary: (v, e) => (e.isFloat ? `(-${v})` : `(${e.ctype})(0 - ${v})`) },
  compute: (x) => neg(x),
});
