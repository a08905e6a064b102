// Activation ranges chosen from a histogram for a given bit width.
//
// mse: the range [lo, hi] (inside the observed extent) whose asymmetric quantizer, as
//   act-params.ts builds it, gives the least squared error summed over the histogram's bin
//   centres (clipping error and rounding error both counted). A scaled grid (lo·a, hi·a) first,
//   then each end alone, twice; a = k/100.
// entropy: TensorRT's calibration (Migacz, "8-bit Inference with TensorRT", 2017) per side of
//   zero: the threshold whose clipped histogram P (outliers folded into the last bin) and its
//   quantized version Q (P merged into as many bins as the side has quantization steps, each
//   group's mass spread over its non-empty bins) have the least KL(P || Q). Exact zeros are
//   left out: zero is always on the grid, and a spike of zeros (ReLU outputs) smeared over a
//   merged bin would otherwise push every threshold down. A one-sided tensor
//   gets all 2^bits - 1 steps; a two-sided one splits them in proportion to its extent.
import { quantRange } from '../core/numerics';
import { activationParams } from './act-params';
import { Half, Histogram } from './histogram';

const GRID = 100;

/** Squared error of the quantizer for [lo, hi] over weighted points. */
export function rangeError(x: Float64Array, n: Float64Array, lo: number, hi: number, bits: number, signed: boolean): number {
  const q = activationParams(lo, hi, bits, signed);
  const [qmin, qmax] = quantRange(bits, signed, false);
  const s = q.scale[0], z = q.zeroPoint[0], inv = 1 / s;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    let k = Math.round(x[i] * inv) + z;
    if (k < qmin) k = qmin; else if (k > qmax) k = qmax;
    const d = x[i] - (k - z) * s;
    e += n[i] * d * d;
  }
  return e;
}

export function mseRange(h: Histogram, bits: number, signed: boolean): [number, number] {
  const [L, H] = h.extent();
  if (L === 0 && H === 0) return [0, 0];
  const { x, n } = h.points();
  const err = (lo: number, hi: number) => rangeError(x, n, lo, hi, bits, signed);
  let lo = L, hi = H, best = err(L, H);
  for (let k = GRID - 1; k >= 1; k--) {
    const a = k / GRID, e = err(L * a, H * a);
    if (e < best) { best = e; lo = L * a; hi = H * a; }
  }
  for (let round = 0; round < 2; round++) {
    if (H > 0) for (let k = GRID; k >= 1; k--) { const e = err(lo, (H * k) / GRID); if (e < best) { best = e; hi = (H * k) / GRID; } }
    if (L < 0) for (let k = GRID; k >= 1; k--) { const e = err((L * k) / GRID, hi); if (e < best) { best = e; lo = (L * k) / GRID; } }
  }
  return [lo, hi];
}

const EPS = 1e-4;
const MAX_CANDIDATES = 256;

/** KL-optimal threshold of one half with `levels` quantization bins. */
export function entropyThreshold(half: Half, levels: number): number {
  const m = half.counts.length;
  if (half.max === 0) return 0;
  const used = Math.min(m, Math.max(1, Math.ceil((half.max / half.span) * m)));
  if (used <= levels) return half.max;
  const c = half.counts;
  // Prefix sums of mass and of non-empty bins: a merged group's mass and size in O(1).
  const mass = new Float64Array(used + 1), nz = new Int32Array(used + 1);
  for (let j = 0; j < used; j++) { mass[j + 1] = mass[j] + c[j]; nz[j + 1] = nz[j] + (c[j] !== 0 ? 1 : 0); }
  const total = mass[used];
  const step = Math.max(1, Math.floor((used - levels) / MAX_CANDIDATES));
  const cand: number[] = [];
  for (let i = levels; i < used; i += step) cand.push(i);
  cand.push(used);
  let bestI = used, best = Infinity;
  for (const i of cand) {
    const outliers = total - mass[i];
    // P: c[0..i) with the outliers in the last bin; Q: each of `levels` groups' mass spread
    // over its non-empty bins. Both normalised, then smoothed as TensorRT/ORT do: empty bins
    // get EPS, taken evenly from the others.
    const pLast = c[i - 1] + outliers;
    const pZeros = i - 1 - nz[i - 1] + (pLast === 0 ? 1 : 0);
    const qZeros = i - nz[i];
    const pTake = pZeros < i ? (EPS * pZeros) / (i - pZeros) : 0;
    const qTake = qZeros < i ? (EPS * qZeros) / (i - qZeros) : 0;
    const qSum = mass[i];
    let kl = 0;
    for (let k = 0; k < levels; k++) {
      const a = Math.floor((k * i) / levels), b = Math.floor(((k + 1) * i) / levels);
      const gm = mass[b] - mass[a], gn = nz[b] - nz[a];
      const qv = gn ? gm / gn / qSum : 0;
      for (let j = a; j < b; j++) {
        const pr = j === i - 1 ? pLast : c[j];
        const ps = pr === 0 ? EPS : Math.max(pr / total - pTake, EPS * 1e-3);
        const qs = c[j] === 0 ? EPS : Math.max(qv - qTake, EPS * 1e-3);
        kl += ps * Math.log(ps / qs);
      }
    }
    if (kl < best) { best = kl; bestI = i; }
  }
  return Math.min(half.max, bestI * (half.span / m));
}

export function entropyRange(h: Histogram, bits: number, signed: boolean): [number, number] {
  const [L, H] = h.extent();
  if (L === 0 && H === 0) return [0, 0];
  const [qmin, qmax] = quantRange(bits, signed, false);
  const steps = qmax - qmin;
  if (L === 0) return [0, entropyThreshold(h.pos, steps)];
  if (H === 0) return [-entropyThreshold(h.neg, steps), 0];
  const up = Math.max(1, Math.round((steps * H) / (H - L)));
  const down = Math.max(1, steps - up);
  return [-entropyThreshold(h.neg, down), entropyThreshold(h.pos, up)];
}
