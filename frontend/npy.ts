// NumPy .npy v1/v2 read and write (little-endian, C order), for --input NAME=FILE.npy and --format npy.
import { DType } from '../core/ir/dtype';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { fail } from '../core/diagnostics';

const DESCR: Partial<Record<DType, string>> = {
  float32: '<f4', float64: '<f8', int8: '|i1', uint8: '|u1', int16: '<i2', uint16: '<u2',
  int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8', bool: '|b1',
};

export function encodeNpy(t: Tensor): Uint8Array {
  // Sub-byte types widen to their byte container: NumPy has no int4.
  const dtype: DType = t.dtype === 'int4' ? 'int8' : t.dtype === 'uint4' ? 'uint8' : t.dtype;
  const descr = DESCR[dtype];
  if (!descr) fail('unsupported', `cannot write ${t.dtype} as .npy`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 10 + header.length);
  return out;
}

export function decodeNpy(bytes: Uint8Array, what: string): Tensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) fail('bad-input', `${what}: not a .npy file`, what);
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + hlen > bytes.length) fail('bad-input', `${what}: truncated .npy header`, what);
  const header = Buffer.from(bytes.subarray(start, start + hlen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeTxt = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeTxt === undefined) fail('bad-input', `${what}: unreadable .npy header`, what);
  if (fortran) fail('bad-input', `${what}: Fortran-order .npy is not supported; save with np.ascontiguousarray`, what);
  const shape = shapeTxt.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const entry = Object.entries(DESCR).find(([, d]) => d === descr || d!.replace('<', '|') === descr || d!.replace('|', '<') === descr);
  if (!entry || descr.startsWith('>')) fail('bad-input', `${what}: .npy dtype ${descr} is not supported`, what);
  const dtype = entry[0] as DType;
  const n = numel(shape);
  const t = makeTensor(dtype, shape);
  const body = bytes.subarray(start + hlen);
  if (body.byteLength !== t.data.byteLength || n !== t.data.length) fail('bad-input', `${what}: .npy holds ${body.byteLength} data bytes, shape ${JSON.stringify(shape)} needs ${t.data.byteLength}`, what);
  new Uint8Array(t.data.buffer).set(body);
  return t;
}
