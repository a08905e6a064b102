// One group of a layer to round: float weight rows, their per-row scales and the Gram matrix
// of the group's inputs (layer-matrix.ts). Integers are in [-qmax, qmax].
import { roundHalfEven } from '../core/numerics';
import { quadraticForm } from './linalg';

export interface RoundingProblem {
  /** rows×k float weights. */
  readonly w: Float64Array;
  readonly rows: number;
  readonly k: number;
  /** One scale per row. */
  readonly scale: Float64Array;
  readonly qmax: number;
  /** k×k Gram matrix Σ x xᵀ of the inputs. */
  readonly h: Float64Array;
}

/** Round to nearest (half to even on float32 quotients, as quantizeWeights). */
export function nearestRound(p: RoundingProblem): Float64Array {
  const q = new Float64Array(p.rows * p.k);
  for (let r = 0; r < p.rows; r++) {
    const s = p.scale[r];
    for (let i = 0; i < p.k; i++) {
      const v = roundHalfEven(Math.fround(p.w[r * p.k + i] / s));
      q[r * p.k + i] = v > p.qmax ? p.qmax : v < -p.qmax ? -p.qmax : v;
    }
  }
  return q;
}

/** Output error Σ_x |(W - s·q) x|² of integers q. */
export function outputError(p: RoundingProblem, q: Float64Array): number {
  const d = new Float64Array(p.rows * p.k);
  for (let r = 0; r < p.rows; r++) for (let i = 0; i < p.k; i++) d[r * p.k + i] = p.w[r * p.k + i] - p.scale[r] * q[r * p.k + i];
  return quadraticForm(d, p.rows, p.h, p.k);
}

/** Output energy Σ_x |W x|² (the signal the error is measured against). */
export function outputEnergy(p: RoundingProblem): number {
  return quadraticForm(p.w, p.rows, p.h, p.k);
}
