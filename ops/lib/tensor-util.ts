// Small helpers shared by the tensor ops: axes, compile-time inputs, elementwise maps.
import { DType, TypedArray, allocArray, isBigInt } from '../../core/ir/dtype';
import { Node, TensorInfo } from '../../core/ir/graph';
import { Tensor, numel, toNumbers } from '../../core/ir/tensor';
import { HsqError } from '../../core/diagnostics';
import { InferArgs, opsetOf } from './descriptor';

export { opsetOf };

export const fround = Math.fround;

/** Axis in [-rank, rank) to [0, rank); an error naming the node otherwise. */
export function normAxis(axis: number, rank: number, node: Node): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) {
    throw new HsqError('bad-shape', `node '${node.name}' (${node.op}): axis ${axis} out of range for rank ${rank}`, node.name);
  }
  return a;
}

/** True when the node has input i (not omitted). */
export function hasInput(node: Node, i: number): boolean {
  return i < node.inputs.length && node.inputs[i] !== '';
}

/** Input info i, or an error naming the node. */
export function inputInfo(args: InferArgs, i: number): TensorInfo {
  const t = args.inputs[i];
  if (!t) throw new HsqError('bad-input', `node '${args.node.name}' (${args.node.op}): input ${i} is missing`, args.node.name);
  return t;
}

/** A shape-defining input's value at compile time; 'unsupported' naming node and input if unknown. */
export function constValue(args: InferArgs, i: number, what: string): Tensor {
  const v = args.values[i];
  if (!v) {
    const n = args.node;
    throw new HsqError('unsupported',
      `node '${n.name}' (${n.op}): input ${i} '${n.inputs[i] ?? ''}' (${what}) must be known at compile time`, n.name);
  }
  return v;
}

/** Optional compile-time input as numbers; undefined when the input is omitted. */
export function constNumbers(args: InferArgs, i: number, what: string): number[] | undefined {
  if (!hasInput(args.node, i)) return undefined;
  return toNumbers(constValue(args, i, what));
}

/** Optional runtime input as numbers. */
export function runNumbers(node: Node, inputs: readonly (Tensor | undefined)[], i: number): number[] | undefined {
  if (!hasInput(node, i)) return undefined;
  const t = inputs[i];
  return t ? toNumbers(t) : undefined;
}

/** A required runtime input. */
export function req(node: Node, inputs: readonly (Tensor | undefined)[], i: number): Tensor {
  const t = inputs[i];
  if (!t) throw new HsqError('bad-input', `node '${node.name}' (${node.op}): input ${i} is missing`, node.name);
  return t;
}

/** A copy of t with another shape (same element count). */
export function reshaped(t: Tensor, shape: readonly number[]): Tensor {
  return { dtype: t.dtype, shape: [...shape], data: t.data.slice() as TypedArray };
}

/** out[i] = fn(x[i]) elementwise; fn sees numbers (bigints for 64-bit integers). */
export function mapUnary(x: Tensor, outDtype: DType, fn: (v: any) => any): Tensor { // eslint-disable-line @typescript-eslint/no-explicit-any
  const n = x.data.length;
  const out = allocArray(outDtype, n) as unknown as (number | bigint)[];
  const src = x.data as unknown as (number | bigint)[];
  for (let i = 0; i < n; i++) out[i] = fn(src[i]);
  return { dtype: outDtype, shape: [...x.shape], data: out as unknown as TypedArray };
}

/** Rounding after each float operation: float32 (and float16 held as float32) vs float64. */
export function roundFor(dtype: DType): (v: number) => number {
  return dtype === 'float64' ? (v) => v : fround;
}

/** The float types the float-only elementwise ops take (float16 held in float32 slots). */
export const FLOAT_TYPES: readonly DType[] = ['float32', 'float16', 'float64'];

/** Elementwise float ops only take float tensors. */
export function requireFloat(node: Node, dtype: DType): void {
  if (dtype !== 'float32' && dtype !== 'float16' && dtype !== 'float64') {
    throw new HsqError('unsupported', `node '${node.name}' (${node.op}): dtype ${dtype} is not supported (float only)`, node.name);
  }
}

/** Scalar of a tensor as the tensor's element kind (bigint for int64). */
export function scalarOf(t: Tensor): number | bigint {
  return t.data[0];
}

export function zeroOf(dtype: DType): number | bigint {
  return isBigInt(dtype) ? 0n : 0;
}

/** Convert a JS number to an element of dtype's array. */
export function elemOf(dtype: DType, v: number): number | bigint {
  return isBigInt(dtype) ? BigInt(Math.trunc(v)) : v;
}

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}

export { numel };

/**
 * Copy the strided view (base, strides[d] per output dim) of src into a new contiguous array of
 * outShape: out[i0,..,ik] = src[base + Σ i_d * strides[d]]. Transpose, Slice, DepthToSpace.
 */
export function stridedCopy(src: TypedArray, dtype: DType, outShape: readonly number[], base: number, strides: readonly number[]): TypedArray {
  const n = numel(outShape);
  const out = allocArray(dtype, n) as unknown as (number | bigint)[];
  const s = src as unknown as (number | bigint)[];
  if (n === 0) return out as unknown as TypedArray;
  const rank = outShape.length;
  if (rank === 0) { out[0] = s[base]; return out as unknown as TypedArray; }
  const inner = outShape[rank - 1], is = strides[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let off = base;
  for (let o = 0; o < n; o += inner) {
    if (is === 1) for (let i = 0; i < inner; i++) out[o + i] = s[off + i];
    else for (let i = 0, p = off; i < inner; i++, p += is) out[o + i] = s[p];
    for (let d = rank - 2; d >= 0; d--) {
      off += strides[d];
      if (++counter[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return out as unknown as TypedArray;
}
