// The budget optimiser: under --flash-budget and/or --latency-budget, choose one option per
// candidate layer (NPU int8 or widened, CPU packed or lowered to w4) so the whole model meets the
// budgets, minimising the quantizer's sensitivity first, then latency (under a flash budget) or
// flash (under a latency budget only), then transitions. Up to EXHAUSTIVE_UP_TO candidates every
// combination is scored; above, a greedy walk from one extreme.
import type { Device } from './cost-model';

/** One way a candidate could be deployed. */
export interface Option {
  readonly key: string;
  readonly device: Device;
  /** Accuracy cost of the option (0 unless it lowers precision). */
  readonly sens: number;
  readonly est: { readonly us: number; readonly flashBytes: number };
}

/** Whole-model totals of one combination of options. */
export interface Score {
  readonly sens: number;
  readonly us: number;
  readonly flash: number;
  readonly transitions: number;
}

export interface Budgets {
  readonly flashBytes?: number;
  readonly latencyUs?: number;
}

export interface Scored { readonly pick: readonly number[]; readonly score: Score }

export interface SearchResult {
  readonly method: 'exhaustive' | 'greedy';
  /** Combinations scored. */
  readonly evaluated: number;
  /** The best combination that meets the budgets, if any. */
  readonly best?: Scored;
  /** The combination that misses the budgets least (relative overshoot summed), for the error message. */
  readonly closest: Scored;
}

/** Up to this many candidates every combination is scored. */
export const EXHAUSTIVE_UP_TO = 10;

/**
 * `options[j]` are candidate j's options; `score(pick)` the whole model with option pick[j] for
 * every candidate (the caller places the rest). Greedy (more than EXHAUSTIVE_UP_TO candidates):
 * under a flash budget, start from every candidate's first NPU option and move, one at a time,
 * the candidate that saves the most flash per µs added (scaled down by its sensitivity) to its
 * CPU option; under a latency budget only, start from the smallest options (CPU, no accuracy
 * cost) and move the one that saves the most µs per byte added to the NPU. Each candidate moves
 * at most once; the walk stops at the first feasible combination or when none can move.
 */
export function searchOptions(options: readonly (readonly Option[])[], score: (pick: readonly number[]) => Score, b: Budgets): SearchResult {
  const flashB = b.flashBytes, latB = b.latencyUs;
  let evaluated = 0;
  const feasible = (s: Score): boolean => (flashB === undefined || s.flash <= flashB) && (latB === undefined || s.us <= latB);
  const better = (x: Score, y: Score): boolean => {
    if (x.sens !== y.sens) return x.sens < y.sens;
    const [p, q] = flashB !== undefined ? [x.us - y.us, x.flash - y.flash] : [x.flash - y.flash, x.us - y.us];
    if (Math.abs(p) > 1e-9) return p < 0;
    if (Math.abs(q) > 1e-9) return q < 0;
    return x.transitions < y.transitions;
  };
  const miss = (s: Score): number => (flashB !== undefined ? Math.max(0, s.flash - flashB) / flashB : 0) + (latB !== undefined ? Math.max(0, s.us - latB) / latB : 0);
  let best: Scored | undefined;
  let closest: Scored | undefined;
  const consider = (pick: readonly number[]): Score => {
    const s = score(pick);
    evaluated++;
    if (feasible(s) && (!best || better(s, best.score))) best = { pick: [...pick], score: s };
    if (miss(s) < (closest ? miss(closest.score) : Infinity)) closest = { pick: [...pick], score: s };
    return s;
  };
  if (options.length <= EXHAUSTIVE_UP_TO) {
    const pick = new Array<number>(options.length).fill(0);
    for (;;) {
      consider(pick);
      let j = 0;
      while (j < pick.length && ++pick[j] === options[j].length) { pick[j] = 0; j++; }
      if (j === pick.length) break;
    }
    return { method: 'exhaustive', evaluated, best, closest: closest! };
  }
  const underFlash = flashB !== undefined;
  const firstNpu = (o: readonly Option[]): number => o.findIndex((c) => c.device === 'npu');
  const start = options.map((o) => {
    if (underFlash) return firstNpu(o);
    const free = o.findIndex((c) => c.device === 'cpu' && c.sens === 0);
    return free >= 0 ? free : firstNpu(o);
  });
  const toward: Device = underFlash ? 'cpu' : 'npu';
  const pick = [...start];
  /** Where candidate j would move: its first option on the other device, if it has not moved yet. */
  const targetOf = (j: number): number => (pick[j] !== start[j] ? -1 : options[j].findIndex((c, k) => k !== pick[j] && c.device === toward));
  let cur = consider(pick);
  while (!feasible(cur)) {
    let bestJ = -1, bestRatio = -Infinity;
    options.forEach((o, j) => {
      const t = targetOf(j);
      if (t < 0) return;
      const x = o[pick[j]].est, y = o[t].est;
      const ratio = underFlash
        ? (x.flashBytes - y.flashBytes) / (Math.max(y.us - x.us, 1) * (1 + o[t].sens))
        : (x.us - y.us) / Math.max(y.flashBytes - x.flashBytes, 1);
      if (ratio > bestRatio) { bestRatio = ratio; bestJ = j; }
    });
    if (bestJ < 0) break;
    pick[bestJ] = targetOf(bestJ);
    cur = consider(pick);
  }
  return { method: 'greedy', evaluated, best, closest: closest! };
}
