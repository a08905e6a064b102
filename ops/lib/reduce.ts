// Shared machinery of the Reduce* ops: axes (attribute before opset 18 — ReduceSum 13 —, input 1
// after), keepdims (default 1), noop_with_empty_axes. Each output element folds its reduced
// elements in row-major index order.
import { DType, TypedArray, allocArray } from '../../core/ir/dtype';
import { Node } from '../../core/ir/graph';
import { Tensor, numel, strides } from '../../core/ir/tensor';
import { AttrValues, OpDescriptor, OpTraits, ReduceCForm, attr, defineOp } from './descriptor';
import { constNumbers, hasInput, inputInfo, normAxis, req, runNumbers, stridedCopy } from './tensor-util';

export interface ReducePlan {
  /** Reduced axes, sorted; empty with noop means identity. */
  readonly axes: number[];
  readonly noop: boolean;
  readonly outShape: number[];
}

export function reducePlan(shape: readonly number[], axes: readonly number[] | undefined, keepdims: number, noopWithEmptyAxes: number, node: Node): ReducePlan {
  const r = shape.length;
  if (!axes || axes.length === 0) {
    if (noopWithEmptyAxes) return { axes: [], noop: true, outShape: [...shape] };
    axes = Array.from({ length: r }, (_, i) => i);
  }
  const ax = [...new Set(axes.map((a) => normAxis(a, r, node)))].sort((a, b) => a - b);
  const outShape: number[] = [];
  for (let i = 0; i < r; i++) {
    if (!ax.includes(i)) outShape.push(shape[i]);
    else if (keepdims) outShape.push(1);
  }
  return { axes: ax, noop: false, outShape };
}

/**
 * Fold the reduced elements of each output element: acc = init; acc = step(acc, v) in index
 * order; out = finish(acc, count).
 */
export function reduce(x: Tensor, plan: ReducePlan, outDtype: DType,
  init: number | bigint, step: (acc: any, v: any) => any, finish: (acc: any, count: number) => any): Tensor { // eslint-disable-line @typescript-eslint/no-explicit-any
  // noop (empty axes with noop_with_empty_axes): no reduction, but every element still goes
  // through init/step/finish with a count of 1 (ReduceL1 gives |x|, ReduceSumSquare x², as ORT).
  const r = x.shape.length, st = strides(x.shape);
  const kept = Array.from({ length: r }, (_, i) => i).filter((i) => !plan.axes.includes(i));
  const perm = [...kept, ...plan.axes];
  // kept axes first, reduced axes last: each output element's inputs become one contiguous row
  const rows = stridedCopy(x.data, x.dtype, perm.map((a) => x.shape[a]), 0, perm.map((a) => st[a])) as unknown as (number | bigint)[];
  const count = numel(plan.axes.map((a) => x.shape[a]));
  const nOut = numel(kept.map((a) => x.shape[a]));
  const out = allocArray(outDtype, nOut) as unknown as (number | bigint)[];
  for (let o = 0; o < nOut; o++) {
    let acc: any = init; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0, p = o * count; i < count; i++, p++) acc = step(acc, rows[p]);
    out[o] = finish(acc, count);
  }
  return { dtype: outDtype, shape: plan.outShape, data: out as unknown as TypedArray };
}

// axes: the attribute until the op takes it as input 1 (ReduceSum 13, the others 18).
const REDUCE_ATTRS = { axes: attr.ints(), keepdims: attr.int(1), noop_with_empty_axes: attr.int(0) };

function planOf(node: Node, a: AttrValues<typeof REDUCE_ATTRS>, shape: readonly number[], get: () => number[] | undefined): ReducePlan {
  return reducePlan(shape, hasInput(node, 1) ? get() : a.axes, a.keepdims, a.noop_with_empty_axes, node);
}

/** The descriptor of a Reduce* op given its kernel on (x, plan). */
export function reduceOp(op: string, traits: OpTraits, kernel: (x: Tensor, plan: ReducePlan) => Tensor, c?: ReduceCForm): OpDescriptor {
  return defineOp({
    op,
    attrs: REDUCE_ATTRS,
    constInputs: [1],
    traits,
    ...(c ? { c: { reduce: c } } : {}),
    infer: (args) => {
      const x = inputInfo(args, 0);
      return [{ dtype: x.dtype, shape: planOf(args.node, args.attrs, x.shape, () => constNumbers(args, 1, 'axes')).outShape }];
    },
    run: ({ node, inputs, attrs }) => {
      const x = req(node, inputs, 0);
      return [kernel(x, planOf(node, attrs, x.shape, () => runNumbers(node, inputs, 1)))];
    },
  });
}

/** C helpers of the Reduce* forms: the float accumulator rounds after each operation (C float
 *  arithmetic under FLT_EVAL_METHOD 0, as `roundFor` in the interpreter). */
export const reduceC = {
  zero: (e: { isFloat: boolean }) => (e.isFloat ? '0.0f' : '0'),
  one: (e: { isFloat: boolean }) => (e.isFloat ? '1.0f' : '1'),
};
