// Seeded conv parameters for the YOLOv8n builder, shaped like a trained model after Ultralytics
// fuses BatchNormalization into its convs. Random He-scaled weights alone either fade or blow up
// over ~60 SiLU layers (SiLU is ×½ near 0 and ReLU-like far from it, so no single gain is
// stable). A trained net has BN keep every pre-activation near N(β, γ²); here the BN running
// mean and variance are computed from the input's moments, tracked analytically through the
// graph, so the folded conv gives pre-activations of about N(β, γ²) on images in [0, 1).
import { Rng, subSeed } from '../lib/prng';

/** Per-channel mean and mean square of a tensor's elements. */
export interface Moments {
  readonly mean: Float64Array;
  readonly sq: Float64Array;
}

/** Images scaled to [0, 1), as Ultralytics feeds them: uniform, 3 channels. */
export function imageMoments(): Moments {
  return { mean: new Float64Array(3).fill(0.5), sq: new Float64Array(3).fill(1 / 3) };
}

/** Ultralytics' BatchNorm2d epsilon (ultralytics/nn/modules/conv.py), used when folding. */
export const BN_EPSILON = 1e-3;

const { sqrt, exp, max } = Math;

// Gauss quadrature on a grid: z in [-8, 8] step 1/32, weights ∝ φ(z), normalized.
const Z: number[] = [];
const PHI: number[] = [];
{
  let total = 0;
  for (let i = -256; i <= 256; i++) {
    const z = i / 32;
    Z.push(z);
    PHI.push(exp(-z * z / 2));
    total += exp(-z * z / 2);
  }
  for (let i = 0; i < PHI.length; i++) PHI[i] /= total;
}

/** Mean and mean square of SiLU(γz + β) for z ~ N(0, 1). */
export function siluMoments(gamma: number, beta: number): [number, number] {
  let mean = 0, sq = 0;
  for (let i = 0; i < Z.length; i++) {
    const x = gamma * Z[i] + beta;
    const y = x / (1 + exp(-x));
    mean += PHI[i] * y;
    sq += PHI[i] * y * y;
  }
  return [mean, sq];
}

/** Sum of two independent tensors (the residual Add). */
export function addMoments(a: Moments, b: Moments): Moments {
  return {
    mean: a.mean.map((m, i) => m + b.mean[i]),
    sq: a.sq.map((q, i) => q + b.sq[i] + 2 * a.mean[i] * b.mean[i]),
  };
}

/** Channel concatenation. */
export function concatMoments(parts: readonly Moments[]): Moments {
  const cat = (k: 'mean' | 'sq') => {
    const out = new Float64Array(parts.reduce((a, p) => a + p[k].length, 0));
    let o = 0;
    for (const p of parts) { out.set(p[k], o); o += p[k].length; }
    return out;
  };
  return { mean: cat('mean'), sq: cat('sq') };
}

/** Channels [from, from + n). */
export function sliceMoments(m: Moments, from: number, n: number): Moments {
  return { mean: m.mean.slice(from, from + n), sq: m.sq.slice(from, from + n) };
}

/**
 * The SPPF's three chained MaxPool 5×5 (stride 1) are maxima over 5×5, 9×9 and 13×13 windows
 * of its cv1 output. SiLU outputs are skewed to the right, so a max sits far above the mean.
 * Per channel, shift of the mean and ratio of the standard deviation, in units of the input's
 * standard deviation, as measured with ONNX Runtime at sizes 192, 320 and 640 (seeds 1, 2):
 * mean + 2.6σ, 3.4σ, 3.9σ; σ × 1.0, 0.8, 0.55. Under these the estimated and measured mean
 * squares agree to within about 25 %.
 */
const SPPF_POOLS: readonly (readonly [number, number])[] = [[2.6, 1.0], [3.4, 0.8], [3.9, 0.55]];

/** Moments of the three SPPF MaxPool outputs from the moments of the SPPF's cv1 output. */
export function sppfPoolMoments(m: Moments): Moments[] {
  return SPPF_POOLS.map(([shift, ratio]) => {
    const mean = new Float64Array(m.mean.length);
    const sq = new Float64Array(m.mean.length);
    for (let c = 0; c < mean.length; c++) {
      const sd = sqrt(max(m.sq[c] - m.mean[c] * m.mean[c], 0));
      mean[c] = m.mean[c] + shift * sd;
      sq[c] = mean[c] * mean[c] + (ratio * sd) ** 2;
    }
    return { mean, sq };
  });
}

