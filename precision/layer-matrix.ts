// A Conv/Gemm/MatMul as a matrix product Y = W X per group, for the rounding methods: the
// weights as rows (one per output channel, K = inputs per output), and the Gram matrix
// H = Σ x xᵀ of the layer's input rows x (im2col patches for a convolution, rows of the
// activation matrix for Gemm/MatMul), so that a weight error D gives the output error
// Σ_x |D x|² = Σ_m d_m H d_mᵀ.
import { Node, attrInt } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { conv2DParams, readConvAttrs } from '../ops/lib/conv-setup';
import { seededChoice as pick } from './calib-select';

export interface LayerShape {
  /** Output channels (rows), groups, and inputs per output (columns). */
  readonly m: number;
  readonly groups: number;
  readonly k: number;
  /** Weight stored [K, N] (MatMul, Gemm without transB): rows are its columns. */
  readonly transposed: boolean;
}

/** The matrix view of a layer's weights, or undefined when hsq cannot view it so. */
export function layerShape(n: Node, w: readonly number[], x: readonly number[] | undefined): LayerShape | undefined {
  if (n.op === 'Conv') {
    if (w.length < 3 || w.length > 4 || !x || x.length !== w.length) return undefined;
    const groups = attrInt(n, 'group', 1);
    return { m: w[0], groups, k: numel(w.slice(1)), transposed: false };
  }
  if (w.length !== 2) return undefined;
  if (n.op === 'Gemm') {
    if (attrInt(n, 'transA', 0)) return undefined;
    const tb = attrInt(n, 'transB', 0) === 1;
    return tb ? { m: w[0], groups: 1, k: w[1], transposed: false } : { m: w[1], groups: 1, k: w[0], transposed: true };
  }
  if (n.op === 'MatMul') return { m: w[1], groups: 1, k: w[0], transposed: true };
  return undefined;
}

/** Weights (any numeric array in the tensor's layout) as rows: Float64Array m×k. */
export function toRows(data: ArrayLike<number>, s: LayerShape): Float64Array {
  const out = new Float64Array(s.m * s.k);
  if (!s.transposed) { for (let i = 0; i < out.length; i++) out[i] = Number(data[i]); return out; }
  for (let kk = 0; kk < s.k; kk++) for (let m = 0; m < s.m; m++) out[m * s.k + kk] = Number(data[kk * s.m + m]);
  return out;
}

/** Rows back into the tensor's layout (into `out`). */
export function fromRows<T extends { [i: number]: number; length: number }>(rows: ArrayLike<number>, s: LayerShape, out: T): T {
  if (!s.transposed) { for (let i = 0; i < rows.length; i++) out[i] = rows[i]; return out; }
  for (let kk = 0; kk < s.k; kk++) for (let m = 0; m < s.m; m++) out[kk * s.m + m] = rows[m * s.k + kk];
  return out;
}

/** Gram matrices of a layer's input rows, one per group, and how many rows went in. */
export class InputGram {
  readonly h: Float64Array[];
  rows = 0;
  constructor(readonly shape: LayerShape) {
    this.h = Array.from({ length: shape.groups }, () => new Float64Array(shape.k * shape.k));
  }

  private addRow(g: number, x: Float64Array): void {
    const k = this.shape.k, h = this.h[g];
    for (let i = 0; i < k; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const hi = i * k;
      for (let j = i; j < k; j++) h[hi + j] += xi * x[j];
    }
  }

  /**
   * Adds the rows of one sample's input `x` to the layer `n` with weight shape `w`: at most
   * `maxRows` of its rows (output positions), a seeded choice when there are more.
   */
  add(n: Node, x: Tensor, w: readonly number[], maxRows: number, seed: number): void {
    const d = x.data as Float32Array;
    const k = this.shape.k;
    const row = new Float64Array(k);
    if (n.op !== 'Conv') {
      const total = numel(x.shape) / k;
      for (const r of pick(total, maxRows, seed)) {
        for (let i = 0; i < k; i++) row[i] = d[r * k + i];
        this.addRow(0, row);
        this.rows++;
      }
      return;
    }
    const { params: p } = conv2DParams(n, x.shape, w, readConvAttrs(n));
    const cg = p.C / p.group;
    const perImage = p.OH * p.OW;
    for (const r of pick(p.N * perImage, maxRows, seed)) {
      const b = Math.floor(r / perImage), oh = Math.floor((r % perImage) / p.OW), ow = r % p.OW;
      for (let g = 0; g < p.group; g++) {
        let t = 0;
        for (let c = 0; c < cg; c++) {
          const base = (b * p.C + g * cg + c) * p.H * p.W;
          for (let kh = 0; kh < p.KH; kh++) {
            const ih = oh * p.sh - p.padT + kh * p.dh;
            for (let kw = 0; kw < p.KW; kw++, t++) {
              const iw = ow * p.sw - p.padL + kw * p.dw;
              row[t] = ih >= 0 && ih < p.H && iw >= 0 && iw < p.W ? d[base + ih * p.W + iw] : 0;
            }
          }
        }
        this.addRow(g, row);
      }
      this.rows++;
    }
  }

  /** The full symmetric matrices (the accumulation fills the upper triangle only). */
  matrices(): Float64Array[] {
    const k = this.shape.k;
    for (const h of this.h) for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) h[j * k + i] = h[i * k + j];
    return this.h;
  }
}
