// Resize (opset 10: X, scales; opset 11+: X, roi, scales, sizes; opset 18: axes,
// keep_aspect_ratio_policy). Modes nearest and linear, computed as ONNX Runtime's CPU kernel
// does, every step in float32:
//
// Output size and scale per axis: from scales, out = floor(scale * in) (float32 product); from
// sizes, scale = out / in (float32); keep_aspect_ratio_policy not_larger / not_smaller use one
// scale (min / max over the axes) and out = round(scale * in). An axis with scale 1 maps
// identically (no coordinate transformation); an output shape equal to the input shape is a
// plain copy whatever the scales (both as ORT).
//
// Coordinate transformation x_resized -> x_original (float32, each operation rounded):
//   half_pixel            (x + 0.5) / scale - 0.5
//   half_pixel_symmetric  offset + (x + 0.5) / scale - 0.5, offset = in/2 * (1 - out / (scale*in));
//                         the last expression in double, then rounded (as ORT)
//   pytorch_half_pixel    out > 1 ? (x + 0.5) / scale - 0.5 : 0
//   align_corners         out == 1 ? 0 : x * (in - 1) / (out - 1)
//   asymmetric            x / scale
//   tf_half_pixel_for_nn  (x + 0.5) / scale
//   tf_crop_and_resize    out > 1 ? s * (in - 1) + x * (e - s) * (in - 1) / (out - 1)
//                                 : 0.5 * (s + e) * (in - 1)        (roi start s, end e)
// Nearest: round_prefer_floor (ties down), round_prefer_ceil (ties up), floor, ceil; opset 10
// and Upsample use ORT's legacy rule (truncate when upsampling, ceil when downsampling). The
// index is clamped to [0, in-1]; tf_crop_and_resize gives extrapolation_value outside.
//
// Linear: interpolated axes are the last 2 (rank 2 or 4) or last 3 (rank 3 or 5) when the
// other scales are 1, as ORT's bilinear/trilinear kernels; otherwise every axis with scale != 1.
// Per interpolated axis: c = clamp(x_original, 0, in-1), i1 = trunc(c), i2 = min(i1+1, in-1),
// w2 = |c - i1| (weight of i2), w1 = |c - i2| (weight of i1); when i1 == i2 both are 0.5.
// y = sum over the 2^K corners, innermost axis the fastest-varying bit, of
//     (((w_inner * w_next) * ...) * w_outer) * x[corner], summed left to right in float32.
// Integer tensors in linear mode: the float32 result truncated toward zero and saturated (ORT's
// static_cast).
import { DType, TypedArray, allocArray, intRange, isBigInt, isFloat } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor, numel, sameShape, strides, toNumbers } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { saturate } from '../core/numerics';
import { AttrValues, InferArgs, attr, defineOp, readAttrs } from './lib/descriptor';
import { hasInput, inputInfo, normAxis, opsetOf, req } from './lib/tensor-util';

const f = Math.fround;

export type CoordMode = 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners'
  | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'legacy';

export interface ResizeOptions {
  readonly mode: 'nearest' | 'linear' | 'cubic';
  /** cubic: the kernel's a (cubic_coeff_a) and whether taps outside the input get weight 0
   *  (the others renormalised: exclude_outside). */
  readonly cubicCoeffA?: number;
  readonly excludeOutside?: boolean;
  readonly coordinateTransformationMode: CoordMode;
  readonly nearestMode: NearestMode;
  readonly extrapolationValue: number;
  /** Full-rank [starts..., ends...] (tf_crop_and_resize only). */
  readonly roi?: readonly number[];
}

export interface ResizePlan {
  readonly outShape: number[];
  /** float32 scale per axis. */
  readonly scales: number[];
}

