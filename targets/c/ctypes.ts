// C storage of IR dtypes and the physical layout of tensors in emitted C.
// Layout rule (one rule, no analysis): every rank-4 tensor is stored NHWC (logical NCHW dims
// permuted to 0,2,3,1), activations and runtime-read constants alike; other ranks are stored
// row-major in their logical order. Kernels that index by logical dimension use physStrides.
import { DType } from '../../core/ir/dtype';
import { TensorInfo } from '../../core/ir/graph';
import { fail } from '../../core/diagnostics';
import { Tensor, numel } from '../../core/ir/tensor';

export interface CType {
  readonly name: string;   // C type
  readonly size: number;   // bytes per element
  readonly code: number;   // HSQ_* dtype code
  readonly float: boolean;
}

const CTYPES: Partial<Record<DType, CType>> = {
  float32: { name: 'float', size: 4, code: 1, float: true },
  uint8: { name: 'uint8_t', size: 1, code: 2, float: false },
  int8: { name: 'int8_t', size: 1, code: 3, float: false },
  uint16: { name: 'uint16_t', size: 2, code: 4, float: false },
  int16: { name: 'int16_t', size: 2, code: 5, float: false },
  int32: { name: 'int32_t', size: 4, code: 6, float: false },
  int64: { name: 'int64_t', size: 8, code: 7, float: false },
  bool: { name: 'uint8_t', size: 1, code: 9, float: false },
  uint4: { name: 'uint8_t', size: 1, code: 21, float: false },
  int4: { name: 'int8_t', size: 1, code: 22, float: false },
  uint32: { name: 'uint32_t', size: 4, code: 12, float: false },
};

export function ctype(dtype: DType, subject?: string): CType {
  const t = CTYPES[dtype];
  if (!t) return fail('unsupported', `the C backend has no storage for ${dtype} tensors${subject ? ` ('${subject}')` : ''}`, subject);
  return t;
}

export const HSQ_DTYPE_NAME: Record<number, string> = {
  1: 'HSQ_FLOAT32', 2: 'HSQ_UINT8', 3: 'HSQ_INT8', 4: 'HSQ_UINT16', 5: 'HSQ_INT16', 6: 'HSQ_INT32',
  7: 'HSQ_INT64', 9: 'HSQ_BOOL', 12: 'HSQ_UINT32', 21: 'HSQ_UINT4', 22: 'HSQ_INT4',
};

export function channelsLast(shape: readonly number[]): boolean {
  return shape.length === 4;
}

/** Order of logical dims in memory. */
export function physOrder(rank: number): number[] {
  return rank === 4 ? [0, 2, 3, 1] : Array.from({ length: rank }, (_, i) => i);
}

/** Element stride of each logical dim in the physical layout. */
export function physStrides(shape: readonly number[]): number[] {
  const order = physOrder(shape.length);
  const s = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (let i = order.length - 1; i >= 0; i--) { s[order[i]] = acc; acc *= shape[order[i]]; }
  return s;
}

/** Row-major strides of a shape (logical layout). */
export function rowMajor(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function byteSize(info: TensorInfo): number {
  return numel(info.shape) * ctype(info.dtype, info.name).size;
}

/** The tensor's elements reordered into its physical layout. */
export function toPhysical(t: Tensor): Tensor {
  if (!channelsLast(t.shape)) return t;
  const [N, C, H, W] = t.shape;
  const C_ = t.data.constructor as { new (n: number): typeof t.data };
  const out = new C_(t.data.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    (out as Float32Array)[((n * H + h) * W + w) * C + c] = (t.data as Float32Array)[((n * C + c) * H + h) * W + w];
  return { ...t, data: out };
}

/** Little-endian bytes of a tensor in its C storage (sub-byte unpacked, bool as bytes). */
export function tensorBytes(t: Tensor): Uint8Array {
  const ct = ctype(t.dtype);
  const d = t.data;
  if (ct.size * d.length === d.byteLength) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  return fail('unsupported', `cannot store ${t.dtype} data in C`);
}

/** A C float literal that reads back as exactly the float32 value v. */
export function cFloat(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return '(0.0f/0.0f)';
  if (f === Infinity) return 'HUGE_VALF';
  if (f === -Infinity) return '(-HUGE_VALF)';
  if (Object.is(f, -0)) return '-0.0f';
  // 9 significant digits round-trip float32; hex-free for readability.
  let s = f.toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  s = s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '.0$1');
  return `${s}f`;
}

export function cInt(v: number): string {
  if (v === -2147483648) return '(-2147483647 - 1)';
  return String(v);
}

/** A valid C identifier from a model or tensor name. */
export function cIdent(s: string): string {
  let r = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(r)) r = `m_${r}`;
  return r;
}
