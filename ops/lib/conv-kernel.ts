// Direct 2-D convolution kernels (1-D convs run with H = 1), float32 and int32.
// Layout trick: the input is transposed to HWC and the weights to [M][KH][KW][C/group], so
// the reduction for one output element walks contiguous memory with the accumulator in a
// register. Per output element the order is bias, kh, kw, ci (ci innermost), padding taps
// skipped, float32 rounding after every multiply and add: the hsq float numerics. Four
// output channels are computed together so their rounding chains overlap; with WebAssembly
// SIMD (simd-dot.ts) sixteen channels at once, same per-element order and rounding.
import { tapRanges } from './conv-geometry';
import { simdDot } from './simd-dot';

export interface Conv2DParams {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number;
  readonly M: number; readonly KH: number; readonly KW: number;
  readonly OH: number; readonly OW: number;
  readonly group: number;
  readonly sh: number; readonly sw: number;
  readonly dh: number; readonly dw: number;
  readonly padT: number; readonly padL: number;
}

const fround = Math.fround;

function transposeWeights<T extends Float32Array | Int32Array>(p: Conv2DParams, w: ArrayLike<number>, out: T, sub?: Float64Array): T {
  const { M, KH, KW } = p;
  const Cg = p.C / p.group;
  for (let m = 0; m < M; m++) {
    const z = sub ? sub[m] : 0;
    for (let ci = 0; ci < Cg; ci++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          out[((m * KH + kh) * KW + kw) * Cg + ci] = w[((m * Cg + ci) * KH + kh) * KW + kw] - z;
        }
      }
    }
  }
  return out;
}

function transposeInput<T extends Float32Array | Int32Array>(x: ArrayLike<number>, base: number, C: number, HW: number, out: T, sub: number): void {
  for (let c = 0; c < C; c++) {
    const src = base + c * HW;
    for (let i = 0; i < HW; i++) out[i * C + c] = x[src + i] - sub;
  }
}

/** y[N,M,OH,OW] = conv(x[N,C,H,W], w[M,C/group,KH,KW]) + bias, float32. */
export function convFloat2D(p: Conv2DParams, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, y: Float32Array): void {
  if (p.M / p.group >= SIMD_MIN_CHANNELS && convSimd(p, true, x, 0, w, undefined, bias, y)) return;
  convFloat2DScalar(p, x, w, bias, y);
}

/** The scalar float kernel (also the fallback without WebAssembly SIMD). */
export function convFloat2DScalar(p: Conv2DParams, x: Float32Array, w: Float32Array, bias: Float32Array | undefined, y: Float32Array): void {
  const { N, C, H, W, M, KH, KW, OH, OW, group, sh, sw, dh, dw, padT, padL } = p;
  const Cg = C / group, Mg = M / group;
  const wt = transposeWeights(p, w, new Float32Array(M * KH * KW * Cg));
  const xt = new Float32Array(H * W * C);
  const rh = tapRanges(OH, H, KH, sh, padT, dh), rw = tapRanges(OW, W, KW, sw, padL, dw);
  const ws = KH * KW * Cg;
  // kw and ci form one contiguous run in both xt and wt when there is one group and no kw dilation.
  const merged = group === 1 && dw === 1;
  for (let n = 0; n < N; n++) {
    transposeInput(x, n * C * H * W, C, H * W, xt, 0);
    for (let g = 0; g < group; g++) {
      const cOff = g * Cg;
      for (let m = g * Mg; m < (g + 1) * Mg; ) {
        const four = m + 4 <= (g + 1) * Mg;
        const b0 = bias ? bias[m] : 0;
        const b1 = four && bias ? bias[m + 1] : 0, b2 = four && bias ? bias[m + 2] : 0, b3 = four && bias ? bias[m + 3] : 0;
        const wm = m * ws;
        const y0 = ((n * M + m) * OH) * OW, plane = OH * OW;
        for (let oh = 0; oh < OH; oh++) {
          const khLo = rh.lo[oh], khHi = rh.hi[oh], ih0 = oh * sh - padT;
          for (let ow = 0; ow < OW; ow++) {
            const kwLo = rw.lo[ow], kwHi = rw.hi[ow], iw0 = ow * sw - padL;
            let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
            for (let kh = khLo; kh < khHi; kh++) {
              const rowX = (ih0 + kh * dh) * W;
              const rowW = wm + kh * KW * Cg;
              if (merged) {
                const xo = (rowX + iw0 + kwLo) * C, wo = rowW + kwLo * Cg, len = (kwHi - kwLo) * C;
                if (four) {
                  for (let i = 0; i < len; i++) {
                    const xv = xt[xo + i], j = wo + i;
                    a0 = fround(a0 + fround(xv * wt[j]));
                    a1 = fround(a1 + fround(xv * wt[j + ws]));
                    a2 = fround(a2 + fround(xv * wt[j + 2 * ws]));
                    a3 = fround(a3 + fround(xv * wt[j + 3 * ws]));
                  }
                } else {
                  for (let i = 0; i < len; i++) a0 = fround(a0 + fround(xt[xo + i] * wt[wo + i]));
                }
              } else {
                for (let kw = kwLo; kw < kwHi; kw++) {
                  const xo = (rowX + iw0 + kw * dw) * C + cOff, wo = rowW + kw * Cg;
                  if (four) {
                    for (let i = 0; i < Cg; i++) {
                      const xv = xt[xo + i], j = wo + i;
                      a0 = fround(a0 + fround(xv * wt[j]));
                      a1 = fround(a1 + fround(xv * wt[j + ws]));
                      a2 = fround(a2 + fround(xv * wt[j + 2 * ws]));
                      a3 = fround(a3 + fround(xv * wt[j + 3 * ws]));
                    }
                  } else {
                    for (let i = 0; i < Cg; i++) a0 = fround(a0 + fround(xt[xo + i] * wt[wo + i]));
                  }
                }
              }
            }
            const o = y0 + oh * OW + ow;
            y[o] = a0;
            if (four) { y[o + plane] = a1; y[o + 2 * plane] = a2; y[o + 3 * plane] = a3; }
          }
        }
        m += four ? 4 : 1;
      }
    }
  }
}