/** Output shape and scales from scales or sizes (over `axes`, default all). */
export function resizePlan(inShape: readonly number[], scales: readonly number[] | undefined, sizes: readonly number[] | undefined,
  axes: readonly number[] | undefined, policy: string, node: Node): ResizePlan {
  const r = inShape.length;
  const ax = axes ? axes.map((a) => normAxis(a, r, node)) : Array.from({ length: r }, (_, i) => i);
  const outShape = [...inShape];
  const sc = new Array<number>(r).fill(1);
  if (scales && scales.length > 0) {
    if (scales.length !== ax.length) throw new HsqError('bad-input', `node '${node.name}' (Resize): ${scales.length} scales for rank ${ax.length}`, node.name);
    ax.forEach((a, i) => {
      const s = f(scales[i]);
      if (!(s > 0)) throw new HsqError('bad-input', `node '${node.name}' (Resize): scale ${s} must be positive`, node.name);
      sc[a] = s;
      outShape[a] = Math.floor(f(s * inShape[a]));
    });
  } else if (sizes && sizes.length > 0) {
    if (sizes.length !== ax.length) throw new HsqError('bad-input', `node '${node.name}' (Resize): ${sizes.length} sizes for rank ${ax.length}`, node.name);
    ax.forEach((a, i) => { outShape[a] = sizes[i]; sc[a] = inShape[a] === 0 ? 1 : f(sizes[i] / inShape[a]); });
    if (policy === 'not_larger' || policy === 'not_smaller') {
      const pick = ax.map((a) => sc[a]).reduce((p, s) => (policy === 'not_larger' ? Math.min(p, s) : Math.max(p, s)));
      for (const a of ax) { sc[a] = pick; outShape[a] = Math.floor(f(pick * inShape[a]) + 0.5); }
    } else if (policy !== 'stretch') {
      throw new HsqError('bad-input', `node '${node.name}' (Resize): keep_aspect_ratio_policy ${policy}`, node.name);
    }
  } else {
    throw new HsqError('bad-input', `node '${node.name}' (Resize): neither scales nor sizes given`, node.name);
  }
  return { outShape, scales: sc };
}

/** x_original of output coordinate x along one axis (float32 steps). */
export function originalCoordinate(mode: CoordMode, x: number, scale: number, outLen: number, inLen: number,
  roiStart = 0, roiEnd = 1): number {
  switch (mode) {
    case 'asymmetric': return f(x / scale);
    case 'pytorch_half_pixel': return outLen > 1 ? f(f(f(x + 0.5) / scale) - 0.5) : 0;
    case 'tf_half_pixel_for_nn': return f(f(x + 0.5) / scale);
    case 'align_corners': return outLen === 1 ? 0 : f(f(x * (inLen - 1)) / (outLen - 1));
    case 'tf_crop_and_resize':
      if (outLen > 1) {
        const a = f(roiStart * (inLen - 1));
        const b = f(f(f(x * f(roiEnd - roiStart)) * (inLen - 1)) / (outLen - 1));
        return f(a + b);
      }
      return f(0.5 * f(roiStart + roiEnd) * (inLen - 1));
    case 'half_pixel_symmetric': {
      const adj = f(outLen / f(scale * inLen));
      const offset = f(f(inLen / 2) * f(1 - adj));
      return f(offset + (x + 0.5) / scale - 0.5);
    }
    case 'half_pixel': return f(f(f(x + 0.5) / scale) - 0.5);
  }
}

export function nearestIndex(mode: NearestMode, v: number, downsample: boolean): number {
  switch (mode) {
    case 'round_prefer_floor': { const fl = Math.floor(v); return v - fl === 0.5 ? fl : Math.round(v); }
    case 'round_prefer_ceil': { const fl = Math.floor(v); return v - fl === 0.5 ? fl + 1 : Math.round(v); }
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'legacy': return downsample ? Math.ceil(v) : Math.trunc(v);
  }
}

function roiOf(opts: ResizeOptions, a: number, rank: number): [number, number] {
  return opts.roi && opts.roi.length === 2 * rank ? [opts.roi[a], opts.roi[rank + a]] : [0, 1];
}

function outOfRange(orig: number, inLen: number): boolean {
  return orig < 0 || orig > inLen - 1;
}

export function resize(x: Tensor, plan: ResizePlan, opts: ResizeOptions): Tensor {
  if (sameShape(plan.outShape, x.shape)) return { dtype: x.dtype, shape: [...x.shape], data: x.data.slice() as TypedArray };
  return opts.mode === 'nearest' ? resizeNearest(x, plan, opts) : opts.mode === 'cubic' ? resizeCubic(x, plan, opts) : resizeLinear(x, plan, opts);
}

