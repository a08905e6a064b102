// What the generators of the Cortex-M55 non-MAC kernels (lut.ts, eltwise.ts, pool.ts,
// movement.ts) share: the kernel they return, quantization of one side of a fused chain, exact
// float32 helpers (correctly rounded reciprocal, fused multiply-add) used to prove the MVE
// division sequence exact at compile time.
import { cFloat } from '../../c/ctypes';

/** A generated per-layer function: NAME_m55.c holds `source`, NAME.c declares `prototype` and
 * calls `fn` with the layer's tensors. */
export interface OpKernel {
  readonly fn: string;
  /** lut, clamp, add, mul, maxpool, avgpool, concat, resize. */
  readonly kind: string;
  readonly prototype: string;
  readonly source: string;
  /** 'mve': the MVE path is used when __ARM_FEATURE_MVE is defined; 'scalar': only the portable
   *  path (e.g. when the MVE division sequence was not proven exact for this layer). */
  readonly path: 'mve' | 'scalar';
  readonly reason?: string;
}

/** Quantization of an 8-bit (container) integer tensor at a chain boundary. */
export interface QSide {
  /** uint8 / uint4 container (uint8_t in C). */
  readonly u: boolean;
  readonly scale: number;
  readonly zp: number;
}

/** Quantization of a chain's output: QuantizeLinear's scale, zero point and clamp. */
export interface QOut extends QSide {
  readonly lo: number;
  readonly hi: number;
}

export class OpKernelError extends Error {}

export const cTypeOf = (u: boolean): string => (u ? 'uint8_t' : 'int8_t');

export function checkName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new OpKernelError(`kernel name '${name}' is not a C identifier`);
}

const F = new Float32Array(1);
const I = new Int32Array(F.buffer);

/** The next float32 above (dir 1) or below (dir -1) a finite float32. */
export function nextFloat32(x: number, dir: 1 | -1): number {
  if (x === 0) { I[0] = 1; return dir > 0 ? F[0] : -F[0]; }
  F[0] = x;
  I[0] += (x > 0) === (dir > 0) ? 1 : -1;
  return F[0];
}

/** float32 a·b + c rounded once (the M55's VFMA/VFMS), for finite float32 inputs. */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b; // exact: 24 + 24 bits
  const s = p + c;
  const bb = s - p;
  const err = (p - (s - bb)) + (c - bb); // p + c = s + err exactly (TwoSum)
  let r = Math.fround(s);
  if (err !== 0 && r !== s) {
    // s rounds correctly unless it is a float32 midpoint; then err decides.
    const o = nextFloat32(r, s > r ? 1 : -1);
    if (s === (r + o) / 2) r = (err > 0) === (o > r) ? o : r;
  }
  return r;
}

/** RN(1/s) in float32 (the double quotient rounded again could be off in a tie). */
export function reciprocal32(s: number): number {
  const r0 = Math.fround(1 / s);
  let best = r0, err = Math.abs(r0 * s - 1);
  for (const r of [nextFloat32(r0, 1), nextFloat32(r0, -1)]) {
    const e = Math.abs(r * s - 1); // exact products of two float32
    if (e < err) { best = r; err = e; }
  }
  return best;
}

/** The MVE division of hsq_m55_vdiv: q = a r, e = a - q b (fused), q + e r (fused). */
export function vdiv32(a: number, b: number, r: number): number {
  const q = Math.fround(a * r);
  const e = fma32(-q, b, a);
  return fma32(e, r, q);
}

/** Scales the MVE division sequence is used with: normal, far from under- and overflow. */
export function safeScale(s: number): boolean {
  return Number.isFinite(s) && s > 0 && s >= 2 ** -60 && s <= 2 ** 60 && Math.fround(s) === s;
}

export { cFloat };
