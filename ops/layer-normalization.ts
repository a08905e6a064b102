// LayerNormalization (opset 17): per row of the dims [axis, rank) flattened, in float32 with
// every operation rounded and sums in index order from 0:
//   mean = (sum x) / n;  var = (sum (x - mean)^2) / n;  inv = 1 / sqrt(var + epsilon)
//   y = ((x - mean) * inv) * scale + bias     (scale, bias: [axis, rank) shaped or one value)
// Optional outputs Mean and InvStdDev have shape[axis:] set to 1. hsq's decomposed form
// (ReduceMean/Sub/Pow/Sqrt/Div, as openWakeWord exports it) runs through those ops instead.
import { fail } from '../core/diagnostics';
import { Tensor, numel } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { FLOAT_TYPES, inputInfo, normAxis, req, requireFloat } from './lib/tensor-util';

const f = Math.fround;

export interface LayerNormResult { y: Float32Array; mean: Float32Array; inv: Float32Array }

export function layerNorm(x: ArrayLike<number>, rows: number, n: number, eps: number, scale: ArrayLike<number>, bias: ArrayLike<number> | undefined): LayerNormResult {
  const y = new Float32Array(rows * n), mean = new Float32Array(rows), inv = new Float32Array(rows);
  const e = f(eps);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s = f(s + x[o + j]);
    const m = f(s / n);
    let s2 = 0;
    for (let j = 0; j < n; j++) { const d = f(x[o + j] - m); s2 = f(s2 + f(d * d)); }
    const v = f(s2 / n);
    const iv = f(1 / f(Math.sqrt(f(v + e))));
    for (let j = 0; j < n; j++) {
      const t = f(f(f(x[o + j] - m) * iv) * scale[scale.length === 1 ? 0 : j]);
      y[o + j] = bias ? f(t + bias[bias.length === 1 ? 0 : j]) : t;
    }
    mean[r] = m; inv[r] = iv;
  }
  return { y, mean, inv };
}

const ATTRS = { axis: attr.int(-1), epsilon: attr.float(1e-5), stash_type: attr.int(1, { values: [1] }) };

export const LayerNormalization = defineOp({
  op: 'LayerNormalization',
  since: 17,
  attrs: ATTRS,
  types: FLOAT_TYPES,
  traits: { quant: 'dequantize-compute-quantize', quantizer: false, npu: 'none' },
  infer: ({ node, attrs, ...args }) => {
    const x = inputInfo({ node, ...args }, 0);
    const a = normAxis(attrs.axis, x.shape.length, node);
    const stat = x.shape.map((d, i) => (i < a ? d : 1));
    return node.outputs.map((_, k) => ({ dtype: x.dtype, shape: k === 0 ? [...x.shape] : stat }));
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0), sc = req(node, inputs, 1), b = inputs[2];
    requireFloat(node, x.dtype);
    const a = normAxis(attrs.axis, x.shape.length, node);
    const n = numel(x.shape.slice(a)), rows = numel(x.shape.slice(0, a));
    for (const [t, what] of [[sc, 'Scale'], [b, 'B']] as const) {
      if (t && t.data.length !== n && t.data.length !== 1) fail('bad-shape', `node '${node.name}' (LayerNormalization): ${what} has ${t.data.length} values, the normalized shape ${n}`, node.name);
    }
    const r = layerNorm(x.data as Float32Array, rows, n, attrs.epsilon, sc.data as Float32Array, b?.data as Float32Array | undefined);
    const stat = x.shape.map((d, i) => (i < a ? d : 1));
    const outs: Tensor[] = [{ dtype: x.dtype, shape: [...x.shape], data: r.y }, { dtype: x.dtype, shape: stat, data: r.mean }, { dtype: x.dtype, shape: stat, data: r.inv }];
    return outs.slice(0, Math.max(1, node.outputs.length));
  },
});
