// Range observers for activation calibration. min/max (default, as ORT's MinMax); percentile:
// per sample the p-th and (100-p)-th percentiles of the values (over a strided subsample of at
// most 65,536 values when the tensor is larger), averaged over samples; mse and entropy: a
// histogram over all samples, the range chosen for the tensor's bit width (range-search.ts).
import { Histogram } from './histogram';
import { entropyRange, mseRange } from './range-search';

export type ObserverMethod = 'minmax' | 'percentile' | 'mse' | 'entropy';
export const OBSERVER_METHODS: readonly ObserverMethod[] = ['minmax', 'percentile', 'mse', 'entropy'];

export interface Observer {
  observe(data: ArrayLike<number>): void;
  /** The range to quantize to `bits` (default 8) bits, `signed` (default) or unsigned; [0, 0] before any data. */
  range(bits?: number, signed?: boolean): [number, number];
}

export class MinMaxObserver implements Observer {
  private lo = Infinity;
  private hi = -Infinity;
  observe(d: ArrayLike<number>): void {
    let lo = this.lo, hi = this.hi;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;      // NaN compares false: ignored
    }
    this.lo = lo; this.hi = hi;
  }
  range(): [number, number] {
    return this.lo <= this.hi ? [this.lo, this.hi] : [0, 0];
  }
}

const MAX_SUBSAMPLE = 65536;

export class PercentileObserver implements Observer {
  private sumLo = 0;
  private sumHi = 0;
  private n = 0;
  constructor(private readonly percentile = 99.99) {
    if (!(percentile > 50 && percentile <= 100)) throw new Error(`percentile must be in (50, 100], got ${percentile}`);
  }
  observe(d: ArrayLike<number>): void {
    if (d.length === 0) return;
    const step = Math.max(1, Math.ceil(d.length / MAX_SUBSAMPLE));
    const s: number[] = [];
    for (let i = 0; i < d.length; i += step) if (!Number.isNaN(d[i])) s.push(d[i]);
    if (!s.length) return;
    s.sort((a, b) => a - b);
    const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))];
    this.sumLo += at(100 - this.percentile);
    this.sumHi += at(this.percentile);
    this.n++;
  }
  range(): [number, number] {
    return this.n ? [this.sumLo / this.n, this.sumHi / this.n] : [0, 0];
  }
}

export class HistogramObserver implements Observer {
  private readonly h = new Histogram();
  constructor(private readonly method: 'mse' | 'entropy') {}
  observe(d: ArrayLike<number>): void {
    this.h.add(d);
  }
  range(bits = 8, signed = true): [number, number] {
    return this.method === 'mse' ? mseRange(this.h, bits, signed) : entropyRange(this.h, bits, signed);
  }
}

export function makeObserver(method: ObserverMethod = 'minmax', percentile?: number): Observer {
  switch (method) {
    case 'percentile': return new PercentileObserver(percentile);
    case 'mse': case 'entropy': return new HistogramObserver(method);
    default: return new MinMaxObserver();
  }
}
