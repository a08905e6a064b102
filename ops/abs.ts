// Abs: y = |x|; integers wrap (|-128| is -128 in int8).
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function abs(x: Tensor): Tensor {
  if (isBigInt(x.dtype)) return mapUnary(x, x.dtype, (v: bigint) => (v < 0n ? -v : v));
  return mapUnary(x, x.dtype, Math.abs);
}

export const Abs = unaryOp({
  op: 'Abs',
  traits: { quant: 'lookup-table', quantizer: false, npu: 'elementwise' },
  c: { unary: (v, e) => (e.isFloat ? `fabsf(${v})` : `(${e.ctype})(${v} < 0 ? 0 - ${v} : ${v})`) },
  compute: (x) => abs(x),
});
