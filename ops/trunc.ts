// QONNX Trunc (Brevitas TruncIntQuant), float32 with rounding after every step.
// v1 (X, scale, zeropt, in_bitwidth, out_bitwidth; rounding_mode):
//   y = round_mode(round(x / scale + zeropt) / 2^(in_bitwidth - out_bitwidth)); y = (y - zeropt) * scale
// v2 (X, scale, zeropt, in_bitwidth, out_scale[, out_zeropt], out_bitwidth; rounding_mode, signed, narrow):
//   t = 2^round(log2(out_scale / scale)); y = round(x / scale + zeropt) / t;
//   y = round_mode(clamp(y, quantRange(out_bitwidth, signed, narrow))); y = (y - zeropt / t) * out_scale
// round is half to even. v2 is chosen by the node's opset (>= 2) or by its input count (>= 6).
import { fail } from '../core/diagnostics';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { quantRange, roundHalfEven } from '../core/numerics';
import { attr, defineOp } from './lib/descriptor';
import { need, requireDtype, scalarInput } from './lib/op-util';
import { broadcastIndex, broadcastShape } from './lib/param-broadcast';
import { paramValues } from './lib/quant-params';
import { QONNX_DOMAINS } from './lib/qonnx-quant';
import { resolveRoundingMode } from './lib/rounding-modes';

const f = Math.fround;

export const Trunc = defineOp({
  op: 'Trunc',
  domains: QONNX_DOMAINS,
  attrs: { rounding_mode: attr.string('FLOOR'), signed: attr.int(1), narrow: attr.int(0) },
  types: ['float32'],
  traits: { quant: 'none', npu: 'none' },
  constInputs: [1, 2, 3, 4, 5, 6],
  infer({ node, inputs }) {
    const x = need(node, inputs, 0, 'X');
    const params = inputs.slice(1, inputs.length - 1).filter((t) => t !== undefined).map((t) => t!.shape);
    return [{ dtype: 'float32', shape: broadcastShape(node.name, x.shape, ...params) }];
  },
  run({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale'), z = need(node, inputs, 2, 'zeropt');
    requireDtype(node, 'X', x.dtype, ['float32']);
    const v2 = (node.opset ?? 0) >= 2 || inputs.length >= 6;
    if (!v2 && inputs.length !== 5) fail('bad-shape', `node '${node.name}' (Trunc): expected 5 inputs (v1) or 6-7 (v2), got ${inputs.length}`, node.name);
    const round = resolveRoundingMode(attrs.rounding_mode, node.name);
    const outBits = scalarInput(node, 'out_bitwidth', need(node, inputs, inputs.length - 1, 'out_bitwidth'));
    const os: Tensor = v2 ? need(node, inputs, 4, 'out_scale') : s;
    const shape = broadcastShape(node.name, x.shape, s.shape, z.shape, os.shape);
    const xi = broadcastIndex(node.name, shape, x.shape), si = broadcastIndex(node.name, shape, s.shape);
    const zi = broadcastIndex(node.name, shape, z.shape), oi = broadcastIndex(node.name, shape, os.shape);
    const sv = paramValues(s), zv = paramValues(z), ov = paramValues(os), xd = x.data as Float32Array;
    const y = makeTensor('float32', shape);
    const yd = y.data as Float32Array;
    const n = numel(shape);
    if (!v2) {
      const inBits = scalarInput(node, 'in_bitwidth', need(node, inputs, 3, 'in_bitwidth'));
      const t = 2 ** (inBits - outBits);
      for (let e = 0; e < n; e++) {
        const sc = f(sv[si ? si[e] : e]), zp = f(zv[zi ? zi[e] : e]);
        const r = roundHalfEven(f(f(xd[xi ? xi[e] : e] / sc) + zp));
        const k = round(f(r / t));
        yd[e] = f(f(k - zp) * sc);
      }
      return [y];
    }
    const [lo, hi] = quantRange(outBits, attrs.signed !== 0, attrs.narrow !== 0);
    for (let e = 0; e < n; e++) {
      const sc = f(sv[si ? si[e] : e]), zp = f(zv[zi ? zi[e] : e]), osc = f(ov[oi ? oi[e] : e]);
      const t = 2 ** roundHalfEven(Math.log2(f(osc / sc)));
      const r = roundHalfEven(f(f(xd[xi ? xi[e] : e] / sc) + zp));
      const v = f(r / t);
      const k = round(v < lo ? lo : v > hi ? hi : v);
      yd[e] = f(f(k - f(zp / t)) * osc);
    }
    return [y];
  },
});
