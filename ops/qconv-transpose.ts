// hsq QConvTranspose(x, w, bias?, fbias?) (docs/ir.md): ONNX ConvTranspose attributes plus
// qmin/qmax/float_out, like QConv. w is the ConvTranspose weight regrouped by output channel,
// [M, C/group, kH, kW] (w[m][ci] = W_onnx[g*Cg + ci][m - g*Mg], not flipped), so per-channel
// quantization is along axis 0 as for QConv. A gather per output element:
// acc[m, oh, ow] = bias[m] + Σ_{kh, kw, ci} (x[g*Cg + ci, ih, iw] - zx)(w[m, ci, kh, kw] - zw[m])
// over the taps with oh + padT - kh*dh = ih*sh (and the same for w), in int32; then
// requantize(acc, requantMultiplier(sx, sw[m], sy), zy, qmin, qmax) as QConv.
import { Node } from '../core/ir/graph';
import { makeTensor, numel } from '../core/ir/tensor';
import { AttrValues, attr, defineOp } from './lib/descriptor';
import { CONV_TRANSPOSE_ATTRS, ConvTransposeParams, convTransposeParams } from './conv-transpose';
import { accumulatorQuant, inferQOutDtype, outputRule } from './lib/hsq-quant';
import { need, requireDtype, requireLength } from './lib/op-util';
import { requantizePlanes } from './lib/requant';

const QCONV_TRANSPOSE_ATTRS = { ...CONV_TRANSPOSE_ATTRS, qmin: attr.int(), qmax: attr.int(), float_out: attr.int(0) };

/** The loop bounds of a QConvTranspose, from its regrouped weight shape [M, C/group, kH, kW]. */
export function qconvTransposeParams(node: Node, attrs: AttrValues<typeof QCONV_TRANSPOSE_ATTRS>, xs: readonly number[], ws: readonly number[]): ConvTransposeParams {
  const g = attrs.group;
  return convTransposeParams(node, attrs, xs, [ws[1] * g, ws[0] / g, ...ws.slice(2)]);
}

/** int32 gather of a QConvTranspose: acc in NCHW order, (x - zx)(w - zw[m]) summed over the taps. */
export function qconvTransposeAcc(p: ConvTransposeParams, x: ArrayLike<number>, zx: number, w: ArrayLike<number>, zw: Float64Array,
  bias: ArrayLike<number> | undefined, acc: Int32Array): void {
  const { N, C, H, W, M, Mg, Cg, KH, KW, OH, OW, sh, sw, dh, dw, padT, padL } = p;
  for (let n = 0; n < N; n++) {
    const xb = n * C * H * W;
    for (let m = 0; m < M; m++) {
      const cOff = Math.floor(m / Mg) * Cg, z = zw[m], b = bias ? bias[m] | 0 : 0;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let a = b;
          for (let kh = 0; kh < KH; kh++) {
            const th = oh + padT - kh * dh;
            if (th < 0 || th % sh !== 0 || th / sh >= H) continue;
            const ih = th / sh;
            for (let kw = 0; kw < KW; kw++) {
              const tw = ow + padL - kw * dw;
              if (tw < 0 || tw % sw !== 0 || tw / sw >= W) continue;
              const iw = tw / sw;
              for (let ci = 0; ci < Cg; ci++) {
                const xv = Number(x[xb + ((cOff + ci) * H + ih) * W + iw]) - zx;
                const wv = Number(w[((m * Cg + ci) * KH + kh) * KW + kw]) - z;
                a = (a + Math.imul(xv, wv)) | 0;
              }
            }
          }
          acc[((n * M + m) * OH + oh) * OW + ow] = a;
        }
      }
    }
  }
}

export { QCONV_TRANSPOSE_ATTRS };

export const QConvTranspose = defineOp({
  op: 'QConvTranspose',
  domains: ['hsq'],
  attrs: QCONV_TRANSPOSE_ATTRS,
  traits: { quant: 'accumulating', integer: true, weights: { input: 1, channelAxis: () => 0 }, npu: 'conv-like' },
  constInputs: [1, 2, 3],
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w');
    const p = qconvTransposeParams(node, attrs, x.shape, w.shape);
    return [{ dtype: inferQOutDtype(node, x.dtype), shape: [x.shape[0], w.shape[0], ...p.out] }];
  },
  run({ node, attrs, inputs, inputInfos, outputInfos }) {
    const x = need(node, inputs, 0, 'x'), w = need(node, inputs, 1, 'w'), bias = inputs[2], fbias = inputs[3];
    requireDtype(node, 'x', x.dtype, ['int8', 'uint8']);
    requireDtype(node, 'w', w.dtype, ['int8', 'uint8', 'int4', 'uint4']);
    const p = qconvTransposeParams(node, attrs, x.shape, w.shape);
    const M = p.M;
    const dtype = outputInfos[0]?.dtype ?? inferQOutDtype(node, x.dtype);
    const q = accumulatorQuant(node, inputInfos[0], inputInfos[1], outputInfos[0], dtype, M, 0);
    if (bias) { requireDtype(node, 'bias', bias.dtype, ['int32']); requireLength(node, 'bias', bias, M); }
    const outShape = [p.N, M, ...p.out];
    const acc = new Int32Array(numel(outShape));
    qconvTransposeAcc(p, x.data as ArrayLike<number>, q.x.zero, w.data as ArrayLike<number>, q.wZero, bias?.data as Int32Array | undefined, acc);
    const y = makeTensor(dtype, outShape);
    requantizePlanes(acc, p.N, M, p.OH * p.OW, outputRule(node, q, fbias, M), y.data);
    return [y];
  },
});
