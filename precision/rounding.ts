// Rounding of a layer's weights to their (already chosen) per-channel grids: `nearest`,
// `adaround` or `gptq`, group by group on the Gram matrices of the layer's calibration inputs.
// Where a learned rounding ends with a larger output error than round-to-nearest on a group
// (possible when few calibration rows underdetermine it), that group keeps nearest; the record
// counts such groups.
import { adaRound } from './adaround';
import { gptqRound } from './gptq';
import { LayerShape } from './layer-matrix';
import { RoundingProblem, nearestRound, outputEnergy, outputError } from './rounding-problem';

export type RoundingMethod = 'nearest' | 'adaround' | 'gptq';
export const ROUNDING_METHODS: readonly RoundingMethod[] = ['nearest', 'adaround', 'gptq'];

export interface RoundingOptions {
  readonly adaroundIters?: number;
}

export interface LayerRounding {
  /** Integers as rows (m×k). */
  readonly q: Float64Array;
  readonly method: RoundingMethod;
  /** Groups that kept round-to-nearest because the method did not beat it. */
  readonly keptNearest: number;
  readonly groups: number;
  /** Output error of the result and of round-to-nearest, and the output energy (Σ over groups). */
  readonly error: number;
  readonly nearestError: number;
  readonly energy: number;
}

export function roundLayer(method: RoundingMethod, s: LayerShape, rows: Float64Array, scale: readonly number[], qmax: number, grams: readonly Float64Array[], opts: RoundingOptions = {}): LayerRounding {
  const per = s.m / s.groups, k = s.k;
  const q = new Float64Array(s.m * k);
  let error = 0, nearestError = 0, energy = 0, keptNearest = 0;
  for (let g = 0; g < s.groups; g++) {
    const p: RoundingProblem = {
      w: rows.subarray(g * per * k, (g + 1) * per * k), rows: per, k,
      scale: Float64Array.from(scale.slice(g * per, (g + 1) * per)), qmax, h: grams[g],
    };
    const near = nearestRound(p);
    const en = outputError(p, near);
    nearestError += en;
    energy += outputEnergy(p);
    if (method === 'nearest') { q.set(near, g * per * k); error += en; continue; }
    const qq = method === 'gptq' ? gptqRound(p) : adaRound(p, { iters: opts.adaroundIters });
    const e = outputError(p, qq);
    if (e <= en) { q.set(qq, g * per * k); error += e; } else { q.set(near, g * per * k); error += en; keptNearest++; }
  }
  return { q, method, keptNearest, groups: s.groups, error, nearestError, energy };
}
