// Float Conv (1-D and 2-D, groups, dilations) on NHWC activations via hsq_conv_f32; weights
// reordered at compile time to [M][KH][KW][C/group] so the ci loop is contiguous.
// A fused activation (passes/fuse-activation.ts `activation` attribute) runs in the kernel.
import { conv2DParams, readConvAttrs } from '../../../ops/lib/conv-setup';
import { NodeContext, OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { numel } from '../../../core/ir/tensor';
import { convStruct, physStrides, rowMajor, copyLayout } from './util';
import { fusedActivation } from './activation';
import { gridRows } from './wgrid';

/** A float conv whose weights are a weight-only quantized grid: packed integers + scales,
 * dequantized by hsq_conv_wq_f32 a block of 8 output channels at a time (group 1) or a channel
 * at a time (same sums as hsq_conv_f32). */
function emitWeightOnlyConv(ctx: NodeContext, w: Float32Array, p: ConvGeometry): boolean {
  const rowLen = (p.C / p.group) * p.KH * p.KW;
  const reordered = reorderWeights(w, p, new Float32Array(w.length));
  const g = gridRows(reordered, p.M, rowLen, ctx.in(1).weightGrid, (axis) => axis === 0);
  if (!g) return false;
  const wp = ctx.weight(g.packed.bytes, 'uint8_t');
  const sp = ctx.weightArray(g.scale, 'float');
  const bp = ctx.has(2) ? ctx.weightArray(Float32Array.from(ctx.constValue(2).data as Float32Array), 'float') : 'NULL';
  const act = fusedActivation(ctx);
  const sym = ctx.addStatic('conv', (s) => `static const hsq_conv_t ${s} = ${convStruct(p, 0)};`);
  const pk = g.packed;
  const q = ctx.addStatic('wq', (s) => `static const hsq_wq_t ${s} = { .wbits = ${pk.bits}, .wmul = ${pk.mul}, .wadd = ${pk.add}, .row_bytes = ${pk.rowBytes}, .per_channel = ${g.perChannel ? 1 : 0} }; /* weight-only ${g.bits}-bit weights${pk.bits < 8 ? ` (q - zw = code * ${pk.mul} + ${pk.add})` : ''}, float compute */`);
  const qrow = ctx.scratch(rowLen, 'int8_t');
  // group 1: a block of CONV_MB dequantized channels [KH][KW][C][8] (hsq_conv_f32's blocked path).
  const wrow = ctx.scratch(rowLen * (p.group === 1 ? CONV_MB : 1) * 4, 'float');
  const io = channelsLastIO(ctx, 'float', 'float');
  ctx.emit(`  hsq_conv_wq_f32(&${sym}, &${q}, ${io.x}, ${wp}, ${sp}, ${bp}, ${io.y}, ${act.kind}, ${cFloat(act.a0)}, ${cFloat(act.a1)}, ${qrow}, ${wrow});`);
  io.finish();
  return true;
}

export interface ConvGeometry {
  N: number; C: number; H: number; W: number; M: number; KH: number; KW: number; OH: number; OW: number;
  group: number; sh: number; sw: number; dh: number; dw: number; padT: number; padL: number;
}

/** [M, Cg, KH, KW] values -> [M][KH][KW][Cg], with `sub(m)` subtracted. */
export function reorderWeights<T extends { [i: number]: number; length: number }>(
  w: ArrayLike<number>, p: ConvGeometry, out: T, sub: (m: number) => number = () => 0): T {
  const Cg = p.C / p.group;
  for (let m = 0; m < p.M; m++) {
    const z = sub(m);
    for (let ci = 0; ci < Cg; ci++) for (let kh = 0; kh < p.KH; kh++) for (let kw = 0; kw < p.KW; kw++)
      out[((m * p.KH + kh) * p.KW + kw) * Cg + ci] = w[((m * Cg + ci) * p.KH + kh) * p.KW + kw] - z;
  }
  return out;
}

const CONV_MB = 8;

/** [M, C, KH, KW] (group 1) -> [ceil(M/8)][KH][KW][C][8], zeros for the channels past M. */
function blockWeights(w: Float32Array, p: ConvGeometry): Float32Array {
  const B = CONV_MB, nb = Math.ceil(p.M / B);
  const out = new Float32Array(nb * p.KH * p.KW * p.C * B);
  for (let m = 0; m < p.M; m++) {
    const blk = Math.floor(m / B), j = m % B;
    for (let ci = 0; ci < p.C; ci++) for (let kh = 0; kh < p.KH; kh++) for (let kw = 0; kw < p.KW; kw++)
      out[((((blk * p.KH + kh) * p.KW + kw) * p.C + ci) * B) + j] = w[((m * p.C + ci) * p.KH + kh) * p.KW + kw];
  }
  return out;
}

/**
 * NHWC pointers for input 0 and output 0 of a conv-like node. 4-D tensors are NHWC already;
 * 3-D (1-D conv, [N, C, L] row-major) go through scratch copies as [N, 1, L, C].
 */
export function channelsLastIO(ctx: NodeContext, xType: string, yType: string): { x: string; y: string; finish: () => void } {
  const xi = ctx.in(0), yi = ctx.out(0);
  if (xi.shape.length === 4) return { x: ctx.inPtr(0), y: ctx.outPtr(), finish: () => {} };
  const [N, C, L] = xi.shape, [, M, OL] = yi.shape;
  const xs = ctx.scratch(numel(xi.shape) * sizeOfType(xType), xType);
  const ys = ctx.scratch(numel(yi.shape) * sizeOfType(yType), yType);
  ctx.emit('  {', `    ${xType}* d = ${xs};`, `    const ${xType}* s = ${ctx.inPtr(0)};`);
  ctx.emit(...copyLayout([N, C, L], { ptr: 'd', strides: [L * C, 1, C], type: xType }, { ptr: 's', strides: rowMajor([N, C, L]), type: `const ${xType}` }, '    '));
  ctx.emit('  }');
  return {
    x: xs, y: ys,
    finish: () => {
      ctx.emit('  {', `    ${yType}* d = ${ctx.outPtr()};`, `    const ${yType}* s = ${ys};`);
      ctx.emit(...copyLayout([N, M, OL], { ptr: 'd', strides: physStrides([N, M, OL]), type: yType }, { ptr: 's', strides: [OL * M, 1, M], type: `const ${yType}` }, '    '));
      ctx.emit('  }');
    },
  };
}

function sizeOfType(t: string): number {
  return t === 'float' || t === 'int32_t' ? 4 : t === 'int16_t' ? 2 : 1;
}

export function convGeometry(ctx: NodeContext, xShape: readonly number[], wShape: readonly number[]): ConvGeometry {
  const { params } = conv2DParams(ctx.node, xShape, wShape, readConvAttrs(ctx.node));
  return params;
}

export const emitConv: OpEmitter = (ctx) => {
  const x = ctx.in(0), w = ctx.constValue(1);
  if (x.dtype !== 'float32') ctx.fail(`input type ${x.dtype} (float32 expected)`);
  const p = convGeometry(ctx, x.shape, w.shape);
  if (emitWeightOnlyConv(ctx, w.data as Float32Array, p)) return;
  // group 1: weights in blocks of 8 output channels (hsq_conv_f32's vectorised path).
  const wblock = p.group === 1 ? CONV_MB : 0;
  const wt = wblock ? blockWeights(w.data as Float32Array, p) : reorderWeights(w.data as Float32Array, p, new Float32Array(w.data.length));
  const wp = ctx.weightArray(wt, 'float');
  let bp = 'NULL';
  if (ctx.has(2)) {
    const b = ctx.constValue(2).data as Float32Array;
    const padded = new Float32Array(wblock ? Math.ceil(p.M / wblock) * wblock : p.M);
    padded.set(b.subarray(0, p.M));
    bp = ctx.weightArray(padded, 'float');
  }
  const act = fusedActivation(ctx);
  const sym = ctx.addStatic('conv', (s) => `static const hsq_conv_t ${s} = ${convStruct(p, wblock)};`);
  const io = channelsLastIO(ctx, 'float', 'float');
  ctx.emit(`  hsq_conv_f32(&${sym}, ${io.x}, ${wp}, ${bp}, ${io.y}, ${act.kind}, ${cFloat(act.a0)}, ${cFloat(act.a1)});`);
  io.finish();
};
