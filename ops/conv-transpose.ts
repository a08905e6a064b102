// ONNX ConvTranspose (float32), 1-D and 2-D: group, strides, pads, auto_pad, output_padding,
// output_shape, dilations. Weights are [C, M/group, kH, kW]. Computed as a gather per output
// element: acc = bias, then kh, kw, ci (ci innermost) over the input taps that land on it,
// float32 rounding after every multiply and add.
// Pads: explicit pads, unless output_shape (or SAME_*) asks for a size; then total padding =
// stride*(in-1) + output_padding + (k-1)*dilation + 1 - out, split as the ONNX spec says
// (SAME_UPPER: begin = total/2 rounded down; otherwise begin = total - total/2).
import { fail } from '../core/diagnostics';
import { Node } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { AttrValues, attr, defineOp } from './lib/descriptor';
import { readAutoPad } from './lib/conv-geometry';
import { need, requireDtype, requireLength } from './lib/op-util';

interface Geometry { out: number[]; padBegin: number[] }

const CONV_TRANSPOSE_ATTRS = {
  auto_pad: attr.string('NOTSET'), dilations: attr.ints(), group: attr.int(1), kernel_shape: attr.ints(),
  output_padding: attr.ints(), output_shape: attr.ints(), pads: attr.ints(), strides: attr.ints(),
};
type ConvTransposeAttrs = AttrValues<typeof CONV_TRANSPOSE_ATTRS>;

function geometry(node: Node, a: ConvTransposeAttrs, x: readonly number[], w: readonly number[]): Geometry {
  const name = node.name;
  if (x.length < 3 || x.length !== w.length) fail('bad-shape', `node '${name}': input [${x}] and weights [${w}] do not make a ConvTranspose`, name);
  if (x.length > 4) fail('unsupported', `node '${name}': ${x.length - 2}-D ConvTranspose is not supported (1-D and 2-D are)`, name);
  const n = x.length - 2;
  const auto_pad = readAutoPad(a.auto_pad, name);
  const group = a.group;
  const kernel = a.kernel_shape ?? w.slice(2);
  const strides = a.strides ?? new Array(n).fill(1);
  const dil = a.dilations ?? new Array(n).fill(1);
  const outPad = a.output_padding ?? new Array(n).fill(0);
  const pads = a.pads;
  let outShapeAttr = a.output_shape;
  if (outShapeAttr && outShapeAttr.length === n + 2) outShapeAttr = outShapeAttr.slice(2);
  if (x[1] >= 0 && x[1] !== w[0]) fail('bad-shape', `node '${name}': input has ${x[1]} channels, weights [${w}] expect ${w[0]}`, name);
  if (w[0] % group !== 0) fail('bad-shape', `node '${name}': ${w[0]} input channels not divisible by group ${group}`, name);
  const out: number[] = [], padBegin: number[] = [];
  for (let i = 0; i < n; i++) {
    const ek = (kernel[i] - 1) * dil[i] + 1;
    const natural = strides[i] * (x[i + 2] - 1) + outPad[i] + ek;
    let target: number | undefined;
    if (outShapeAttr) target = outShapeAttr[i];
    else if (auto_pad === 'SAME_UPPER' || auto_pad === 'SAME_LOWER') target = x[i + 2] * strides[i];
    if (target !== undefined) {
      const total = natural - target;
      padBegin.push(auto_pad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      out.push(target);
    } else {
      const pb = auto_pad === 'VALID' || !pads ? 0 : pads[i], pe = auto_pad === 'VALID' || !pads ? 0 : pads[i + n];
      padBegin.push(pb);
      out.push(natural - pb - pe);
    }
  }
  return { out, padBegin };
}

/** ONNX ConvTranspose weights [C][M/group][KH][KW] as [M][KH][KW][C/group], so that the ci loop is
 *  contiguous; the interpreter and the C emitter both use this order. */
export function convTransposeWeightsMKKC(wd: Float32Array, p: { C: number; M: number; Mg: number; Cg: number; KH: number; KW: number }): Float32Array {
  const { C, M, Mg, Cg, KH, KW } = p;
  const wt = new Float32Array(M * KH * KW * Cg);
  for (let ci = 0; ci < C; ci++) {
    const g = Math.floor(ci / Cg), cl = ci - g * Cg;
    for (let mm = 0; mm < Mg; mm++) {
      const m = g * Mg + mm;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++)
        wt[((m * KH + kh) * KW + kw) * Cg + cl] = wd[((ci * Mg + mm) * KH + kh) * KW + kw];
    }
  }
  return wt;
}

