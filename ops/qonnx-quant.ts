// QONNX Quant (and its IntQuant name): y = (clamp(round_mode(x / scale + zeropt), min, max) -
// zeropt) * scale in float32, rounding after every step; [min, max] = quantRange(bitwidth,
// signed, narrow). A 1-bit signed Quant is bipolar: x / scale + zeropt >= 0 → +1, else -1.
// scale and zeropt broadcast against x (per-channel scales).
import { fail } from '../core/diagnostics';
import { Node, attrInt, attrString } from '../core/ir/graph';
import { makeTensor, numel } from '../core/ir/tensor';
import { quantRange } from '../core/numerics';
import { OpImpl } from './lib/types';
import { need, requireDtype, scalarInput } from './lib/op-util';
import { broadcastIndex, broadcastShape } from './lib/param-broadcast';
import { paramValues } from './lib/quant-params';
import { resolveRoundingMode } from './lib/rounding-modes';

export const QONNX_DOMAINS = ['qonnx.custom_op.general'] as const;

function quant(node: Node, bitwidth: number, signed = 1, narrow = 0, rounding_mode = 'ROUND') {
  if (!Number.isInteger(bitwidth) || bitwidth < 1 || bitwidth > 32)
    fail('unsupported', `node '${node.name}' (Quant): bit width ${bitwidth} is not an integer in [1, 32]`, node.name);
  return { bipolar: bitwidth === 1 && signed !== 0, range: quantRange(bitwidth, signed !== 0, narrow !== 0), round: resolveRoundingMode(rounding_mode, node.name) };
}

function makeQuant(op: string): OpImpl {
  return {
    op,
    domains: QONNX_DOMAINS,
    constInputs: [1, 2, 3],
    infer({ node, inputs }) {
      const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale'), z = need(node, inputs, 2, 'zeropt');
      return [{ dtype: 'float32', shape: broadcastShape(node.name, x.shape, s.shape, z.shape) }];
    },
    run({ node, inputs }) {
      const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale'), z = need(node, inputs, 2, 'zeropt');
      requireDtype(node, 'X', x.dtype, ['float32']);
      const bw = scalarInput(node, 'bitwidth', need(node, inputs, 3, 'bitwidth'));
      // signed / narrow are read explicitly: QONNX marks both as required attributes.
      const q = quant(node, bw, attrInt(node, 'signed', 1), attrInt(node, 'narrow', 0), attrString(node, 'rounding_mode', 'ROUND'));
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
  };
}

export const Quant = makeQuant('Quant');
export const IntQuant = makeQuant('IntQuant');
