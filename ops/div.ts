// Div with broadcasting: float32 rounded quotient; integer division truncates toward zero
// (C semantics); integer division by zero gives 0 (undefined in C; hsq defines it).
import { Tensor } from '../core/ir/tensor';
import { ArithKernels, arith, binaryOp } from './lib/elementwise';

export const DIV: ArithKernels = {
  float: (a, b) => a / b,
  int: (a, b) => (b === 0 ? 0 : Math.trunc(a / b)),
  big: (a, b) => (b === 0n ? 0n : a / b),
};

export function div(a: Tensor, b: Tensor, subject?: string): Tensor {
  return arith(a, b, DIV, subject);
}

export const Div = binaryOp({
  op: 'Div',
  traits: { quant: 'none', npu: 'elementwise' },
  c: { binary: (a, b, e) => (e.isFloat ? `${a} / ${b}` : `(${e.ctype})(${b} == 0 ? 0 : ${a} / ${b})`) },
  compute: (a, b, node) => div(a, b, node.name),
});