/** The loop bounds of a 1-D or 2-D ConvTranspose (1-D as H = 1), shared with the C emitter. */
export interface ConvTransposeParams {
  N: number; C: number; H: number; W: number; M: number; Mg: number; Cg: number; KH: number; KW: number;
  OH: number; OW: number; sh: number; sw: number; dh: number; dw: number; padT: number; padL: number;
  group: number; out: number[];
}

export function convTransposeParams(node: Node, attrs: ConvTransposeAttrs, xs: readonly number[], ws: readonly number[]): ConvTransposeParams {
  const group = attrs.group;
  const geo = geometry(node, attrs, xs, ws);
  const two = xs.length === 4;
  const n = xs.length - 2;
  const strides = attrs.strides ?? new Array(n).fill(1);
  const dil = attrs.dilations ?? new Array(n).fill(1);
  const N = xs[0], C = xs[1], H = two ? xs[2] : 1, W = two ? xs[3] : xs[2];
  const Mg = ws[1], M = Mg * group, Cg = C / group;
  const KH = two ? ws[2] : 1, KW = two ? ws[3] : ws[2];
  const OH = two ? geo.out[0] : 1, OW = two ? geo.out[1] : geo.out[0];
  const sh = two ? strides[0] : 1, sw = two ? strides[1] : strides[0];
  const dh = two ? dil[0] : 1, dw = two ? dil[1] : dil[0];
  const padT = two ? geo.padBegin[0] : 0, padL = two ? geo.padBegin[1] : geo.padBegin[0];
  return { N, C, H, W, M, Mg, Cg, KH, KW, OH, OW, sh, sw, dh, dw, padT, padL, group, out: geo.out };
}

export { CONV_TRANSPOSE_ATTRS };

export const ConvTranspose = defineOp({
  op: 'ConvTranspose',
  attrs: CONV_TRANSPOSE_ATTRS,
  types: ['float32'],
  // Quantized (DQ -> ConvTranspose -> Q, or hsq's PTQ) it becomes hsq QConvTranspose
  // (passes/qdq-recognition.ts). Weights [C, M/group, kH, kW]: output channels along axis 1 (per
  // channel: M/group scales, shared by the groups).
  traits: { quant: 'accumulating', weights: { input: 1, channelAxis: () => 1 }, npu: 'conv-like' },
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X'), w = need(node, inputs, 1, 'W');
    return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[1] * attrs.group, ...geometry(node, attrs, x.shape, w.shape).out] }];
  },
  run({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X'), w = need(node, inputs, 1, 'W'), b = inputs[2];
    requireDtype(node, 'X', x.dtype, ['float32']);
    requireDtype(node, 'W', w.dtype, ['float32']);
    const { N, C, H, W, M, Mg, Cg, KH, KW, OH, OW, sh, sw, dh, dw, padT, padL, out } = convTransposeParams(node, attrs, x.shape, w.shape);
    if (b) { requireDtype(node, 'B', b.dtype, ['float32']); requireLength(node, 'B', b, M); }
    // Input as HWC and weights as [M][KH][KW][Cg] so the ci loop is contiguous.
    const xd = x.data as Float32Array, wd = w.data as Float32Array, bd = b?.data as Float32Array | undefined;
    const wt = convTransposeWeightsMKKC(wd, { C, M, Mg, Cg, KH, KW });
    const xt = new Float32Array(H * W * C);
    const y = makeTensor('float32', [N, M, ...out]);
    const yd = y.data as Float32Array;
    const f = Math.fround;
    for (let nb = 0; nb < N; nb++) {
      const xb = nb * C * H * W;
      for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) xt[i * C + c] = xd[xb + c * H * W + i];
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / Mg), cOff = g * Cg, bias = bd ? bd[m] : 0;
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = bias;
            for (let kh = 0; kh < KH; kh++) {
              const th = oh + padT - kh * dh;
              if (th < 0 || th % sh !== 0) continue;
              const ih = th / sh;
              if (ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const tw = ow + padL - kw * dw;
                if (tw < 0 || tw % sw !== 0) continue;
                const iw = tw / sw;
                if (iw >= W) continue;
                const xo = (ih * W + iw) * C + cOff, wo = ((m * KH + kh) * KW + kw) * Cg;
                for (let ci = 0; ci < Cg; ci++) acc = f(acc + f(xt[xo + ci] * wt[wo + ci]));
              }
            }
            yd[((nb * M + m) * OH + oh) * OW + ow] = acc;
          }
        }
      }
    }
    return [y];
  },
});
