// Seeded layers of the kernel bench: random weights of each precision's range, random
// activations, biases and per-channel multipliers that keep most outputs off the clamp (so the
// bit-exact comparison sees the rounding).
import { fcAsConv } from '../targets/cortex-m55/kernels/conv';
import type { ConvLayerDesc } from '../targets/cortex-m55/kernels/types';
import { xorshiftInts } from '../examples/lib/prng';

export interface LayerSpec {
  layer: string;
  H: number;
  W: number;
  C: number;
  M: number;
  k: number;
  pad: number;
  fc?: boolean;
}

/** Weights and activations: w1 weights and a1 activations are bipolar {-1, +1}. */
export const PRECISIONS = ['w8a8', 'w4a8', 'w2a8', 'w1a8', 'w1a1'] as const;
export type Precision = (typeof PRECISIONS)[number];

const WEIGHTS: Record<Precision, { bits: 8 | 4 | 2 | 1; lo: number; hi: number; std: number }> = {
  w8a8: { bits: 8, lo: -127, hi: 127, std: 73 },
  w4a8: { bits: 4, lo: -8, hi: 7, std: 4.6 },
  w2a8: { bits: 2, lo: -2, hi: 1, std: 1.1 },
  w1a8: { bits: 1, lo: -1, hi: 1, std: 1 },
  w1a1: { bits: 1, lo: -1, hi: 1, std: 1 },
};

export function benchCase(spec: LayerSpec, precision: Precision, seed: number): { desc: ConvLayerDesc; x: Int8Array } {
  const r = xorshiftInts(seed);
  const { H, W, C, M, k, pad } = spec;
  const wt = WEIGHTS[precision];
  const binaryX = precision === 'w1a1';
  const K = C * k * k;
  const weight = () => (wt.bits === 1 ? (r(0, 1) ? 1 : -1) : r(wt.lo, wt.hi));
  const weights = Int8Array.from({ length: M * K }, weight);
  const bias = Int32Array.from({ length: M }, () => (binaryX ? r(-20, 20) : r(-20000, 20000)));
  const typ = Math.sqrt(K) * (binaryX ? 1 : 74) * wt.std;
  const multiplier = Float32Array.from({ length: M }, () => Math.fround((40 / typ) * (0.5 + r(0, 1000) / 1000)));
  const name = `${spec.layer}_${precision}`;
  const common = {
    name, comment: `bench ${spec.layer} ${precision}`, weightBits: wt.bits, weightZeroPoint: 0, bias, inputZeroPoint: binaryX ? 0 : r(-10, 10),
    multiplier: Array.from(multiplier), outputZeroPoint: r(-5, 5), qmin: -128, qmax: 127, outputType: 'int8' as const,
  };
  const desc: ConvLayerDesc = spec.fc
    ? fcAsConv({ ...common, inFeatures: C, outFeatures: M, weights: transposeToKN(weights, M, C) })
    : { ...common, inH: H, inW: W, inC: C, outC: M, kH: k, kW: k, strideH: 1, strideW: 1, pads: [pad, pad, pad, pad], weights };
  const x = Int8Array.from({ length: H * W * C }, () => (binaryX ? (r(0, 1) ? 1 : -1) : r(-128, 127)));
  return { desc, x };
}

function transposeToKN(w: Int8Array, N: number, K: number): Int8Array {
  const t = new Int8Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) t[k * N + n] = w[n * K + k];
  return t;
}