function resizeNearest(x: Tensor, plan: ResizePlan, opts: ResizeOptions): Tensor {
  const { outShape, scales } = plan;
  const r = x.shape.length, st = strides(x.shape);
  const extrap = opts.coordinateTransformationMode === 'tf_crop_and_resize';
  // per axis: output index -> input offset, or -1 for the extrapolation value
  const maps = outShape.map((len, a) => {
    const inLen = x.shape[a], m = new Int32Array(len);
    const [rs, re] = roiOf(opts, a, r);
    for (let o = 0; o < len; o++) {
      if (scales[a] === 1) { m[o] = Math.min(o, inLen - 1) * st[a]; continue; }
      const orig = originalCoordinate(opts.coordinateTransformationMode, o, scales[a], len, inLen, rs, re);
      if (extrap && outOfRange(orig, inLen)) { m[o] = -1; continue; }
      let i = nearestIndex(opts.nearestMode, orig, scales[a] < 1);
      i = i > inLen - 1 ? inLen - 1 : i < 0 ? 0 : i;
      m[o] = i * st[a];
    }
    return m;
  });
  const n = numel(outShape);
  const out = allocArray(x.dtype, n) as unknown as (number | bigint)[];
  const src = x.data as unknown as (number | bigint)[];
  const ev = isBigInt(x.dtype) ? BigInt(Math.trunc(opts.extrapolationValue)) : opts.extrapolationValue;
  if (n === 0) return { dtype: x.dtype, shape: outShape, data: out as unknown as TypedArray };
  const inner = outShape[r - 1], im = maps[r - 1];
  const counter = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o += inner) {
    let base = 0, outside = false;
    for (let d = 0; d < r - 1; d++) { const v = maps[d][counter[d]]; if (v < 0) outside = true; base += v; }
    if (outside) for (let i = 0; i < inner; i++) out[o + i] = ev;
    else for (let i = 0; i < inner; i++) { const v = im[i]; out[o + i] = v < 0 ? ev : src[base + v]; }
    for (let d = r - 2; d >= 0; d--) { if (++counter[d] < outShape[d]) break; counter[d] = 0; }
  }
  return { dtype: x.dtype, shape: outShape, data: out as unknown as TypedArray };
}

/** Axes interpolated in linear mode (see the header). */
export function linearAxes(scales: readonly number[]): number[] {
  const r = scales.length;
  const ortAxes = r === 2 ? [0, 1] : r === 4 ? [2, 3] : r === 3 ? [0, 1, 2] : r === 5 ? [2, 3, 4] : undefined;
  if (ortAxes && scales.every((s, a) => s === 1 || ortAxes.includes(a))) {
    return scales.some((s) => s !== 1) ? ortAxes : [];
  }
  return scales.map((s, a) => (s !== 1 ? a : -1)).filter((a) => a >= 0);
}

/** Per interpolated axis of a linear resize: input indices i1/i2 (logical), their weights w1/w2
 *  and the extrapolation flag, per output index; undefined for the other axes. */
export interface LinearAxis { i1: Int32Array; i2: Int32Array; w1: Float32Array; w2: Float32Array; outside: Uint8Array }

export function linearTables(inShape: readonly number[], plan: ResizePlan, opts: ResizeOptions): (LinearAxis | undefined)[] {
  const { outShape, scales } = plan;
  const r = inShape.length;
  const axes = linearAxes(scales);
  const extrap = opts.coordinateTransformationMode === 'tf_crop_and_resize';
  return outShape.map((len, a) => {
    if (!axes.includes(a)) return undefined;
    const inLen = inShape[a];
    const p: LinearAxis = { i1: new Int32Array(len), i2: new Int32Array(len), w1: new Float32Array(len), w2: new Float32Array(len), outside: new Uint8Array(len) };
    const [rs, re] = roiOf(opts, a, r);
    for (let o = 0; o < len; o++) {
      const orig = scales[a] === 1 ? o : originalCoordinate(opts.coordinateTransformationMode, o, scales[a], len, inLen, rs, re);
      p.outside[o] = extrap && outOfRange(orig, inLen) ? 1 : 0;
      const c = Math.max(0, Math.min(orig, inLen - 1));
      const i1 = Math.min(Math.trunc(c), inLen - 1), i2 = Math.min(i1 + 1, inLen - 1);
      p.i1[o] = i1; p.i2[o] = i2;
      if (i1 === i2) { p.w1[o] = 0.5; p.w2[o] = 0.5; } else { p.w2[o] = f(Math.abs(c - i1)); p.w1[o] = f(Math.abs(c - i2)); }
    }
    return p;
  });
}

