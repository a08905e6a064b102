// QONNX Quant (ops/quant.ts, and its IntQuant name, ops/int-quant.ts): y = (clamp(round_mode(x / scale + zeropt), min, max) -
// zeropt) * scale in float32, rounding after every step; [min, max] = quantRange(bitwidth,
// signed, narrow). A 1-bit signed Quant is bipolar: x / scale + zeropt >= 0 → +1, else -1.
// scale and zeropt broadcast against x (per-channel scales).
import { fail } from '../../core/diagnostics';
import { Node } from '../../core/ir/graph';
import { makeTensor, numel } from '../../core/ir/tensor';
import { quantRange } from '../../core/numerics';
import { OpDescriptor, attr, defineOp } from './descriptor';
import { need, requireDtype, scalarInput } from './op-util';
import { broadcastIndex, broadcastShape } from './param-broadcast';
import { paramValues } from './quant-params';
import { resolveRoundingMode } from './rounding-modes';

export const QONNX_DOMAINS = ['qonnx.custom_op.general'] as const;

function quant(node: Node, bitwidth: number, signed = 1, narrow = 0, rounding_mode = 'ROUND') {
  if (!Number.isInteger(bitwidth) || bitwidth < 1 || bitwidth > 32)
    fail('unsupported', `node '${node.name}' (Quant): bit width ${bitwidth} is not an integer in [1, 32]`, node.name);
  return { bipolar: bitwidth === 1 && signed !== 0, range: quantRange(bitwidth, signed !== 0, narrow !== 0), round: resolveRoundingMode(rounding_mode, node.name) };
}

/** The descriptor of QONNX Quant under the name `op`. */
export function quantOp(op: string): OpDescriptor {
  return defineOp({
    op,
    domains: QONNX_DOMAINS,
    // signed / narrow: QONNX marks both as required attributes; hsq reads them with defaults.
    attrs: { signed: attr.int(1), narrow: attr.int(0), rounding_mode: attr.string('ROUND') },
    constInputs: [1, 2, 3],
    types: ['float32'],
    // Lowered to QuantizeLinear -> DequantizeLinear (passes/lower-qonnx) before anything quantizes.
    traits: { quant: 'none', npu: 'none' },
    infer({ node, inputs }) {
      const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale'), z = need(node, inputs, 2, 'zeropt');
      return [{ dtype: 'float32', shape: broadcastShape(node.name, x.shape, s.shape, z.shape) }];
    },
    run({ node, inputs, attrs }) {
      const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale'), z = need(node, inputs, 2, 'zeropt');
      requireDtype(node, 'X', x.dtype, ['float32']);
      const bw = scalarInput(node, 'bitwidth', need(node, inputs, 3, 'bitwidth'));
      const q = quant(node, bw, attrs.signed, attrs.narrow, attrs.rounding_mode);
      const shape = broadcastShape(node.name, x.shape, s.shape, z.shape);
      const xi = broadcastIndex(node.name, shape, x.shape), si = broadcastIndex(node.name, shape, s.shape), zi = broadcastIndex(node.name, shape, z.shape);
      const sv = paramValues(s), zv = paramValues(z);
      const xd = x.data as Float32Array;
      const y = makeTensor('float32', shape);
      const yd = y.data as Float32Array;
      const [lo, hi] = q.range, round = q.round, f = Math.fround;
      for (let e = 0, n = numel(shape); e < n; e++) {
        const sc = f(sv[si ? si[e] : e]), zp = f(zv[zi ? zi[e] : e]);
        const v = f(f(xd[xi ? xi[e] : e] / sc) + zp);
        let k: number;
        if (q.bipolar) k = v >= 0 ? 1 : -1;
        else k = round(v < lo ? lo : v > hi ? hi : v);
        yd[e] = f(f(k - zp) * sc);
      }
      return [y];
    },
  });
}
