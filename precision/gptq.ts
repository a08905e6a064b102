// GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative
// Pre-trained Transformers"): optimal-brain-surgeon rounding, one input column at a time. Each
// column is rounded to its grid, and its rounding error, weighted by the inverse Hessian
// H⁻¹ (H = X Xᵀ of the layer's inputs), is spread over the columns not yet rounded, so that the
// layer's output error |(W - Ŵ) X|² stays small. As in the paper: the Hessian damped by 1 % of
// its mean diagonal, inputs that never fire (zero diagonal) fixed at 1, H⁻¹'s upper Cholesky
// factor for the updates, and columns taken in order of decreasing H diagonal ("act order";
// the per-channel scales are fixed beforehand, so the order changes no grid).
import { addDiagonal, cholesky, choleskyInverse } from './linalg';
import { RoundingProblem } from './rounding-problem';

const DAMP = 0.01;

/** Upper Cholesky factor U of H⁻¹ (H⁻¹ = Uᵀ U), damping more if H is not positive definite. */
function inverseFactor(h: Float64Array, k: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < k; i++) mean += h[i * k + i];
  mean = mean / k || 1;
  for (let damp = DAMP; ; damp *= 10) {
    const l = cholesky(addDiagonal(h, k, damp * mean), k);
    if (!l) continue;
    const lu = cholesky(choleskyInverse(l, k), k);
    if (!lu) continue;
    const u = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = i; j < k; j++) u[i * k + j] = lu[j * k + i];
    return u;
  }
}

export function gptqRound(p: RoundingProblem): Float64Array {
  const { rows, k, qmax } = p;
  // Act order: permute columns by decreasing diagonal; dead inputs get a unit diagonal.
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => p.h[b * k + b] - p.h[a * k + a] || a - b);
  const h = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] = p.h[order[i] * k + order[j]];
  for (let i = 0; i < k; i++) if (h[i * k + i] === 0) h[i * k + i] = 1;
  const u = inverseFactor(h, k);
  const w = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) w[r * k + i] = p.w[r * k + order[i]];
  const q = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const s = p.scale[r], row = r * k;
    for (let i = 0; i < k; i++) {
      let v = Math.round(w[row + i] / s);
      if (v > qmax) v = qmax; else if (v < -qmax) v = -qmax;
      q[row + order[i]] = v;
      const err = (w[row + i] - v * s) / u[i * k + i];
      if (err === 0) continue;
      const ui = i * k;
      for (let j = i + 1; j < k; j++) w[row + j] -= err * u[ui + j];
    }
  }
  return q;
}
