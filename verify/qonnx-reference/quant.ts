// QONNX Quant / IntQuant (qonnx custom_op/general/intquant.py, int_quant):
//   y = x / scale + zeropt
//   1-bit signed: y = where(y >= 0, 1, -1)
//   otherwise:    y = round_mode(where(y < min, min, where(y > max, max, y)))
//   out = (y - zeropt) * scale
// [min, max] from bit width, signed and narrow (qonnx's min_int / max_int, numerics' quantRange).
import { Graph, Node } from '../../core/ir/graph';
import { quantRange } from '../../core/numerics';
import { RefBuilder } from './builder';
import { bitWidth, flag, roundingMode } from './params';

export function lowerQuant(g: Graph, n: Node, b: RefBuilder, notes: string[]): void {
  const bits = bitWidth(g, n, 3, 'bitwidth');
  const signed = flag(n, 'signed', 1, notes), narrow = flag(n, 'narrow', 0, notes);
  const s = b.float(n.inputs[1], 'scale'), z = b.float(n.inputs[2], 'zeropt');
  const v = b.op('Add', [b.op('Div', [n.inputs[0], s]), z]);
  let k: string;
  if (bits === 1 && signed) k = b.op('Where', [b.ge0(v), b.constant(1), b.constant(-1)]);
  else {
    const [lo, hi] = quantRange(bits, signed, narrow);
    k = b.round(b.clamp(v, lo, hi), roundingMode(n, 'ROUND'));
  }
  b.op('Mul', [b.op('Sub', [k, z]), s], {}, n.outputs[0]);
}
