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
  const names = c.inputs.map((inp, i) => {
    if (inp.omitted) return '';
    const name = `in${i}`;
    tensors[name] = { name, dtype: inp.dtype, shape: [...inp.shape] };
    if (inp.value) initializers[name] = makeTensor(inp.dtype, inp.shape, [...inp.value]);
    else { graphInputs.push(name); inputs[name] = seeded(`${c.name}/${name}`, inp.dtype, inp.shape, inp.range); }
    const dq = inp.dequantize;
    if (!dq) return name;
    const per = dq.scale.length > 1;
    initializers[`${name}_scale`] = makeTensor('float32', per ? [dq.scale.length] : [], [...dq.scale]);
    initializers[`${name}_zero_point`] = makeTensor(inp.dtype, per ? [dq.zeroPoint.length] : [], [...dq.zeroPoint]);
    nodes.push({ name: `${name}_dequantize`, op: 'DequantizeLinear', domain: '', opset, inputs: [name, `${name}_scale`, `${name}_zero_point`], outputs: [`${name}_dq`], attrs: dq.axis !== undefined ? { axis: dq.axis } : {} });
    return `${name}_dq`;
  });
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, k) => `out${k}`);
  const qo = c.quantizeOutputs;
  const opOuts = qo ? outs.map((o) => `${o}_float`) : outs;
  nodes.push({ name: c.op.toLowerCase(), op: c.op, domain: '', opset, inputs: names, outputs: opOuts, attrs: { ...(c.attrs ?? {}) } });
  if (qo) {
    initializers.out_scale = makeTensor('float32', [], [qo.scale]);
    initializers.out_zero_point = makeTensor(qo.dtype, [], [qo.zeroPoint]);
    outs.forEach((o, k) => nodes.push({ name: `${o}_quantize`, op: 'QuantizeLinear', domain: '', opset, inputs: [opOuts[k], 'out_scale', 'out_zero_point'], outputs: [o], attrs: {} }));
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

export function compareTol(actual: Tensor, expected: Tensor, tol = { rtol: 1e-3, atol: 1e-7 }, steps = 0): string | null {
  if (actual.shape.join(',') !== expected.shape.join(',')) return `shape [${actual.shape}], expected [${expected.shape}]`;
  const float = isFloat(expected.dtype);
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]), e = Number(expected.data[i]);
    if (float) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (!(Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e))) return `element ${i}: ${a}, expected ${e}`;
    } else if (!(Math.abs(a - e) <= steps)) return `element ${i}: ${a}, expected ${e}${steps ? ` (${steps} step${steps > 1 ? 's' : ''} allowed)` : ''}`;
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
    const p = compareTol(ours[o], ort[o], b.c.tol, b.c.steps);
    if (p) return `${o}: ${p}`;
  }
  return null;
}
