// The per-layer trace of the emitted C (-DHSQ_TRACE; runtime-c/hsq_runtime.h): one text line
// per tensor a layer writes,
//   HSQTRACE <index> <name> <bytes> <fnv1a32 hex>[ <base64 data>]
// with the tensor's bytes as the arena holds them (4-D NHWC, sub-byte types a byte each). This
// module holds both sides of that format for TypeScript: the name the C prints for a tensor, the
// bytes and hash the C would print for an interpreter tensor, and the parser of trace text.
import { fail } from '../../core/diagnostics';
import { DType, allocArray } from '../../core/ir/dtype';
import { Tensor, numel } from '../../core/ir/tensor';
import { Graph } from '../../core/ir/graph';
import { ctype, tensorBytes, toPhysical } from './ctypes';

export const TRACE_PREFIX = 'HSQTRACE';

/** The tensor name as the trace prints it: one token (spaces and non-ASCII become '?'). */
export function traceName(tensor: string): string {
  return tensor.replace(/[^\x21-\x7e]/g, '?');
}

/** The C string literal of traceName(tensor) ('?' escaped: no trigraphs in C99). */
export function traceNameC(tensor: string): string {
  return `"${traceName(tensor).replace(/[\\"?]/g, (c) => `\\${c}`)}"`;
}

/** FNV-1a, 32 bits: the hash hsq_fnv1a32() prints. */
export function fnv1a32(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) { h ^= b[i]; h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

export const hex8 = (h: number): string => (h >>> 0).toString(16).padStart(8, '0');

/** The bytes the C traces for a tensor of these logical values (physical layout, C storage). */
export function traceBytes(t: Tensor): Uint8Array {
  return tensorBytes(toPhysical(t));
}

/** The logical tensor back from traced bytes (the inverse of traceBytes). */
export function tensorFromTrace(bytes: Uint8Array, name: string, info: { readonly dtype: DType; readonly shape: readonly number[] }): Tensor {
  const n = numel(info.shape);
  const size = ctype(info.dtype, name).size;
  if (bytes.length !== n * size) throw new Error(`trace of '${name}': ${bytes.length} bytes, expected ${n * size}`);
  const data = allocArray(info.dtype, n);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  const shape = [...info.shape];
  if (shape.length !== 4) return { dtype: info.dtype, shape, data };
  // Physical NHWC → logical NCHW.
  const [N, C, H, W] = shape;
  const out = allocArray(info.dtype, n) as Float32Array;
  const s = data as Float32Array;
  for (let b = 0; b < N; b++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    out[((b * C + c) * H + h) * W + w] = s[((b * H + h) * W + w) * C + c];
  return { dtype: info.dtype, shape, data: out };
}

export interface TraceEntry {
  readonly index: number;
  readonly name: string;
  readonly bytes: number;
  readonly hash: number;
  /** The bytes, in the full mode. */
  readonly data?: Uint8Array;
  /** 1-based line of the text. */
  readonly line: number;
}

/**
 * The HSQTRACE lines of a text (other lines, such as a board's own log, are skipped), in order.
 * A malformed HSQTRACE line is a bad-input error naming its line (`source` names the file).
 */
export function parseTrace(text: string, source = 'trace'): TraceEntry[] {
  const out: TraceEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const at = line.indexOf(`${TRACE_PREFIX} `);
    if (at < 0) return;
    const f = line.slice(at).split(/\s+/);
    const bad = (why: string): never => fail('bad-input', `${source}:${i + 1}: ${why} (expected '${TRACE_PREFIX} <index> <name> <bytes> <fnv1a32 hex> [base64]')`, source);
    if (f.length !== 5 && f.length !== 6) bad(`${f.length - 1} fields`);
    const [, idx, name, bytes, hash, b64] = f;
    if (!/^\d+$/.test(idx)) bad(`index '${idx}' is not a whole number`);
    if (!/^\d+$/.test(bytes)) bad(`byte count '${bytes}' is not a whole number`);
    if (!/^[0-9a-fA-F]{8}$/.test(hash)) bad(`hash '${hash}' is not 8 hex digits`);
    let data: Uint8Array | undefined;
    if (b64 !== undefined) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) bad('the data is not base64');
      data = new Uint8Array(Buffer.from(b64, 'base64'));
      if (data.length !== Number(bytes)) bad(`${data.length} bytes of data, the line says ${bytes}`);
    }
    out.push({ index: Number(idx), name, bytes: Number(bytes), hash: parseInt(hash, 16) >>> 0, ...(data ? { data } : {}), line: i + 1 });
  });
  return out;
}

/** The tensors of a full trace, by IR name (the trace's index picks the tensor: names may be sanitized). */
export function tracedTensors(g: Graph, m: { readonly trace: readonly { readonly tensor: string }[] }, stdout: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const e of parseTrace(stdout, 'the traced program')) {
    const p = m.trace[e.index];
    if (!p || !e.data) throw new Error(`trace line ${e.line}: index ${e.index} is not one of the ${m.trace.length} trace points, or has no data`);
    const info = g.tensors[p.tensor];
    if (info) out[p.tensor] = tensorFromTrace(e.data, p.tensor, info);
  }
  return out;
}

