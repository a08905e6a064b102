// Seeded random numbers for test and benchmark models. Deterministic across platforms: only
// 32-bit integer arithmetic (Math.imul) and IEEE double math, no Math.random.

// Globals read once: inside jest's vm sandbox every global lookup in a hot loop is slow.
const { imul, sqrt, log, sin, cos, floor, PI } = Math;

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state PRNG, period 2^32, good enough
 * for weights and test inputs. Returns a function giving uniform doubles in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** xorshift32 (Marsaglia): seeded uniform integers in [lo, hi] (the M55 kernels' test and bench data). */
export function xorshiftInts(seed: number): (lo: number, hi: number) => number {
  let s = seed >>> 0 || 1;
  return (lo, hi) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return lo + floor((s / 4294967296) * (hi - lo + 1));
  };
}

/** Derives an independent seed for a named stream (FNV-1a of the name mixed with the seed). */
export function subSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A seeded generator with uniform and normal draws. */
export class Rng {
  private readonly next: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal by the Box-Muller transform (both outputs used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = 1 - this.next(); // (0, 1]: log is finite
    const u2 = this.next();
    const r = sqrt(-2 * log(u1));
    this.spare = r * sin(2 * PI * u2);
    return r * cos(2 * PI * u2);
  }

  /** Fills a float32 buffer with uniform values in [lo, hi). */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }

  /** Fills a float32 buffer with normal values of the given mean and standard deviation. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}

/**
 * He-normal weights for a layer with `fanIn` inputs per output (C/group * kH * kW for a conv):
 * normal with std sqrt(2 / fanIn), truncated at 2 standard deviations (draws beyond are
 * redrawn) so that no single weight dominates a per-channel quantization scale.
 */
export function heNormal(n: number, fanIn: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const std = sqrt(2 / fanIn);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (z > 2 || z < -2) z = rng.normal();
    out[i] = std * z;
  }
  return out;
}
