// The numerics contract in one place (DEVELOPERS.md "Numerics"). The C runtime mirrors each
// function here; change one, change both.

const fround = Math.fround;

/** Round half to even, as nearbyintf in the default rounding mode. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function saturate(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Requantization multiplier of an accumulating op, computed once at compile time in float32
 * as ONNX Runtime's QLinearConv does: (x_scale * w_scale) / y_scale.
 */
export function requantMultiplier(xScale: number, wScale: number, yScale: number): number {
  return fround(fround(fround(xScale) * fround(wScale)) / fround(yScale));
}

/** int32 accumulator → output integer: float(acc) * m, round half to even, + zp, saturate. */
export function requantize(acc: number, multiplier: number, zeroPoint: number, lo: number, hi: number): number {
  const v = roundHalfEven(fround(fround(acc) * multiplier)) + zeroPoint;
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Output of an accumulating op (QConv/QGemm, docs/qat-layers.md). With a float term fb (QONNX's
 * float bias, in output units) v = fround(fround(float(acc) * m) + fb), an add kept separate
 * from the multiply (no FMA); without one (fb undefined) v = fround(float(acc) * m) as
 * requantize. 'int': saturate(round_half_even(v) + zp); 'bipolar': v >= 0 ? +1 : -1 (QONNX
 * BipolarQuant: the sign, zero counts as positive); 'float': v.
 */
export type OutputMode = 'int' | 'bipolar' | 'float';

export function accumulatorOutput(acc: number, m: number, fb: number | undefined, mode: OutputMode, zeroPoint: number, lo: number, hi: number): number {
  let v = fround(fround(acc) * m);
  if (fb !== undefined) v = fround(v + fb);
  if (mode === 'float') return v;
  if (mode === 'bipolar') return v >= 0 ? 1 : -1;
  const r = roundHalfEven(v) + zeroPoint;
  return r < lo ? lo : r > hi ? hi : r;
}

/** QuantizeLinear of one float32 value: saturate(round(x / scale) + zp). */
export function quantizeValue(x: number, scale: number, zeroPoint: number, lo: number, hi: number): number {
  const q = fround(x / scale);
  if (Number.isNaN(q)) return saturate(zeroPoint, lo, hi);
  const v = roundHalfEven(q) + zeroPoint;
  return v < lo ? lo : v > hi ? hi : v;
}

/** DequantizeLinear of one integer value: (q - zp) * scale in float32. */
export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return fround((q - zeroPoint) * scale);
}

/** Integer range [lo, hi] of a quantized value with the given bit width. */
export function quantRange(bits: number, signed: boolean, narrow: boolean): [number, number] {
  if (signed) {
    const hi = 2 ** (bits - 1) - 1;
    return [-(2 ** (bits - 1)) + (narrow ? 1 : 0), hi];
  }
  return [0, 2 ** bits - 1 - (narrow ? 1 : 0)];
}