/**
 * acc[N,M,OH,OW] = bias + Σ (x - xZero) * (w - wZero[m]) in int32 (wrapping), padding taps
 * contributing nothing. The caller requantizes.
 */
export function convInt2D(p: Conv2DParams, x: ArrayLike<number>, xZero: number, w: ArrayLike<number>, wZero: Float64Array,
  bias: ArrayLike<number> | undefined, acc: Int32Array): void {
  if (p.M / p.group >= SIMD_MIN_CHANNELS && convSimd(p, false, x, xZero, w, wZero, bias, acc)) return;
  convInt2DScalar(p, x, xZero, w, wZero, bias, acc);
}

/** The scalar int kernel (also the fallback without WebAssembly SIMD). */
export function convInt2DScalar(p: Conv2DParams, x: ArrayLike<number>, xZero: number, w: ArrayLike<number>, wZero: Float64Array,
  bias: ArrayLike<number> | undefined, acc: Int32Array): void {
  const { N, C, H, W, M, KH, KW, OH, OW, group, sh, sw, dh, dw, padT, padL } = p;
  const Cg = C / group, Mg = M / group;
  const wt = transposeWeights(p, w, new Int32Array(M * KH * KW * Cg), wZero);
  const xt = new Int32Array(H * W * C);
  const rh = tapRanges(OH, H, KH, sh, padT, dh), rw = tapRanges(OW, W, KW, sw, padL, dw);
  const ws = KH * KW * Cg;
  const merged = group === 1 && dw === 1;
  for (let n = 0; n < N; n++) {
    transposeInput(x, n * C * H * W, C, H * W, xt, xZero);
    for (let g = 0; g < group; g++) {
      const cOff = g * Cg;
      for (let m = g * Mg; m < (g + 1) * Mg; ) {
        const four = m + 4 <= (g + 1) * Mg;
        const b0 = bias ? bias[m] | 0 : 0;
        const b1 = four && bias ? bias[m + 1] | 0 : 0, b2 = four && bias ? bias[m + 2] | 0 : 0, b3 = four && bias ? bias[m + 3] | 0 : 0;
        const wm = m * ws;
        const y0 = ((n * M + m) * OH) * OW, plane = OH * OW;
        for (let oh = 0; oh < OH; oh++) {
          const khLo = rh.lo[oh], khHi = rh.hi[oh], ih0 = oh * sh - padT;
          for (let ow = 0; ow < OW; ow++) {
            const kwLo = rw.lo[ow], kwHi = rw.hi[ow], iw0 = ow * sw - padL;
            let a0 = b0, a1 = b1, a2 = b2, a3 = b3;
            for (let kh = khLo; kh < khHi; kh++) {
              const rowX = (ih0 + kh * dh) * W;
              const rowW = wm + kh * KW * Cg;
              const runs = merged ? 1 : kwHi - kwLo;
              for (let r = 0; r < runs; r++) {
                const kw = kwLo + r;
                const xo = merged ? (rowX + iw0 + kwLo) * C : (rowX + iw0 + kw * dw) * C + cOff;
                const wo = rowW + kw * Cg;
                const len = merged ? (kwHi - kwLo) * C : Cg;
                if (four) {
                  for (let i = 0; i < len; i++) {
                    const xv = xt[xo + i], j = wo + i;
                    a0 = (a0 + Math.imul(xv, wt[j])) | 0;
                    a1 = (a1 + Math.imul(xv, wt[j + ws])) | 0;
                    a2 = (a2 + Math.imul(xv, wt[j + 2 * ws])) | 0;
                    a3 = (a3 + Math.imul(xv, wt[j + 3 * ws])) | 0;
                  }
                } else {
                  for (let i = 0; i < len; i++) a0 = (a0 + Math.imul(xt[xo + i], wt[wo + i])) | 0;
                }
              }
            }
            const o = y0 + oh * OW + ow;
            acc[o] = a0;
            if (four) { acc[o + plane] = a1; acc[o + 2 * plane] = a2; acc[o + 3 * plane] = a3; }
          }
        }
        m += four ? 4 : 1;
      }
    }
  }
}

