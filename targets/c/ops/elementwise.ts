// Elementwise ops as emitted C loops: unary maps, broadcasting binary/variadic ops whose C
// expression is data in the op's descriptor (ops/<op>.ts `c`: float32 operations in the
// interpreter's order, NaN handling as there), plus Where and Cast.
import { isFloat } from '../../../core/ir/dtype';
import { CEnv, CForm, OpDescriptor, opsetOf, readAttrs } from '../../../ops/lib/descriptor';
import { descriptorOf } from '../../../ops/engine/traits';
import { toNumbers } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { cFloat, ctype } from '../ctypes';
import { ndLoop } from '../nd-loop';
import { bcastStrides, block } from './util';
import { reduceEmitter } from './reduce';

/** What a descriptor's C expression may use (ops/lib/descriptor.ts CEnv), for this node. */
function cEnv(ctx: NodeContext, isF: boolean, ty: string): CEnv<unknown> {
  const d = descriptorOf(ctx.node)!;
  return {
    attrs: readAttrs(d.attrs, ctx.node),
    opset: opsetOf(ctx.node),
    isFloat: isF,
    ctype: ty,
    float: cFloat,
    lit: (v) => cLit(v, isF, ty),
    constScalar: (i) => {
      if (!ctx.has(i)) return undefined;
      const t = ctx.constValue(i);
      return t.data.length ? toNumbers(t)[0] : undefined;
    },
    wrap: (op, a, b) => intArith(op)(a, b, isF, ty),
  };
}

function cLit(v: number, isF: boolean, ty: string): string {
  if (isF) return cFloat(v);
  if (ty === 'int64_t') return `INT64_C(${Math.trunc(v)})`;
  return `(${ty})${Math.trunc(v)}`;
}

type Unary = NonNullable<CForm['unary']>;
type Binary = NonNullable<CForm['binary']>;

function emitUnary(fn: Unary): OpEmitter {
  return (ctx) => {
    const x = ctx.in(0), y = ctx.out(0);
    const ct = ctype(x.dtype, ctx.inName(0)), yt = ctype(y.dtype, ctx.node.outputs[0]);
    const e = cEnv(ctx, isFloat(x.dtype), ct.name);
    const strides = bcastStrides(y.shape, y.shape);
    block(ctx, [`${yt.name}* y = ${ctx.outPtr()};`, `const ${ct.name}* x = ${ctx.inPtr(0)};`],
      ndLoop(y.shape, [{ strides, ptr: 'y', type: yt.name }, { strides, ptr: 'x', type: `const ${ct.name}` }], ([o, i]) => [`const ${ct.name} v = ${i};`, `${o} = ${fn('v', e)};`], '  '));
  };
}

/** Integer arithmetic that wraps as the interpreter's typed-array store does (no signed overflow). */
function intArith(op: string): (a: string, b: string, isF: boolean, ty: string) => string {
  return (a, b, _isF, ty) => {
    if (ty === 'int64_t') return `(int64_t)((uint64_t)${a} ${op} (uint64_t)${b})`;
    if (ty === 'uint64_t') return `(uint64_t)(${a} ${op} ${b})`;
    if (ty === 'int32_t') return `(int32_t)((uint32_t)${a} ${op} (uint32_t)${b})`;
    if (ty === 'uint32_t') return `(uint32_t)(${a} ${op} ${b})`;
    return `(${ty})((int32_t)${a} ${op} (int32_t)${b})`;
  };
}

function emitBinary(fn: Binary): OpEmitter {
  return (ctx) => {
    const y = ctx.out(0);
    const yt = ctx.ctypeOut(0);
    const inputs = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
    const ts = inputs.map((i) => ctx.ctypeIn(i));
    const e = cEnv(ctx, isFloat(ctx.in(0).dtype), ts[0].name);
    const yStr = bcastStrides(y.shape, y.shape);
    const ops = [{ strides: yStr, ptr: 'y', type: yt.name }, ...inputs.map((i, k) => ({ strides: bcastStrides(ctx.in(i).shape, y.shape), ptr: `x${k}`, type: `const ${ts[k].name}` }))];
    const decls = [`${yt.name}* y = ${ctx.outPtr()};`, ...inputs.map((i, k) => `const ${ts[k].name}* x${k} = ${ctx.inPtr(i)};`)];
    block(ctx, decls, ndLoop(y.shape, ops, (idx) => {
      // Variadic ops (Max/Min/Sum/Mean) fold left to right like broadcastFold.
      let v = idx[1];
      for (let k = 1; k < inputs.length; k++) v = fn(`(${v})`, idx[k + 1], e);
      return [`${idx[0]} = ${v};`];
    }, '  '));
  };
}

const emitWhere: OpEmitter = (ctx) => {
  const y = ctx.out(0);
  const yt = ctx.ctypeOut(0);
  const names = ['c', 'a', 'b'];
  const ops = [{ strides: bcastStrides(y.shape, y.shape), ptr: 'y', type: yt.name }, ...[0, 1, 2].map((i) => ({ strides: bcastStrides(ctx.in(i).shape, y.shape), ptr: names[i], type: `const ${ctx.ctypeIn(i).name}` }))];
  block(ctx, [`${yt.name}* y = ${ctx.outPtr()};`, `const uint8_t* c = ${ctx.inPtr(0)};`,
    `const ${ctx.ctypeIn(1).name}* a = ${ctx.inPtr(1)};`, `const ${ctx.ctypeIn(2).name}* b = ${ctx.inPtr(2)};`],
  ndLoop(y.shape, ops, ([o, ic, ia, ib]) => [`${o} = ${ic} ? ${ia} : ${ib};`], '  '));
};

const emitCast: OpEmitter = (ctx) => {
  const x = ctx.in(0), y = ctx.out(0);
  const xt = ctx.ctypeIn(0), yt = ctx.ctypeOut(0);
  const fromF = isFloat(x.dtype);
  let e: (v: string) => string;
  if (y.dtype === 'bool') e = (v) => `(uint8_t)(${v} != 0)`;
  else if (y.dtype === 'float32') e = (v) => `(float)${v}`;
  else if (y.dtype === 'int4' || y.dtype === 'uint4') e = (v) => `hsq_wrap4((int32_t)${fromF ? `hsq_trunc_i64(${v})` : v}, ${y.dtype === 'int4' ? 1 : 0})`;
  else if (fromF) e = (v) => `(${yt.name})hsq_trunc_i64(${v})`;
  else e = (v) => `(${yt.name})${v}`;
  const s = bcastStrides(y.shape, y.shape);
  block(ctx, [`${yt.name}* y = ${ctx.outPtr()};`, `const ${xt.name}* x = ${ctx.inPtr(0)};`],
    ndLoop(y.shape, [{ strides: s, ptr: 'y', type: yt.name }, { strides: s, ptr: 'x', type: `const ${xt.name}` }], ([o, i]) => [`${o} = ${e(i)};`], '  '));
};

/** The emitter of an op whose descriptor gives its C form (keyed by that form, not by op). */
export function cFormEmitter(d: OpDescriptor): OpEmitter | undefined {
  if (d.c?.unary) return emitUnary(d.c.unary);
  if (d.c?.binary) return emitBinary(d.c.binary);
  if (d.c?.reduce) return reduceEmitter(d.c.reduce);
  return undefined;
}

/** Elementwise ops whose C is not one expression per element. */
export const ELEMENTWISE: Record<string, OpEmitter> = {
  Where: emitWhere,
  Cast: emitCast,
};
