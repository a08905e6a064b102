// QONNX Quant: uniform quantization to `bitwidth` bits and back to float32 (ops/lib/qonnx-quant.ts).
import { quantOp } from './lib/qonnx-quant';

export const Quant = quantOp('Quant');