function resizeLinear(x: Tensor, plan: ResizePlan, opts: ResizeOptions): Tensor {
  const { outShape, scales } = plan;
  const r = x.shape.length, st = strides(x.shape);
  const dt: DType = x.dtype;
  const axes = linearAxes(scales);
  const extrap = opts.coordinateTransformationMode === 'tf_crop_and_resize';
  const logical = linearTables(x.shape, plan, opts);
  const params = logical.map((p, a) => (p ? { ...p, i1: p.i1.map((v) => v * st[a]), i2: p.i2.map((v) => v * st[a]) } : undefined));
  const n = numel(outShape);
  const out = allocArray(dt, n) as unknown as number[];
  const src = x.data as unknown as number[];
  if (isBigInt(dt)) throw new HsqError('unsupported', 'Resize linear on 64-bit integers is not supported');
  const toOut = isFloat(dt) ? (dt === 'float64' ? (v: number) => v : f)
    : ((lo: number, hi: number) => (v: number) => saturate(Math.trunc(v), lo, hi))(...intRange(dt));
  const K = axes.length, corners = 1 << K;
  const last = r - 1, pl = params[last];
  const Kx = pl ? 1 : 0;
  // interpolated axes other than the last, innermost first: bit j of an outer corner index
  const outerAxes = [...axes].reverse().filter((a) => a !== last);
  const Ko = outerAxes.length;
  const oOff = new Int32Array(1 << Ko), oW = new Float32Array((1 << Ko) * Math.max(Ko, 1));
  const rowLen = outShape[last];
  const counter = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o += rowLen) {
    // this row's outer offset and the outer corners' offsets and weights
    let base = 0, outside = false;
    for (let d = 0; d < last; d++) {
      const p = params[d];
      if (!p) base += counter[d] * st[d];
      else if (p.outside[counter[d]]) outside = true;
    }
    for (let co = 0; co < 1 << Ko; co++) {
      let off = 0;
      for (let j = 0; j < Ko; j++) {
        const p = params[outerAxes[j]]!, k = counter[outerAxes[j]];
        const hi = (co >> j) & 1;
        off += hi ? p.i2[k] : p.i1[k];
        oW[co * Ko + j] = hi ? p.w2[k] : p.w1[k];
      }
      oOff[co] = off;
    }
    if (pl && Ko === 1 && !outside && !extrap) {
      // bilinear fast path: the general corner loop below written out
      bilinearRow(src, base + oOff[0], base + oOff[1], oW[0], oW[1], pl, out, o, rowLen, toOut);
      for (let d = last - 1; d >= 0; d--) { if (++counter[d] < outShape[d]) break; counter[d] = 0; }
      continue;
    }
    for (let xi = 0; xi < rowLen; xi++) {
      let v: number;
      if (outside || (pl && pl.outside[xi])) v = opts.extrapolationValue;
      else if (K === 0) v = src[base + xi];
      else {
        v = 0;
        for (let c = 0; c < corners; c++) {
          const co = c >> Kx;
          let off = base + oOff[co], w: number, j = 0;
          if (pl) {
            const hi = c & 1;
            off += hi ? pl.i2[xi] : pl.i1[xi];
            w = hi ? pl.w2[xi] : pl.w1[xi];
          } else {
            off += xi;
            w = oW[co * Ko];
            j = 1;
          }
          for (; j < Ko; j++) w = f(w * oW[co * Ko + j]);
          const term = f(w * src[off]);
          v = c === 0 ? term : f(v + term);
        }
      }
      out[o + xi] = toOut(v);
    }
    for (let d = last - 1; d >= 0; d--) { if (++counter[d] < outShape[d]) break; counter[d] = 0; }
  }
  return { dtype: dt, shape: outShape, data: out as unknown as TypedArray };
}

