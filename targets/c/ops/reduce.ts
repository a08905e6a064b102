// Reduce* as C loops from the descriptor's reduce form (ops/lib/descriptor.ts ReduceCForm): the
// output is walked in its physical order; each output element folds its reduced elements in
// the interpreter's order (row-major over the reduced axes, ascending), reading x through its
// physical strides, so any layout gives the interpreter's float32 sums bit for bit.
import { isFloat } from '../../../core/ir/dtype';
import { numel } from '../../../core/ir/tensor';
import { ReduceCForm, opsetOf, readAttrs } from '../../../ops/lib/descriptor';
import { descriptorOf } from '../../../ops/engine/traits';
import { reducePlan } from '../../../ops/lib/reduce';
import { toNumbers } from '../../../core/ir/tensor';
import { OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { ndLoop } from '../nd-loop';
import { block, physStrides } from './util';

export function reduceEmitter(form: ReduceCForm): OpEmitter {
  return (ctx) => {
    const node = ctx.node;
    const x = ctx.in(0), y = ctx.out(0);
    const a = readAttrs(descriptorOf(node)!.attrs, node) as { axes?: readonly number[]; keepdims: number; noop_with_empty_axes: number };
    const axesIn = ctx.has(1) ? toNumbers(ctx.constValue(1)) : a.axes;
    const plan = reducePlan(x.shape, axesIn, a.keepdims, a.noop_with_empty_axes, node);
    const xt = ctx.ctypeIn(0).name, yt = ctx.ctypeOut(0).name;
    const isF = isFloat(x.dtype);
    const e = {
      attrs: a, opset: opsetOf(node), isFloat: isF, ctype: xt, float: cFloat,
      lit: (v: number) => (isF ? cFloat(v) : String(Math.trunc(v))),
      constScalar: () => undefined,
      wrap: (op: string, l: string, r: string) => `(${l} ${op} ${r})`,
    };
    const xs = physStrides(x.shape);
    const decls = [`${yt}* y = ${ctx.outPtr()};`, `const ${xt}* x = ${ctx.inPtr(0)};`];
    // noop: plan.axes is empty, so each element folds alone (count 1), as the interpreter.
    if (numel(y.shape) === 0) return;
    const r = x.shape.length;
    // y's strides over x's dims: kept dims map to y's dims in order, reduced dims stay put.
    const ysPhys = physStrides(y.shape);
    const yOverX: number[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) {
      if (plan.axes.includes(i)) { yOverX.push(0); if (a.keepdims) k++; } else yOverX.push(ysPhys[k++]);
    }
    const outer = x.shape.map((d, i) => (plan.axes.includes(i) ? 1 : d));
    const xOuter = xs.map((s, i) => (plan.axes.includes(i) ? 0 : s));
    const count = numel(plan.axes.map((i) => x.shape[i]));
    const acc = form.acc ? form.acc(e) : isF ? 'float' : 'int64_t';
    const red = plan.axes.filter((i) => x.shape[i] !== 1);
    block(ctx, decls, ndLoop(outer, [{ strides: yOverX, ptr: 'y', type: yt }, { strides: xOuter, ptr: 'x', type: `const ${xt}` }], ([o, i]) => {
      const lines = [`const ${xt}* xr = &${i};`, `${acc} a = ${form.init(e)};`];
      if (red.length) lines.push(`int32_t ${red.map((d) => `r${d}`).join(', ')};`);
      let ind = '';
      for (const d of red) { lines.push(`${ind}for (r${d} = 0; r${d} < ${x.shape[d]}; r${d}++)`); ind += '  '; }
      const off = red.map((d) => (xs[d] === 1 ? `r${d}` : `r${d} * ${xs[d]}`)).join(' + ') || '0';
      lines.push(`${ind}{ const ${xt} v = xr[${off}]; a = ${form.step('a', 'v', e)}; }`);
      lines.push(`${o} = (${yt})(${form.finish ? form.finish('a', count, e) : 'a'});`);
      return lines;
    }, '  '));
  };
}
