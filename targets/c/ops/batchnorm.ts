// BatchNormalization (inference) as batch-normalization.ts: per channel k = scale / sqrt(var +
// eps) computed at compile time in float32, then y = ((x - mean) * k) + B in C.
import { attrFloat, attrInt } from '../../../core/ir/graph';
import { toNumbers } from '../../../core/ir/tensor';
import { OpEmitter } from '../context';
import { ndLoop } from '../nd-loop';
import { block, physStrides } from './util';

const f = Math.fround;

export const emitBatchNormalization: OpEmitter = (ctx) => {
  if (attrInt(ctx.node, 'training_mode', 0) !== 0 || ctx.node.outputs.slice(1).some((o) => o)) ctx.fail('training mode is not supported');
  const x = ctx.in(0);
  if (x.dtype !== 'float32') ctx.fail(`input type ${x.dtype} is not supported (float32)`);
  const eps = f(attrFloat(ctx.node, 'epsilon', 1e-5));
  const [sc, b, mean, vr] = [1, 2, 3, 4].map((i) => toNumbers(ctx.constValue(i)));
  const C = x.shape[1];
  const k = new Float32Array(C);
  for (let c = 0; c < C; c++) k[c] = f(sc[c] / f(Math.sqrt(f(vr[c] + eps))));
  const kp = ctx.weightArray(k, 'float');
  const mp = ctx.weightArray(Float32Array.from(mean), 'float');
  const bp = ctx.weightArray(Float32Array.from(b), 'float');
  const st = physStrides(x.shape);
  const ps = x.shape.map((_, i) => (i === 1 ? 1 : 0));
  block(ctx, [`float* y = ${ctx.outPtr()};`, `const float* x = ${ctx.inPtr(0)};`, `const float* k = ${kp};`, `const float* mu = ${mp};`, `const float* b = ${bp};`],
    ndLoop(x.shape, [{ strides: st, ptr: 'y', type: 'float' }, { strides: st, ptr: 'x', type: 'const float' }, { strides: ps, ptr: 'k', type: 'const float' }, { strides: ps, ptr: 'mu', type: 'const float' }, { strides: ps, ptr: 'b', type: 'const float' }],
      ([y, x, k, mu, b]) => [`${y} = ((${x} - ${mu}) * ${k}) + ${b};`], '  '));
};
