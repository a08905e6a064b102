// Quantization of hsq QConv / QGemm operands, read from the tensor infos (docs/ir.md), and the
// one builder of their requantization parameters that the interpreter, the host C emitter and
// the Cortex-M55 kernels share.
import { fail } from '../../core/diagnostics';
import { DType, intRange } from '../../core/ir/dtype';
import { Node, QuantParams, TensorInfo, attrInt } from '../../core/ir/graph';
import { OutputMode, quantRange, requantMultiplier } from '../../core/numerics';
import { perChannel } from './quant-params';

export function quantOf(node: Node, info: TensorInfo | undefined, what: string): QuantParams {
  const q = info?.quant;
  if (!q) return fail('bad-shape', `node '${node.name}' (${node.op}): ${what} has no quantization parameters`, node.name);
  return q;
}

export function perTensor(node: Node, q: QuantParams, what: string): { scale: number; zero: number } {
  if (q.scale.length !== 1 || (q.zeroPoint.length > 1))
    fail('unsupported', `node '${node.name}' (${node.op}): ${what} must be quantized per tensor`, node.name);
  return { scale: q.scale[0], zero: q.zeroPoint.length ? q.zeroPoint[0] : 0 };
}

/**
 * Output container of QConv/QGemm when no output info says it: a negative qmin needs int8, a
 * qmax above 127 needs uint8, otherwise the input's container.
 */
export function inferQOutDtype(node: Node, xDtype: DType): DType {
  if (attrInt(node, 'float_out', 0)) return 'float32';
  const qmin = attrInt(node, 'qmin'), qmax = attrInt(node, 'qmax');
  if (qmin !== undefined && qmin < 0) return 'int8';
  if (qmax !== undefined && qmax > 127) return 'uint8';
  return xDtype;
}

/** The output clamp: the qmin/qmax attributes, else the output quant range, else the dtype range. */
export function outputClamp(node: Node, out: QuantParams, dtype: DType): [number, number] {
  const [dlo, dhi] = out.bipolar ? [-1, 1] : quantRange(out.bits, out.signed, out.narrow);
  const [tlo, thi] = intRange(dtype);
  const lo = attrInt(node, 'qmin', Math.max(dlo, tlo));
  const hi = attrInt(node, 'qmax', Math.min(dhi, thi));
  return [lo, hi];
}

/** What requantizes an accumulating hsq op: y = clamp(round(float(acc) * multiplier[c]) + y.zero). */
export interface AccumulatorQuant {
  /** Per-tensor input quantization. */
  readonly x: { readonly scale: number; readonly zero: number };
  /** The weights' quantization as given (bits, bipolar...) and its per-channel scale and zero point. */
  readonly w: QuantParams;
  readonly wScale: Float64Array;
  readonly wZero: Float64Array;
  /** Per-tensor output quantization. */
  readonly y: { readonly scale: number; readonly zero: number };
  /** Output clamp: qmin/qmax, else the output's quant range within its container. */
  readonly lo: number;
  readonly hi: number;
  /** float32 requantMultiplier(x.scale, wScale[c], y.scale) per output channel. */
  readonly multiplier: Float32Array;
  /** How the output is formed from v = fround(fround(float(acc) · m[c]) + fb[c]) (core/numerics.ts
   *  outputOf): 'int' round and clamp, 'bipolar' the sign (QONNX BipolarQuant), 'float' v itself
   *  (float_out: m[c] = x.scale · wScale[c]). */
  readonly mode: OutputMode;
}

/**
 * The requantization of hsq QConv (`axis` 0: weights [M, C/group, kH, kW]) or QGemm (`axis` 1:
 * [K, N]) with `channels` output channels, from the tensor infos; the output container is
 * `yDtype`. Weights must be quantized per tensor or per output channel along `axis`.
 */
export function accumulatorQuant(node: Node, xInfo: TensorInfo | undefined, wInfo: TensorInfo | undefined, yInfo: TensorInfo | undefined,
  yDtype: DType, channels: number, axis: 0 | 1): AccumulatorQuant {
  const x = perTensor(node, quantOf(node, xInfo, 'x'), 'x');
  const w = quantOf(node, wInfo, 'w');
  if ((w.scale.length > 1 && (w.axis ?? axis) !== axis) || w.blockSize)
    fail('unsupported', `node '${node.name}' (${node.op}): weights must be quantized per tensor or per ${axis === 0 ? 'output channel (axis 0)' : 'column (axis 1)'}`, node.name);
  const wScale = perChannel(node.name, 'w scale', w.scale, channels, 1);
  const wZero = perChannel(node.name, 'w zero point', w.zeroPoint, channels, 0);
  if (yDtype === 'float32' || attrInt(node, 'float_out', 0)) {
    const multiplier = Float32Array.from(wScale, (s) => requantMultiplier(x.scale, s, 1));
    return { x, w, wScale, wZero, y: { scale: 1, zero: 0 }, lo: -Infinity, hi: Infinity, multiplier, mode: 'float' };
  }
  const qy = quantOf(node, yInfo, 'output');
  const y = perTensor(node, qy, 'output');
  const [lo, hi] = outputClamp(node, qy, yDtype);
  const multiplier = Float32Array.from(wScale, (s) => requantMultiplier(x.scale, s, y.scale));
  const mode: OutputMode = qy.bipolar || (qy.bits === 1 && qy.signed) ? 'bipolar' : 'int';
  return { x, w, wScale, wZero, y, lo, hi, multiplier, mode };
}

/** The interpreter's output rule of a QConv/QGemm: multipliers, the optional float term (input 3,
 *  float32 [channels]) and the output mode. */
export function outputRule(node: Node, q: AccumulatorQuant, fbias: { dtype: DType; data: ArrayLike<number | bigint>; shape: readonly number[] } | undefined, channels: number) {
  if (fbias && (fbias.dtype !== 'float32' || fbias.data.length !== channels))
    fail('bad-shape', `node '${node.name}' (${node.op}): float bias must be float32 [${channels}], got ${fbias.dtype} [${fbias.shape}]`, node.name);
  return { mult: q.multiplier, floatBias: fbias ? (fbias.data as Float32Array) : undefined, mode: q.mode, zero: q.y.zero, lo: q.lo, hi: q.hi };
}
