// Dense symmetric linear algebra on row-major Float64Array matrices, for GPTQ and AdaRound.

/** Lower Cholesky factor L (A = L Lᵀ) of an n×n symmetric matrix; undefined if not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    const lj = j * n;
    for (let k = 0; k < j; k++) d -= l[lj + k] * l[lj + k];
    if (!(d > 0)) return undefined;
    const djj = Math.sqrt(d);
    l[lj + j] = djj;
    for (let i = j + 1; i < n; i++) {
      const li = i * n;
      let s = a[li + j];
      for (let k = 0; k < j; k++) s -= l[li + k] * l[lj + k];
      l[li + j] = s / djj;
    }
  }
  return l;
}

/** Inverse of A from its lower Cholesky factor: A⁻¹ = L⁻ᵀ L⁻¹. */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // Li = L⁻¹ (lower triangular), by forward substitution column by column.
  const li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k] * li[k * n + j];
      li[i * n + j] = -s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      inv[i * n + j] = s; inv[j * n + i] = s;
    }
  }
  return inv;
}

/** Adds `damp` to the diagonal, as a copy. */
export function addDiagonal(a: Float64Array, n: number, damp: number): Float64Array {
  const out = Float64Array.from(a);
  for (let i = 0; i < n; i++) out[i * n + i] += damp;
  return out;
}

/** Σ_m d_m H d_mᵀ for the rows d_m of the m×n matrix D (the layer output error). */
export function quadraticForm(d: Float64Array, m: number, h: Float64Array, n: number): number {
  let total = 0;
  const t = new Float64Array(n);
  for (let r = 0; r < m; r++) {
    const row = r * n;
    t.fill(0);
    for (let k = 0; k < n; k++) {
      const v = d[row + k];
      if (v === 0) continue;
      const hk = k * n;
      for (let j = 0; j < n; j++) t[j] += v * h[hk + j];
    }
    for (let j = 0; j < n; j++) total += t[j] * d[row + j];
  }
  return total;
}
