// Concat along `axis` (negative counts from the end); any dtype, all inputs the same dtype.
import { TypedArray, allocArray } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { normAxis, shapeStr } from './lib/tensor-util';

/** Output shape of Concat; -1 (unknown) dims propagate on the axis. */
export function concatShape(shapes: readonly (readonly number[])[], axis: number, node: Node): number[] {
  if (shapes.length === 0) throw new HsqError('bad-input', `node '${node.name}' (Concat): no inputs`, node.name);
  const rank = shapes[0].length;
  const a = normAxis(axis, rank, node);
  const out = [...shapes[0]];
  for (let k = 1; k < shapes.length; k++) {
    const s = shapes[k];
    const bad = s.length !== rank || s.some((d, i) => i !== a && d !== out[i] && d !== -1 && out[i] !== -1);
    if (bad) {
      throw new HsqError('bad-shape', `node '${node.name}' (Concat): shapes ${shapes.map(shapeStr).join(', ')} do not concatenate on axis ${axis}`, node.name);
    }
    out[a] = out[a] === -1 || s[a] === -1 ? -1 : out[a] + s[a];
  }
  return out;
}

export function concat(ts: readonly Tensor[], axis: number, node: Node): Tensor {
  const shape = concatShape(ts.map((t) => t.shape), axis, node);
  const dtype = ts[0].dtype;
  for (const t of ts) {
    if (t.dtype !== dtype) throw new HsqError('bad-input', `node '${node.name}' (Concat): input dtypes ${dtype} and ${t.dtype} differ`, node.name);
  }
  const a = normAxis(axis, shape.length, node);
  const outer = numel(shape.slice(0, a));
  const out = allocArray(dtype, numel(shape)) as TypedArray & { set(src: ArrayLike<unknown>, off: number): void };
  const blocks = ts.map((t) => numel(t.shape.slice(a)));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < ts.length; k++) {
      const b = blocks[k];
      if (b === 0) continue;
      out.set((ts[k].data as Float32Array).subarray(o * b, (o + 1) * b), pos);
      pos += b;
    }
  }
  return { dtype, shape, data: out };
}

export const Concat = defineOp({
  op: 'Concat',
  attrs: { axis: attr.int(0) },
  traits: { quant: 'dequantize-compute-quantize', npu: 'data-movement' },
  infer: ({ node, inputs, attrs }) => {
    const infos = inputs.filter((t) => t) as NonNullable<(typeof inputs)[number]>[];
    return [{ dtype: infos[0].dtype, shape: concatShape(infos.map((t) => t.shape), attrs.axis, node) }];
  },
  run: ({ node, inputs, attrs }) => [concat(inputs.filter((t): t is Tensor => !!t), attrs.axis, node)],
});
