// Evaluates at compile time every deterministic node whose inputs are all constants, and Shape /
// Size of tensors whose shape is static; their outputs become initializers. One sweep in
// topological order collapses whole Shape → Gather → Unsqueeze → Concat → Reshape chains.
//
// Kept on purpose:
// - DequantizeLinear of an integer initializer: DQ(w_int) is how quantized weights are spelled,
//   and qdq-recognition needs it (QuantizeLinear of a float constant does fold: it yields that).
// - Random ops (not deterministic) and ops outside the ONNX domain (QONNX ops on constants are
//   lowered by lower-qonnx; hsq ops belong to later stages).
// - Nodes whose outputs would exceed MAX_FOLD_BYTES (e.g. a huge ConstantOfShape): the
//   interpreter makes them at run time instead of the model carrying them.
import { isInteger, storageBits } from '../core/ir/dtype';
import { Graph, Node, QuantParams, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { lookupOp } from '../ops/engine/registry';
import { runNode } from '../ops/engine/interpreter';
import type { Pass } from './pass-manager';
import { infoOfValue } from './util';

export const MAX_FOLD_BYTES = 64 * 1024 * 1024;

export const NONDETERMINISTIC_OPS: ReadonlySet<string> = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);


export interface FoldOptions {
  /** Also fold DequantizeLinear of integer constants (after qdq-recognition took what it needs). */
  dequantizeWeights?: boolean;
}

export function foldConstants(g: Graph, opts: FoldOptions = {}): Graph {
  const initializers: Record<string, Tensor> = { ...g.initializers };
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  const nodes: Node[] = [];
  let changed = false;
  for (const n of g.nodes) {
    const out = tryFold(g, n, initializers, tensors, opts);
    if (!out) { nodes.push(n); continue; }
    changed = true;
    const grid = opts.dequantizeWeights ? weightGridOf(n, g.initializers, tensors) : undefined;
    n.outputs.forEach((o, k) => {
      if (!o) return;
      initializers[o] = out[k];
      tensors[o] = infoOfValue(o, out[k], tensors[o]);
      if (grid && k === 0) tensors[o] = { ...tensors[o], weightGrid: grid };
    });
  }
  return changed ? { ...g, nodes, initializers, tensors } : g;
}

/** The integer grid of DequantizeLinear(integer constant): its width from the integer tensor's
 *  quant (the container's otherwise), scale / zero point / axis from the node. */
function weightGridOf(n: Node, consts: Readonly<Record<string, Tensor>>, infos: Readonly<Record<string, TensorInfo>>): QuantParams | undefined {
  if (n.op !== 'DequantizeLinear' || n.attrs.block_size) return undefined;
  const q = consts[n.inputs[0]], s = consts[n.inputs[1]];
  if (!q || !s || !isInteger(q.dtype) || !(q.dtype === 'int8' || q.dtype === 'uint8' || q.dtype === 'int4' || q.dtype === 'uint4')) return undefined;
  const zp = n.inputs[2] ? consts[n.inputs[2]] : undefined;
  const scale = Array.from(s.data as ArrayLike<number>, Number);
  const zeroPoint = zp ? Array.from(zp.data as ArrayLike<number | bigint>, Number) : scale.map(() => 0);
  const iq = infos[n.inputs[0]]?.quant;
  const signed = iq?.signed ?? (q.dtype === 'int8' || q.dtype === 'int4');
  const bits = iq?.bits ?? storageBits(q.dtype);
  const rank = q.shape.length;
  const axis = scale.length > 1 ? (((n.attrs.axis as number | undefined) ?? 1) + rank) % rank : undefined;
  return { scale, zeroPoint, ...(axis !== undefined ? { axis } : {}), bits, signed, narrow: iq?.narrow ?? false, ...(iq?.bipolar ? { bipolar: true } : {}) };
}

function tryFold(g: Graph, n: Node, consts: Record<string, Tensor>, infos: Record<string, TensorInfo>, opts: FoldOptions): Tensor[] | undefined {
  if (n.domain !== '' || NONDETERMINISTIC_OPS.has(n.op)) return undefined;
  const shapeOnly = foldShapeOf(n, infos);
  if (shapeOnly) return shapeOnly;
  if (!n.inputs.every((i) => !i || i in consts)) return undefined;
  if (n.op === 'DequantizeLinear' && isInteger(consts[n.inputs[0]].dtype) && !opts.dequantizeWeights) return undefined;
  if (!lookupOp(n.op, n.domain)) return undefined;
  // Size guard before running, from inferred infos when shape inference has run.
  if (n.outputs.some((o) => o && infos[o] && bytes(infos[o].dtype, infos[o].shape) > MAX_FOLD_BYTES)) return undefined;
  if (n.op === 'ConstantOfShape' && n.inputs[0]) {
    const dims = Array.from(consts[n.inputs[0]].data, Number);
    if (bytes('float64', dims) > MAX_FOLD_BYTES) return undefined;
  }
  const view: Graph = { ...g, initializers: consts, tensors: infos };
  const out = runNode(view, n, n.inputs.map((i) => (i ? consts[i] : undefined)));
  if (out.some((t) => t && t.dtype !== 'string' && bytes(t.dtype, t.shape) > MAX_FOLD_BYTES)) return undefined;
  return out;
}

/** Shape / Size of a tensor whose shape is known and static. */
export function foldShapeOf(n: Node, infos: Readonly<Record<string, TensorInfo>>): Tensor[] | undefined {
  if (n.op !== 'Shape' && n.op !== 'Size') return undefined;
  const info = infos[n.inputs[0]];
  if (!info || info.shape.some((d) => !(d >= 0))) return undefined;
  if (n.op === 'Size') return [makeTensor('int64', [], [numel(info.shape)])];
  const r = info.shape.length;
  const clampAxis = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clampAxis((n.attrs.start as number | undefined) ?? 0);
  const end = clampAxis((n.attrs.end as number | undefined) ?? r);
  const dims = info.shape.slice(start, Math.max(start, end));
  return [makeTensor('int64', [dims.length], dims)];
}

function bytes(dtype: TensorInfo['dtype'], shape: readonly number[]): number {
  return (numel(shape) * Math.max(8, storageBits(dtype))) / 8;
}

export const constantFolding: Pass = {
  name: 'constant-folding',
  description: 'evaluates constant subgraphs and Shape/Size of static tensors into initializers',
  run: (g) => foldConstants(g),
};

/**
 * After qdq-recognition: integer weights that no quantized op absorbed (a float conv whose input
 * the model leaves unquantized, say) become float32 constants with exactly the dequantized values.
 */
export const foldFloatWeights: Pass = {
  name: 'fold-float-weights',
  description: 'turns DequantizeLinear of integer constants left after recognition into float32 constants',
  run: (g) => foldConstants(g, { dequantizeWeights: true }),
};
