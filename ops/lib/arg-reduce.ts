// Shared by ArgMax and ArgMin: along `axis` (keepdims, select_last_index): the int64 index of the first (or,
// with select_last_index, last) extreme element, by plain comparisons in index order (a NaN is
// never selected unless it comes first). Any numeric dtype.
import { TypedArray } from '../../core/ir/dtype';
import { Node } from '../../core/ir/graph';
import { Tensor, numel } from '../../core/ir/tensor';
import { OpDescriptor, attr, defineOp } from './descriptor';
import { inputInfo, normAxis, req } from './tensor-util';

const ARG_ATTRS = { axis: attr.int(0), keepdims: attr.int(1), select_last_index: attr.int(0, { values: [0, 1] }) };

function outShape(shape: readonly number[], axis: number, keepdims: number, node: Node): number[] {
  const a = normAxis(axis, shape.length, node);
  return shape.flatMap((d, i) => (i !== a ? [d] : keepdims ? [1] : []));
}

/** v replaces the current extreme when strictly better, or equal and selecting the last. */
export function argReduce(x: Tensor, axis: number, last: boolean, max: boolean, node: Node, keepdims: number): Tensor {
  const a = normAxis(axis, x.shape.length, node);
  const outer = numel(x.shape.slice(0, a)), n = x.shape[a], inner = numel(x.shape.slice(a + 1));
  const out = new BigInt64Array(outer * inner);
  const src = x.data as unknown as number[];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    let best = src[o * n * inner + i], bi = 0;
    for (let j = 1; j < n; j++) {
      const v = src[(o * n + j) * inner + i];
      const better = max ? (last ? v >= best : v > best) : (last ? v <= best : v < best);
      if (better) { best = v; bi = j; }
    }
    out[o * inner + i] = BigInt(bi);
  }
  return { dtype: 'int64', shape: outShape(x.shape, axis, keepdims, node), data: out as unknown as TypedArray };
}

export function argOp(op: 'ArgMax' | 'ArgMin'): OpDescriptor {
  return defineOp({
    op,
    attrs: ARG_ATTRS,
    traits: { quant: 'pass-through', quantizer: false, npu: 'none' },
    infer: ({ node, attrs, ...args }) => [{ dtype: 'int64', shape: outShape(inputInfo({ node, ...args }, 0).shape, attrs.axis, attrs.keepdims, node) }],
    run: ({ node, inputs, attrs }) => [argReduce(req(node, inputs, 0), attrs.axis, attrs.select_last_index === 1, op === 'ArgMax', node, attrs.keepdims)],
  });
}

