// Output sizes and explicit pads of convolution and pooling windows (ONNX auto_pad, ceil_mode,
// dilations), shared by Conv, ConvTranspose's callers, the pools and the quantized convs.
import { fail } from '../../core/diagnostics';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowGeometry {
  /** Output spatial sizes. */
  readonly out: number[];
  /** Padding before / after each spatial dim (resolved from auto_pad). */
  readonly padBegin: number[];
  readonly padEnd: number[];
}

export function readAutoPad(v: string, node: string): AutoPad {
  if (v === 'NOTSET' || v === 'SAME_UPPER' || v === 'SAME_LOWER' || v === 'VALID') return v;
  return fail('unsupported', `node '${node}': auto_pad '${v}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`, node);
}

/**
 * Geometry of a sliding window over `inSize` (spatial dims only). `pads` is ONNX's
 * [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; ceil_mode only applies to explicit pads.
 * A -1 input dim (not known yet) gives a -1 output dim.
 */
export function windowGeometry(
  node: string,
  inSize: readonly number[],
  kernel: readonly number[],
  strides: readonly number[] | undefined,
  dilations: readonly number[] | undefined,
  pads: readonly number[] | undefined,
  autoPad: AutoPad,
  ceilMode = false,
): WindowGeometry {
  const n = inSize.length;
  if (kernel.length !== n) fail('bad-shape', `node '${node}': kernel has ${kernel.length} spatial dims, input has ${n}`, node);
  if (pads && pads.length !== 2 * n) fail('bad-shape', `node '${node}': pads has ${pads.length} entries, expected ${2 * n}`, node);
  const out: number[] = [], padBegin: number[] = [], padEnd: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = strides ? strides[i] : 1;
    const d = dilations ? dilations[i] : 1;
    if (!(s >= 1) || !(d >= 1)) fail('bad-shape', `node '${node}': strides and dilations must be >= 1`, node);
    const ek = (kernel[i] - 1) * d + 1;
    const len = inSize[i];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      if (len < 0) { out.push(-1); padBegin.push(0); padEnd.push(0); continue; }
      const o = Math.ceil(len / s);
      const total = Math.max(0, (o - 1) * s + ek - len);
      const small = Math.floor(total / 2);
      // SAME_UPPER puts the extra pad at the end, SAME_LOWER at the beginning.
      padBegin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      padEnd.push(autoPad === 'SAME_UPPER' ? total - small : small);
      out.push(o);
      continue;
    }
    const pb = autoPad === 'VALID' || !pads ? 0 : pads[i];
    const pe = autoPad === 'VALID' || !pads ? 0 : pads[i + n];
    padBegin.push(pb); padEnd.push(pe);
    if (len < 0) { out.push(-1); continue; }
    const span = len + pb + pe - ek;
    if (span < 0) fail('bad-shape', `node '${node}': window of ${ek} does not fit input of ${len} with pads ${pb}+${pe}`, node);
    let o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // A last window that starts inside the end padding is dropped (ONNX/ORT ceil_mode rule).
    if (ceilMode && (o - 1) * s >= len + pb) o--;
    out.push(o);
  }
  return { out, padBegin, padEnd };
}

/**
 * Valid tap range per output position along one dim: taps k in [lo[o], hi[o]) read input
 * o*stride - pad + k*dilation inside [0, len). Taps outside are skipped, not added as zero.
 */
export function tapRanges(outLen: number, len: number, k: number, stride: number, pad: number, dil: number): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(outLen), hi = new Int32Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const start = o * stride - pad;
    let a = 0;
    while (a < k && start + a * dil < 0) a++;
    let b = k;
    while (b > a && start + (b - 1) * dil >= len) b--;
    lo[o] = a; hi[o] = b;
  }
  return { lo, hi };
}
