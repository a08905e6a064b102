// Sub-8-bit weight fields of the Cortex-M55 conv/FC kernels: how `8 / bits` weight vectors share
// one 16-byte word, how a field is unpacked (one or two Helium instructions), and how each
// output channel's weights map to field values.
//
// A word holds G = 8 / bits vectors of 16 lanes: field f of byte lane l is bits [f*bits,
// (f+1)*bits) of byte l and holds lane l of the word's f-th vector, as a two's complement
// `bits`-bit value v. Unpacking a field gives 16 int8 lanes:
//   left-aligned:  v * 2^(8-bits)   field 0: VSHL #(8-bits); top field: VAND with the top mask;
//                                   others: VSHL then VAND (needs the mask in a Q register)
//   right-aligned: v                top field: VSHR.S8 #(8-bits); others: VSHL then VSHR.S8
// so one channel's raw accumulator is sigma * sum(x * v) with sigma = 2^(8-bits) (left) or 1.
//
// Channel weights w' = w - zw map to fields as w' = o + g * v (o, g integers per channel): for
// 2/4/8 bits o = 0, g = 1 when w' fits, else o shifts the range into it; for 1 bit the two
// values {lo, hi} give o = hi, g = hi - lo (v = 0 or -1), e.g. bipolar {-1, +1}: o = 1, g = 2.
// Then acc = bias' + o * S + g * sum(x * v), S the window sum of x, and the kernels requantize
//   X = R * raw + T * bias' + T * o * S,   float(X) * (m / T)
// with integers R (one per layer) and T = R * sigma / g per channel: X = T * acc exactly, and
// m / T is exact (powers of two), so the result equals float(acc) * m bit for bit.
import { KernelDescError } from './errors';

export type Bits = 8 | 4 | 2 | 1;
export type Align = 'left' | 'right';

/** Fields per word. */
export const fieldsPerWord = (bits: Bits): number => 8 / bits;

/** Field f's signed value in byte b. */
export function fieldValue(byte: number, f: number, bits: Bits): number {
  const u = (byte >> (f * bits)) & ((1 << bits) - 1);
  return u >= 1 << (bits - 1) ? u - (1 << bits) : u;
}

/** One unpack instruction: `op qD, qS[, qMask], #imm` in Helium syntax (qS = 'W' or 'D'). */
export interface UnpackStep {
  readonly op: 'vshl.i8' | 'vshr.s8' | 'vand';
  readonly src: 'W' | 'D';
  readonly imm?: number;
}

/** Instructions that unpack field f (left-aligned uses the mask register for non-zero fields). */
export function unpackSteps(bits: Bits, f: number, align: Align): UnpackStep[] {
  const G = fieldsPerWord(bits);
  if (G === 1) return [];
  const toTop = 8 - bits * (f + 1); // left shift that brings field f to the top bits
  const steps: UnpackStep[] = [];
  if (toTop > 0) steps.push({ op: 'vshl.i8', src: 'W', imm: toTop });
  if (align === 'left') {
    if (f > 0) steps.push({ op: 'vand', src: toTop > 0 ? 'D' : 'W' });
  } else steps.push({ op: 'vshr.s8', src: toTop > 0 ? 'D' : 'W', imm: 8 - bits });
  return steps;
}

/** Whether unpacking field f with this alignment needs the mask register. */
export const needsMask = (bits: Bits, f: number, align: Align): boolean => bits < 8 && align === 'left' && f > 0;

/** The same unpack on one byte in C (the scalar path): int8 lanes equal to the Helium result. */
export function unpackC(byteExpr: string, bits: Bits, f: number, align: Align): string {
  if (bits === 8) return `(int8_t)(${byteExpr})`;
  const toTop = 8 - bits * (f + 1);
  const top = toTop > 0 ? `(int8_t)((uint8_t)(${byteExpr}) << ${toTop})` : `(int8_t)(${byteExpr})`;
  if (align === 'left') {
    const mask = (0xff << (8 - bits)) & 0xff;
    return f > 0 ? `(int8_t)((uint8_t)${top} & 0x${mask.toString(16)})` : top;
  }
  return `(int8_t)(${top} >> ${8 - bits})`;
}

/** The mask register's byte: the top `bits` bits. */
export const topMask = (bits: Bits): number => (0xff << (8 - bits)) & 0xff;

/** Per output channel: w' = o + g * v with v a `bits`-bit field value. */
export interface ChannelMap {
  readonly o: number;
  readonly g: number;
}

/**
 * Field map of one channel's centered weights for `bits`-bit fields, or undefined when they do
 * not fit. 1-bit needs at most two values a power of two apart (so T stays an integer).
 */
export function channelMap(values: ArrayLike<number>, bits: Bits): ChannelMap | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return { o: 0, g: 1 };
  if (bits === 1) {
    if (lo === hi) return { o: hi, g: 1 };
    for (let i = 0; i < values.length; i++) if (values[i] !== lo && values[i] !== hi) return undefined;
    const g = hi - lo;
    return g <= 128 && (g & (g - 1)) === 0 ? { o: hi, g } : undefined;
  }
  const fmin = -(1 << (bits - 1));
  const fmax = (1 << (bits - 1)) - 1;
  if (lo >= fmin && hi <= fmax) return { o: 0, g: 1 };
  if (hi - lo > fmax - fmin) return undefined;
  return { o: lo - fmin, g: 1 };
}

/**
 * Map of a channel in a digit field below the word's top (FC digit packing): an unsigned value
 * u in [0, 2^bits) with w' = o + g * u (o = the smallest value). For the views B >> (bits * f)
 * of a byte B, B >> (bits*f) - 2^bits * (B >> (bits*(f+1))) is field f unsigned (the top field
 * signed), so each channel's sum is its view's accumulator minus 2^bits times the next one's.
 */
export function digitMap(values: ArrayLike<number>, bits: Bits): ChannelMap | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  if (!(lo <= hi)) return { o: 0, g: 1 };
  if (bits === 1) {
    if (lo === hi) return { o: lo, g: 1 };
    for (let i = 0; i < values.length; i++) if (values[i] !== lo && values[i] !== hi) return undefined;
    const g = hi - lo;
    return g <= 128 && (g & (g - 1)) === 0 ? { o: lo, g } : undefined;
  }
  return hi - lo <= (1 << bits) - 1 ? { o: lo, g: 1 } : undefined;
}

/** Field value of weight w' in a channel with map cm. */
export const fieldOf = (w: number, cm: ChannelMap): number => (w - cm.o) / cm.g;

/** Two's complement bits of a field value. */
export const fieldBits = (v: number, bits: Bits): number => v & ((1 << bits) - 1);

/** Requantization scales of one channel (see the file comment). */
export interface ChannelScale {
  /** X = R * raw + T * bias' + T * o * S. */
  readonly T: number;
}

/** The layer's raw multiplier R and each channel's T, given sigma (per channel) and g. */
export function requantScales(sigma: readonly number[], maps: readonly ChannelMap[], layer: string): { R: number; T: number[] } {
  let R = 1;
  maps.forEach((m, c) => {
    while ((R * sigma[c]) % m.g !== 0) R *= 2;
  });
  const T = maps.map((m, c) => (R * sigma[c]) / m.g);
  if (T.some((t) => !Number.isInteger(t) || t < 1)) throw new KernelDescError(`layer '${layer}': no integer requantization scale for the packed weights`);
  return { R, T };
}
