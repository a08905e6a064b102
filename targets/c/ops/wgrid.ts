// Weight-only quantized layers (float input, Quant-ed constant weights): the float weights
// fold-float-weights made carry the integer grid they were dequantized from
// (TensorInfo.weightGrid). Storing those integers at their width instead of 4-byte floats is a
// storage choice; the kernel dequantizes them as the interpreter did, (float)(q - zw) * s, so the
// numbers do not change. The integers are recovered from the float values and every one is
// checked to give back exactly its float (else: undefined, and the layer keeps float weights).
import { QuantParams } from '../../../core/ir/graph';
import { PackedRows, packRows } from './qweights';

export interface GridRows {
  readonly packed: PackedRows;
  /** One scale per row when per-channel, else one. */
  readonly scale: Float32Array;
  readonly perChannel: boolean;
  readonly bits: number;
}

/**
 * Rows (`rows` of `rowLen` floats, row r = output channel r) of weights on `grid` per tensor or
 * per row, as packed integers v = q - zw with scale[r]: (float)v * scale[r] === w for every value.
 */
export function gridRows(w: Float32Array, rows: number, rowLen: number, grid: QuantParams | undefined, channelAxisOk: (axis: number) => boolean): GridRows | undefined {
  if (!grid || grid.bits > 8 || grid.blockSize !== undefined) return undefined;
  const perChannel = grid.scale.length > 1;
  if (perChannel && (grid.axis === undefined || !channelAxisOk(grid.axis) || grid.scale.length !== rows)) return undefined;
  const scale = Float32Array.from(perChannel ? grid.scale : [grid.scale[0]]);
  const values = new Int32Array(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const s = scale[perChannel ? r : 0];
    for (let i = 0; i < rowLen; i++) {
      const x = w[r * rowLen + i];
      const v = s === 0 ? 0 : Math.round(x / s) | 0;
      if (!Object.is(Math.fround(v * s), x)) return undefined;
      values[r * rowLen + i] = v;
    }
  }
  const packed = packRows(values, rows, rowLen, grid.bits);
  if (packed.bits === 16) return undefined;
  return { packed, scale, perChannel, bits: grid.bits };
}
