// Multidirectional broadcasting of small parameter tensors (Gemm's C, QONNX scale/zero point)
// onto a tensor's elements. broadcast.ts (tensor ops) is the general one; this stays local.
import { fail } from '../../core/diagnostics';
import { numel, strides } from '../../core/ir/tensor';

export function broadcastShape(node: string, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) fail('bad-shape', `node '${node}': shapes ${shapes.map((x) => `[${x}]`).join(', ')} do not broadcast`, node);
      d = v;
    }
    out.push(d);
  }
  return out;
}

/**
 * For each element of `outShape`, the index into a tensor of `inShape` broadcast to it.
 * Returns null when the shapes have the same element count and layout (identity).
 */
export function broadcastIndex(node: string, outShape: readonly number[], inShape: readonly number[]): Int32Array | null {
  const n = numel(outShape);
  const inN = numel(inShape);
  if (inN === n && inShape.length <= outShape.length && inShape.every((d, i) => d === outShape[outShape.length - inShape.length + i])) return null;
  const idx = new Int32Array(n);
  if (inN === 1) return idx;
  const rank = outShape.length;
  if (inShape.length > rank) fail('bad-shape', `node '${node}': [${inShape}] does not broadcast to [${outShape}]`, node);
  const inStr = strides(inShape);
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const oi = rank - inShape.length + i;
    if (inShape[i] === outShape[oi]) eff[oi] = inStr[i];
    else if (inShape[i] !== 1) fail('bad-shape', `node '${node}': [${inShape}] does not broadcast to [${outShape}]`, node);
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let e = 0; e < n; e++) {
    idx[e] = off;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      off += eff[d];
      if (counter[d] < outShape[d]) break;
      off -= eff[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}
