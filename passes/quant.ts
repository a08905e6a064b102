// Quantization helpers shared by qdq-recognition, fuse-activation and lower-qonnx.
import { DType, intRange, isFloat, isInteger } from '../core/ir/dtype';
import { Graph, Node, QuantParams, attrInt } from '../core/ir/graph';
import { numel } from '../core/ir/tensor';
import { dequantizeValue, quantRange, quantizeValue } from '../core/numerics';

/** Bits and signedness an integer container dtype implies. */
export function dtypeBits(t: DType): { bits: number; signed: boolean } | undefined {
  switch (t) {
    case 'int4': return { bits: 4, signed: true };
    case 'uint4': return { bits: 4, signed: false };
    case 'int8': return { bits: 8, signed: true };
    case 'uint8': return { bits: 8, signed: false };
    case 'int16': return { bits: 16, signed: true };
    case 'uint16': return { bits: 16, signed: false };
    case 'int32': return { bits: 32, signed: true };
    default: return undefined;
  }
}

/**
 * Quantization a QuantizeLinear / DequantizeLinear node gives its integer tensor, from its
 * constant scale and zero point: per tensor, per axis or blocked. `base` (the tensor's existing
 * quant) keeps bits/signed/narrow/bipolar, which the dtype alone cannot tell (a 4-bit range in
 * an int8 container). Undefined when scale or zero point is not constant.
 */
export function quantOfQdq(g: Graph, n: Node, intName: string, intDtype: DType, rank: number | undefined, base?: QuantParams): QuantParams | undefined {
  const s = g.initializers[n.inputs[1]];
  const z = n.inputs[2] ? g.initializers[n.inputs[2]] : undefined;
  if (!s || !isFloat(s.dtype) || (n.inputs[2] && !z)) return undefined;
  const db = dtypeBits(intDtype);
  if (!db) return undefined;
  const scale = Array.from(s.data, Number);
  const zeroPoint = z ? Array.from(z.data, Number) : new Array(scale.length).fill(0);
  if (zeroPoint.length === 1 && scale.length > 1) zeroPoint.length = 0, zeroPoint.push(...new Array(scale.length).fill(Number(z!.data[0])));
  if (zeroPoint.length !== scale.length) return undefined;
  const blockSize = attrInt(n, 'block_size', 0);
  const range = base ? { bits: base.bits, signed: base.signed, narrow: base.narrow } : { ...db, narrow: false };
  const extra = base?.bipolar ? { bipolar: true } : {};
  const src = base?.source ? { source: base.source } : {};
  if (numel(s.shape) === 1 && blockSize <= 0) return { scale, zeroPoint, ...range, ...extra, ...src };
  if (rank === undefined) return undefined;
  let axis = attrInt(n, 'axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return undefined;
  return blockSize > 0 ? { scale, zeroPoint, axis, blockSize, ...range, ...extra, ...src } : { scale, zeroPoint, axis, ...range, ...extra, ...src };
}

export function sameQuant(a: QuantParams | undefined, b: QuantParams | undefined): boolean {
  if (!a || !b) return a === b;
  const eq = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => Math.fround(v) === Math.fround(y[i]));
  // One scale along an axis of extent 1 is a per-tensor scale (a 1-output Gemm's per-channel
  // weights are written per-tensor): the axis then says nothing.
  const axisOf = (q: QuantParams) => (q.scale.length === 1 && q.blockSize === undefined ? undefined : q.axis);
  return eq(a.scale, b.scale) && eq(a.zeroPoint, b.zeroPoint) && axisOf(a) === axisOf(b) && a.blockSize === b.blockSize
    && a.bits === b.bits && a.signed === b.signed && a.narrow === b.narrow && !!a.bipolar === !!b.bipolar;
}

/** Integer range of a quantized tensor: its quant range within its container's range. */
export function tensorRange(q: QuantParams, dtype: DType): [number, number] {
  const [a, b] = quantRange(q.bits, q.signed, q.narrow);
  const [c, d] = isInteger(dtype) ? intRange(dtype) : [a, b];
  return [Math.max(a, c), Math.min(b, d)];
}

/** Relu or Clip with constant bounds, as a float function; undefined for anything else. */
export function clampActivation(g: Graph, act: Node): { lo: number; hi: number } | undefined {
  if (act.domain !== '') return undefined;
  if (act.op === 'Relu') return { lo: 0, hi: Infinity };
  if (act.op !== 'Clip') return undefined;
  if ((act.opset ?? 99) < 11 && act.inputs.length === 1) {
    return { lo: Math.fround((act.attrs.min as number | undefined) ?? -3.4028234663852886e38), hi: Math.fround((act.attrs.max as number | undefined) ?? 3.4028234663852886e38) };
  }
  const bound = (i: string | undefined, def: number) => {
    if (!i) return def;
    const t = g.initializers[i];
    return t && t.data.length === 1 ? Number(t.data[0]) : undefined;
  };
  const lo = bound(act.inputs[1], -Infinity), hi = bound(act.inputs[2], Infinity);
  return lo === undefined || hi === undefined ? undefined : { lo, hi };
}

/**
 * The output clamp [qmin, qmax] that equals applying the activation between dequantization and
 * requantization with the same per-tensor scale/zp: quantize(act(dequantize(q))) = clamp(q).
 * Checked exhaustively over the integer range (at most 2^16 values), so a fusion is only made
 * where the numbers are identical. Undefined when they are not.
 */
export function fusedClamp(act: { lo: number; hi: number }, scale: number, zp: number, lo: number, hi: number, cur: [number, number] = [lo, hi]): [number, number] | undefined {
  if (cur[1] - cur[0] > 65536) return undefined;
  const qlo = Math.max(cur[0], quantizeValue(act.lo, scale, zp, lo, hi));
  const qhi = Math.min(cur[1], quantizeValue(act.hi, scale, zp, lo, hi));
  if (qlo > qhi) return undefined;
  // Only values the producer can emit (its current clamp `cur`) need to agree.
  for (let q = cur[0]; q <= cur[1]; q++) {
    const y = dequantizeValue(q, scale, zp);
    const a = y < act.lo ? act.lo : y > act.hi ? act.hi : y;
    const want = quantizeValue(a, scale, zp, lo, hi);
    const got = q < qlo ? qlo : q > qhi ? qhi : q;
    if (want !== got) return undefined;
  }
  return [qlo, qhi];
}