/** One output row of bilinear interpolation (the general corner loop written out). */
function bilinearRow(src: ArrayLike<number>, b1: number, b2: number, wy1: number, wy2: number,
  p: { i1: Int32Array; i2: Int32Array; w1: Float32Array; w2: Float32Array },
  out: { [i: number]: number }, o: number, len: number, toOut: (v: number) => number): void {
  const { i1, i2, w1, w2 } = p;
  for (let xi = 0; xi < len; xi++) {
    const x1 = i1[xi], x2 = i2[xi], wx1 = w1[xi], wx2 = w2[xi];
    const t0 = f(f(wx1 * wy1) * src[b1 + x1]);
    const t1 = f(f(wx2 * wy1) * src[b1 + x2]);
    const t2 = f(f(wx1 * wy2) * src[b2 + x1]);
    const t3 = f(f(wx2 * wy2) * src[b2 + x2]);
    out[o + xi] = toOut(f(f(f(t0 + t1) + t2) + t3));
  }
}

// Cubic, as ONNX Runtime's ResizeBiCubic: the last 2 axes (rank 2, or rank 4 with the first two
// scales 1). Per axis and output index: x_original as above (not clamped), i = floor(x_original),
// s = x_original - i, four taps i-1 .. i+2 clamped to [0, in-1] with the coefficients
// (a = cubic_coeff_a, every operation float32)
//   c0 = ((a(s+1) - 5a)(s+1) + 8a)(s+1) - 4a       c1 = ((a+2)s - (a+3))s·s + 1
//   c2 = ((a+2)(1-s) - (a+3))(1-s)(1-s) + 1        c3 = ((a(2-s) - 5a)(2-s) + 8a)(2-s) - 4a
// exclude_outside: taps outside the input get 0 and the four are divided by their sum.
// y = sum over rows r (in tap order) of (sum over columns c of cx[c] * x[r][c]) * cy[r], left to
// right in float32; tf_crop_and_resize gives extrapolation_value where x_original is outside.

/** Per axis of a cubic resize: four input indices (logical) and coefficients per output index. */
export interface CubicAxis { idx: Int32Array; coef: Float32Array; outside: Uint8Array }

export function cubicCoeffs(s: number, a: number): [number, number, number, number] {
  const s1 = f(s + 1), t = f(1 - s), u = f(2 - s);
  const outer = (v: number) => f(f(f(f(f(f(a * v) - f(5 * a)) * v) + f(8 * a)) * v) - f(4 * a));
  const inner = (v: number) => f(f(f(f(f(f(a + 2) * v) - f(a + 3)) * v) * v) + 1);
  return [outer(s1), inner(s), inner(t), outer(u)];
}

/** The interpolated axes of a cubic resize (ORT: 2-D), or an error naming the node. */
export function cubicAxes(scales: readonly number[], node?: Node): number[] {
  const r = scales.length;
  if (r === 2) return [0, 1];
  if (r === 4 && scales[0] === 1 && scales[1] === 1) return [2, 3];
  throw new HsqError('unsupported', `node '${node?.name ?? 'Resize'}' (Resize): cubic mode interpolates 2-D inputs or the last two axes of 4-D inputs (scales of the first two 1)`, node?.name);
}

