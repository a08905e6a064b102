// Runs OpCases: model by hsq's exporter, expected outputs from ONNX Runtime, the interpreter on
// the lowered graph, and every case of a batch through host C in ONE program and Cortex-M55 C
// in ONE QEMU image.
import { DType, isFloat } from '../../../core/ir/dtype';
import { Graph, Node, TensorInfo } from '../../../core/ir/graph';
import { Tensor, makeTensor, numel } from '../../../core/ir/tensor';
import { encodeModel } from '../../../frontend/onnx/export';
import { decodeModel } from '../../../frontend/onnx/import';
import { inferShapes } from '../../../passes/shape-inference';
import { lower } from '../../../driver/frontend';
import { runGraph } from '../../../ops/engine/interpreter';
import { runOrt } from '../../../verify/ort';
import { Rng, subSeed } from '../../../examples/lib/prng';
import { OpCase } from './case';

export interface BuiltCase {
  readonly c: OpCase;
  readonly model: Uint8Array;
  readonly inputs: Record<string, Tensor>;
  /** The lowered graph the engines run. */
  readonly graph: Graph;
}

const LATEST = 21;

function seeded(name: string, dtype: DType, shape: readonly number[], range: readonly [number, number] = [-3, 3]): Tensor {
  const rng = new Rng(subSeed(7, name));
  const n = numel(shape);
  const vals = Array.from({ length: n }, () => rng.uniform(range[0], range[1]));
  if (dtype === 'bool') return makeTensor('bool', shape, vals.map((v) => (v > 0 ? 1 : 0)));
  return makeTensor(dtype, shape, isFloat(dtype) ? vals : vals.map((v) => Math.round(v)));
}

/** The case as an IR graph (output shapes from hsq's own inference) and its ONNX bytes. */
export function buildCase(c: OpCase): BuiltCase {
  const opset = c.opset ?? LATEST;
  const tensors: Record<string, TensorInfo> = {};
  const initializers: Record<string, Tensor> = {};
  const inputs: Record<string, Tensor> = {};
  const graphInputs: string[] = [];
  const nodes: Node[] = [];
  const constant = (name: string, t: Tensor) => { initializers[name] = t; tensors[name] = { name, dtype: t.dtype, shape: [...t.shape] }; };
  const names = c.inputs.map((inp, i) => {
    if (inp.omitted) return '';
    const name = `in${i}`;
    tensors[name] = { name, dtype: inp.dtype, shape: [...inp.shape] };
    if (inp.value) initializers[name] = makeTensor(inp.dtype, inp.shape, [...inp.value]);
    else { graphInputs.push(name); inputs[name] = seeded(`${c.name}/${name}`, inp.dtype, inp.shape, inp.range); }
    if (!inp.quant) return name;
    // A quantized operand: DequantizeLinear(in_i, scale, zero point) feeds the op.
    const q = inp.quant, n = q.scale.length, shape = q.axis === undefined ? [] : [n];
    constant(`${name}_scale`, makeTensor('float32', shape, [...q.scale]));
    constant(`${name}_zp`, makeTensor(inp.dtype, shape, [...(q.zeroPoint ?? new Array(n).fill(0))]));
    nodes.push({ name: `${name}_dq`, op: 'DequantizeLinear', domain: '', opset, inputs: [name, `${name}_scale`, `${name}_zp`], outputs: [`${name}_dq`], attrs: q.axis === undefined ? {} : { axis: q.axis } });
    return `${name}_dq`;
  });
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, k) => `out${k}`);
  const oq = c.outputQuant;
  const opOuts = oq ? outs.map((o) => `${o}_f`) : outs;
  nodes.push({ name: c.op.toLowerCase(), op: c.op, domain: '', opset, inputs: names, outputs: opOuts, attrs: { ...(c.attrs ?? {}) } });
  if (oq) {
    constant('out_scale', makeTensor('float32', [], [oq.scale]));
    constant('out_zp', makeTensor(oq.dtype, [], [oq.zeroPoint]));
    outs.forEach((o, k) => nodes.push({ name: `${o}_q`, op: 'QuantizeLinear', domain: '', opset, inputs: [opOuts[k], 'out_scale', 'out_zp'], outputs: [o], attrs: {} }));
  }
  const g0: Graph = {
    name: c.name, inputs: [...graphInputs, ...Object.keys(initializers)], outputs: outs, tensors, initializers, nodes,
    opsets: { '': opset }, annotations: {}, metadata: {}, irVersion: 8,
  };
  const g1 = inferShapes(g0);
  const model = encodeModel({ ...g1, inputs: graphInputs });
  const graph = lower(decodeModel(model));
  return { c, model, inputs, graph };
}

/** The largest difference in quantization steps between two integer tensors of one shape. */
export function maxSteps(actual: Tensor, expected: Tensor): number {
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(Number(actual.data[i]) - Number(expected.data[i])));
  return worst;
}

export function compareTol(actual: Tensor, expected: Tensor, tol = { rtol: 1e-3, atol: 1e-7 }): string | null {
  if (actual.shape.join(',') !== expected.shape.join(',')) return `shape [${actual.shape}], expected [${expected.shape}]`;
  const float = isFloat(expected.dtype);
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]), e = Number(expected.data[i]);
    if (float) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) return `element ${i}: ${a}, expected ${e}`;
    } else if (a !== e) return `element ${i}: ${a}, expected ${e}`;
  }
  return null;
}

/** ORT vs the interpreter: one message per problem. */
export async function checkInterpreter(b: BuiltCase): Promise<string | null> {
  let ort: Record<string, Tensor>;
  try { ort = await runOrt(b.model, b.inputs); } catch (e) { return `ONNX Runtime: ${(e as Error).message.split('\n')[0]}`; }
  let ours: Record<string, Tensor>;
  try { ours = runGraph(b.graph, b.inputs); } catch (e) { return `interpreter: ${(e as Error).message}`; }
  for (const o of b.graph.outputs) {
    if (b.c.outputQuant && !isFloat(ort[o].dtype)) {
      // Quantized: within `steps` of ORT (DEVELOPERS.md "Numerics"), same shape and type.
      if (ours[o].shape.join(',') !== ort[o].shape.join(',') || ours[o].dtype !== ort[o].dtype) return `${o}: ${ours[o].dtype} [${ours[o].shape}], expected ${ort[o].dtype} [${ort[o].shape}]`;
      const d = maxSteps(ours[o], ort[o]), allowed = b.c.outputQuant.steps ?? 1;
      if (d > allowed) return `${o}: ${d} quantization steps from ONNX Runtime (at most ${allowed})`;
      continue;
    }
    const p = compareTol(ours[o], ort[o], b.c.tol);
    if (p) return `${o}: ${p}`;
  }
  return null;
}