/** Truncated (±2σ) standard normal draws, `n` of them, from a named stream. */
function truncNormal(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = r.normal();
    while (z > 2 || z < -2) z = r.normal();
    out[i] = z;
  }
  return out;
}

export interface ConvParams {
  readonly w: Float32Array;
  readonly b: Float32Array;
  /** Moments of this layer's output (after SiLU when there is one). */
  readonly out: Moments;
}

/**
 * Seeded raw weights (truncated normal, std sqrt(1/fanIn)) of a conv [c2, c1, k, k] and the
 * mean and variance of each output channel for inputs with moments `input`, elements taken as
 * independent: mean = Σ w·μ, var = Σ w²·(E[x²] − μ²). These are the BN running statistics the
 * conv would have.
 */
function rawConv(name: string, c2: number, c1: number, taps: number, seed: number, input: Moments) {
  if (input.mean.length !== c1) throw new Error(`internal: conv '${name}' has ${c1} input channels, moments have ${input.mean.length}`);
  const fanIn = c1 * taps;
  const z = truncNormal(c2 * fanIn, subSeed(seed, `${name}.weight`));
  const std = sqrt(1 / fanIn);
  const w = z.map((v) => v * std);
  const runMean = new Float64Array(c2);
  const runVar = new Float64Array(c2);
  for (let m = 0; m < c2; m++) {
    let s1 = 0, s2 = 0;
    for (let ci = 0; ci < c1; ci++) {
      const v = max(input.sq[ci] - input.mean[ci] * input.mean[ci], 0);
      for (let t = 0; t < taps; t++) {
        const x = w[m * fanIn + ci * taps + t];
        s1 += x * input.mean[ci];
        s2 += x * x * v;
      }
    }
    runMean[m] = s1;
    runVar[m] = s2;
  }
  return { w, fanIn, runMean, runVar };
}

/**
 * Conv → BatchNormalization → SiLU with the BN folded (in float64, stored float32): γ ~
 * U(0.8, 1.6), β ~ N(0, 0.3²), running statistics from rawConv, so pre-activations are about
 * N(β, γ²) per channel.
 */
export function foldedConvSiLU(name: string, c2: number, c1: number, k: number, seed: number, input: Moments): ConvParams {
  const { w: w0, fanIn, runMean, runVar } = rawConv(name, c2, c1, k * k, seed, input);
  const bn = new Rng(subSeed(seed, `${name}.bn`));
  const w = new Float32Array(c2 * fanIn);
  const b = new Float32Array(c2);
  const mean = new Float64Array(c2);
  const sq = new Float64Array(c2);
  for (let m = 0; m < c2; m++) {
    const gamma = bn.uniform(0.8, 1.6);
    const beta = 0.3 * bn.normal();
    const s = gamma / sqrt(runVar[m] + BN_EPSILON);
    for (let j = 0; j < fanIn; j++) w[m * fanIn + j] = w0[m * fanIn + j] * s;
    b[m] = beta - runMean[m] * s;
    [mean[m], sq[m]] = siluMoments(gamma, beta);
  }
  return { w, b, out: { mean, sq } };
}

/**
 * A plain Conv2d with bias (Detect's last 1×1 convs), scaled the same way to outputs of about
 * N(bias, logitStd²) per channel.
 */
export function headConv(name: string, c2: number, c1: number, seed: number, input: Moments, bias: number, logitStd: number): ConvParams {
  const { w: w0, fanIn, runMean, runVar } = rawConv(name, c2, c1, 1, seed, input);
  const w = new Float32Array(c2 * fanIn);
  const b = new Float32Array(c2);
  for (let m = 0; m < c2; m++) {
    const s = logitStd / sqrt(runVar[m] + BN_EPSILON);
    for (let j = 0; j < fanIn; j++) w[m * fanIn + j] = w0[m * fanIn + j] * s;
    b[m] = bias - runMean[m] * s;
  }
  return {
    w, b,
    out: { mean: new Float64Array(c2).fill(bias), sq: new Float64Array(c2).fill(bias * bias + logitStd * logitStd) },
  };
}
