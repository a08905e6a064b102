// Activation quantization parameters, as ONNX Runtime's quantizer computes them: the range is
// widened to include 0, scale = (rmax - rmin) / (qmax - qmin) in float32, zero point =
// round(qmin - rmin / scale) (half to even) clamped to the range; an empty range gets scale 1
// and zero point at 0.
import { QuantParams } from '../core/ir/graph';
import { quantRange, roundHalfEven } from '../core/numerics';

const f = Math.fround;

export function activationParams(lo: number, hi: number, bits: number, signed: boolean, source = 'hsq-ptq'): QuantParams {
  const [qmin, qmax] = quantRange(bits, signed, false);
  const rmin = Math.min(0, Number.isFinite(lo) ? lo : 0);
  const rmax = Math.max(0, Number.isFinite(hi) ? hi : 0);
  let scale = f((rmax - rmin) / (qmax - qmin));
  let zp: number;
  if (!(scale > 0) || !Number.isFinite(scale)) {
    scale = 1;
    zp = signed ? 0 : qmin;
  } else {
    zp = roundHalfEven(qmin - rmin / scale);
    zp = Math.max(qmin, Math.min(qmax, zp));
  }
  return { scale: [scale], zeroPoint: [zp], bits, signed, narrow: false, source };
}

/** The same real range with another bit width (pre-quantized activations changed in place). */
export function rebitActivation(q: QuantParams, bits: number, source: string): QuantParams {
  const [lo, hi] = quantRange(q.bits, q.signed, q.narrow);
  const s = q.scale[0], z = q.zeroPoint[0];
  return activationParams((lo - z) * s, (hi - z) * s, bits, q.signed, source);
}
