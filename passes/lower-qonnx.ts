// Lowers QONNX quantizers (docs/ir.md "QONNX"):
//
//   Quant(w const, s, zp, bits)  → DequantizeLinear(w_int const, s, zp)   w_int carries quant
//   Quant(x, s, zp, bits)        → DequantizeLinear(QuantizeLinear(x, s, zp), s, zp)
//   BipolarQuant(w const, s)     → DequantizeLinear(w_pm1 const, s, 0)    values in {-1,+1}
//
// Integer tensors are int8 (signed) / uint8 (unsigned) containers whose `quant` says the real
// range: {bits, signed, narrow} (and bipolar for 1 bit). QuantizeLinear clamps to that range.
// Weights are folded with QONNX's own arithmetic, clamp(round(fround(fround(w / s) + zp))), in
// any rounding mode; activations need rounding_mode ROUND (QuantizeLinear rounds half to even).
// QuantizeLinear computes round(x / s) + zp where QONNX computes round(x / s + zp): equal for
// integer zero points except where float32 rounding of the sum moves a value onto a tie.
//
//   BipolarQuant(x, s) / 1-bit signed Quant(x) → DequantizeLinear(QuantizeLinear(x, s, 0), s, 0)
//                                 the int8 tensor's quant is bipolar: QuantizeLinear is the sign
//
// Stay as they are (the interpreter runs them): Quant with non-constant parameters or more
// than 8 bits on activations, Trunc.
//
// `narrow`: the QONNX spec documents default 0, its code marks the attribute required (with
// 1). A missing `narrow` is read as 0, the documented default, and warned about; so is a
// missing `signed` (read as 1).
import { fail } from '../core/diagnostics';
import { DType, isFloat } from '../core/ir/dtype';
import { Graph, Node, QuantParams, TensorInfo, attrString } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { quantRange } from '../core/numerics';
import { resolveRoundingMode } from '../ops/lib/rounding-modes';
import type { Pass, PassContext } from './pass-manager';
import { allNames, freshName, infoOfValue, nodeNames } from './util';

export const QONNX_DOMAINS = ['qonnx.custom_op.general', 'onnx.brevitas', 'finn.custom_op.general', 'qonnx'];

const f = Math.fround;

interface Lowered { nodes: Node[]; inits: Record<string, Tensor>; infos: Record<string, TensorInfo> }

interface Params { scale: number[]; zp: number[]; axis?: number; scaleShape: number[] }

/**
 * Per-tensor or per-axis parameters from QONNX scale / zero-point tensors, which broadcast
 * against x (e.g. [C,1,1,1] for weights, [1,C,1,1] for activations). Undefined when they vary
 * along more than one axis. `rank` undefined: x's rank is unknown, scales are taken as full rank.
 */
function params(n: Node, s: Tensor, z: Tensor, rank: number | undefined, dims: readonly number[] | undefined): Params | undefined {
  const scale = Array.from(s.data, Number);
  const zpv = Array.from(z.data, Number);
  for (const v of zpv) if (!Number.isInteger(v)) fail('bad-input', `node '${n.name}' (Quant): zero point ${v} is not an integer; hsq needs integer zero points`, n.name);
  const axisOf = (t: Tensor): number | null | undefined => {
    const big = t.shape.map((d, i) => (d > 1 ? i : -1)).filter((i) => i >= 0);
    if (big.length === 0) return null;
    if (big.length > 1) return undefined;
    const r = rank ?? (t.shape.length >= 2 ? t.shape.length : undefined);
    if (r === undefined || t.shape.length > r) return undefined;
    return r - t.shape.length + big[0];
  };
  const sa = axisOf(s), za = axisOf(z);
  if (sa === undefined || za === undefined) return undefined;
  if (sa !== null && za !== null && sa !== za) return undefined;
  const axis = sa ?? za ?? undefined;
  if (axis === undefined) return { scale: [scale[0]], zp: [zpv[0]], scaleShape: [] };
  const c = sa !== null ? scale.length : zpv.length;
  if (dims && dims[axis] >= 0 && dims[axis] !== c) return undefined;
  return {
    scale: sa !== null ? scale : new Array(c).fill(scale[0]),
    zp: za !== null ? zpv : new Array(c).fill(zpv[0]),
    axis, scaleShape: [c],
  };
}

