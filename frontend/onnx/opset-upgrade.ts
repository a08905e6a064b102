// Moves default-domain nodes to a newer opset, rewriting the ops whose attributes became inputs
// (or whose definition changed) on the way, so every model hsq writes follows the rules of the
// opset it declares. An ONNX model has one opset per domain: a node that came from an opset-9
// import keeps opset-9 attributes until it is rewritten here, and ONNX Runtime rejects them in an
// opset-21 model ("Unrecognized attribute: max for operator Clip").
//
// Each rule is one row: the op, the first opset of the new form, and the rewrite. The rewrites
// keep the node's numbers: the interpreter reads either form (it follows the node's opset).
import { DType } from '../../core/ir/dtype';
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { Tensor, makeTensor } from '../../core/ir/tensor';

interface Upgrader {
  /** Builds constants for new inputs (fresh names, recorded in the graph). */
  constant(stem: string, t: Tensor): string;
  /** A fresh node name. */
  nodeName(stem: string): string;
  info(name: string): TensorInfo | undefined;
  /** A fresh intermediate tensor with this dtype and shape. */
  tensor(stem: string, dtype: DType, shape: readonly number[]): string;
}

type Rewrite = (n: Node, u: Upgrader) => Node[];

interface Rule {
  /** The node needs the rewrite when its opset is below this. */
  readonly before: number;
  readonly rewrite: Rewrite;
}

function without(n: Node, keys: readonly string[]): Pick<Node, 'attrs' | 'attrTypes'> {
  const attrs: Record<string, unknown> = { ...n.attrs };
  const attrTypes: Record<string, number> | undefined = n.attrTypes ? { ...n.attrTypes } : undefined;
  for (const k of keys) { delete attrs[k]; if (attrTypes) delete attrTypes[k]; }
  return { attrs: attrs as Node['attrs'], ...(attrTypes ? { attrTypes } : {}) };
}

/** Inputs with `extra` placed at positions from `at` (undefined: omitted, ''), trailing '' cut. */
function withInputs(n: Node, at: number, extra: readonly (string | undefined)[]): string[] {
  const inputs = [...n.inputs];
  while (inputs.length < at) inputs.push('');
  extra.forEach((e, k) => { inputs[at + k] = e ?? ''; });
  while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
  return inputs;
}

const ints = (v: unknown): readonly number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);
const int64 = (v: readonly number[]) => makeTensor('int64', [v.length], v);
const dtypeOf = (u: Upgrader, name: string): DType => u.info(name)?.dtype ?? 'float32';

/** Attribute list `key` → int64 input `at` (Squeeze/Unsqueeze/Reduce* axes, Split split). */
const intsToInput = (key: string, at = 1): Rewrite => (n, u) => {
  const v = ints(n.attrs[key]);
  if (v === undefined) return [{ ...n, ...without(n, [key]) }];
  return [{ ...n, ...without(n, [key]), inputs: withInputs(n, at, [u.constant(`${n.name}_${key}`, int64(v))]) }];
};

const clip: Rewrite = (n, u) => {
  const dt = dtypeOf(u, n.inputs[0]);
  const lo = n.attrs.min as number | undefined, hi = n.attrs.max as number | undefined;
  const c = (k: string, v: number | undefined) => (v === undefined ? undefined : u.constant(`${n.name}_${k}`, makeTensor(dt, [], [v])));
  return [{ ...n, ...without(n, ['min', 'max']), inputs: withInputs(n, 1, [c('min', lo), c('max', hi)]) }];
};

const pad: Rewrite = (n, u) => {
  const pads = ints(n.attrs.pads) ?? [];
  const value = n.attrs.value as number | undefined;
  const dt = dtypeOf(u, n.inputs[0]);
  const v = value === undefined || value === 0 ? undefined : u.constant(`${n.name}_value`, makeTensor(dt, [], [value]));
  return [{ ...n, ...without(n, ['pads', 'value']), inputs: withInputs(n, 1, [u.constant(`${n.name}_pads`, int64(pads)), v]) }];
};

