// Softmax as softmax.ts computes it: per row m = max (NaN sticks), e_j = expf(x_j - m),
// s = sum in index order, y_j = e_j / s. Opset >= 13 rows run along `axis` through strides in
// any layout; opset < 13 rows are the flattened dims [axis, rank) in logical order.
import { attrInt } from '../../../core/ir/graph';
import { numel } from '../../../core/ir/tensor';
import { OpEmitter } from '../context';
import { ndLoop } from '../nd-loop';
import { block, logicalInput, logicalOutput, normAxis, physStrides } from './util';

function rowCode(n: number, sx: number, sy: number, rx: string, ry: string, log: boolean): string[] {
  const ix = (j: string) => (sx === 1 ? j : `${j} * ${sx}`), iy = (j: string) => (sy === 1 ? j : `${j} * ${sy}`);
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

/** Softmax, or LogSoftmax (`log`): y_j = (x_j - m) - hsq_logf(s). */
export const softmaxEmitter = (log: boolean): OpEmitter => (ctx) => {
  const x = ctx.in(0);
  if (x.dtype !== 'float32') ctx.fail(`input type ${x.dtype} is not supported (float32)`);
  const opset = ctx.node.opset ?? Infinity;
  const rank = x.shape.length;
  const a = rank === 0 ? 0 : normAxis(attrInt(ctx.node, 'axis', opset < 13 ? 1 : -1), rank);
  if (opset < 13) {
    const xp = logicalInput(ctx, 0);
    const y = logicalOutput(ctx, 0);
    const outer = numel(x.shape.slice(0, a)), n = numel(x.shape.slice(a));
    block(ctx, [`float* y = ${y.ptr};`, `const float* x = ${xp};`],
      ndLoop([outer], [{ strides: [n], ptr: 'y', type: 'float' }, { strides: [n], ptr: 'x', type: 'const float' }], ([oy, ox]) => rowCode(n, 1, 1, ox, oy, log), '  '));
    y.finish();
    return;
  }
  const st = physStrides(x.shape);
  const outer = x.shape.map((d, i) => (i === a ? 1 : d));
  const n = rank === 0 ? 1 : x.shape[a], s = rank === 0 ? 1 : st[a];
  block(ctx, [`float* y = ${ctx.outPtr()};`, `const float* x = ${ctx.inPtr(0)};`],
    ndLoop(outer, [{ strides: st, ptr: 'y', type: 'float' }, { strides: st, ptr: 'x', type: 'const float' }], ([oy, ox]) => rowCode(n, s, s, ox, oy, log), '  '));
};

export const emitSoftmax = softmaxEmitter(false);
export const emitLogSoftmax = softmaxEmitter(true);
