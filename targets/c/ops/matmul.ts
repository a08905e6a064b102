// Float MatMul (numpy batch broadcasting) and Gemm via hsq_matmul_f32 / hsq_gemm_f32, in the
// interpreter's accumulation order (acc = 0, k ascending).
import { attrFloat, attrInt } from '../../../core/ir/graph';
import { matmulShape } from '../../../ops/lib/matmul-kernel';
import { NodeContext, OpEmitter } from '../context';
import { numel } from '../../../core/ir/tensor';
import { gridRows } from './wgrid';
import { cFloat } from '../ctypes';
import { fusedActivation } from './activation';
import { logicalInput, logicalOutput } from './util';

/** MatMul by a constant 2-D weight-only quantized [K, N]: packed columns + scales,
 * hsq_matmul_wq_f32 (same sums as hsq_matmul_f32). */
function emitWeightOnlyMatMul(ctx: NodeContext, K: number, N: number): boolean {
  const b = ctx.in(1), a = ctx.in(0);
  if (!ctx.isConst(1) || b.shape.length !== 2 || a.shape.length < 1 || !b.weightGrid) return false;
  const w = ctx.constValue(1).data as Float32Array;
  const cols = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) cols[n * K + k] = w[k * N + n];
  const g = gridRows(cols, N, K, b.weightGrid, (axis) => axis === 1);
  if (!g) return false;
  const wp = ctx.weight(g.packed.bytes, 'uint8_t');
  const sp = ctx.weightArray(g.scale, 'float');
  const pk = g.packed;
  const q = ctx.addStatic('wq', (s) => `static const hsq_wq_t ${s} = { .wbits = ${pk.bits}, .wmul = ${pk.mul}, .wadd = ${pk.add}, .row_bytes = ${pk.rowBytes}, .per_channel = ${g.perChannel ? 1 : 0} }; /* weight-only ${g.bits}-bit weights${pk.bits < 8 ? ` (q - zw = code * ${pk.mul} + ${pk.add})` : ''}, float compute */`);
  const rows = numel(a.shape) / K;
  const qrow = ctx.scratch(K, 'int8_t');
  const wrow = ctx.scratch(K * 4, 'float');
  const ap = logicalInput(ctx, 0);
  const y = logicalOutput(ctx, 0);
  ctx.emit(`  hsq_matmul_wq_f32(${rows}, ${K}, ${N}, &${q}, ${ap}, ${wp}, ${sp}, ${y.ptr}, ${qrow}, ${wrow});`);
  y.finish();
  return true;
}

export const emitMatMul: OpEmitter = (ctx) => {
  const a = ctx.in(0), b = ctx.in(1);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') ctx.fail('only float32 MatMul is supported (integer MatMul goes through QGemm)');
  const s = matmulShape(ctx.name, a.shape, b.shape);
  if (emitWeightOnlyMatMul(ctx, s.K, s.N)) return;
  const batch = s.aOff.length;
  const ao = ctx.weightArray(Int32Array.from(s.aOff), 'int32_t');
  const bo = ctx.weightArray(Int32Array.from(s.bOff), 'int32_t');
  const ap = logicalInput(ctx, 0), bp = logicalInput(ctx, 1);
  const y = logicalOutput(ctx, 0);
  ctx.emit(`  hsq_matmul_f32(${batch}, ${s.M}, ${s.K}, ${s.N}, ${ao}, ${bo}, ${ap}, ${bp}, ${y.ptr});`);
  y.finish();
};

export const emitGemm: OpEmitter = (ctx) => {
  const A = ctx.in(0), B = ctx.in(1);
  if (A.dtype !== 'float32') ctx.fail('only float32 Gemm is supported');
  const transA = attrInt(ctx.node, 'transA', 0), transB = attrInt(ctx.node, 'transB', 0);
  const alpha = Math.fround(attrFloat(ctx.node, 'alpha', 1)), beta = Math.fround(attrFloat(ctx.node, 'beta', 1));
  const M = transA ? A.shape[1] : A.shape[0], K = transA ? A.shape[0] : A.shape[1];
  const N = transB ? B.shape[0] : B.shape[1];
  let cp = 'NULL', csm = 0, csn = 0;
  if (ctx.has(2)) {
    const C = ctx.in(2);
    const cs = C.shape;
    // Unidirectional broadcast of C to [M, N].
    const dims = [...Array(2 - Math.min(2, cs.length)).fill(1), ...cs.slice(-2)];
    csm = dims[0] === 1 ? 0 : dims[1];
    csn = dims[1] === 1 ? 0 : 1;
    cp = logicalInput(ctx, 2);
  }
  const act = fusedActivation(ctx);
  const ap = logicalInput(ctx, 0), bp = logicalInput(ctx, 1);
  const y = logicalOutput(ctx, 0);
  ctx.emit(`  hsq_gemm_f32(${M}, ${K}, ${N}, ${transA}, ${transB}, ${cFloat(alpha)}, ${cFloat(beta)}, ${ap}, ${bp}, ${cp}, ${csm}, ${csn}, ${y.ptr}, ${act.kind}, ${cFloat(act.a0)}, ${cFloat(act.a1)});`);
  y.finish();
};