const slice: Rewrite = (n, u) => {
  const starts = ints(n.attrs.starts) ?? [], ends = ints(n.attrs.ends) ?? [], axes = ints(n.attrs.axes);
  return [{ ...n, ...without(n, ['starts', 'ends', 'axes']), inputs: withInputs(n, 1, [
    u.constant(`${n.name}_starts`, int64(starts)), u.constant(`${n.name}_ends`, int64(ends)), axes ? u.constant(`${n.name}_axes`, int64(axes)) : undefined]) }];
};

/** Split 18 wants `split` or `num_outputs`: equal parts become num_outputs (same chunks when the
 *  axis divides evenly, which Split < 18 requires). */
const split18: Rewrite = (n) => (n.inputs[1] || n.attrs.num_outputs !== undefined ? [n] : [{ ...n, attrs: { ...n.attrs, num_outputs: n.outputs.length } }]);

const dropout: Rewrite = (n, u) => {
  const ratio = n.attrs.ratio as number | undefined;
  const r = ratio === undefined ? undefined : u.constant(`${n.name}_ratio`, makeTensor('float32', [], [ratio]));
  return [{ ...n, ...without(n, ['ratio', 'is_test']), inputs: withInputs(n, 1, [r]) }];
};

/** Resize 10 (inputs X, scales; asymmetric coordinates, floor) as Resize 11+ (X, roi, scales). */
const resize10: Rewrite = (n) => {
  const mode = (n.attrs.mode as string | undefined) ?? 'nearest';
  const attrs = { ...n.attrs, coordinate_transformation_mode: 'asymmetric', ...(mode === 'nearest' ? { nearest_mode: 'floor' } : {}) };
  return [{ ...n, attrs, inputs: [n.inputs[0], '', n.inputs[1]] }];
};

/** Upsample (7: scales attribute; 9: scales input) as Resize with Upsample's semantics. */
const upsample: Rewrite = (n, u) => {
  const scalesAttr = n.attrs.scales as readonly number[] | undefined;
  const scales = n.inputs[1] || u.constant(`${n.name}_scales`, makeTensor('float32', [scalesAttr?.length ?? 0], scalesAttr ?? []));
  const mode = (n.attrs.mode as string | undefined) ?? 'nearest';
  const attrs: Record<string, unknown> = { mode: mode === 'bilinear' ? 'linear' : mode, coordinate_transformation_mode: 'asymmetric' };
  if (attrs.mode === 'nearest') attrs.nearest_mode = 'floor';
  return [{ ...n, op: 'Resize', attrs: attrs as Node['attrs'], attrTypes: undefined, inputs: [n.inputs[0], '', scales] }];
};

const dropAttrs = (...keys: string[]): Rewrite => (n) => [{ ...n, ...without(n, keys) }];

/**
 * Softmax/LogSoftmax/Hardmax before 13 flatten the input to 2-D at `axis`: the same as the new
 * form when axis is the last dim; otherwise Flatten → op(axis 1) → Reshape to the old shape.
 */
const softmax13: Rewrite = (n, u) => {
  const x = u.info(n.inputs[0]);
  const axis0 = (n.attrs.axis as number | undefined) ?? 1;
  if (!x) return [n];
  const rank = x.shape.length;
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  if (axis === rank - 1 || rank === 0) return [{ ...n, attrs: { ...n.attrs, axis: -1 } }];
  if (x.shape.some((d) => d < 0)) return [n];
  const rows = x.shape.slice(0, axis).reduce((p, q) => p * q, 1), cols = x.shape.slice(axis).reduce((p, q) => p * q, 1);
  const flat = u.tensor(`${n.outputs[0]}__flat`, x.dtype, [rows, cols]), res = u.tensor(`${n.outputs[0]}__2d`, x.dtype, [rows, cols]);
  const shape = u.constant(`${n.name}_shape`, int64(x.shape));
  return [
    { name: u.nodeName(`${n.name}__flatten`), op: 'Flatten', domain: '', opset: n.opset, inputs: [n.inputs[0]], outputs: [flat], attrs: { axis } },
    { ...n, inputs: [flat], outputs: [res], attrs: { ...n.attrs, axis: 1 } },
    { name: u.nodeName(`${n.name}__reshape`), op: 'Reshape', domain: '', opset: n.opset, inputs: [res, shape], outputs: [n.outputs[0]], attrs: {} },
  ];
};

