// Elementwise ops as emitted C loops: unary maps, broadcasting binary/ternary/variadic ops.
// Each C expression mirrors the interpreter's op file (compiler/interp/ops/<op>.ts): float32
// operations in the same order, NaN handling as there.
import { attrFloat } from '../../../core/ir/graph';
import { isFloat } from '../../../core/ir/dtype';
import { toNumbers } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { cFloat, ctype } from '../ctypes';
import { ndLoop } from '../nd-loop';
import { bcastStrides, block } from './util';

const FLT_MAX = 3.4028234663852886e38;
const f = Math.fround;

type Unary = (ctx: NodeContext, v: string, isF: boolean, ty: string) => string;

function cLit(v: number, isF: boolean, ty: string): string {
  if (isF) return cFloat(v);
  if (ty === 'int64_t') return `INT64_C(${Math.trunc(v)})`;
  return `(${ty})${Math.trunc(v)}`;
}

const UNARY: Record<string, Unary> = {
  Identity: (_c, v) => v,
  Dropout: (_c, v) => v,
  Relu: (_c, v, isF) => (isF ? `((${v} > 0.0f || ${v} != ${v}) ? ${v} : 0.0f)` : `(${v} > 0 ? ${v} : 0)`),
  LeakyRelu: (c, v) => `(${v} < 0.0f ? ${cFloat(f(attrFloat(c.node, 'alpha', 0.01)))} * ${v} : ${v})`,
  HardSigmoid: (c, v) => `hsq_hard_sigmoid(${v}, ${cFloat(f(attrFloat(c.node, 'alpha', 0.2)))}, ${cFloat(f(attrFloat(c.node, 'beta', 0.5)))})`,
  HardSwish: (_c, v) => `(${v} * hsq_hard_sigmoid(${v}, ${cFloat(f(1 / 6))}, 0.5f))`,
  Sigmoid: (_c, v) => `(1.0f / (1.0f + hsq_expf(-${v})))`,
  Tanh: (_c, v) => `hsq_tanhf(${v})`,
  Exp: (_c, v) => `hsq_expf(${v})`,
  Erf: (_c, v) => `hsq_erff(${v})`,
  Sqrt: (_c, v) => `sqrtf(${v})`,
  Neg: (_c, v, isF, ty) => (isF ? `(-${v})` : `(${ty})(0 - ${v})`),
  Abs: (_c, v, isF, ty) => (isF ? `fabsf(${v})` : `(${ty})(${v} < 0 ? 0 - ${v} : ${v})`),
  Not: (_c, v) => `(uint8_t)!${v}`,
  Clip: (c, v, isF, ty) => {
    const [lo, hi] = clipBounds(c, isF);
    // As clip.ts: if (v < lo) v = lo; if (v > hi) v = hi.
    let e = v;
    if (lo !== undefined) e = `(${e} < ${cLit(lo, isF, ty)} ? ${cLit(lo, isF, ty)} : ${e})`;
    if (hi !== undefined) e = `(${e} > ${cLit(hi, isF, ty)} ? ${cLit(hi, isF, ty)} : ${e})`;
    return e;
  },
};

function clipBounds(c: NodeContext, isF: boolean): [number | undefined, number | undefined] {
  const n = c.node;
  if ((n.opset !== undefined && n.opset < 11) || 'min' in n.attrs || 'max' in n.attrs) {
    const lo = n.attrs.min as number | undefined, hi = n.attrs.max as number | undefined;
    return [lo ?? (isF ? -FLT_MAX : undefined), hi ?? (isF ? FLT_MAX : undefined)];
  }
  const get = (i: number) => {
    if (!c.has(i)) return undefined;
    const t = c.constValue(i);
    return t.data.length ? toNumbers(t)[0] : undefined;
  };
  return [get(1), get(2)];
}

