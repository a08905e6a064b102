// Requantization of int32 accumulators to the output integer type, one multiplier per
// output channel (NCHW planes) or per column (row-major [rows, N]).
import { requantize } from '../../core/numerics';
import { TypedArray } from '../../core/ir/dtype';

export function requantizePlanes(acc: Int32Array, batches: number, channels: number, plane: number,
  mult: ArrayLike<number>, zero: number, lo: number, hi: number, out: TypedArray): void {
  let o = 0;
  for (let n = 0; n < batches; n++) {
    for (let c = 0; c < channels; c++) {
      const m = mult[c];
      for (let i = 0; i < plane; i++, o++) out[o] = requantize(acc[o], m, zero, lo, hi);
    }
  }
}

export function requantizeColumns(acc: Int32Array, rows: number, cols: number, mult: ArrayLike<number>,
  zero: number, lo: number, hi: number, out: TypedArray): void {
  let o = 0;
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++, o++) out[o] = requantize(acc[o], mult[j], zero, lo, hi);
}
