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