const REDUCE18 = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

/** op → its rewrites, oldest first (a node below several thresholds gets each in turn). */
export const UPGRADES: Readonly<Record<string, readonly Rule[]>> = {
  Clip: [{ before: 11, rewrite: clip }],
  Pad: [{ before: 11, rewrite: pad }],
  Slice: [{ before: 10, rewrite: slice }],
  Squeeze: [{ before: 13, rewrite: intsToInput('axes') }],
  Unsqueeze: [{ before: 13, rewrite: intsToInput('axes') }],
  ReduceSum: [{ before: 13, rewrite: intsToInput('axes') }],
  ...Object.fromEntries(REDUCE18.map((op) => [op, [{ before: 18, rewrite: intsToInput('axes') }]])),
  Split: [{ before: 13, rewrite: intsToInput('split') }, { before: 18, rewrite: split18 }],
  Dropout: [{ before: 12, rewrite: dropout }],
  Resize: [{ before: 11, rewrite: resize10 }],
  Upsample: [{ before: 10, rewrite: upsample }],
  BatchNormalization: [{ before: 9, rewrite: dropAttrs('spatial', 'is_test', 'consumed_inputs') }],
  Softmax: [{ before: 13, rewrite: softmax13 }],
  LogSoftmax: [{ before: 13, rewrite: softmax13 }],
  Hardmax: [{ before: 13, rewrite: softmax13 }],
};

function freshIn(taken: Set<string>, base: string): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

/**
 * The graph with every default-domain node at opset `to` (and the model's '' opset `to`), each
 * rewritten by its rules. Already-current graphs come back unchanged.
 */
export function upgradeDefaultOpset(g: Graph, to: number): Graph {
  const from = g.opsets[''] ?? to;
  const stale = g.nodes.some((n) => n.domain === '' && (n.opset ?? from) < to);
  if (!stale && from >= to) return g;
  const taken = new Set<string>([...Object.keys(g.tensors), ...Object.keys(g.initializers), ...g.inputs, ...g.outputs, ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  const nodeNames = new Set(g.nodes.map((n) => n.name));
  const initializers: Record<string, Tensor> = { ...g.initializers };
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  const u: Upgrader = {
    constant: (stem, t) => {
      const name = freshIn(taken, stem);
      initializers[name] = t;
      tensors[name] = { name, dtype: t.dtype, shape: [...t.shape] };
      return name;
    },
    nodeName: (stem) => freshIn(nodeNames, stem),
    info: (name) => tensors[name],
    tensor: (stem, dtype, shape) => {
      const name = freshIn(taken, stem);
      tensors[name] = { name, dtype, shape: [...shape] };
      return name;
    },
  };
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    if (n.domain !== '') { nodes.push(n); continue; }
    const v = n.opset ?? from;
    let cur: Node[] = [n];
    for (const rule of UPGRADES[n.op] ?? []) {
      if (v < rule.before && to >= rule.before) cur = cur.flatMap((m) => (m.op === n.op ? rule.rewrite(m, u) : [m]));
    }
    for (const m of cur) nodes.push({ ...m, opset: to });
  }
  return { ...g, nodes, initializers, tensors, opsets: { ...g.opsets, '': Math.max(to, from) } };
}
