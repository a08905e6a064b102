// Exp: hsq's float32 expf (never Math.exp for float32 results).
import { Tensor } from '../core/ir/tensor';
import { expf } from '../core/expf';
import { unaryOp } from './lib/elementwise';
import { mapUnary } from './lib/tensor-util';

export function exp(x: Tensor): Tensor {
  return mapUnary(x, x.dtype, x.dtype === 'float64' ? Math.exp : expf);
}

export const Exp = unaryOp({
  op: 'Exp',
  floatOnly: true,
  // hsq's quantizer leaves Exp float (its output range spans orders of magnitude); a model's own
  // DequantizeLinear -> Exp -> QuantizeLinear still becomes a table.
  traits: { quant: 'lookup-table', quantizer: false, npu: 'lookup-activation' },
  c: { unary: (v) => `hsq_expf(${v})` },
  compute: (x) => exp(x),
});
