// QONNX BipolarQuant (qonnx custom_op/general/bipolar_quant.py, binary_quant):
//   out = where(x >= 0, 1, -1) * scale
import { Node } from '../../core/ir/graph';
import { RefBuilder } from './builder';

export function lowerBipolarQuant(n: Node, b: RefBuilder): void {
  const s = b.float(n.inputs[1], 'scale');
  const k = b.op('Where', [b.ge0(n.inputs[0]), b.constant(1), b.constant(-1)]);
  b.op('Mul', [k, s], {}, n.outputs[0]);
}
