// QONNX Trunc (qonnx custom_op/general/trunc.py). The version is the model's opset import of
// the node's domain (1 when the domain is not imported, qonnx's fallback), as qonnx picks it.
// v1 (X, scale, zeropt, in_bitwidth, out_bitwidth):
//   y = round(x / scale + zeropt) / 2^(in_bitwidth - out_bitwidth)
//   out = (round_mode(y) - zeropt) * scale
// v2 (X, scale, zeropt, in_bitwidth, out_scale, out_bitwidth; signed, narrow):
//   t = 2^round(log2(out_scale / scale))
//   y = round(x / scale + zeropt) / t, clamped by where() to the out_bitwidth range
//   out = (round_mode(y) - zeropt / t) * out_scale
// round is np.round (half to even); rounding_mode defaults to FLOOR.
import { fail } from '../../core/diagnostics';
import { Graph, Node } from '../../core/ir/graph';
import { makeTensor, numel } from '../../core/ir/tensor';
import { quantRange, roundHalfEven } from '../../core/numerics';
import { broadcastIndex, broadcastShape } from '../../ops/lib/param-broadcast';
import { RefBuilder } from './builder';
import { bitWidth, constantInput, roundingMode } from './params';

const f = Math.fround;

export function truncVersion(g: Graph, n: Node): 1 | 2 {
  return (g.opsets[n.domain] ?? 1) >= 2 ? 2 : 1;
}

export function lowerTrunc(g: Graph, n: Node, b: RefBuilder): void {
  const v = truncVersion(g, n);
  const want = v === 1 ? 5 : 6;
  if (n.inputs.length !== want)
    fail('bad-input', `node '${n.name}' (Trunc): version ${v} (opset ${g.opsets[n.domain] ?? 'not imported, so 1'} of domain '${n.domain}') takes ${want} inputs, the node has ${n.inputs.length}`, n.name);
  const mode = roundingMode(n, 'FLOOR');
  const s = b.float(n.inputs[1], 'scale'), z = b.float(n.inputs[2], 'zeropt');
  const r = b.roundHalfEven(b.op('Add', [b.op('Div', [n.inputs[0], s]), z]));
  if (v === 1) {
    const t = f(2 ** (bitWidth(g, n, 3, 'in_bitwidth') - bitWidth(g, n, 4, 'out_bitwidth')));
    const k = b.round(b.op('Div', [r, b.constant(t, 'trunc_scale')]), mode);
    b.op('Mul', [b.op('Sub', [k, z]), s], {}, n.outputs[0]);
    return;
  }
  const sc = constantInput(g, n, 1, 'scale'), os = constantInput(g, n, 4, 'out_scale');
  const outBits = bitWidth(g, n, 5, 'out_bitwidth');
  // Power-of-two trunc scale per element of the broadcast parameter shape, in numpy's float32.
  const shape = broadcastShape(n.name, sc.shape, os.shape);
  const si = broadcastIndex(n.name, shape, sc.shape), oi = broadcastIndex(n.name, shape, os.shape);
  const ts = new Float32Array(numel(shape));
  for (let e = 0; e < ts.length; e++) {
    const q = f(Number(os.data[oi ? oi[e] : e]) / Number(sc.data[si ? si[e] : e]));
    ts[e] = f(2 ** roundHalfEven(f(Math.log2(q))));
  }
  const t = b.constant(makeTensor('float32', shape, ts), 'trunc_scale');
  const signed = Number(n.attrs.signed ?? 1) !== 0, narrow = Number(n.attrs.narrow ?? 0) !== 0;
  const [lo, hi] = quantRange(outBits, signed, narrow);
  const k = b.round(b.clamp(b.op('Div', [r, t]), lo, hi), mode);
  b.op('Mul', [b.op('Sub', [k, b.op('Div', [z, t])]), b.float(n.inputs[4], 'out_scale')], {}, n.outputs[0]);
}
