// Softmax as softmax.ts computes it: per row m = max (NaN sticks), e_j = expf(x_j - m),
// s = sum in index order, y_j = e_j / s. Opset >= 13 rows run along `axis` through strides in
// any layout; opset < 13 rows are the flattened dims [axis, rank) in logical order.
//
// The quantized form (a DequantizeLinear -> Softmax | LogSoftmax -> QuantizeLinear chain,
// targets/c/qsoftmax.ts) is the same rows on 8-bit tensors: each x_j dequantized as
// DequantizeLinear does, (float)(q - zx) * sx, the float32 row in a float scratch row, each y_j
// quantized as QuantizeLinear does (round half to even, saturate). Same operations, same order
// as the interpreter's DQ, Softmax, Q nodes; no float tensor in the arena.
import { attrInt } from '../../../core/ir/graph';
import { numel } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { ndLoop } from '../nd-loop';
import { block, logicalInput, logicalOutput, normAxis, physStrides } from './util';

/** Quantization of the 8-bit input and output of a quantized softmax row. */
export interface SoftmaxQuant {
  readonly xScale: number; readonly xZero: number;
  readonly yScale: number; readonly yZero: number;
  readonly lo: number; readonly hi: number;
}

function rowCode(n: number, sx: number, sy: number, rx: string, ry: string, log: boolean, types: { x: string; y: string }, q?: SoftmaxQuant): string[] {
  const ix = (j: string) => (sx === 1 ? j : `${j} * ${sx}`), iy = (j: string) => (sy === 1 ? j : `${j} * ${sy}`);
  if (!q) {
    return [
      `const float* xr = &${rx};`,
      `float* yr = &${ry};`,
      'float m = -HUGE_VALF, s = 0.0f;',
      'int32_t j;',
      `for (j = 0; j < ${n}; j++) { const float v = xr[${ix('j')}]; if (v > m || v != v) m = v; }`,
      ...(log
        ? [`for (j = 0; j < ${n}; j++) { const float d = xr[${ix('j')}] - m; yr[${iy('j')}] = d; s = s + hsq_expf(d); }`,
          `s = hsq_logf(s);`,
          `for (j = 0; j < ${n}; j++) yr[${iy('j')}] = yr[${iy('j')}] - s;`]
        : [`for (j = 0; j < ${n}; j++) { const float e = hsq_expf(xr[${ix('j')}] - m); yr[${iy('j')}] = e; s = s + e; }`,
          `for (j = 0; j < ${n}; j++) yr[${iy('j')}] = yr[${iy('j')}] / s;`]),
    ];
  }
  // t: the row's float32 values (e_j, or x_j - m for LogSoftmax) before the division / log.
  const dq = (v: string) => `hsq_dequantize(${v}, ${cFloat(q.xScale)}, ${q.xZero})`;
  const quant = (v: string) => `(${types.y})hsq_quantize(${v}, ${cFloat(q.yScale)}, ${q.yZero}, ${q.lo}, ${q.hi})`;
  return [
    `const ${types.x}* xr = &${rx};`,
    `${types.y}* yr = &${ry};`,
    'float m = -HUGE_VALF, s = 0.0f;',
    'int32_t j;',
    `for (j = 0; j < ${n}; j++) { const float v = ${dq(`xr[${ix('j')}]`)}; if (v > m || v != v) m = v; }`,
    ...(log
      ? [`for (j = 0; j < ${n}; j++) { const float d = ${dq(`xr[${ix('j')}]`)} - m; t[j] = d; s = s + hsq_expf(d); }`,
        `s = hsq_logf(s);`,
        `for (j = 0; j < ${n}; j++) yr[${iy('j')}] = ${quant('t[j] - s')};`]
      : [`for (j = 0; j < ${n}; j++) { const float e = hsq_expf(${dq(`xr[${ix('j')}]`)} - m); t[j] = e; s = s + e; }`,
        `for (j = 0; j < ${n}; j++) yr[${iy('j')}] = ${quant('t[j] / s')};`]),
  ];
}

/** Softmax, or LogSoftmax (`log`): y_j = (x_j - m) - hsq_logf(s); quantized 8-bit rows with `q`
 *  (the node's input 0 and output 0 are then the 8-bit tensors). */
export function emitSoftmaxRows(ctx: NodeContext, log: boolean, q?: SoftmaxQuant): void {
  const x = ctx.in(0);
  if (!q && x.dtype !== 'float32') ctx.fail(`input type ${x.dtype} is not supported (float32)`);
  const xt = q ? ctx.ctypeIn(0).name : 'float', yt = q ? ctx.ctypeOut(0).name : 'float';
  const types = { x: xt, y: yt };
  const opset = ctx.node.opset ?? Infinity;
  const rank = x.shape.length;
  const a = rank === 0 ? 0 : normAxis(attrInt(ctx.node, 'axis', opset < 13 ? 1 : -1), rank);
  const rowLen = opset < 13 ? numel(x.shape.slice(a)) : rank === 0 ? 1 : x.shape[a];
  const scratch = q ? [`float* t = ${ctx.scratch(rowLen * 4, 'float')};`] : [];
  if (opset < 13) {
    const xp = logicalInput(ctx, 0);
    const y = logicalOutput(ctx, 0);
    const outer = numel(x.shape.slice(0, a)), n = rowLen;
    block(ctx, [`${yt}* y = ${y.ptr};`, `const ${xt}* x = ${xp};`, ...scratch],
      ndLoop([outer], [{ strides: [n], ptr: 'y', type: yt }, { strides: [n], ptr: 'x', type: `const ${xt}` }], ([oy, ox]) => rowCode(n, 1, 1, ox, oy, log, types, q), '  '));
    y.finish();
    return;
  }
  const st = physStrides(x.shape);
  const outer = x.shape.map((d, i) => (i === a ? 1 : d));
  const n = rowLen, s = rank === 0 ? 1 : st[a];
  block(ctx, [`${yt}* y = ${ctx.outPtr()};`, `const ${xt}* x = ${ctx.inPtr(0)};`, ...scratch],
    ndLoop(outer, [{ strides: st, ptr: 'y', type: yt }, { strides: st, ptr: 'x', type: `const ${xt}` }], ([oy, ox]) => rowCode(n, s, s, ox, oy, log, types, q), '  '));
}

/** Softmax, or LogSoftmax (`log`): y_j = (x_j - m) - hsq_logf(s). */
export const softmaxEmitter = (log: boolean): OpEmitter => (ctx) => emitSoftmaxRows(ctx, log);

export const emitSoftmax = softmaxEmitter(false);
export const emitLogSoftmax = softmaxEmitter(true);
