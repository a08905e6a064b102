// TensorProto <-> Tensor, for initializers, Constant attributes and `.pb` test data.
import * as fs from 'fs';
import * as path from 'path';
import Long from 'long';
import { onnx } from 'onnx-proto';
import { DType, ONNX_DTYPE, TypedArray, allocArray, dtypeFromOnnx, storageBits } from '../../core/ir/dtype';
import { Tensor } from '../../core/ir/tensor';
import { HsqError, fail } from '../../core/diagnostics';
import { LIMITS } from './limits';

export type LongLike = number | Long | { low: number; high: number; unsigned?: boolean };

export function longToNumber(v: LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return Long.fromValue(v as Long).toNumber();
}

function longToBigInt(v: LongLike): bigint {
  if (typeof v === 'number') return BigInt(v);
  const l = Long.fromValue(v as Long);
  return BigInt(l.toString());
}

export function checkedDims(dims: readonly LongLike[] | null | undefined, what: string): number[] {
  const out: number[] = [];
  if (dims && dims.length > LIMITS.maxRank) fail('limit', `${what}: rank ${dims.length} exceeds hsq's limit of ${LIMITS.maxRank}`, what);
  let n = 1;
  for (const d of dims ?? []) {
    const v = longToNumber(d);
    if (!Number.isInteger(v) || v < 0 || v > LIMITS.maxDim) fail('corrupt-model', `${what}: invalid dimension ${v}`, what);
    n *= v;
    if (n > LIMITS.maxElements) fail('limit', `${what}: more than ${LIMITS.maxElements} elements`, what);
    out.push(v);
  }
  return out;
}

export interface DecodeContext {
  /** Folder of the model file, for external data. */
  baseDir?: string;
}

/** Decode a TensorProto message object into a Tensor. */
export function tensorFromProto(tp: onnx.ITensorProto, ctx: DecodeContext = {}): Tensor & { name: string } {
  const name = tp.name ?? '';
  const what = `tensor '${name}'`;
  const dtype = dtypeFromOnnx(tp.dataType ?? 0);
  if (!dtype) fail('unsupported', `${what}: unsupported data type ${tp.dataType}`, name);
  const shape = checkedDims(tp.dims, what);
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    const strings = (tp.stringData ?? []).map((b) => Buffer.from(b).toString('utf8'));
    if (strings.length !== n) fail('corrupt-model', `${what}: ${strings.length} strings for ${n} elements`, name);
    return { name, dtype, shape, data: new Uint8Array(0), strings };
  }
  let raw: Uint8Array | undefined;
  if (tp.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) raw = readExternal(tp, ctx, what);
  else if (tp.rawData && tp.rawData.length > 0) raw = tp.rawData;
  if (raw) return { name, dtype, shape, data: fromRaw(raw, dtype, n, what) };
  return { name, dtype, shape, data: fromTypedFields(tp, dtype, n, what) };
}

function readExternal(tp: onnx.ITensorProto, ctx: DecodeContext, what: string): Uint8Array {
  const kv: Record<string, string> = {};
  for (const e of tp.externalData ?? []) kv[e.key ?? ''] = e.value ?? '';
  const loc = kv['location'];
  if (!loc) fail('corrupt-model', `${what}: external data without a location`, tp.name ?? '');
  if (path.isAbsolute(loc) || loc.split(/[\\/]/).includes('..'))
    fail('bad-input', `${what}: external data location '${loc}' must stay inside the model's folder`, tp.name ?? '');
  const file = path.join(ctx.baseDir ?? '.', loc);
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch {
    fail('bad-input', `${what}: external data file '${loc}' not found beside the model`, tp.name ?? '');
  }
  try {
    const size = fs.fstatSync(fd).size;
    const offset = kv['offset'] ? Number(kv['offset']) : 0;
    const length = kv['length'] ? Number(kv['length']) : size - offset;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size)
      fail('corrupt-model', `${what}: external data range ${offset}+${length} outside '${loc}' (${size} bytes)`, tp.name ?? '');
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, offset);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } finally {
    fs.closeSync(fd);
  }
}

function fromRaw(raw: Uint8Array, dtype: DType, n: number, what: string): TypedArray {
  const bits = storageBits(dtype);
  const need = Math.ceil((n * bits) / 8);
  if (raw.length !== need) fail('corrupt-model', `${what}: raw_data has ${raw.length} bytes, ${dtype}${''} needs ${need}`, what);
  if (dtype === 'int4' || dtype === 'uint4') return unpackNibbles(raw, n, dtype === 'int4');
  const out = allocArray(dtype, n);
  if (n === 0) return out;
  // Copy into an aligned buffer, then reinterpret (ONNX raw_data is little-endian, as is every host we run on).
  const aligned = new Uint8Array(need);
  aligned.set(raw);
  if (dtype === 'float16') {
    const h = new Uint16Array(aligned.buffer);
    const f = out as Float32Array;
    for (let i = 0; i < n; i++) f[i] = halfToFloat(h[i]);
    return out;
  }
  if (dtype === 'bool') {
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) o[i] = aligned[i] ? 1 : 0;
    return out;
  }
  const C = out.constructor as { new (b: ArrayBuffer): TypedArray };
  return new C(aligned.buffer);
}

