// Weight quantization: symmetric, per output channel. bits 8 → [-127, 127], 4 → [-7, 7],
// 3 → [-3, 3], 2 → [-1, 1] (narrow ranges, zero point 0), 1 → bipolar ±1 with scale
// mean(|w|) per channel (the L1-optimal binary scale). Containers: int8 for 8, 2 and 1 bits;
// int4 for 4 and 3 bits (ONNX INT4). Values round half to even.
//
// The scale of a channel: `minmax` max|w| / qmax; `mse` the clipped max a·max|w| / qmax
// (a = k/100, searched coarse to fine) with the least squared rounding-and-clipping error over the channel
// (Banner et al. 2019, "Post training 4-bit quantization": clipping beats the full range
// below 8 bits). 1-bit weights always take mean|w|, which is already L2-optimal for the signs.
import { DType } from '../core/ir/dtype';
import { QuantParams } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { roundHalfEven } from '../core/numerics';

const f = Math.fround;

export function weightContainer(bits: number): DType {
  return bits === 4 || bits === 3 ? 'int4' : 'int8';
}

/** Integer limit of a narrow symmetric range of this width. */
export function weightQmax(bits: number): number {
  return bits <= 1 ? 1 : 2 ** (bits - 1) - 1;
}

export type WeightMethod = 'minmax' | 'mse';
export const WEIGHT_METHODS: readonly WeightMethod[] = ['minmax', 'mse'];

/** The weight method a layer gets when none is asked: mse below 8 bits, minmax at 8 (as before). */
export function defaultWeightMethod(bits: number): WeightMethod {
  return bits < 8 ? 'mse' : 'minmax';
}

const CLIP_GRID = 100;

/** Squared error of quantizing `v` with `scale` to [-qmax, qmax] (the search rounds half away from zero). */
export function roundingError(v: ArrayLike<number>, scale: number, qmax: number): number {
  const inv = 1 / scale;
  let e = 0;
  for (let i = 0; i < v.length; i++) {
    let q = Math.round(v[i] * inv);
    if (q > qmax) q = qmax; else if (q < -qmax) q = -qmax;
    const d = v[i] - q * scale;
    e += d * d;
  }
  return e;
}

/**
 * MSE-optimal clipped scale of one channel's values: clip ratios k/100 on a coarse grid
 * (k = 100, 95, ..., 5), then every k within 4 of the best.
 */
export function mseScale(v: ArrayLike<number>, amax: number, qmax: number): number {
  const scaleAt = (k: number) => f((amax * k) / CLIP_GRID / qmax);
  let bestK = CLIP_GRID, bestErr = roundingError(v, scaleAt(CLIP_GRID), qmax);
  const tryK = (k: number) => {
    if (k < 1 || k > CLIP_GRID || !(scaleAt(k) > 0)) return;
    const e = roundingError(v, scaleAt(k), qmax);
    if (e < bestErr) { bestErr = e; bestK = k; }
  };
  for (let k = CLIP_GRID - 5; k >= 5; k -= 5) tryK(k);
  const c = bestK;
  for (let k = c + 4; k >= c - 4; k--) if (k !== c) tryK(k);
  return scaleAt(bestK);
}

function channelIndex(shape: readonly number[], axis: number): (i: number) => number {
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k];
  const dim = shape[axis];
  return (i) => Math.floor(i / inner) % dim;
}

/**
 * Quantize float weights `w` (any rank) per slice along `axis`. Returns the integer tensor
 * (container dtype) and its quant (source as given).
 */
export function quantizeWeights(w: Tensor, bits: number, axis: number, source = 'hsq-ptq', method: WeightMethod = 'minmax'): { t: Tensor; quant: QuantParams } {
  const m = w.shape[axis];
  const ch = channelIndex(w.shape, axis);
  const d = w.data as Float32Array;
  const amax = new Float64Array(m), asum = new Float64Array(m), cnt = new Float64Array(m);
  for (let i = 0; i < d.length; i++) {
    const c = ch(i), a = Math.abs(d[i]);
    if (a > amax[c]) amax[c] = a;
    asum[c] += a; cnt[c]++;
  }
  const qmax = weightQmax(bits);
  const values = method === 'mse' && bits > 1 ? channelValues(d, ch, m) : undefined;
  const scale = Array.from(amax, (a, c) => {
    const s = bits <= 1 ? (cnt[c] ? asum[c] / cnt[c] : 0) : values && a > 0 ? mseScale(values[c], a, qmax) : a / qmax;
    const v = f(s);
    return v > 0 && Number.isFinite(v) ? v : 1;
  });
  const q = new Int8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const c = ch(i);
    if (bits <= 1) { q[i] = d[i] >= 0 ? 1 : -1; continue; }
    const v = roundHalfEven(f(d[i] / scale[c]));
    q[i] = v > qmax ? qmax : v < -qmax ? -qmax : v;
  }
  const quant: QuantParams = {
    scale, zeroPoint: new Array(m).fill(0), axis, bits, signed: true, narrow: bits > 1,
    ...(bits <= 1 ? { bipolar: true } : {}), source,
  };
  return { t: makeTensor(weightContainer(bits), w.shape, q), quant };
}

/** The values of each channel, gathered. */
function channelValues(d: Float32Array, ch: (i: number) => number, m: number): Float32Array[] {
  const n = new Int32Array(m);
  for (let i = 0; i < d.length; i++) n[ch(i)]++;
  const out = Array.from(n, (k) => new Float32Array(k));
  n.fill(0);
  for (let i = 0; i < d.length; i++) { const c = ch(i); out[c][n[c]++] = d[i]; }
  return out;
}

/** Dequantized float32 values of an integer tensor with (per-axis or per-tensor) quant. */
export function dequantizeWeights(t: Tensor, q: QuantParams): Tensor {
  const ch = q.axis === undefined || q.scale.length === 1 ? () => 0 : channelIndex(t.shape, q.axis);
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = ch(i);
    out[i] = f((Number(t.data[i]) - q.zeroPoint[c]) * q.scale[c]);
  }
  return makeTensor('float32', t.shape, out);
}

/** int32 bias in units of x_scale · w_scale[c] (zero point 0), saturated to int32. */
export function quantizeBias(b: Tensor, xScale: number, wScale: readonly number[]): { t: Tensor; scale: number[] } {
  const n = b.data.length;
  const scale = Array.from({ length: n }, (_, c) => f(f(xScale) * f(wScale[wScale.length === 1 ? 0 : c])));
  const q = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const v = roundHalfEven(Number(b.data[c]) / scale[c]);
    q[c] = v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
  }
  return { t: makeTensor('int32', [n], q), scale };
}
