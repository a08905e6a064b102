// ONNX AveragePool (float32), 1-D and 2-D: sum of the window in order (kh, kw) with float32
// rounding after each add, then fround(sum / count). count_include_pad counts the taps inside
// the padded input (not those beyond the end padding that ceil_mode adds); otherwise only the
// taps inside the input.
import { makeTensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { tapRanges } from './lib/conv-geometry';
import { need, requireDtype } from './lib/op-util';
import { POOL_ATTRS, poolSetup } from './lib/pool-setup';

const f = Math.fround;

export const AveragePool = defineOp({
  op: 'AveragePool',
  attrs: { ...POOL_ATTRS, count_include_pad: attr.int(0) },
  types: ['float32'],
  traits: { quant: 'dequantize-compute-quantize', npu: 'pool' },
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X');
    return [{ dtype: x.dtype, shape: poolSetup(node, x.shape, attrs).outShape }];
  },
  run({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X');
    requireDtype(node, 'X', x.dtype, ['float32']);
    const { count_include_pad } = attrs;
    const { params: p, outShape } = poolSetup(node, x.shape, attrs);
    const y = makeTensor('float32', outShape);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    const rh = tapRanges(p.OH, p.H, p.KH, p.sh, p.padT, p.dh), rw = tapRanges(p.OW, p.W, p.KW, p.sw, p.padL, p.dw);
    // Taps inside the padded extent [-pad_begin, size + pad_end).
    const ph = tapRanges(p.OH, p.H + p.padT + p.padB, p.KH, p.sh, 0, p.dh), pw = tapRanges(p.OW, p.W + p.padL + p.padR, p.KW, p.sw, 0, p.dw);
    let o = 0;
    for (let nc = 0; nc < p.N * p.C; nc++) {
      const base = nc * p.H * p.W;
      for (let oh = 0; oh < p.OH; oh++) {
        const ih0 = oh * p.sh - p.padT;
        for (let ow = 0; ow < p.OW; ow++, o++) {
          const iw0 = ow * p.sw - p.padL;
          let sum = 0;
          for (let kh = rh.lo[oh]; kh < rh.hi[oh]; kh++) {
            const row = base + (ih0 + kh * p.dh) * p.W + iw0;
            for (let kw = rw.lo[ow]; kw < rw.hi[ow]; kw++) sum = f(sum + xd[row + kw * p.dw]);
          }
          const count = count_include_pad
            ? (ph.hi[oh] - ph.lo[oh]) * (pw.hi[ow] - pw.lo[ow])
            : (rh.hi[oh] - rh.lo[oh]) * (rw.hi[ow] - rw.lo[ow]);
          yd[o] = count > 0 ? f(sum / count) : NaN;
        }
      }
    }
    return [y];
  },
});
