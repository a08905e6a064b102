// hsq QConvTranspose on NHWC int8/uint8 activations via hsq_qconv_transpose: the gather of
// ops/qconv-transpose.ts (acc = bias + Σ over the taps landing on each output element of
// (x - zx)(w - zw[m]), int32), requantized as hsq_qconv does. Weights are rows per output
// channel [M][KH][KW][C/group] of w - zw, stored at their bit width (hsq_qparams_t, qweights.ts).
import { QCONV_TRANSPOSE_ATTRS, qconvTransposeParams } from '../../../ops/qconv-transpose';
import { readAttrs } from '../../../ops/lib/descriptor';
import { toNumbers } from '../../../core/ir/tensor';
import { OpEmitter } from '../context';
import { ctype } from '../ctypes';
import { channelsLastIO } from './conv';
import { emitQParams, qLayerOf } from './qconv';
import { convStruct } from './util';

export const emitQConvTranspose: OpEmitter = (ctx) => {
  const x = ctx.in(0), y = ctx.out(0), w = ctx.constValue(1);
  const p = qconvTransposeParams(ctx.node, readAttrs(QCONV_TRANSPOSE_ATTRS, ctx.node), x.shape, w.shape);
  const { M, Cg, KH, KW } = p;
  const L = qLayerOf(ctx, M, 0);
  const rowLen = KH * KW * Cg;
  const wv = toNumbers(L.w);
  const values = new Int32Array(M * rowLen);
  for (let m = 0; m < M; m++) for (let ci = 0; ci < Cg; ci++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++)
    values[((m * KH + kh) * KW + kw) * Cg + ci] = wv[((m * Cg + ci) * KH + kh) * KW + kw] - L.zw[m];
  const { wp, bp, mp, scratch, q } = emitQParams(ctx, L, M, rowLen, values);
  const conv = ctx.addStatic('convt', (s) => `static const hsq_conv_t ${s} = ${convStruct(p)}; /* transposed: pt/pl are the output-side pads */`);
  const io = channelsLastIO(ctx, ctype(x.dtype).name, ctype(y.dtype).name);
  ctx.emit(`  hsq_qconv_transpose(&${conv}, &${q}, ${io.x}, ${wp}, ${bp}, ${mp}, ${io.y}, ${scratch});`);
  io.finish();
};
