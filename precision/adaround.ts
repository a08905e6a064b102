// AdaRound (Nagel et al. 2020, "Up or Down? Adaptive Rounding for Post-Training
// Quantization"): each weight rounds down or up, chosen by optimising a continuous variable V
// per weight. W̃ = s · clamp(floor(W/s) + h(V), -qmax, qmax) with the rectified sigmoid
// h(V) = clip(σ(V)(ζ - γ) + γ, 0, 1), ζ = 1.1, γ = -0.1; the loss is the layer's output error
// |(W - W̃) X|² (as the quadratic form of the input Gram matrix H, relative to round-to-nearest's
// error so the weighting below does not depend on the layer's scale) plus
// λ · mean(1 - |2h(V) - 1|^β), which drives h to 0 or 1; β anneals from 20 to 2 after a 20 %
// warm-up without it, as in the paper. Adam on V, full batch (H holds every input row), so a
// run is deterministic. V starts where h(V) equals W/s's fractional part (W̃ = W).
import { RoundingProblem, nearestRound, outputError } from './rounding-problem';

const ZETA = 1.1, GAMMA = -0.1;
// λ weighs the mean regulariser against the output error relative to nearest's (≈ 1 at the
// start); the paper's 0.01 weighs a sum against an unnormalised error. 10 drives ~98 % of the
// free weights to 0 or 1 within 500 steps on seeded layers (tests/ptq-rounding.test.ts).
const LAMBDA = 10;
const WARMUP = 0.2;
const BETA_START = 20, BETA_END = 2;
const LR = 5e-2, B1 = 0.9, B2 = 0.999, EPS = 1e-8;

export interface AdaRoundOptions {
  /** Optimisation steps (default 500). */
  readonly iters?: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export function adaRound(p: RoundingProblem, opts: AdaRoundOptions = {}): Float64Array {
  const { rows, k, qmax, h: H } = p;
  const n = rows * k;
  const iters = opts.iters ?? 500;
  const fl = new Float64Array(n), v = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      const x = p.w[r * k + i] / p.scale[r];
      const f = Math.floor(x);
      fl[r * k + i] = f;
      const sg = Math.min(1 - 1e-6, Math.max(1e-6, (x - f - GAMMA) / (ZETA - GAMMA)));
      v[r * k + i] = Math.log(sg / (1 - sg));
    }
  }
  const e0 = Math.max(outputError(p, nearestRound(p)), 1e-30);
  const m1 = new Float64Array(n), m2 = new Float64Array(n);
  const d = new Float64Array(n), g = new Float64Array(k), hv = new Float64Array(n), dh = new Float64Array(n);
  for (let t = 0; t < iters; t++) {
    const warm = t < WARMUP * iters;
    const beta = BETA_END + (BETA_START - BETA_END) * Math.max(0, 1 - (t - WARMUP * iters) / ((1 - WARMUP) * iters));
    // Forward: soft weights and their error.
    for (let j = 0; j < n; j++) {
      const s = sigmoid(v[j]);
      const raw = s * (ZETA - GAMMA) + GAMMA;
      const hh = raw < 0 ? 0 : raw > 1 ? 1 : raw;
      hv[j] = hh;
      dh[j] = raw > 0 && raw < 1 ? (ZETA - GAMMA) * s * (1 - s) : 0;
      let q = fl[j] + hh;
      if (q > qmax) { q = qmax; dh[j] = 0; } else if (q < -qmax) { q = -qmax; dh[j] = 0; }
      d[j] = p.scale[Math.floor(j / k)] * q - p.w[j];
    }
    // Backward: d(rec)/dW̃ = 2 D H / e0, row by row; chain through s and h(V); then Adam.
    const t1 = t + 1;
    const c1 = 1 - B1 ** t1, c2 = 1 - B2 ** t1;
    for (let r = 0; r < rows; r++) {
      const row = r * k, s = p.scale[r];
      g.fill(0);
      for (let i = 0; i < k; i++) {
        const di = d[row + i];
        if (di === 0) continue;
        const hi = i * k;
        for (let j = 0; j < k; j++) g[j] += di * H[hi + j];
      }
      for (let i = 0; i < k; i++) {
        const j = row + i;
        let grad = ((2 * g[i]) / e0) * s;
        if (!warm) {
          const a = 2 * hv[j] - 1;
          const abs = Math.abs(a);
          grad += (LAMBDA / n) * -beta * abs ** (beta - 1) * Math.sign(a) * 2;
        }
        grad *= dh[j];
        m1[j] = B1 * m1[j] + (1 - B1) * grad;
        m2[j] = B2 * m2[j] + (1 - B2) * grad * grad;
        v[j] -= (LR * (m1[j] / c1)) / (Math.sqrt(m2[j] / c2) + EPS);
      }
    }
  }
  const q = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const x = fl[j] + (v[j] >= 0 ? 1 : 0);
    q[j] = x > qmax ? qmax : x < -qmax ? -qmax : x;
  }
  return q;
}
