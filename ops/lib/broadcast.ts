// numpy-style multidirectional broadcasting: the shape rule and fast elementwise loops.
import { DType, TypedArray, allocArray } from '../../core/ir/dtype';
import { Tensor, numel } from '../../core/ir/tensor';
import { HsqError } from '../../core/diagnostics';

/** Broadcast result of several shapes; -1 (unknown dim) propagates unless the other dim decides. */
export function broadcastShapes(shapes: readonly (readonly number[])[], subject?: string): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i], o = out[off + i];
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else if (d === -1) continue;
      else if (o === -1) out[off + i] = d;
      else {
        throw new HsqError('bad-shape',
          `${subject ? `node '${subject}': ` : ''}shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast`, subject);
      }
    }
  }
  return out;
}

/** Strides of `shape` read as `outShape` (0 on broadcast dims), one per output dim. */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length, off = rank - shape.length;
  const st = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[off + i] = shape[i] === 1 && outShape[off + i] !== 1 ? 0 : acc;
    acc *= shape[i];
  }
  return st;
}

/**
 * For every output element (row-major over outShape) the flat index into each operand.
 * Calls visit(outIndex, idx) where idx[k] is operand k's index; inner dim iterated directly.
 * Used by the generic paths; the same-shape and scalar cases never get here.
 */
export function forEachBroadcast(
  shapes: readonly (readonly number[])[], outShape: readonly number[],
  visitRow: (outStart: number, len: number, starts: Int32Array, innerStrides: Int32Array) => void,
): void {
  const rank = outShape.length, k = shapes.length;
  const total = numel(outShape);
  if (total === 0) return;
  const st = shapes.map((s) => broadcastStrides(s, outShape));
  const inner = rank === 0 ? 1 : outShape[rank - 1];
  const innerStrides = new Int32Array(k);
  for (let j = 0; j < k; j++) innerStrides[j] = rank === 0 ? 0 : st[j][rank - 1];
  const starts = new Int32Array(k);
  const counter = new Int32Array(Math.max(rank - 1, 0));
  for (let o = 0; o < total; o += inner) {
    visitRow(o, inner, starts, innerStrides);
    // advance the odometer over the outer dims
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      for (let j = 0; j < k; j++) starts[j] += st[j][d];
      if (counter[d] < outShape[d]) break;
      for (let j = 0; j < k; j++) starts[j] -= st[j][d] * outShape[d];
      counter[d] = 0;
    }
  }
}

type Elem = number | bigint;
type Fn2 = (a: any, b: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** out[i] = fn(a[ia], b[ib]) with broadcasting; fn gets numbers (or bigints for 64-bit ints). */
export function broadcastBinary(a: Tensor, b: Tensor, outDtype: DType, fn: Fn2, subject?: string): Tensor {
  const outShape = broadcastShapes([a.shape, b.shape], subject);
  const n = numel(outShape);
  const out = allocArray(outDtype, n) as unknown as Elem[];
  const x = a.data as unknown as Elem[], y = b.data as unknown as Elem[];
  const la = x.length, lb = y.length;
  if (la === n && lb === n) {
    for (let i = 0; i < n; i++) out[i] = fn(x[i], y[i]);
  } else if (lb === 1 && la === n) {
    const v = y[0];
    for (let i = 0; i < n; i++) out[i] = fn(x[i], v);
  } else if (la === 1 && lb === n) {
    const v = x[0];
    for (let i = 0; i < n; i++) out[i] = fn(v, y[i]);
  } else {
    forEachBroadcast([a.shape, b.shape], outShape, (o, len, s, is) => {
      let ia = s[0], ib = s[1];
      const sa = is[0], sb = is[1];
      for (let i = 0; i < len; i++, ia += sa, ib += sb) out[o + i] = fn(x[ia], y[ib]);
    });
  }
  return { dtype: outDtype, shape: outShape, data: out as unknown as TypedArray };
}

/** out[i] = fn(a[ia], b[ib], c[ic]) with broadcasting (Where). */
export function broadcastTernary(a: Tensor, b: Tensor, c: Tensor, outDtype: DType,
  fn: (a: any, b: any, c: any) => any, subject?: string): Tensor { // eslint-disable-line @typescript-eslint/no-explicit-any
  const outShape = broadcastShapes([a.shape, b.shape, c.shape], subject);
  const n = numel(outShape);
  const out = allocArray(outDtype, n) as unknown as Elem[];
  const x = a.data as unknown as Elem[], y = b.data as unknown as Elem[], z = c.data as unknown as Elem[];
  forEachBroadcast([a.shape, b.shape, c.shape], outShape, (o, len, s, is) => {
    let ia = s[0], ib = s[1], ic = s[2];
    for (let i = 0; i < len; i++, ia += is[0], ib += is[1], ic += is[2]) out[o + i] = fn(x[ia], y[ib], z[ic]);
  });
  return { dtype: outDtype, shape: outShape, data: out as unknown as TypedArray };
}

/** Variadic fold (Max, Min, Sum): ((t0 op t1) op t2) ..., each step broadcasting. */
export function broadcastFold(ts: readonly Tensor[], outDtype: DType, fn: Fn2, subject?: string): Tensor {
  if (ts.length === 0) throw new HsqError('bad-input', `node '${subject}': needs at least one input`, subject);
  let acc = ts[0];
  if (ts.length === 1) {
    const d = allocArray(outDtype, acc.data.length);
    (d as unknown as Elem[] & { set(x: unknown): void }).set(acc.data);
    return { dtype: outDtype, shape: [...acc.shape], data: d };
  }
  for (let i = 1; i < ts.length; i++) acc = broadcastBinary(acc, ts[i], outDtype, fn, subject);
  return acc;
}
