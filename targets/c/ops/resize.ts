// Resize: nearest (and any resize that is a copy) as a data movement (movement.ts); cubic from
// the interpreter's cubicTables (emitCubic below); linear as
// ops/resize.ts computes it, from the same per-axis tables (linearTables: input indices and
// float32 weights per output index, computed at compile time for every
// coordinate_transformation_mode): y = sum over the 2^K corners (K <= 2 interpolated axes, the
// higher axis the fastest-varying bit) of (w_inner * w_outer) * x[corner], left to right in
// float32; integer tensors truncate and saturate. Offsets are physical, so any layout works.
import { intRange, isFloat } from '../../../core/ir/dtype';
import { sameShape, toNumbers } from '../../../core/ir/tensor';
import { ResizeOptions, ResizePlan, cubicTables, linearTables, resizeSetup } from '../../../ops/resize';
import { NodeContext, OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { movement } from './movement';
import { block, physOrder, physStrides } from './util';

const asMovement = movement();

export const emitResize: OpEmitter = (ctx) => {
  const x = ctx.in(0), y = ctx.out(0);
  const get = (i: number) => (ctx.has(i) ? toNumbers(ctx.constValue(i)) : undefined);
  const { plan, opts } = resizeSetup(ctx.node, x.shape, get);
  if (opts.mode === 'nearest' || sameShape(plan.outShape, x.shape)) { asMovement(ctx); return; }
  if (opts.mode === 'cubic') { emitCubic(ctx, plan, opts); return; }
  const tables = linearTables(x.shape, plan, opts);
  const axes = tables.map((t, a) => (t ? a : -1)).filter((a) => a >= 0);
  if (axes.length > 2) ctx.fail(`linear interpolation over ${axes.length} axes is not supported by the C backend (1 or 2 are)`);
  const xs = physStrides(x.shape);
  const xt = ctx.ctypeIn(0).name, yt = ctx.ctypeOut(0).name;
  const extrap = opts.coordinateTransformationMode === 'tf_crop_and_resize';
  const decls = [`${yt}* yp = ${ctx.outPtr()};`, `const ${xt}* x = ${ctx.inPtr(0)};`];
  for (const a of axes) {
    const t = tables[a]!;
    decls.push(`const int32_t* lo${a} = ${ctx.weightArray(t.i1.map((v) => v * xs[a]), 'int32_t')};`);
    decls.push(`const int32_t* hi${a} = ${ctx.weightArray(t.i2.map((v) => v * xs[a]), 'int32_t')};`);
    decls.push(`const float* wl${a} = ${ctx.weightArray(t.w1, 'float')};`);
    decls.push(`const float* wh${a} = ${ctx.weightArray(t.w2, 'float')};`);
    if (extrap) decls.push(`const uint8_t* out${a} = ${ctx.weightArray(t.outside, 'uint8_t')};`);
  }
  const r = y.shape.length;
  const order = physOrder(r);
  const lines: string[] = [`  int32_t ${order.map((d) => `i${d}`).join(', ')};`];
  let ind = '  ';
  for (const d of order) { lines.push(`${ind}for (i${d} = 0; i${d} < ${y.shape[d]}; i${d}++)`); ind += '  '; }
  lines.push(`${ind}{`);
  const b = ind + '  ';
  const fixed = Array.from({ length: r }, (_, d) => d).filter((d) => !axes.includes(d) && y.shape[d] > 1);
  lines.push(`${b}const int32_t base = ${fixed.map((d) => `i${d} * ${xs[d]}`).join(' + ') || '0'};`);
  lines.push(`${b}float v;`);
  if (extrap) lines.push(`${b}if (${axes.map((a) => `out${a}[i${a}]`).join(' || ')}) v = ${cFloat(opts.extrapolationValue)};`, `${b}else {`);
  const [outer, inner] = axes.length === 2 ? [axes[0], axes[1]] : [axes[0], -1];
  const s = (i: string) => `(float)x[base + ${i}]`;
  if (inner < 0) {
    const a = outer;
    lines.push(`${b}  const float t0 = wl${a}[i${a}] * ${s(`lo${a}[i${a}]`)};`, `${b}  const float t1 = wh${a}[i${a}] * ${s(`hi${a}[i${a}]`)};`, `${b}  v = t0 + t1;`);
  } else {
    const A = outer, B = inner;
    const corner = (k: number) => {
      const ho = k >> 1, hi = k & 1;
      const wi = `${hi ? 'wh' : 'wl'}${B}[i${B}]`, wo = `${ho ? 'wh' : 'wl'}${A}[i${A}]`;
      return `${b}  const float t${k} = (${wi} * ${wo}) * ${s(`${ho ? 'hi' : 'lo'}${A}[i${A}] + ${hi ? 'hi' : 'lo'}${B}[i${B}]`)};`;
    };
    lines.push(corner(0), corner(1), corner(2), corner(3), `${b}  v = ((t0 + t1) + t2) + t3;`);
  }
  if (extrap) lines.push(`${b}}`);
  if (isFloat(y.dtype)) lines.push(`${b}*yp++ = v;`);
  else {
    const [lo, hi] = intRange(y.dtype);
    lines.push(`${b}{ const float t = truncf(v); *yp++ = t < ${cFloat(lo)} ? (${yt})${lo} : t > ${cFloat(hi)} ? (${yt})${hi} : (${yt})t; }`);
  }
  lines.push(`${ind}}`);
  block(ctx, decls, lines);
};

/** Cubic (ops/resize.ts resizeCubic): per output pixel four rows of four taps from the
 * interpreter's tables (physical offsets, float32 coefficients), rows summed left to right. */
function emitCubic(ctx: NodeContext, plan: ResizePlan, opts: ResizeOptions): void {
  const x = ctx.in(0), y = ctx.out(0);
  if (x.dtype !== 'float32') ctx.fail(`cubic mode on ${x.dtype} is not supported by the C backend (float32 is)`);
  const tables = cubicTables(x.shape, plan, opts, ctx.node);
  const r = y.shape.length;
  const [A, B] = r === 2 ? [0, 1] : [2, 3];
  const xs = physStrides(x.shape);
  const extrap = opts.coordinateTransformationMode === 'tf_crop_and_resize';
  const decls = [`float* yp = ${ctx.outPtr()};`, `const float* x = ${ctx.inPtr(0)};`];
  for (const a of [A, B]) {
    const t = tables[a]!;
    decls.push(`const int32_t* ix${a} = ${ctx.weightArray(t.idx.map((v) => v * xs[a]), 'int32_t')};`);
    decls.push(`const float* cf${a} = ${ctx.weightArray(t.coef, 'float')};`);
    if (extrap) decls.push(`const uint8_t* out${a} = ${ctx.weightArray(t.outside, 'uint8_t')};`);
  }
  const order = physOrder(r);
  const lines: string[] = [`  int32_t ${order.map((d) => `i${d}`).join(', ')}, r, c;`];
  let ind = '  ';
  for (const d of order) { lines.push(`${ind}for (i${d} = 0; i${d} < ${y.shape[d]}; i${d}++)`); ind += '  '; }
  lines.push(`${ind}{`);
  const b = ind + '  ';
  const fixed = Array.from({ length: r }, (_, d) => d).filter((d) => d !== A && d !== B && y.shape[d] > 1);
  lines.push(`${b}const int32_t base = ${fixed.map((d) => `i${d} * ${xs[d]}`).join(' + ') || '0'};`);
  lines.push(`${b}float v = 0.0f;`);
  if (extrap) lines.push(`${b}if (out${A}[i${A}] || out${B}[i${B}]) v = ${cFloat(opts.extrapolationValue)};`, `${b}else`);
  lines.push(`${b}for (r = 0; r < 4; r++) {`,
    `${b}  const float* xr = x + base + ix${A}[4 * i${A} + r];`,
    `${b}  float h = 0.0f;`,
    `${b}  for (c = 0; c < 4; c++) h = h + cf${B}[4 * i${B} + c] * xr[ix${B}[4 * i${B} + c]];`,
    `${b}  v = v + h * cf${A}[4 * i${A} + r];`,
    `${b}}`);
  lines.push(`${b}*yp++ = v;`);
  lines.push(`${ind}}`);
  block(ctx, decls, lines);
}
