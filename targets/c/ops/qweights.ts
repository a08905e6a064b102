// Storage of quantized weights for hsq_qconv/hsq_qgemm: rows (one per output channel) of
// w' = w - zw, in the narrowest container that holds them. "Precision is semantics, storage is
// a choice": sub-byte layers (declared bits < 8) are packed 1, 2 or 4 bits a value (codes LSB
// first, each row starting on a byte, value = code * mul + add), others are int8 or, when w - zw
// leaves the int8 range, int16.

export interface PackedRows {
  readonly bytes: Uint8Array;
  readonly bits: 1 | 2 | 4 | 8 | 16;
  readonly mul: number;
  readonly add: number;
  readonly rowBytes: number;
}

export function packRows(values: Int32Array, rows: number, rowLen: number, declaredBits: number): PackedRows {
  const n = values.length;
  let lo = n ? values[0] : 0, hi = lo;
  let bipolar = n > 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v !== 1 && v !== -1) bipolar = false;
  }
  if (declaredBits < 8) {
    let bits: 1 | 2 | 4 | undefined, mul = 1, add = lo;
    if (bipolar && lo === -1) { bits = 1; mul = 2; add = -1; }
    else if (hi - lo <= 1) bits = 1;
    else if (hi - lo <= 3) bits = 2;
    else if (hi - lo <= 15) bits = 4;
    // Decoded values must fit int8 (they are unpacked into int8 scratch).
    if (bits !== undefined && lo >= -128 && hi <= 127) {
      const rowBytes = (rowLen * bits + 7) >> 3;
      const out = new Uint8Array(rowBytes * rows);
      const per = 8 / bits;
      for (let r = 0; r < rows; r++) {
        const src = r * rowLen, dst = r * rowBytes;
        for (let i = 0; i < rowLen; i++) {
          const code = (values[src + i] - add) / mul;
          out[dst + ((i / per) | 0)] |= code << ((i % per) * bits);
        }
      }
      return { bytes: out, bits, mul, add, rowBytes };
    }
  }
  if (lo >= -128 && hi <= 127) {
    const a = new Int8Array(values);
    return { bytes: new Uint8Array(a.buffer), bits: 8, mul: 1, add: 0, rowBytes: rowLen };
  }
  if (lo >= -32768 && hi <= 32767) {
    const a = new Int16Array(values);
    return { bytes: new Uint8Array(a.buffer), bits: 16, mul: 1, add: 0, rowBytes: rowLen * 2 };
  }
  throw new Error(`weights minus zero point leave the int16 range [${lo}, ${hi}]`);
}
