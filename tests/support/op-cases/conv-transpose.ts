// ConvTranspose: strides, pads, output_padding, output_shape, auto_pad, dilations, groups
// (grouped and depthwise), 1-D and 2-D, with and without bias; weights constant.
import { Rng } from '../../../examples/lib/prng';
import { OpCase } from './case';

function weights(seed: number, n: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Math.fround(r.uniform(-1, 1)));
}

interface Geo { x: number[]; w: number[]; attrs?: Record<string, number | number[] | string>; bias?: boolean }

const GEOS: Record<string, Geo> = {
  basic: { x: [1, 3, 5, 5], w: [3, 4, 3, 3], bias: true },
  stride2: { x: [1, 4, 4, 4], w: [4, 2, 3, 3], attrs: { strides: [2, 2] }, bias: true },
  stride2_pads: { x: [1, 2, 5, 4], w: [2, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  output_padding: { x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: [2, 2], output_padding: [1, 1] }, bias: true },
  output_shape: { x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: [2, 2], output_shape: [7, 8] } },
  same_upper: { x: [1, 2, 4, 4], w: [2, 2, 4, 4], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  dilations: { x: [1, 2, 4, 4], w: [2, 2, 3, 3], attrs: { dilations: [2, 2] }, bias: true },
  group2: { x: [1, 4, 4, 4], w: [4, 3, 3, 3], attrs: { group: 2, strides: [2, 2] }, bias: true },
  depthwise: { x: [2, 6, 4, 5], w: [6, 1, 4, 4], attrs: { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  kernel_2x2_s2: { x: [1, 8, 5, 5], w: [8, 4, 2, 2], attrs: { strides: [2, 2] }, bias: true },
  conv1d: { x: [1, 3, 7], w: [3, 2, 3], attrs: { strides: [2], pads: [1, 0] }, bias: true },
};

export function convTransposeCases(): OpCase[] {
  return Object.entries(GEOS).map(([name, g], k): OpCase => {
    const M = g.w[1] * ((g.attrs?.group as number | undefined) ?? 1);
    return {
      name: `ConvTranspose_${name}`, op: 'ConvTranspose', opset: 11, attrs: g.attrs ?? {},
      inputs: [
        { dtype: 'float32', shape: g.x },
        { dtype: 'float32', shape: g.w, value: weights(100 + k, g.w.reduce((a, b) => a * b, 1)) },
        ...(g.bias ? [{ dtype: 'float32' as const, shape: [M], value: weights(200 + k, M) }] : []),
      ],
    };
  });
}

// Quantized ConvTranspose: DequantizeLinear(x int8/uint8), DequantizeLinear(W int8/int4 const,
// per tensor or per output channel, axis 1 of [C, M/group, kH, kW]), DequantizeLinear(bias
// int32, scale x_scale * w_scale), ConvTranspose, QuantizeLinear: one hsq QConvTranspose.
// ONNX Runtime runs the float chain; the interpreter is within 1 step of it.

function ints(seed: number, n: number, lo: number, hi: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Math.round(r.uniform(lo, hi)));
}

interface QGeo extends Geo {
  /** Weight scales along axis 1 (M/group of them), or one per tensor. */
  ws: number[];
  wdtype?: 'int8' | 'int4';
  xdtype?: 'int8' | 'uint8';
  /** Output scale (default 0.04), chosen so that few outputs saturate. */
  ys?: number;
}

const SX = 0.02;
const Q_GEOS: Record<string, QGeo> = {
  q_int8_per_tensor: { x: [1, 3, 5, 5], w: [3, 4, 3, 3], bias: true, ws: [0.011], ys: 0.08 },
  q_int8_per_channel_s2_output_padding: { x: [1, 4, 4, 4], w: [4, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, bias: true, ws: [0.009, 0.013, 0.017], ys: 0.06 },
  q_grouped_per_channel: { x: [1, 4, 4, 4], w: [4, 3, 3, 3], attrs: { group: 2, strides: [2, 2] }, bias: true, ws: [0.012, 0.02, 0.008] },
  q_depthwise: { x: [2, 6, 4, 5], w: [6, 1, 4, 4], attrs: { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true, ws: [0.015] },
  q_uint8_output_shape_dilations: { x: [1, 2, 3, 3], w: [2, 2, 3, 3], attrs: { strides: [2, 2], dilations: [2, 2], output_shape: [9, 10] }, ws: [0.02, 0.01], xdtype: 'uint8' },
  q_int4_per_channel_s2: { x: [1, 4, 4, 4], w: [4, 2, 3, 3], attrs: { strides: [2, 2], output_padding: [1, 0] }, bias: true, ws: [0.1, 0.07], wdtype: 'int4', ys: 0.12 },
  q_int4_conv1d: { x: [1, 3, 7], w: [3, 2, 3], attrs: { strides: [2], pads: [1, 0] }, bias: true, ws: [0.12], wdtype: 'int4', ys: 0.12 },
};

export function quantizedConvTransposeCases(): OpCase[] {
  return Object.entries(Q_GEOS).map(([name, g], k): OpCase => {
    const group = (g.attrs?.group as number | undefined) ?? 1;
    const M = g.w[1] * group;
    const n = g.w.reduce((a, b) => a * b, 1);
    const [wlo, whi] = g.wdtype === 'int4' ? [-8, 7] : [-127, 127];
    const xu = g.xdtype === 'uint8';
    const wq = g.ws.length === 1 ? { scale: g.ws, zeroPoint: [0] } : { scale: g.ws, zeroPoint: g.ws.map(() => 0), axis: 1 };
    // Bias in units of x_scale * w_scale of its output channel m (weight scale m mod M/group).
    const bs = Array.from({ length: M }, (_, m) => Math.fround(Math.fround(SX) * Math.fround(g.ws[g.ws.length === 1 ? 0 : m % g.w[1]])));
    return {
      name: `ConvTranspose_${name}`, op: 'ConvTranspose', opset: 21, attrs: g.attrs ?? {},
      inputs: [
        { dtype: xu ? 'uint8' : 'int8', shape: g.x, range: xu ? [0, 255] : [-128, 127], dequantize: { scale: [SX], zeroPoint: [xu ? 128 : 0] } },
        { dtype: g.wdtype ?? 'int8', shape: g.w, value: ints(300 + k, n, wlo, whi), dequantize: wq },
        ...(g.bias ? [{ dtype: 'int32' as const, shape: [M], value: ints(400 + k, M, -4000, 4000), dequantize: { scale: bs, zeroPoint: bs.map(() => 0), axis: 0 } }] : []),
      ],
      quantizeOutputs: { scale: g.ys ?? 0.04, zeroPoint: xu ? 128 : -3, dtype: xu ? 'uint8' : 'int8' },
      steps: 1,
    };
  });
}