/** Below this many output channels per group the 16-lane kernel wastes most lanes. */
const SIMD_MIN_CHANNELS = 8;
const LANES = 16;

/**
 * The conv on the 16-lane WebAssembly kernel: output channels in blocks of 16 (the last block
 * padded with zero weights, its extra lanes dropped), input as HWC and weights as
 * [group][block][KH][KW][C/group][16] in WebAssembly memory. Float lanes compute exactly what
 * convFloat2DScalar does; int lanes what convInt2DScalar does. Returns false without SIMD.
 */
export function convSimd(p: Conv2DParams, float: boolean, x: ArrayLike<number>, xZero: number, w: ArrayLike<number>,
  wZero: Float64Array | undefined, bias: ArrayLike<number> | undefined, y: Float32Array | Int32Array): boolean {
  const simd = simdDot();
  if (!simd) return false;
  const { N, C, H, W, M, KH, KW, OH, OW, group, sh, sw, dh, dw, padT, padL } = p;
  const Cg = C / group, Mg = M / group, nb = Math.ceil(Mg / LANES);
  const blockLen = KH * KW * Cg * LANES;
  const xBase = LANES, wBase = xBase + H * W * C;                     // element offsets
  simd.reserve(4 * (wBase + group * nb * blockLen));
  const mem = float ? simd.f32() : simd.i32();
  const dot = float ? simd.dot16f : simd.dot16i;
  for (let g = 0; g < group; g++) {
    for (let b = 0; b < nb; b++) {
      const base = wBase + (g * nb + b) * blockLen;
      for (let l = 0; l < LANES; l++) {
        const mm = b * LANES + l, m = g * Mg + mm, z = wZero ? wZero[m] : 0;
        for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) for (let ci = 0; ci < Cg; ci++) {
          mem[base + ((kh * KW + kw) * Cg + ci) * LANES + l] = mm < Mg ? w[((m * Cg + ci) * KH + kh) * KW + kw] - z : 0;
        }
      }
    }
  }
  const rh = tapRanges(OH, H, KH, sh, padT, dh), rw = tapRanges(OW, W, KW, sw, padL, dw);
  const merged = group === 1 && dw === 1;
  for (let n = 0; n < N; n++) {
    const xo = n * C * H * W;
    for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) mem[xBase + i * C + c] = x[xo + c * H * W + i] - xZero;
    for (let g = 0; g < group; g++) {
      for (let b = 0; b < nb; b++) {
        const m0 = g * Mg + b * LANES, lanes = Math.min(LANES, Mg - b * LANES);
        const wb = wBase + (g * nb + b) * blockLen;
        for (let oh = 0; oh < OH; oh++) {
          const khLo = rh.lo[oh], khHi = rh.hi[oh], ih0 = oh * sh - padT;
          for (let ow = 0; ow < OW; ow++) {
            const kwLo = rw.lo[ow], kwHi = rw.hi[ow], iw0 = ow * sw - padL;
            for (let l = 0; l < LANES; l++) mem[l] = bias && l < lanes ? bias[m0 + l] : 0;
            for (let kh = khLo; kh < khHi; kh++) {
              const row = (ih0 + kh * dh) * W;
              if (merged) {
                dot(4 * (xBase + (row + iw0 + kwLo) * C), 4 * (wb + (kh * KW + kwLo) * Cg * LANES), (kwHi - kwLo) * C, 0);
              } else {
                for (let kw = kwLo; kw < kwHi; kw++) {
                  dot(4 * (xBase + (row + iw0 + kw * dw) * C + g * Cg), 4 * (wb + (kh * KW + kw) * Cg * LANES), Cg, 0);
                }
              }
            }
            const o = ((n * M + m0) * OH + oh) * OW + ow;
            for (let l = 0; l < lanes; l++) y[o + l * OH * OW] = mem[l];
          }
        }
      }
    }
  }
  return true;
}
