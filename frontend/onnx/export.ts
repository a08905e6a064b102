// IR Graph → ONNX ModelProto. hsq's own quantization (bit widths of tensors that ONNX cannot
// express) travels in model metadata `hsq.quant`; annotations in `hsq.annotations`.
// NodeProto.metadata_props is not written (onnx-proto's static schema predates it).
import * as fs from 'fs';
import { onnx } from 'onnx-proto';
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { Tensor, makeTensor } from '../../core/ir/tensor';
import { ONNX_DTYPE } from '../../core/ir/dtype';
import { ANNOTATIONS_KEY } from '../annotations';
import { encodeAttribute } from './attributes';
import { tensorToProto } from './tensor-proto';
import { QUANT_KEY } from './import';
import { upgradeDefaultOpset } from './opset-upgrade';

function valueInfo(t: TensorInfo): onnx.IValueInfoProto {
  return {
    name: t.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[t.dtype],
        shape: {
          dim: t.shape.map((d, i) => (d >= 0 ? { dimValue: d } : { dimParam: t.dimParams?.[i] ?? `d${i}` })),
        },
      },
    },
  };
}

/**
 * Float Conv/Gemm with a fused `activation` (passes/fuse-activation.ts) go out as the two ONNX
 * nodes they came from, so ONNX Runtime and Netron read the export.
 */
function unfuseActivations(g: Graph): Graph {
  if (!g.nodes.some((n) => n.domain === '' && n.attrs.activation !== undefined)) return g;
  const nodes: Node[] = [];
  const initializers: Record<string, Tensor> = { ...g.initializers };
  for (const n of g.nodes) {
    const act = n.attrs.activation as string | undefined;
    if (n.domain !== '' || act === undefined) { nodes.push(n); continue; }
    const p = (n.attrs.activation_params as readonly number[] | undefined) ?? [];
    const { activation: _a, activation_params: _p, ...attrs } = n.attrs;
    const pre = `${n.outputs[0]}__${n.op.toLowerCase()}`;
    nodes.push({ ...n, attrs, outputs: [pre, ...n.outputs.slice(1)] });
    const base = { domain: '', opset: n.opset, outputs: [n.outputs[0]] };
    if (act === 'relu') nodes.push({ ...base, name: `${n.name}__relu`, op: 'Relu', inputs: [pre], attrs: {} });
    else if (act === 'leakyrelu') nodes.push({ ...base, name: `${n.name}__leakyrelu`, op: 'LeakyRelu', inputs: [pre], attrs: { alpha: p[0] ?? 0.01 }, attrTypes: { alpha: 1 } });
    else {
      initializers[`${pre}_min`] = makeTensor('float32', [], [p[0] ?? -3.4028234663852886e38]);
      initializers[`${pre}_max`] = makeTensor('float32', [], [p[1] ?? 3.4028234663852886e38]);
      nodes.push({ ...base, name: `${n.name}__clip`, op: 'Clip', opset: Math.max(n.opset ?? 11, 11), inputs: [pre, `${pre}_min`, `${pre}_max`], attrs: {} });
    }
  }
  return { ...g, nodes, initializers };
}

export function graphToModelProto(g0: Graph): onnx.IModelProto {
  // A pass may create nodes that need a newer opset than the model declared (per-axis
  // DequantizeLinear needs 13): the default domain goes out at the highest version any node asks
  // for, and older nodes are rewritten to that version's rules (frontend/onnx/opset-upgrade.ts).
  const g1 = unfuseActivations(g0);
  const top = g1.nodes.reduce((m, n) => (n.domain === '' ? Math.max(m, n.opset ?? 1) : m), g1.opsets[''] ?? 1);
  const g = upgradeDefaultOpset(g1, top);
  const inits = Object.keys(g.initializers);
  const initSet = new Set(inits);
  const io = new Set([...g.inputs, ...g.outputs]);
  const quant: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(g.tensors)) if (t.quant) quant[name] = t.quant;

  const metadata = Object.entries(g.metadata).map(([key, value]) => ({ key, value }));
  if (Object.keys(g.annotations).length > 0) metadata.push({ key: ANNOTATIONS_KEY, value: JSON.stringify(g.annotations) });
  if (Object.keys(quant).length > 0) metadata.push({ key: QUANT_KEY, value: JSON.stringify(quant) });

  // Every other domain likewise gets the highest version any node asks for.
  const versions: Record<string, number> = { ...g.opsets };
  for (const n of g.nodes) versions[n.domain] = Math.max(versions[n.domain] ?? 1, n.opset ?? 1);
  const opsetImport = Object.keys(versions).sort().map((d) => ({ domain: d, version: versions[d] }));

  return {
    irVersion: g.irVersion || 8,
    producerName: 'hsq',
    opsetImport,
    metadataProps: metadata,
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.op,
        domain: n.domain,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs).map(([k, v]) => encodeAttribute(k, v, n.attrTypes?.[k])),
      })),
      initializer: inits.map((k) => tensorToProto(g.initializers[k], k)),
      input: g.inputs.filter((i) => !initSet.has(i)).map((i) => valueInfo(g.tensors[i])),
      output: g.outputs.map((o) => valueInfo(g.tensors[o] ?? { name: o, dtype: 'float32', shape: [] })),
      valueInfo: Object.values(g.tensors)
        .filter((t) => !io.has(t.name) && !initSet.has(t.name) && t.shape.every((d) => d >= 0))
        .map(valueInfo),
    },
  };
}

export function encodeModel(g: Graph): Uint8Array {
  return onnx.ModelProto.encode(graphToModelProto(g)).finish();
}

export function saveModel(g: Graph, file: string): void {
  fs.writeFileSync(file, encodeModel(g));
}
