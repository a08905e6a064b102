// Concrete tensor values: initializers, interpreter values, test data.
import { DType, TypedArray, allocArray, isBigInt } from './dtype';

// Globals cached: jest's sandbox makes every global lookup in a hot loop many times slower.
const toNumber = Number;
const toBigInt = BigInt;
const trunc = Math.trunc;

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major (C order) elements; sub-byte types unpacked, one element per array slot. */
  readonly data: TypedArray;
  /** Only for dtype 'string'. */
  readonly strings?: readonly string[];
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function makeTensor(dtype: DType, shape: readonly number[], data?: TypedArray | ArrayLike<number>): Tensor {
  const n = numel(shape);
  if (data && ArrayBuffer.isView(data)) {
    if ((data as TypedArray).length !== n) throw new Error(`tensor data has ${(data as TypedArray).length} elements, shape needs ${n}`);
    return { dtype, shape: [...shape], data: data as TypedArray };
  }
  const arr = allocArray(dtype, n);
  if (data) {
    if (data.length !== n) throw new Error(`tensor data has ${data.length} elements, shape needs ${n}`);
    if (isBigInt(dtype)) for (let i = 0; i < n; i++) (arr as BigInt64Array)[i] = toBigInt(trunc(data[i]));
    else (arr as Float32Array).set(data as ArrayLike<number>);
  }
  return { dtype, shape: [...shape], data: arr };
}

/** Elements as JS numbers (int64 converted; values beyond 2^53 lose precision, which shape code tolerates). */
export function toNumbers(t: Tensor): number[] {
  const d = t.data, n = d.length;
  const out = new Array<number>(n);
  // Only int64/uint64 hold BigInts (typeof, not instanceof: the array may come from another realm).
  if (n > 0 && typeof d[0] === 'bigint') for (let i = 0; i < n; i++) out[i] = toNumber(d[i]);
  else {
    const nums = d as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[i] = nums[i];
  }
  return out;
}

export function scalarValue(t: Tensor): number {
  if (t.data.length < 1) throw new Error('empty tensor where a scalar was expected');
  return Number(t.data[0]);
}

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