function bitsOf(n: Node, t: Tensor): number {
  const b = Number(t.data[0]);
  if (numel(t.shape) !== 1 || !Number.isInteger(b) || b < 1 || b > 32) fail('unsupported', `node '${n.name}' (Quant): bit width ${numel(t.shape) === 1 ? b : `of shape [${t.shape}]`} must be one integer in 1..32`, n.name);
  return b;
}

function container(bits: number, signed: boolean): DType | undefined {
  if (bits <= 8) return signed ? 'int8' : 'uint8';
  if (bits <= 16) return signed ? 'int16' : 'uint16';
  return signed ? 'int32' : undefined;
}

function channelIndex(shape: readonly number[], axis: number | undefined): (i: number) => number {
  if (axis === undefined) return () => 0;
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k];
  const dim = shape[axis];
  return (i) => Math.floor(i / inner) % dim;
}

export function lowerQonnx(g: Graph, ctx?: PassContext): Graph {
  const warn = ctx?.warn ?? (() => undefined);
  const names = allNames(g);
  const nodeNameSet = nodeNames(g);
  const opset = Math.max(13, g.opsets[''] ?? 13);
  const out: Node[] = [];
  const inits: Record<string, Tensor> = {};
  const infos: Record<string, TensorInfo> = {};
  const missing: string[] = [];
  let changed = false;

  const dq = (name: string, intName: string, sName: string, zName: string, axis: number | undefined, outName: string): Node => ({
    name: freshName(nodeNameSet, name), op: 'DequantizeLinear', domain: '', opset,
    inputs: [intName, sName, zName], outputs: [outName], attrs: axis === undefined ? {} : { axis },
  });
  const addParams = (base: string, p: Params, zDtype: DType): [string, string] => {
    const sName = freshName(names, `${base}_scale`), zName = freshName(names, `${base}_zero_point`);
    inits[sName] = makeTensor('float32', p.scaleShape, p.scale);
    inits[zName] = makeTensor(zDtype, p.scaleShape, p.zp);
    infos[sName] = infoOfValue(sName, inits[sName]);
    infos[zName] = infoOfValue(zName, inits[zName]);
    return [sName, zName];
  };

  for (const n of g.nodes) {
    const lowered = QONNX_DOMAINS.includes(n.domain) ? lowerOne(n) : undefined;
    if (lowered) { out.push(...lowered); changed = true; } else out.push(n);
  }
  if (missing.length) warn(`QONNX Quant node${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} lack the 'narrow' or 'signed' attribute; read as narrow=0, signed=1 (the QONNX documented defaults)`);
  if (!changed) return g;
  return { ...g, nodes: out, initializers: { ...g.initializers, ...inits }, tensors: { ...g.tensors, ...infos } };

  function lowerOne(n: Node): Node[] | undefined {
    const c = (k: number) => (n.inputs[k] ? g.initializers[n.inputs[k]] : undefined);
    const x = n.inputs[0], y = n.outputs[0];
    const w = g.initializers[x];
    const xInfo = g.tensors[x] ?? g.tensors[y];
    const rank = w ? w.shape.length : xInfo?.shape.length;
    const dims = w ? w.shape : xInfo?.shape;
    if (n.op === 'BipolarQuant') {
      const s = c(1);
      if (!s) return undefined;
      const p = params(n, s, makeTensor('float32', [], [0]), rank, dims);
      if (!p) return undefined;
      if (!w) return activation(n, s, p, 'int8', { bits: 1, signed: true, narrow: false, bipolar: true });
      if (!isFloat(w.dtype)) return undefined;
      const vals = new Int8Array(w.data.length);
      for (let i = 0; i < vals.length; i++) vals[i] = Number(w.data[i]) >= 0 ? 1 : -1;
      return weight(n, w, vals, 'int8', p, { bits: 1, signed: true, narrow: false, bipolar: true });
    }
    if (n.op !== 'Quant' && n.op !== 'IntQuant') return undefined;
    const s = c(1), z = c(2), b = c(3);
    if (!s || !z || !b) return undefined;
    const bits = bitsOf(n, b);
    if (n.attrs.narrow === undefined || n.attrs.signed === undefined) missing.push(n.name);
    const signed = ((n.attrs.signed as number | undefined) ?? 1) !== 0;
    const narrow = ((n.attrs.narrow as number | undefined) ?? 0) !== 0;
    const mode = attrString(n, 'rounding_mode', 'ROUND');
    const p = params(n, s, z, rank, dims);
    if (!p) { warn(`node '${n.name}' (Quant): scale / zero point vary along more than one axis; left to the interpreter`); return undefined; }
    const bipolar = bits === 1 && signed;
    const dtype = container(bits, signed);
    if (w && isFloat(w.dtype) && dtype) {
      const round = resolveRoundingMode(mode, n.name);
      const [lo, hi] = quantRange(bits, signed, narrow);
      const ch = channelIndex(w.shape, p.axis);
      const vals = new Array<number>(w.data.length);
      for (let i = 0; i < vals.length; i++) {
        const k = ch(i);
        const v = f(f(Number(w.data[i]) / p.scale[k]) + p.zp[k]);
        vals[i] = bipolar ? (v >= 0 ? 1 : -1) : round(v > hi ? hi : v < lo ? lo : v);
      }
      const q = bipolar ? { bits: 1, signed: true, narrow: false, bipolar: true } : { bits, signed, narrow };
      return weight(n, w, vals, dtype, p, q);
    }
    if (w || bits > 8 || (!bipolar && mode.toUpperCase() !== 'ROUND' && mode.toUpperCase() !== 'HALF_EVEN')) {
      if (!w) warn(`node '${n.name}' (Quant): ${bits > 8 ? `${bits}-bit` : `rounding_mode ${mode}`} activation quantizer left to the interpreter`);
      return undefined;
    }
    // A 1-bit signed Quant is QONNX's bipolar quantizer: the sign, whatever the rounding mode.
    if (bipolar) return activation(n, s, p, 'int8', { bits: 1, signed: true, narrow: false, bipolar: true });
    return activation(n, s, p, signed ? 'int8' : 'uint8', { bits, signed, narrow });
  }

  /** Activation: QuantizeLinear → DequantizeLinear, the integer tensor carrying the range (a
   *  bipolar one is the sign, as ops/quantize-linear.ts computes it). */
  function activation(n: Node, s: Tensor, p: Params, intDtype: DType, q: Omit<QuantParams, 'scale' | 'zeroPoint'>): Node[] {
    const x = n.inputs[0], y = n.outputs[0];
    const xInfo = g.tensors[x] ?? g.tensors[y];
    const [sName, zName] = addParams(n.name, p, intDtype);
    const intName = freshName(names, `${y}_int`);
    // Before shape inference x's shape may be unknown: -1 dims of the scale's rank (QONNX scales are full rank).
    const shape = xInfo ? [...xInfo.shape] : new Array<number>(Math.max(1, s.shape.length)).fill(-1);
    infos[intName] = {
      name: intName, dtype: intDtype, shape, ...(xInfo?.dimParams ? { dimParams: xInfo.dimParams } : {}),
      quant: { ...q, scale: p.scale.map(f), zeroPoint: p.zp, ...(p.axis === undefined ? {} : { axis: p.axis }), source: 'qonnx' },
    };
    const ql: Node = { name: freshName(nodeNameSet, `${n.name}_quantize`), op: 'QuantizeLinear', domain: '', opset, inputs: [x, sName, zName], outputs: [intName], attrs: p.axis === undefined ? {} : { axis: p.axis }, origin: [n.name] };
    return [ql, { ...dq(`${n.name}_dequantize`, intName, sName, zName, p.axis, y), origin: [n.name] }];
  }

  function weight(n: Node, w: Tensor, vals: ArrayLike<number>, dtype: DType, p: Params, q: Omit<QuantParams, 'scale' | 'zeroPoint'>): Node[] {
    const intName = freshName(names, `${n.inputs[0]}_int`);
    inits[intName] = makeTensor(dtype, w.shape, vals);
    const [sName, zName] = addParams(n.name, p, dtype);
    infos[intName] = {
      ...infoOfValue(intName, inits[intName]),
      quant: { ...q, scale: p.scale.map(f), zeroPoint: p.zp, ...(p.axis === undefined ? {} : { axis: p.axis }), source: 'qonnx' },
    };
    return [{ ...dq(`${n.name}_dequantize`, intName, sName, zName, p.axis, n.outputs[0]), origin: [n.name] }];
  }
}

export const lowerQonnxPass: Pass = {
  name: 'lower-qonnx',
  description: 'QONNX Quant/BipolarQuant: constant weights to integer initializers, activations to QuantizeLinear→DequantizeLinear',
  run: (g, ctx) => lowerQonnx(g, ctx),
};
