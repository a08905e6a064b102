// Op → C emitter: an elementwise op's C form is data in its descriptor (no entry here); the
// others have an emitter in this table. Keys: 'Op' for ONNX ops, 'domain:Op' for others.
import { Node } from '../../../core/ir/graph';
import { canonicalDomain } from '../../../ops/engine/registry';
import { descriptorOf } from '../../../ops/engine/traits';
import { OpDescriptor } from '../../../ops/lib/descriptor';
import { OpEmitter } from '../context';
import { emitBatchNormalization } from './batchnorm';
import { emitArg } from './arg';
import { emitConv } from './conv';
import { emitConvTranspose } from './conv-transpose';
import { emitLayerNorm } from './layer-norm';
import { ELEMENTWISE, cFormEmitter } from './elementwise';
import { emitGemm, emitMatMul } from './matmul';
import { emitConcat, movement } from './movement';
import { emitAveragePool, emitGlobalAveragePool, emitGlobalMaxPool, emitMaxPool } from './pool';
import { emitConvInteger, emitQConv, emitQLinearConv } from './qconv';
import { emitQConvTranspose } from './qconv-transpose';
import { emitMatMulInteger, emitQGemm, emitQLinearMatMul } from './qgemm';
import { emitDequantizeLinear, emitQuantizeLinear } from './quantize';
import { emitLogSoftmax, emitSoftmax } from './softmax';
import { emitResize } from './resize';
import { emitGru, emitLstm } from './rnn';

const nearestOnly = (inner: OpEmitter): OpEmitter => (ctx) => {
  const mode = (ctx.node.attrs.mode as string | undefined) ?? 'nearest';
  if (mode !== 'nearest') ctx.fail(`mode '${mode}' is not supported by the C backend (nearest is)`);
  inner(ctx);
};

export const EMITTERS: Record<string, OpEmitter> = {
  ...ELEMENTWISE,
  Conv: emitConv,
  ConvTranspose: emitConvTranspose,
  'hsq:QConv': emitQConv,
  'hsq:QConvTranspose': emitQConvTranspose,
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
  LogSoftmax: emitLogSoftmax,
  LayerNormalization: emitLayerNorm,
  LSTM: emitLstm,
  GRU: emitGru,
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
  GatherElements: movement(),
  ArgMax: emitArg(true),
  ArgMin: emitArg(false),
  Expand: movement(),
  Split: movement(),
  Pad: movement(),
  Tile: movement(),
  DepthToSpace: movement(),
  SpaceToDepth: movement(),
  Resize: emitResize,
  Upsample: nearestOnly(movement()),
};

const fromForm = new Map<OpDescriptor, OpEmitter | undefined>();

export function findEmitter(n: Node): OpEmitter | undefined {
  const d = canonicalDomain(n.domain);
  const own = EMITTERS[d ? `${d}:${n.op}` : n.op];
  if (own) return own;
  const desc = descriptorOf(n);
  if (!desc) return undefined;
  if (!fromForm.has(desc)) fromForm.set(desc, cFormEmitter(desc));
  return fromForm.get(desc);
}
