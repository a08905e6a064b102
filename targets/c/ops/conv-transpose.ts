// Float ConvTranspose (1-D and 2-D, groups incl. depthwise, strides, dilations, pads,
// output_padding/output_shape) as ops/conv-transpose.ts computes it: a gather per output
// element on NHWC activations, acc = bias, then kh, kw, ci (ci innermost) over the input taps
// that land on it; one float32 rounding per multiply and per add (no contraction). Weights are
// reordered at compile time from [C, M/group, KH, KW] to [M][KH][KW][C/group].
import { CONV_TRANSPOSE_ATTRS, convTransposeWeightsMKKC, convTransposeParams } from '../../../ops/conv-transpose';
import { readAttrs } from '../../../ops/lib/descriptor';
import { OpEmitter } from '../context';
import { channelsLastIO } from './conv';

export const emitConvTranspose: OpEmitter = (ctx) => {
  const x = ctx.in(0), w = ctx.constValue(1);
  if (x.dtype !== 'float32' || w.dtype !== 'float32') ctx.fail(`input type ${x.dtype}, weights ${w.dtype} (float32 expected)`);
  const p = convTransposeParams(ctx.node, readAttrs(CONV_TRANSPOSE_ATTRS, ctx.node), x.shape, w.shape);
  const { C, H, W, M, Mg, Cg, KH, KW, OH, OW, sh, sw, dh, dw, padT, padL } = p;
  const wd = w.data as Float32Array;
  const wt = convTransposeWeightsMKKC(wd, p);
  const wp = ctx.weightArray(wt, 'float');
  const bp = ctx.has(2) ? ctx.inPtr(2) : undefined;
  const io = channelsLastIO(ctx, 'float', 'float');
  ctx.emit(
    '  {',
    `    const float* x = ${io.x};`,
    `    const float* wt = ${wp};`,
    ...(bp ? [`    const float* b = ${bp};`] : []),
    `    float* y = ${io.y};`,
    '    int32_t n, oh, ow, m, kh, kw, ci;',
    `    for (n = 0; n < ${p.N}; n++)`,
    `      for (oh = 0; oh < ${OH}; oh++)`,
    `        for (ow = 0; ow < ${OW}; ow++)`,
    `          for (m = 0; m < ${M}; m++) {`,
    `            float acc = ${bp ? 'b[m]' : '0.0f'};`,
    `            const int32_t cOff = (m / ${Mg}) * ${Cg};`,
    `            for (kh = 0; kh < ${KH}; kh++) {`,
    `              const int32_t th = oh + ${padT} - kh * ${dh};`,
    `              int32_t ih;`,
    `              if (th < 0 || th % ${sh} != 0) continue;`,
    `              ih = th / ${sh};`,
    `              if (ih >= ${H}) continue;`,
    `              for (kw = 0; kw < ${KW}; kw++) {`,
    `                const int32_t tw = ow + ${padL} - kw * ${dw};`,
    `                int32_t iw;`,
    '                const float* xp;',
    '                const float* wp;',
    `                if (tw < 0 || tw % ${sw} != 0) continue;`,
    `                iw = tw / ${sw};`,
    `                if (iw >= ${W}) continue;`,
    `                xp = x + ((n * ${H} + ih) * ${W} + iw) * ${C} + cOff;`,
    `                wp = wt + ((m * ${KH} + kh) * ${KW} + kw) * ${Cg};`,
    `                for (ci = 0; ci < ${Cg}; ci++) acc = acc + xp[ci] * wp[ci];`,
    '              }',
    '            }',
    `            y[((n * ${OH} + oh) * ${OW} + ow) * ${M} + m] = acc;`,
    '          }',
    '  }',
  );
  io.finish();
};
