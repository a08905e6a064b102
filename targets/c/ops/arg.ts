// ArgMax / ArgMin as ops/lib/arg-reduce.ts computes them: per output element, a scan along the axis in
// index order through x's physical strides (any layout), comparisons as there; int64 index out.
import { attrInt } from '../../../core/ir/graph';
import { OpEmitter } from '../context';
import { ndLoop } from '../nd-loop';
import { block, normAxis, physStrides } from './util';

export function emitArg(max: boolean): OpEmitter {
  return (ctx) => {
    const x = ctx.in(0), y = ctx.out(0);
    const r = x.shape.length;
    const a = normAxis(attrInt(ctx.node, 'axis', 0), r);
    const keep = attrInt(ctx.node, 'keepdims', 1), last = attrInt(ctx.node, 'select_last_index', 0) === 1;
    const xs = physStrides(x.shape), ys = physStrides(y.shape);
    const yOverX = x.shape.map((_, i) => (i === a ? 0 : ys[i < a || keep ? i : i - 1]));
    const outer = x.shape.map((d, i) => (i === a ? 1 : d));
    const xt = ctx.ctypeIn(0).name;
    const cmp = max ? (last ? '>=' : '>') : (last ? '<=' : '<');
    block(ctx, [`int64_t* y = ${ctx.outPtr()};`, `const ${xt}* x = ${ctx.inPtr(0)};`],
      ndLoop(outer, [{ strides: yOverX, ptr: 'y', type: 'int64_t' }, { strides: xs.map((s, i) => (i === a ? 0 : s)), ptr: 'x', type: `const ${xt}` }], ([o, i]) => [
        `const ${xt}* xr = &${i};`,
        `${xt} best = xr[0];`,
        'int32_t j, bi = 0;',
        `for (j = 1; j < ${x.shape[a]}; j++) { const ${xt} v = xr[j * ${xs[a]}]; if (v ${cmp} best) { best = v; bi = j; } }`,
        `${o} = (int64_t)bi;`,
      ], '  '));
  };
}
