// Op → C emitter table. Keys: 'Op' for ONNX ops, 'domain:Op' for others.
import { Node } from '../../../core/ir/graph';
import { canonicalDomain } from '../../../ops/engine/registry';
import { OpEmitter } from '../context';
import { emitBatchNormalization } from './batchnorm';
import { emitConv } from './conv';
import { ELEMENTWISE } from './elementwise';
import { emitGemm, emitMatMul } from './matmul';
import { emitConcat, movement } from './movement';
import { emitAveragePool, emitGlobalAveragePool, emitGlobalMaxPool, emitMaxPool } from './pool';
import { emitConvInteger, emitQConv, emitQLinearConv } from './qconv';
import { emitMatMulInteger, emitQGemm, emitQLinearMatMul } from './qgemm';
import { emitDequantizeLinear, emitQuantizeLinear } from './quantize';
import { emitSoftmax } from './softmax';

const nearestOnly = (inner: OpEmitter): OpEmitter => (ctx) => {
  const mode = (ctx.node.attrs.mode as string | undefined) ?? 'nearest';
  if (mode !== 'nearest') ctx.fail(`mode '${mode}' is not supported by the C backend (nearest is)`);
  inner(ctx);
};

export const EMITTERS: Record<string, OpEmitter> = {
  ...ELEMENTWISE,
  Conv: emitConv,
  'hsq:QConv': emitQConv,
  'hsq:QGemm': emitQGemm,
  QLinearConv: emitQLinearConv,
  ConvInteger: emitConvInteger,
  QLinearMatMul: emitQLinearMatMul,
  MatMulInteger: emitMatMulInteger,
  MatMul: emitMatMul,
  Gemm: emitGemm,
  MaxPool: emitMaxPool,
  AveragePool: emitAveragePool,
  GlobalMaxPool: emitGlobalMaxPool,
  GlobalAveragePool: emitGlobalAveragePool,
  BatchNormalization: emitBatchNormalization,
  Softmax: emitSoftmax,
  QuantizeLinear: emitQuantizeLinear,
  DequantizeLinear: emitDequantizeLinear,
  Concat: emitConcat,
  Reshape: movement(),
  Flatten: movement(),
  Squeeze: movement(),
  Unsqueeze: movement(),
  Transpose: movement(),
  Slice: movement(),
  Gather: movement(),
  Expand: movement(),
  Split: movement(),
  Pad: movement(),
  Tile: movement(),
  DepthToSpace: movement(),
  SpaceToDepth: movement(),
  Resize: nearestOnly(movement()),
  Upsample: nearestOnly(movement()),
};

export function findEmitter(n: Node): OpEmitter | undefined {
  const d = canonicalDomain(n.domain);
  return EMITTERS[d ? `${d}:${n.op}` : n.op];
}
