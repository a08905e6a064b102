// QONNX IntQuant: the name newer QONNX gives Quant; the same op (ops/lib/qonnx-quant.ts).
import { quantOp } from './lib/qonnx-quant';

export const IntQuant = quantOp('IntQuant');
