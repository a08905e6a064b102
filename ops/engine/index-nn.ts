// The NN and quantization operators of the reference interpreter.
import { OpImpl } from '../lib/types';
import { AveragePool } from '../average-pool';
import { BatchNormalization } from '../batch-normalization';
import { BipolarQuant } from '../bipolar-quant';
import { Conv } from '../conv';
import { ConvInteger } from '../conv-integer';
import { ConvTranspose } from '../conv-transpose';
import { DequantizeLinear } from '../dequantize-linear';
import { Gemm } from '../gemm';
import { GlobalAveragePool } from '../global-average-pool';
import { GlobalMaxPool } from '../global-max-pool';
import { MatMul } from '../matmul';
import { MatMulInteger } from '../matmul-integer';
import { MaxPool } from '../max-pool';
import { QConv } from '../qconv';
import { QGemm } from '../qgemm';
import { QLinearConv } from '../qlinear-conv';
import { QLinearMatMul } from '../qlinear-matmul';
import { IntQuant, Quant } from '../qonnx-quant';
import { QuantizeLinear } from '../quantize-linear';
import { Trunc } from '../trunc';

export const nnOps: OpImpl[] = [
  Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool,
  Gemm, MatMul, BatchNormalization,
  QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger,
  Quant, IntQuant, BipolarQuant, Trunc,
  QConv, QGemm,
];
