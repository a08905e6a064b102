// LayerNormalization as ops/layer-normalization.ts computes it (float32, sums in index order,
// every operation rounded), rows of the dims [axis, rank) in logical order (a scratch copy when
// the tensor is channels-last). Mean and InvStdDev are written when the node has them.
import { attrFloat, attrInt } from '../../../core/ir/graph';
import { numel } from '../../../core/ir/tensor';
import { OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { logicalInput, logicalOutput, normAxis } from './util';

export const emitLayerNorm: OpEmitter = (ctx) => {
  const x = ctx.in(0);
  if (x.dtype !== 'float32') ctx.fail(`input type ${x.dtype} is not supported (float32)`);
  const a = normAxis(attrInt(ctx.node, 'axis', -1), x.shape.length);
  const n = numel(x.shape.slice(a)), rows = numel(x.shape.slice(0, a));
  const eps = Math.fround(attrFloat(ctx.node, 'epsilon', 1e-5));
  const sn = numel(ctx.in(1).shape), bn = ctx.has(2) ? numel(ctx.in(2).shape) : 0;
  const xp = logicalInput(ctx, 0);
  const y = logicalOutput(ctx, 0);
  const stats = [1, 2].filter((k) => ctx.node.outputs[k]);
  ctx.emit(
    '  {',
    `    const float* x = ${xp};`,
    `    const float* sc = ${ctx.inPtr(1)};`,
    ...(bn ? [`    const float* b = ${ctx.inPtr(2)};`] : []),
    `    float* y = ${y.ptr};`,
    ...stats.map((k) => `    float* st${k} = ${ctx.outPtr(k)};`),
    '    int32_t r, j;',
    `    for (r = 0; r < ${rows}; r++, x += ${n}, y += ${n}) {`,
    '      float s = 0.0f, s2 = 0.0f, m, v, iv;',
    `      for (j = 0; j < ${n}; j++) s = s + x[j];`,
    `      m = s / ${cFloat(n)};`,
    `      for (j = 0; j < ${n}; j++) { const float d = x[j] - m; s2 = s2 + d * d; }`,
    `      v = s2 / ${cFloat(n)};`,
    `      iv = 1.0f / sqrtf(v + ${cFloat(eps)});`,
    `      for (j = 0; j < ${n}; j++) {`,
    `        const float t = ((x[j] - m) * iv) * sc[${sn === 1 ? '0' : 'j'}];`,
    `        y[j] = ${bn ? `t + b[${bn === 1 ? '0' : 'j'}]` : 't'};`,
    '      }',
    ...(stats.includes(1) ? ['      st1[r] = m;'] : []),
    ...(stats.includes(2) ? ['      st2[r] = iv;'] : []),
    '    }',
    '  }',
  );
  y.finish();
};
