// Quantized matrix products via hsq_qgemm with constant weights: hsq QGemm, ONNX QLinearMatMul
// and MatMulInteger (2-D or batched A with a 2-D constant B). Weights are stored transposed,
// [N][K], so the k loop is contiguous.
import { perChannel } from '../../../ops/lib/quant-params';
import { requantMultiplier } from '../../../core/numerics';
import { intRange } from '../../../core/ir/dtype';
import { Tensor, toNumbers } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { matmulShape } from '../../../ops/lib/matmul-kernel';
import { QLayer, emitQParams, qLayerOf, yKindOf } from './qconv';
import { logicalInput, logicalOutput } from './util';

function scalarOf(ctx: NodeContext, i: number, def: number): number {
  if (!ctx.has(i)) return def;
  const t = ctx.constValue(i);
  if (t.data.length !== 1) ctx.fail(`input ${i} must be a scalar (per-tensor) for the C backend`);
  return toNumbers(t)[0];
}

function emitQGemmLayer(ctx: NodeContext, L: QLayer): void {
  const xi = ctx.in(0), w = L.w;
  if (w.shape.length < 2) ctx.fail(`weights must be at least 2-D, got [${w.shape}]`);
  const wv = toNumbers(w);
  const x = logicalInput(ctx, 0);
  const y = logicalOutput(ctx, 0);
  const packRowsOf = (off: number, K: number, N: number) => {
    const values = new Int32Array(N * K);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) values[n * K + k] = wv[off + k * N + n] - L.zw[n];
    return values;
  };
  if (w.shape.length === 2) {
    const [K, N] = w.shape;
    const rows = xi.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const { wp, bp, mp, scratch, q } = emitQParams(ctx, L, N, K, packRowsOf(0, K, N));
    ctx.emit(`  hsq_qgemm(${rows}, ${K}, ${N}, &${q}, ${x}, ${wp}, ${bp}, ${mp}, ${y.ptr}, ${scratch});`);
  } else {
    // Batched constant B (numpy.matmul broadcasting): one call per output batch.
    const s = matmulShape(ctx.name, xi.shape, w.shape);
    for (let e = 0; e < s.aOff.length; e++) {
      const { wp, bp, mp, scratch, q } = emitQParams(ctx, L, s.N, s.K, packRowsOf(s.bOff[e], s.K, s.N));
      ctx.emit(`  hsq_qgemm(${s.M}, ${s.K}, ${s.N}, &${q}, ${x} + ${s.aOff[e]}, ${wp}, ${bp}, ${mp}, ${y.ptr} + ${e * s.M * s.N}, ${scratch});`);
    }
  }
  y.finish();
}


export const emitQGemm: OpEmitter = (ctx) => emitQGemmLayer(ctx, qLayerOf(ctx, ctx.constValue(1).shape[1], 1));

function checkMatrixB(ctx: NodeContext, b: Tensor): void {
  if (b.shape.length < 2) ctx.fail(`B must be a constant matrix (rank >= 2) for the C backend, got [${b.shape}]`);
}

export const emitQLinearMatMul: OpEmitter = (ctx) => {
  const n = ctx.node;
  const xi = ctx.in(0), yi = ctx.out(0);
  const b = ctx.constValue(3);
  checkMatrixB(ctx, b);
  const N = b.shape[b.shape.length - 1];
  const sa = scalarOf(ctx, 1, 1), za = scalarOf(ctx, 2, 0);
  const sb = perChannel(n.name, 'b_scale', ctx.constValue(4).data, N, 1);
  const zb = perChannel(n.name, 'b_zero_point', ctx.has(5) ? ctx.constValue(5).data : undefined, N, 0);
  const sy = scalarOf(ctx, 6, 1), zy = scalarOf(ctx, 7, 0);
  const [lo, hi] = intRange(yi.dtype);
  const mult = Float32Array.from(sb, (s) => requantMultiplier(sa, s, sy));
  emitQGemmLayer(ctx, { xUnsigned: xi.dtype === 'uint8', zx: za, w: b, wBits: 8, zw: zb, mult, zy, lo, hi, yKind: yKindOf(yi.dtype) });
};

export const emitMatMulInteger: OpEmitter = (ctx) => {
  const n = ctx.node;
  const xi = ctx.in(0);
  const b = ctx.constValue(1);
  checkMatrixB(ctx, b);
  const N = b.shape[b.shape.length - 1];
  const za = scalarOf(ctx, 2, 0);
  const zb = perChannel(n.name, 'b_zero_point', ctx.has(3) ? ctx.constValue(3).data : undefined, N, 0);
  emitQGemmLayer(ctx, { xUnsigned: xi.dtype === 'uint8', zx: za, w: b, wBits: 8, zw: zb, zy: 0, lo: 0, hi: 0, yKind: 'HSQ_Y_ACC' });
};
