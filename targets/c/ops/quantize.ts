// QuantizeLinear / DequantizeLinear, per tensor, per axis or blocked, in any layout. The
// per-element parameter index follows quant-params.ts; per-axis parameters are read through a
// stride, blocked ones are expanded at compile time to the tensor's physical layout.
import { attrInt } from '../../../core/ir/graph';
import { quantParamIndex } from '../../../ops/lib/quant-params';
import { intRange } from '../../../core/ir/dtype';
import { numel, toNumbers } from '../../../core/ir/tensor';
import { quantRange } from '../../../core/numerics';
import { NodeContext, OpEmitter } from '../context';
import { cFloat, physStrides, toPhysical } from '../ctypes';
import { ndLoop } from '../nd-loop';
import { block } from './util';

interface Params { scales: Float32Array; zps: Int32Array; strides: number[] }

/** Scale/zero-point arrays and their per-dim strides over the data tensor's logical dims. */
function params(ctx: NodeContext, scaleIdx: number, zpIdx: number): Params {
  const x = ctx.in(0);
  const s = ctx.constValue(scaleIdx);
  const z = ctx.has(zpIdx) ? ctx.constValue(zpIdx) : undefined;
  const sv = Float32Array.from(toNumbers(s)), zv = z ? Int32Array.from(toNumbers(z)) : new Int32Array(sv.length);
  const axis = attrInt(ctx.node, 'axis', 1), blockSize = attrInt(ctx.node, 'block_size', 0);
  const rank = x.shape.length;
  if (numel(s.shape) === 1 && blockSize <= 0) return { scales: sv.subarray(0, 1), zps: zv.subarray(0, 1), strides: new Array(rank).fill(0) };
  const ax = axis < 0 ? axis + rank : axis;
  if (blockSize <= 0) {
    const st = new Array(rank).fill(0);
    st[ax] = 1;
    return { scales: sv, zps: zv, strides: st };
  }
  // Blocked: one parameter per element, stored like the data tensor.
  const idx = quantParamIndex(ctx.name, x.shape, s.shape, axis, blockSize)!;
  const fs = Float32Array.from(idx, (i) => sv[i]), fz = Int32Array.from(idx, (i) => zv[i]);
  const ps = toPhysical({ dtype: 'float32', shape: x.shape, data: fs }).data as Float32Array;
  const pz = toPhysical({ dtype: 'int32', shape: x.shape, data: fz }).data as Int32Array;
  return { scales: ps, zps: pz, strides: physStrides(x.shape) };
}

export const emitDequantizeLinear: OpEmitter = (ctx) => {
  const x = ctx.in(0), y = ctx.out(0);
  if (y.dtype !== 'float32') ctx.fail(`output type ${y.dtype} is not supported (float32)`);
  const p = params(ctx, 1, 2);
  const xt = ctx.ctypeIn(0);
  const fn = x.dtype === 'int32' ? 'hsq_dequantize32' : 'hsq_dequantize';
  const st = physStrides(x.shape);
  if (p.scales.length === 1) {
    block(ctx, [`float* y = ${ctx.outPtr()};`, `const ${xt.name}* x = ${ctx.inPtr(0)};`],
      ndLoop(x.shape, [{ strides: st, ptr: 'y', type: 'float' }, { strides: st, ptr: 'x', type: `const ${xt.name}` }], ([o, i]) => [`${o} = ${fn}(${i}, ${cFloat(p.scales[0])}, ${p.zps[0]});`], '  '));
    return;
  }
  const sp = ctx.weightArray(p.scales, 'float'), zp = ctx.weightArray(p.zps, 'int32_t');
  block(ctx, [`float* y = ${ctx.outPtr()};`, `const ${xt.name}* x = ${ctx.inPtr(0)};`, `const float* s = ${sp};`, `const int32_t* z = ${zp};`],
    ndLoop(x.shape, [{ strides: st, ptr: 'y', type: 'float' }, { strides: st, ptr: 'x', type: `const ${xt.name}` }, { strides: p.strides, ptr: 's', type: 'const float' }, { strides: p.strides, ptr: 'z', type: 'const int32_t' }],
      ([o, i, s, z]) => [`${o} = ${fn}(${i}, ${s}, ${z});`], '  '));
};

export const emitQuantizeLinear: OpEmitter = (ctx) => {
  const x = ctx.in(0), y = ctx.out(0);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') ctx.fail(`input type ${x.dtype} is not supported`);
  const p = params(ctx, 1, 2);
  const q = y.quant;
  const [lo, hi] = q ? (q.bipolar ? [-1, 1] : quantRange(q.bits, q.signed, q.narrow)) : intRange(y.dtype);
  const bipolar = q?.bipolar === true || (q !== undefined && q.bits === 1 && q.signed);
  const xt = ctx.ctypeIn(0), yt = ctx.ctypeOut(0);
  const st = physStrides(x.shape);
  const xv = (i: string) => (x.dtype === 'int32' ? `(double)${i}` : i);
  const elem = (o: string, i: string, s: string, z: string) => {
    if (bipolar) {
      const div = x.dtype === 'int32' ? `(float)(${xv(i)} / (double)${s})` : `(${xv(i)} / ${s})`;
      return `${o} = (${yt.name})((${div} + (float)${z}) >= 0.0f ? 1 : -1);`;
    }
    if (x.dtype === 'int32') return `${o} = (${yt.name})hsq_quantize_q((float)(${xv(i)} / (double)${s}), ${z}, ${lo}, ${hi});`;
    return `${o} = (${yt.name})hsq_quantize(${i}, ${s}, ${z}, ${lo}, ${hi});`;
  };
  if (p.scales.length === 1) {
    block(ctx, [`${yt.name}* y = ${ctx.outPtr()};`, `const ${xt.name}* x = ${ctx.inPtr(0)};`],
      ndLoop(x.shape, [{ strides: st, ptr: 'y', type: yt.name }, { strides: st, ptr: 'x', type: `const ${xt.name}` }], ([o, i]) => [elem(o, i, cFloat(p.scales[0]), String(p.zps[0]))], '  '));
    return;
  }
  const sp = ctx.weightArray(p.scales, 'float'), zp = ctx.weightArray(p.zps, 'int32_t');
  block(ctx, [`${yt.name}* y = ${ctx.outPtr()};`, `const ${xt.name}* x = ${ctx.inPtr(0)};`, `const float* s = ${sp};`, `const int32_t* z = ${zp};`],
    ndLoop(x.shape, [{ strides: st, ptr: 'y', type: yt.name }, { strides: st, ptr: 'x', type: `const ${xt.name}` }, { strides: p.strides, ptr: 's', type: 'const float' }, { strides: p.strides, ptr: 'z', type: 'const int32_t' }],
      ([o, i, s, z]) => [elem(o, i, s, z)], '  '));
};