export function cubicTables(inShape: readonly number[], plan: ResizePlan, opts: ResizeOptions, node?: Node): (CubicAxis | undefined)[] {
  const { outShape, scales } = plan;
  const r = inShape.length;
  const axes = cubicAxes(scales, node);
  const a = f(opts.cubicCoeffA ?? -0.75);
  const extrap = opts.coordinateTransformationMode === 'tf_crop_and_resize';
  return outShape.map((len, ax) => {
    if (!axes.includes(ax)) return undefined;
    const inLen = inShape[ax];
    const t: CubicAxis = { idx: new Int32Array(4 * len), coef: new Float32Array(4 * len), outside: new Uint8Array(len) };
    const [rs, re] = roiOf(opts, ax, r);
    for (let o = 0; o < len; o++) {
      const orig = originalCoordinate(opts.coordinateTransformationMode, o, scales[ax], len, inLen, rs, re);
      t.outside[o] = extrap && outOfRange(orig, inLen) ? 1 : 0;
      const i0 = Math.floor(orig);
      const c = cubicCoeffs(f(Math.abs(f(orig - i0))), a);
      if (opts.excludeOutside) {
        let sum = 0;
        for (let k = 0; k < 4; k++) { const i = i0 - 1 + k; if (i < 0 || i >= inLen) c[k] = 0; sum = f(sum + c[k]); }
        for (let k = 0; k < 4; k++) c[k] = f(c[k] / sum);
      }
      for (let k = 0; k < 4; k++) {
        t.idx[4 * o + k] = Math.min(Math.max(i0 - 1 + k, 0), inLen - 1);
        t.coef[4 * o + k] = c[k];
      }
    }
    return t;
  });
}

function resizeCubic(x: Tensor, plan: ResizePlan, opts: ResizeOptions): Tensor {
  if (!isFloat(x.dtype)) throw new HsqError('unsupported', `Resize cubic on ${x.dtype} is not supported (float tensors are)`);
  const { outShape } = plan;
  const r = x.shape.length, st = strides(x.shape);
  const tables = cubicTables(x.shape, plan, opts);
  const [A, B] = r === 2 ? [0, 1] : [2, 3];
  const ty = tables[A]!, tx = tables[B]!;
  const H = outShape[A], W = outShape[B];
  const outer = r === 2 ? 1 : outShape[0] * outShape[1];
  const planeIn = r === 2 ? 0 : st[1];
  const out = allocArray(x.dtype, numel(outShape)) as unknown as number[];
  const src = x.data as unknown as number[];
  const toOut = x.dtype === 'float64' ? (v: number) => v : f;
  let o = 0;
  for (let p = 0; p < outer; p++) {
    const base = p * planeIn;
    for (let yi = 0; yi < H; yi++) for (let xi = 0; xi < W; xi++) {
      if (ty.outside[yi] || tx.outside[xi]) { out[o++] = opts.extrapolationValue; continue; }
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const row = base + ty.idx[4 * yi + i] * st[A];
        let h = 0;
        for (let j = 0; j < 4; j++) h = f(h + f(tx.coef[4 * xi + j] * src[row + tx.idx[4 * xi + j] * st[B]]));
        v = f(v + f(h * ty.coef[4 * yi + i]));
      }
      out[o++] = toOut(v);
    }
  }
  return { dtype: x.dtype, shape: outShape, data: out as unknown as TypedArray };
}

const COORD_MODES: readonly string[] = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners',
  'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST_MODES: readonly string[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** Resize of opset 10 (X, scales) vs 11+ (X, roi, scales, sizes). */
function isOpset10(node: Node): boolean {
  return opsetOf(node) <= 10 || node.inputs.length === 2;
}

const RESIZE_ATTRS = {
  mode: attr.string('nearest'),
  antialias: attr.int(0),
  coordinate_transformation_mode: attr.string('half_pixel'),
  nearest_mode: attr.string('round_prefer_floor'),
  extrapolation_value: attr.float(0),
  cubic_coeff_a: attr.float(-0.75),
  exclude_outside: attr.int(0),
  axes: attr.ints(),
  keep_aspect_ratio_policy: attr.string('stretch'),
};
type ResizeAttrs = AttrValues<typeof RESIZE_ATTRS>;

