// ONNX Gemm (float32): Y = alpha * A' B' + beta * C, A' = transA ? A^T : A, B' likewise.
// Numerics (hsq's choice, close to ONNX Runtime's MLAS order): per element acc = 0, k ascending
// with float32 rounding after every multiply and add; then y = fround(fround(alpha * acc) +
// fround(beta * C)). A factor of exactly 1 is an identity, so alpha = 1 / beta = 1 change
// nothing; without C, y = fround(alpha * acc).
import { fail } from '../core/diagnostics';
import { FUSED_ACTIVATION_ATTRS, applyFusedActivation } from './lib/fused-activation';
import { makeTensor } from '../core/ir/tensor';
import { attr, defineOp, readAttrs } from './lib/descriptor';
import { matmulFloat, matmulShape } from './lib/matmul-kernel';
import { need, requireDtype } from './lib/op-util';
import { broadcastIndex } from './lib/param-broadcast';

function transpose2D(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

function gemmDims(node: string, a: readonly number[], b: readonly number[], transA: number, transB: number) {
  if (a.length !== 2 || b.length !== 2) fail('bad-shape', `node '${node}': Gemm needs 2-D A and B, got [${a}] and [${b}]`, node);
  const M = transA ? a[1] : a[0], K = transA ? a[0] : a[1];
  const Kb = transB ? b[1] : b[0], N = transB ? b[0] : b[1];
  if (K !== Kb && K >= 0 && Kb >= 0) fail('bad-shape', `node '${node}': Gemm inner dims differ (${K} vs ${Kb})`, node);
  return { M, K, N };
}

const GEMM_ATTRS = { alpha: attr.float(1.0), beta: attr.float(1.0), transA: attr.int(0), transB: attr.int(0), ...FUSED_ACTIVATION_ATTRS };

export const Gemm = defineOp({
  op: 'Gemm',
  attrs: GEMM_ATTRS,
  types: ['float32'],
  // B is [K, N], or [N, K] with transB.
  traits: { quant: 'accumulating', weights: { input: 1, channelAxis: (n) => (readAttrs(GEMM_ATTRS, n).transB ? 0 : 1) }, npu: 'conv-like' },
  infer({ node, inputs, attrs }) {
    const a = need(node, inputs, 0, 'A'), b = need(node, inputs, 1, 'B');
    const { M, N } = gemmDims(node.name, a.shape, b.shape, attrs.transA, attrs.transB);
    return [{ dtype: a.dtype, shape: [M, N] }];
  },
  run({ node, inputs, attrs }) {
    const A = need(node, inputs, 0, 'A'), B = need(node, inputs, 1, 'B'), C = inputs[2];
    const alpha = Math.fround(attrs.alpha), beta = Math.fround(attrs.beta);
    const { transA, transB } = attrs;
    requireDtype(node, 'A', A.dtype, ['float32']);
    requireDtype(node, 'B', B.dtype, ['float32']);
    const { M, K, N } = gemmDims(node.name, A.shape, B.shape, transA, transB);
    const a = transA ? transpose2D(A.data as Float32Array, K, M) : (A.data as Float32Array);
    const b = transB ? transpose2D(B.data as Float32Array, N, K) : (B.data as Float32Array);
    const y = makeTensor('float32', [M, N]);
    const yd = y.data as Float32Array;
    matmulFloat(matmulShape(node.name, [M, K], [K, N]), a, b, yd);
    const f = Math.fround;
    if (C) {
      requireDtype(node, 'C', C.dtype, ['float32']);
      const cd = C.data as Float32Array;
      const ci = broadcastIndex(node.name, [M, N], C.shape);
      for (let i = 0; i < yd.length; i++) {
        const c = cd[ci ? ci[i] : i];
        yd[i] = f(f(alpha * yd[i]) + f(beta * c));
      }
    } else if (alpha !== 1) {
      for (let i = 0; i < yd.length; i++) yd[i] = f(alpha * yd[i]);
    }
    applyFusedActivation(node, attrs, yd);
    return [y];
  },
});