export function unpackNibbles(raw: Uint8Array, n: number, signed: boolean): TypedArray {
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = raw[i >> 1];
    let v = i & 1 ? b >> 4 : b & 0x0f;
    if (signed && v >= 8) v -= 16;
    out[i] = v;
  }
  return out;
}

export function packNibbles(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 2));
  for (let i = 0; i < data.length; i++) out[i >> 1] |= (data[i] & 0x0f) << ((i & 1) * 4);
  return out;
}

function fromTypedFields(tp: onnx.ITensorProto, dtype: DType, n: number, what: string): TypedArray {
  const out = allocArray(dtype, n);
  const take = <T>(src: readonly T[] | null | undefined, expect: number, field: string): readonly T[] => {
    const s = src ?? [];
    if (s.length !== expect) fail('corrupt-model', `${what}: ${field} has ${s.length} values, expected ${expect}`, tp.name ?? '');
    return s;
  };
  switch (dtype) {
    case 'float32': (out as Float32Array).set(take(tp.floatData, n, 'float_data')); break;
    case 'float64': (out as Float64Array).set(take(tp.doubleData, n, 'double_data')); break;
    case 'int64': {
      const s = take(tp.int64Data as LongLike[] | null, n, 'int64_data');
      for (let i = 0; i < n; i++) (out as BigInt64Array)[i] = longToBigInt(s[i]);
      break;
    }
    case 'uint64': case 'uint32': {
      const s = take(tp.uint64Data as LongLike[] | null, n, 'uint64_data');
      for (let i = 0; i < n; i++) {
        if (dtype === 'uint64') (out as BigUint64Array)[i] = BigInt.asUintN(64, longToBigInt(s[i]));
        else (out as Uint32Array)[i] = longToNumber(s[i]);
      }
      break;
    }
    case 'float16': {
      // float16 values travel as their bit patterns in int32_data.
      const s = take(tp.int32Data, n, 'int32_data');
      for (let i = 0; i < n; i++) (out as Float32Array)[i] = halfToFloat(s[i] & 0xffff);
      break;
    }
    case 'int4': case 'uint4': {
      // Packed two a byte inside int32_data entries (one byte per entry).
      const s = take(tp.int32Data, Math.ceil(n / 2), 'int32_data');
      return unpackNibbles(Uint8Array.from(s, (v) => v & 0xff), n, dtype === 'int4');
    }
    default: {
      const s = take(tp.int32Data, n, 'int32_data');
      (out as Int32Array).set(s);
    }
  }
  return out;
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function floatToHalf(v: number): number {
  const f32 = new Float32Array([v]);
  const u = new Uint32Array(f32.buffer)[0];
  const sign = (u >> 16) & 0x8000;
  const exp = (u >> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Encode a Tensor as a TensorProto message object (raw_data, little-endian; int4 packed). */
export function tensorToProto(t: Tensor, name: string): onnx.ITensorProto {
  const tp: onnx.ITensorProto = { name, dims: [...t.shape], dataType: ONNX_DTYPE[t.dtype] };
  if (t.dtype === 'string') {
    tp.stringData = (t.strings ?? []).map((s) => Buffer.from(s, 'utf8'));
    return tp;
  }
  tp.rawData = toRaw(t);
  return tp;
}

export function toRaw(t: Tensor): Uint8Array {
  switch (t.dtype) {
    case 'int4': case 'uint4': return packNibbles(t.data as Int8Array);
    case 'float16': {
      const h = new Uint16Array(t.data.length);
      for (let i = 0; i < h.length; i++) h[i] = floatToHalf((t.data as Float32Array)[i]);
      return new Uint8Array(h.buffer);
    }
    default: return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
  }
}

export function decodeTensorProto(bytes: Uint8Array, ctx: DecodeContext = {}): Tensor & { name: string } {
  let tp: onnx.TensorProto;
  try {
    tp = onnx.TensorProto.decode(bytes);
  } catch (e) {
    fail('corrupt-model', `not a serialized TensorProto (${(e as Error).message})`);
  }
  return tensorFromProto(tp, ctx);
}

export function encodeTensorProto(t: Tensor, name: string): Uint8Array {
  return onnx.TensorProto.encode(tensorToProto(t, name)).finish();
}

/** Read a `.pb` TensorProto file (ONNX test-data convention). */
export function readTensorFile(file: string): Tensor & { name: string } {
  let bytes: Buffer;
  try { bytes = fs.readFileSync(file); } catch {
    throw new HsqError('bad-input', `cannot read tensor file '${file}'`, file);
  }
  try {
    return decodeTensorProto(bytes, { baseDir: path.dirname(file) });
  } catch (e) {
    if (e instanceof HsqError) throw new HsqError(e.kind, `${file}: ${e.message}`, file);
    throw e;
  }
}