export function resizeOptions(node: Node, a: ResizeAttrs): ResizeOptions {
  const mode = a.mode;
  const bad = (what: string) => new HsqError('unsupported', `node '${node.name}' (Resize): ${what} is not supported`, node.name);
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') throw bad(`mode ${mode}`);
  if (a.antialias !== 0) throw bad('antialias');
  if (isOpset10(node)) {
    if (mode === 'cubic') throw bad('mode cubic at opset 10');
    return { mode, coordinateTransformationMode: 'asymmetric', nearestMode: 'legacy', extrapolationValue: 0 };
  }
  const ctm = a.coordinate_transformation_mode;
  const nm = a.nearest_mode;
  if (!COORD_MODES.includes(ctm)) throw bad(`coordinate_transformation_mode ${ctm}`);
  if (!NEAREST_MODES.includes(nm)) throw bad(`nearest_mode ${nm}`);
  return {
    mode, coordinateTransformationMode: ctm as CoordMode, nearestMode: nm as NearestMode,
    extrapolationValue: f(a.extrapolation_value),
    ...(mode === 'cubic' ? { cubicCoeffA: f(a.cubic_coeff_a), excludeOutside: a.exclude_outside !== 0 } : {}),
  };
}

type Getter = (i: number, what: string) => number[] | undefined;

function planFor(node: Node, a: ResizeAttrs, inShape: readonly number[], get: Getter): ResizePlan {
  if (isOpset10(node)) return resizePlan(inShape, get(1, 'scales'), undefined, undefined, 'stretch', node);
  const scales = hasInput(node, 2) ? get(2, 'scales') : undefined;
  const sizes = hasInput(node, 3) ? get(3, 'sizes') : undefined;
  return resizePlan(inShape, scales, scales && scales.length > 0 ? undefined : sizes, a.axes, a.keep_aspect_ratio_policy, node);
}

/** Full-rank roi from the roi input (over `axes` when given). */
function fullRoi(node: Node, axes: readonly number[] | undefined, rank: number, roi: number[] | undefined): number[] | undefined {
  if (!roi || roi.length === 0) return undefined;
  if (!axes) return roi;
  const full = [...new Array<number>(rank).fill(0), ...new Array<number>(rank).fill(1)];
  axes.forEach((a, i) => { const k = normAxis(a, rank, node); full[k] = roi[i]; full[rank + k] = roi[axes.length + i]; });
  return full;
}

function constGetter(args: InferArgs): Getter {
  return (i, what) => {
    const v = args.values[i];
    if (!v) {
      // an empty placeholder (opset 11 scales '' or a zero-size initializer) reads as absent
      const info = args.inputs[i];
      if (info && info.shape.length === 1 && info.shape[0] === 0) return [];
      const n = args.node;
      throw new HsqError('unsupported', `node '${n.name}' (${n.op}): input ${i} '${n.inputs[i]}' (${what}) must be known at compile time`, n.name);
    }
    return toNumbers(v);
  };
}

/** Plan and options of a Resize node whose scales/sizes/roi are constants (the C emitter's view). */
export function resizeSetup(node: Node, inShape: readonly number[], get: (i: number) => number[] | undefined): { plan: ResizePlan; opts: ResizeOptions } {
  const attrs = readAttrs(RESIZE_ATTRS, node);
  const opts = resizeOptions(node, attrs);
  const withRoi = opts.coordinateTransformationMode === 'tf_crop_and_resize'
    ? { ...opts, roi: fullRoi(node, attrs.axes, inShape.length, hasInput(node, 1) ? get(1) : undefined) } : opts;
  return { plan: planFor(node, attrs, inShape, get), opts: withRoi };
}

export const Resize = defineOp({
  op: 'Resize',
  attrs: RESIZE_ATTRS,
  constInputs: [1, 2, 3],
  traits: { quant: 'dequantize-compute-quantize', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    resizeOptions(args.node, args.attrs);
    return [{ dtype: x.dtype, shape: planFor(args.node, args.attrs, x.shape, constGetter(args)).outShape }];
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    const get: Getter = (i) => (inputs[i] ? toNumbers(inputs[i]!) : undefined);
    const opts = resizeOptions(node, attrs);
    const withRoi = opts.coordinateTransformationMode === 'tf_crop_and_resize'
      ? { ...opts, roi: fullRoi(node, attrs.axes, x.shape.length, hasInput(node, 1) ? get(1, 'roi') : undefined) } : opts;
    return [resize(x, planFor(node, attrs, x.shape, get), withRoi)];
  },
});
