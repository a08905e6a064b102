// A streaming histogram of activation values for the range observers that need the whole
// distribution (mse, entropy). Two halves anchored at 0, each `bins` wide: an activation range
// always includes 0 (act-params.ts), so bin edges never move across 0 and exact zeros (ReLU
// outputs) get their own count. When a value exceeds a half's span the span doubles and bin
// pairs merge, which keeps every count exact and at least bins/2 bins over the observed range.

export const DEFAULT_BINS = 2048;

/** One half of the histogram: |value| in [0, span), `bins` equal bins. */
export interface Half {
  readonly counts: Float64Array;
  /** Upper edge of the last bin (0 before any value). */
  span: number;
  /** Largest |value| seen. */
  max: number;
}

function newHalf(bins: number): Half {
  return { counts: new Float64Array(bins), span: 0, max: 0 };
}

function grow(h: Half, need: number): void {
  const n = h.counts.length;
  if (h.span === 0) { h.span = need * (1 + 1 / n) || Number.MIN_VALUE; return; }
  while (need >= h.span) {
    for (let i = 0; i < n / 2; i++) h.counts[i] = h.counts[2 * i] + h.counts[2 * i + 1];
    h.counts.fill(0, n / 2);
    h.span *= 2;
  }
}

export class Histogram {
  readonly pos: Half;
  readonly neg: Half;
  zeros = 0;
  total = 0;

  constructor(readonly bins = DEFAULT_BINS) {
    if (bins < 2 || bins % 2) throw new Error(`histogram bins must be an even number >= 2, got ${bins}`);
    this.pos = newHalf(bins);
    this.neg = newHalf(bins);
  }

  add(d: ArrayLike<number>): void {
    let hi = 0, lo = 0;
    // ±Infinity and NaN are left out (a range cannot hold them).
    for (let i = 0; i < d.length; i++) { const v = d[i]; if (v > hi && v < Infinity) hi = v; else if (v < lo && v > -Infinity) lo = v; }
    if (hi >= this.pos.span) grow(this.pos, hi);
    if (-lo >= this.neg.span) grow(this.neg, -lo);
    if (hi > this.pos.max) this.pos.max = hi;
    if (-lo > this.neg.max) this.neg.max = -lo;
    const n = this.bins;
    const pk = this.pos.span > 0 ? n / this.pos.span : 0, nk = this.neg.span > 0 ? n / this.neg.span : 0;
    const pc = this.pos.counts, nc = this.neg.counts;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v > 0 && v < Infinity) pc[Math.min(n - 1, Math.floor(v * pk))]++;
      else if (v < 0 && v > -Infinity) nc[Math.min(n - 1, Math.floor(-v * nk))]++;
      else if (v === 0) this.zeros++;
      else continue;   // NaN, ±Infinity
      this.total++;
    }
  }

  /** [min, max] seen ([0, 0] when empty). */
  extent(): [number, number] {
    return [-this.neg.max, this.pos.max];
  }

  /** Centres and counts of the non-empty bins, zeros included (for error sums). */
  points(): { x: Float64Array; n: Float64Array } {
    const m = this.bins;
    const xs: number[] = [], ns: number[] = [];
    const pw = this.pos.span / m, nw = this.neg.span / m;
    for (let i = m - 1; i >= 0; i--) if (this.neg.counts[i]) { xs.push(-(i + 0.5) * nw); ns.push(this.neg.counts[i]); }
    if (this.zeros) { xs.push(0); ns.push(this.zeros); }
    for (let i = 0; i < m; i++) if (this.pos.counts[i]) { xs.push((i + 0.5) * pw); ns.push(this.pos.counts[i]); }
    return { x: Float64Array.from(xs), n: Float64Array.from(ns) };
  }
}
