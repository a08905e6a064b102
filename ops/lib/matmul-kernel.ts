// Matrix products with numpy.matmul batch broadcasting, float32 and int32.
// Float: per output element acc = 0, then k ascending, float32 rounding after every multiply and
// add. Computed row-wise (k outer, columns inner) so the loop is contiguous; the per-element
// order is unchanged.
import { fail } from '../../core/diagnostics';
import { numel } from '../../core/ir/tensor';

export interface MatMulShape {
  readonly M: number; readonly K: number; readonly N: number;
  readonly outShape: number[];
  /** Per output batch: element offsets of the A and B matrices. */
  readonly aOff: Int32Array; readonly bOff: Int32Array;
}

export function matmulShape(node: string, aIn: readonly number[], bIn: readonly number[]): MatMulShape {
  if (aIn.length === 0 || bIn.length === 0) fail('bad-shape', `node '${node}': MatMul of a scalar`, node);
  const a = aIn.length === 1 ? [1, aIn[0]] : [...aIn];
  const b = bIn.length === 1 ? [bIn[0], 1] : [...bIn];
  const M = a[a.length - 2], K = a[a.length - 1], N = b[b.length - 1];
  if (b[b.length - 2] !== K && K >= 0 && b[b.length - 2] >= 0)
    fail('bad-shape', `node '${node}': inner dims differ: [${aIn}] x [${bIn}]`, node);
  const ab = a.slice(0, -2), bb = b.slice(0, -2);
  const rank = Math.max(ab.length, bb.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = ab[ab.length - rank + i] ?? 1, db = bb[bb.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail('bad-shape', `node '${node}': batch dims do not broadcast: [${aIn}] x [${bIn}]`, node);
    batch.push(da === 1 ? db : da);
  }
  const outShape = [...batch];
  if (aIn.length > 1) outShape.push(M);
  if (bIn.length > 1) outShape.push(N);
  const nb = numel(batch);
  const aOff = new Int32Array(nb), bOff = new Int32Array(nb);
  if (nb > 0 && batch.every((d) => d >= 0)) {
    const idx = new Array<number>(rank).fill(0);
    for (let e = 0; e < nb; e++) {
      let oa = 0, ob = 0, sa = 1, sb = 1;
      for (let d = rank - 1; d >= 0; d--) {
        const ia = ab.length - rank + d, ib = bb.length - rank + d;
        if (ia >= 0) { if (ab[ia] !== 1) oa += idx[d] * sa; sa *= ab[ia]; }
        if (ib >= 0) { if (bb[ib] !== 1) ob += idx[d] * sb; sb *= bb[ib]; }
      }
      aOff[e] = oa * M * K; bOff[e] = ob * K * N;
      for (let d = rank - 1; d >= 0; d--) { if (++idx[d] < batch[d]) break; idx[d] = 0; }
    }
  }
  return { M, K, N, outShape, aOff, bOff };
}

/** y[b] = A[b] B[b] in float32 for every batch of `s`. */
export function matmulFloat(s: MatMulShape, a: Float32Array, b: Float32Array, y: Float32Array): void {
  const { M, K, N } = s;
  for (let e = 0; e < s.aOff.length; e++) {
    const ao = s.aOff[e], bo = s.bOff[e], yo = e * M * N;
    for (let i = 0; i < M; i++) {
      const row = yo + i * N;
      for (let j = 0; j < N; j++) y[row + j] = 0;
      for (let k = 0; k < K; k++) {
        const av = a[ao + i * K + k], bk = bo + k * N;
        for (let j = 0; j < N; j++) y[row + j] = Math.fround(y[row + j] + Math.fround(av * b[bk + j]));
      }
    }
  }
}

/**
 * acc[b] = bias + (A[b] - aZero[row]) (B[b] - bZero[col]) in wrapping int32. aZero has M entries,
 * bZero N entries, bias N entries or is absent.
 */
export function matmulInt(s: MatMulShape, a: ArrayLike<number>, aZero: Float64Array, b: ArrayLike<number>, bZero: Float64Array,
  bias: ArrayLike<number> | undefined, acc: Int32Array): void {
  const { M, K, N } = s;
  const bq = new Int32Array(K * N);
  let lastB = -1;
  for (let e = 0; e < s.aOff.length; e++) {
    const ao = s.aOff[e], bo = s.bOff[e], yo = e * M * N;
    if (bo !== lastB) {
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bq[k * N + j] = b[bo + k * N + j] - bZero[j];
      lastB = bo;
    }
    for (let i = 0; i < M; i++) {
      const row = yo + i * N, za = aZero[i];
      for (let j = 0; j < N; j++) acc[row + j] = bias ? bias[j] | 0 : 0;
      for (let k = 0; k < K; k++) {
        const av = (a[ao + i * K + k] - za) | 0, bk = k * N;
        if (av === 0) continue;
        for (let j = 0; j < N; j++) acc[row + j] = (acc[row + j] + Math.imul(av, bq[bk + j])) | 0;
      }
    }
  }
}
