// Slice: starts/ends/axes/steps from inputs (opset 10+) or attributes (opset 1). Negative
// starts/ends count from the end; then clamped per ONNX: step > 0 to [0, dim], step < 0
// start to [0, dim-1] and end to [-1, dim-1] (so INT64_MAX / INT64_MIN mean "to the edge").
import { Node } from '../core/ir/graph';
import { Tensor, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { AttrValues, attr, defineOp } from './lib/descriptor';
import { constNumbers, inputInfo, normAxis, req, runNumbers, stridedCopy } from './lib/tensor-util';

export interface SlicePlan {
  readonly shape: number[];
  readonly start: number[];
  readonly step: number[];
}

export function slicePlan(shape: readonly number[], starts: readonly number[], ends: readonly number[],
  axes: readonly number[] | undefined, steps: readonly number[] | undefined, node: Node): SlicePlan {
  const rank = shape.length;
  const start = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  const out = [...shape];
  if (starts.length !== ends.length) {
    throw new HsqError('bad-input', `node '${node.name}' (Slice): starts and ends differ in length`, node.name);
  }
  const ax = axes ?? starts.map((_, i) => i);
  const seen = new Set<number>();
  for (let i = 0; i < starts.length; i++) {
    const a = normAxis(ax[i], rank, node);
    if (seen.has(a)) throw new HsqError('bad-input', `node '${node.name}' (Slice): axis ${ax[i]} repeated`, node.name);
    seen.add(a);
    const dim = shape[a];
    const st = steps ? steps[i] : 1;
    if (st === 0) throw new HsqError('bad-input', `node '${node.name}' (Slice): step 0`, node.name);
    let s = starts[i], e = ends[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    let n: number;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      n = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      n = Math.max(0, Math.ceil((s - e) / -st));
    }
    start[a] = s; step[a] = st; out[a] = n;
  }
  return { shape: out, start, step };
}

export function slice(x: Tensor, plan: SlicePlan): Tensor {
  const st = strides(x.shape);
  let base = 0;
  for (let d = 0; d < st.length; d++) base += plan.start[d] * st[d];
  const vs = st.map((s, d) => s * plan.step[d]);
  return { dtype: x.dtype, shape: plan.shape, data: stridedCopy(x.data, x.dtype, plan.shape, base, vs) };
}

// Opset 1 gives starts/ends/axes as attributes; later opsets as inputs 1-4.
const SLICE_ATTRS = { starts: attr.ints(), ends: attr.ints(), axes: attr.ints() };

function argsFrom(node: Node, a: AttrValues<typeof SLICE_ATTRS>, get: (i: number, what: string) => number[] | undefined) {
  if (node.inputs.length >= 3) {
    return { starts: get(1, 'starts')!, ends: get(2, 'ends')!, axes: get(3, 'axes'), steps: get(4, 'steps') };
  }
  if (!a.starts || !a.ends) throw new HsqError('bad-input', `node '${node.name}' (Slice): starts/ends missing`, node.name);
  return { starts: a.starts, ends: a.ends, axes: a.axes, steps: undefined };
}

function plan(node: Node, a: AttrValues<typeof SLICE_ATTRS>, shape: readonly number[], get: (i: number, what: string) => number[] | undefined): SlicePlan {
  const s = argsFrom(node, a, get);
  return slicePlan(shape, s.starts, s.ends, s.axes, s.steps, node);
}

export const Slice = defineOp({
  op: 'Slice',
  attrs: SLICE_ATTRS,
  constInputs: [1, 2, 3, 4],
  traits: { quant: 'data-movement', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    return [{ dtype: x.dtype, shape: plan(args.node, args.attrs, x.shape, (i, w) => constNumbers(args, i, w)).shape }];
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    return [slice(x, plan(node, attrs, x.shape, (i) => runNumbers(node, inputs, i)))];
  },
});