function emitUnary(fn: Unary): OpEmitter {
  return (ctx) => {
    const x = ctx.in(0), y = ctx.out(0);
    const ct = ctype(x.dtype, ctx.inName(0)), yt = ctype(y.dtype, ctx.node.outputs[0]);
    const isF = isFloat(x.dtype);
    const strides = bcastStrides(y.shape, y.shape);
    block(ctx, [`${yt.name}* y = ${ctx.outPtr()};`, `const ${ct.name}* x = ${ctx.inPtr(0)};`],
      ndLoop(y.shape, [{ strides, ptr: 'y', type: yt.name }, { strides, ptr: 'x', type: `const ${ct.name}` }], ([o, i]) => [`const ${ct.name} v = ${i};`, `${o} = ${fn(ctx, 'v', isF, ct.name)};`], '  '));
  };
}

type Binary = (a: string, b: string, isF: boolean, ty: string) => string;

function intArith(op: string): Binary {
  return (a, b, _isF, ty) => {
    if (ty === 'int64_t') return `(int64_t)((uint64_t)${a} ${op} (uint64_t)${b})`;
    if (ty === 'uint64_t') return `(uint64_t)(${a} ${op} ${b})`;
    if (ty === 'int32_t') return `(int32_t)((uint32_t)${a} ${op} (uint32_t)${b})`;
    if (ty === 'uint32_t') return `(uint32_t)(${a} ${op} ${b})`;
    return `(${ty})((int32_t)${a} ${op} (int32_t)${b})`;
  };
}

const BINARY: Record<string, Binary> = {
  Add: (a, b, isF, ty) => (isF ? `${a} + ${b}` : intArith('+')(a, b, isF, ty)),
  Sub: (a, b, isF, ty) => (isF ? `${a} - ${b}` : intArith('-')(a, b, isF, ty)),
  Mul: (a, b, isF, ty) => (isF ? `${a} * ${b}` : intArith('*')(a, b, isF, ty)),
  Div: (a, b, isF, ty) => (isF ? `${a} / ${b}` : `(${ty})(${b} == 0 ? 0 : ${a} / ${b})`),
  PRelu: (a, b, isF, ty) => (isF ? `(${a} < 0.0f ? ${b} * ${a} : ${a})` : `(${a} < 0 ? ${intArith('*')(b, a, isF, ty)} : ${a})`),
  Max: (a, b, isF) => (isF ? `hsq_max_nan(${a}, ${b})` : `(${a} > ${b} ? ${a} : ${b})`),
  Min: (a, b, isF) => (isF ? `hsq_min_nan(${a}, ${b})` : `(${a} < ${b} ? ${a} : ${b})`),
  Pow: (a, b) => `hsq_powf(${a}, ${b})`,
  Equal: (a, b) => `(uint8_t)(${a} == ${b})`,
  Less: (a, b) => `(uint8_t)(${a} < ${b})`,
  LessOrEqual: (a, b) => `(uint8_t)(${a} <= ${b})`,
  Greater: (a, b) => `(uint8_t)(${a} > ${b})`,
  GreaterOrEqual: (a, b) => `(uint8_t)(${a} >= ${b})`,
};

function emitBinary(fn: Binary): OpEmitter {
  return (ctx) => {
    const y = ctx.out(0);
    const yt = ctx.ctypeOut(0);
    const inputs = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
    const ts = inputs.map((i) => ctx.ctypeIn(i));
    const isF = isFloat(ctx.in(0).dtype);
    const yStr = bcastStrides(y.shape, y.shape);
    const ops = [{ strides: yStr, ptr: 'y', type: yt.name }, ...inputs.map((i, k) => ({ strides: bcastStrides(ctx.in(i).shape, y.shape), ptr: `x${k}`, type: `const ${ts[k].name}` }))];
    const decls = [`${yt.name}* y = ${ctx.outPtr()};`, ...inputs.map((i, k) => `const ${ts[k].name}* x${k} = ${ctx.inPtr(i)};`)];
    block(ctx, decls, ndLoop(y.shape, ops, (idx) => {
      // Variadic ops (Max/Min/Sum/Mean) fold left to right like broadcastFold.
      let e = idx[1];
      for (let k = 1; k < inputs.length; k++) e = fn(`(${e})`, idx[k + 1], isF, ts[0].name);
      return [`${idx[0]} = ${e};`];
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

export const ELEMENTWISE: Record<string, OpEmitter> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([k, fn]) => [k, emitUnary(fn)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([k, fn]) => [k, emitBinary(fn)])),
  Where: emitWhere,
  Cast: emitCast,
};
