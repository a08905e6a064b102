// Element types of the IR and their ONNX TensorProto.DataType codes.

export type DType =
  | 'float32' | 'float16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'int4' | 'uint4' | 'string';

export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8,
  bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13, uint4: 21, int4: 22,
};

const FROM_ONNX = new Map<number, DType>(Object.entries(ONNX_DTYPE).map(([k, v]) => [v, k as DType]));

export function dtypeFromOnnx(code: number): DType | undefined {
  return FROM_ONNX.get(code);
}

/**
 * In-memory arrays. Sub-byte types are held unpacked (one element a byte); int64/uint64 as
 * BigInt64Array so Slice's INT64_MAX and int64 outputs stay exact; float16 and float64 are
 * held as float32/float64 values (float16 values are exactly representable in float32).
 */
export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

export function arrayCtor(dtype: DType) {
  switch (dtype) {
    case 'float32': case 'float16': return Float32Array;
    case 'float64': return Float64Array;
    case 'int8': case 'int4': return Int8Array;
    case 'uint8': case 'uint4': case 'bool': return Uint8Array;
    case 'int16': return Int16Array;
    case 'uint16': return Uint16Array;
    case 'int32': return Int32Array;
    case 'uint32': return Uint32Array;
    case 'int64': return BigInt64Array;
    case 'uint64': return BigUint64Array;
    case 'string': throw new Error('string tensors have no numeric storage');
  }
}

export function allocArray(dtype: DType, n: number): TypedArray {
  const C = arrayCtor(dtype);
  return new C(n);
}

export const isFloat = (t: DType) => t === 'float32' || t === 'float16' || t === 'float64';
export const isBigInt = (t: DType) => t === 'int64' || t === 'uint64';
export const isInteger = (t: DType) => !isFloat(t) && t !== 'string' && t !== 'bool';

/** Bits one element takes in ONNX storage (int4 packs two a byte). */
export function storageBits(t: DType): number {
  switch (t) {
    case 'int4': case 'uint4': return 4;
    case 'bool': case 'int8': case 'uint8': return 8;
    case 'int16': case 'uint16': case 'float16': return 16;
    case 'int32': case 'uint32': case 'float32': return 32;
    case 'int64': case 'uint64': case 'float64': return 64;
    case 'string': return 0;
  }
}

/** Integer range of an integer dtype. */
export function intRange(t: DType): [number, number] {
  switch (t) {
    case 'int4': return [-8, 7];
    case 'uint4': return [0, 15];
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'uint16': return [0, 65535];
    case 'int32': return [-2147483648, 2147483647];
    case 'uint32': return [0, 4294967295];
    case 'bool': return [0, 1];
    default: return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  }
}
