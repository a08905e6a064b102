// Requantization of int32 accumulators to the output type, one multiplier (and optionally one
// float term) per output channel (NCHW planes) or per column (row-major [rows, N]); see
// core/numerics.ts accumulatorOutput for the output modes.
import { OutputMode, accumulatorOutput } from '../../core/numerics';
import { TypedArray } from '../../core/ir/dtype';

export interface OutputRule {
  readonly mult: ArrayLike<number>;
  readonly floatBias?: ArrayLike<number>;
  readonly mode: OutputMode;
  readonly zero: number;
  readonly lo: number;
  readonly hi: number;
}

export function requantizePlanes(acc: Int32Array, batches: number, channels: number, plane: number, r: OutputRule, out: TypedArray): void {
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let c = 0; c < channels; c++) {
      const m = r.mult[c], fb = r.floatBias ? r.floatBias[c] : undefined;
      for (let i = 0; i < plane; i++, o++) out[o] = accumulatorOutput(acc[o], m, fb, r.mode, r.zero, r.lo, r.hi);
    }
  }
}

export function requantizeColumns(acc: Int32Array, rows: number, cols: number, r: OutputRule, out: TypedArray): void {
  let o = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, o++) out[o] = accumulatorOutput(acc[o], r.mult[j], r.floatBias ? r.floatBias[j] : undefined, r.mode, r.zero, r.lo, r.hi);
  }
}
