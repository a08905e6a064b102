// ONNX ModelProto → IR Graph. Reads untrusted bytes: every failure is an HsqError naming what is wrong.
import * as fs from 'fs';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { Graph, Node, TensorInfo, AttrValue, QuantParams } from '../../core/ir/graph';
import { Tensor, makeTensor } from '../../core/ir/tensor';
import { DType, dtypeFromOnnx } from '../../core/ir/dtype';
import { HsqError, fail } from '../../core/diagnostics';
import { ANNOTATIONS_KEY, annotationFromNodeMetadata, parseAnnotations } from '../annotations';
import { decodeAttribute } from './attributes';
import { DecodeContext, checkedDims, longToNumber, tensorFromProto } from './tensor-proto';
import { readNodeMetadata } from './node-metadata';
import { LIMITS } from './limits';

export const QUANT_KEY = 'hsq.quant';

export interface ImportOptions {
  /** Fix dynamic input dims: input name → full shape. */
  inputShapes?: Record<string, readonly number[]>;
  /** Folder of the model, for external data. */
  baseDir?: string;
}

export function loadModel(file: string, opts: ImportOptions = {}): Graph {
  let bytes: Buffer;
  try { bytes = fs.readFileSync(file); } catch {
    fail('bad-input', `cannot read model file '${file}'`, file);
  }
  const g = decodeModel(bytes, { baseDir: path.dirname(file), ...opts });
  return g.name ? g : { ...g, name: path.basename(file, path.extname(file)) };
}

export function decodeModel(bytes: Uint8Array, opts: ImportOptions = {}): Graph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    fail('corrupt-model', `not a valid ONNX model (${(e as Error).message})`);
  }
  const gp = model.graph;
  if (!gp) fail('corrupt-model', 'the ONNX model has no graph');
  if ((gp.node?.length ?? 0) > LIMITS.maxNodes) fail('limit', `the graph has more than ${LIMITS.maxNodes} nodes`);
  const ctx: DecodeContext = { baseDir: opts.baseDir };

  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    opsets[d] = longToNumber(o.version);
  }
  if (!('' in opsets) && (gp.node ?? []).some((n) => !n.domain || n.domain === 'ai.onnx')) opsets[''] = 1;

  const metadata: Record<string, string> = {};
  for (const e of model.metadataProps ?? []) metadata[e.key ?? ''] = e.value ?? '';
  const annotations = ANNOTATIONS_KEY in metadata ? { ...parseAnnotations(metadata[ANNOTATIONS_KEY]) } : {};
  const quantMeta = QUANT_KEY in metadata ? parseQuantMeta(metadata[QUANT_KEY]) : {};
  delete metadata[ANNOTATIONS_KEY];
  delete metadata[QUANT_KEY];

  const initializers: Record<string, Tensor> = {};
  for (const tp of gp.initializer ?? []) {
    const t = tensorFromProto(tp, ctx);
    if (!t.name) fail('corrupt-model', 'an initializer has no name');
    const { name, ...tensor } = t;
    initializers[name] = tensor;
  }
  if ((gp.sparseInitializer ?? []).length > 0) {
    const sname = gp.sparseInitializer![0].values?.name ?? '';
    fail('unsupported', `sparse initializers are not supported ('${sname}')`, sname);
  }

  const tensors: Record<string, TensorInfo> = {};
  // rankKnown is false when the value info carries no shape at all.
  const readInfo = (vi: onnx.IValueInfoProto, what: string): { info: TensorInfo; rankKnown: boolean } => {
    const name = vi.name ?? '';
    const tt = vi.type?.tensorType;
    if (!tt) fail('unsupported', `${what} '${name}' is not a tensor`, name);
    const dtype = dtypeFromOnnx(tt.elemType ?? 0);
    if (!dtype) fail('unsupported', `${what} '${name}' has unsupported element type ${tt.elemType}`, name);
    const dims = tt.shape?.dim ?? [];
    if (dims.length > LIMITS.maxRank) fail('limit', `${what} '${name}': rank ${dims.length} exceeds ${LIMITS.maxRank}`, name);
    const shape: number[] = [];
    const dimParams: (string | undefined)[] = [];
    for (const d of dims) {
      const isValue = d.dimValue !== null && d.dimValue !== undefined && (typeof d.dimValue !== 'number' || d.dimValue !== 0 || !d.dimParam);
      const v = isValue ? longToNumber(d.dimValue) : -1;
      if (isValue && (!Number.isInteger(v) || v < 0 || v > LIMITS.maxDim)) fail('corrupt-model', `${what} '${name}': invalid dimension ${v}`, name);
      // A dim with neither value nor param is dynamic too (proto3 default 0 with no param set on purpose is rare).
      shape.push(d.dimParam ? -1 : v);
      dimParams.push(d.dimParam || undefined);
    }
    const info: TensorInfo = { name, dtype, shape, ...(dimParams.some((p) => p) ? { dimParams } : {}), ...(quantMeta[name] ? { quant: quantMeta[name] } : {}) };
    return { info, rankKnown: !!tt.shape };
  };

  const inputs: string[] = [];
  const fixed = new Set<string>();
  for (const vi of gp.input ?? []) {
    const name = vi.name ?? '';
    if (name in initializers) continue; // a default value: hsq treats it as a constant
    const read = readInfo(vi, 'graph input');
    let info = read.info;
    const want = opts.inputShapes?.[name];
    if (want) {
      if (read.rankKnown && want.length !== info.shape.length)
        fail('bad-shape', `--input-shape ${name}: rank ${want.length} given, the model's input has rank ${info.shape.length}`, name);
      info.shape.forEach((d, i) => {
        if (d >= 0 && d !== want[i]) fail('bad-shape', `--input-shape ${name}: dim ${i} is fixed at ${d} by the model, ${want[i]} given`, name);
      });
      info = { name, dtype: info.dtype, shape: [...want], ...(info.quant ? { quant: info.quant } : {}) };
      fixed.add(name);
    } else if (!read.rankKnown) {
      fail('bad-shape', `graph input '${name}' has no shape: fix it with --input-shape ${name}=1,3,224,224`, name);
    }
    tensors[name] = info;
    inputs.push(name);
  }
  for (const k of Object.keys(opts.inputShapes ?? {}))
    if (!fixed.has(k)) fail('bad-input', `--input-shape names '${k}', which is not a graph input (inputs: ${inputs.join(', ') || 'none'})`, k);

  const outputs: string[] = [];
  for (const vi of gp.output ?? []) {
    const name = vi.name ?? '';
    // Output shapes are recomputed by shape inference; the declared dtype is kept.
    tensors[name] = readInfo(vi, 'graph output').info;
    outputs.push(name);
  }
  // Declared intermediate types help when an op's output dtype depends on attributes we read later;
  // shapes are recomputed by shape inference, so only quantization restored from hsq's own export is kept.
  for (const vi of gp.valueInfo ?? []) {
    const name = vi.name ?? '';
    if (quantMeta[name] && !(name in tensors)) {
      tensors[name] = readInfo(vi, 'value_info').info;
    }
  }

  // Integer weights whose precision ONNX cannot spell (2-bit, bipolar, narrow) keep it through
  // hsq's own export → import.
  for (const [name, t] of Object.entries(initializers))
    if (quantMeta[name] && !(name in tensors)) tensors[name] = { name, dtype: t.dtype, shape: [...t.shape], quant: quantMeta[name] };

  let nodeMeta = new Map<number, Record<string, string>>();
  try { nodeMeta = readNodeMetadata(bytes); } catch { /* the main decode succeeded; metadata is optional */ }

  const nodes: Node[] = [];
  const usedNames = new Set<string>();
  (gp.node ?? []).forEach((np, idx) => {
    const op = np.opType ?? '';
    if (!op) fail('corrupt-model', `node #${idx} ('${np.name ?? ''}') has no op_type`, np.name ?? `#${idx}`);
    let name = np.name || `${op}_${idx}`;
    if (usedNames.has(name)) name = `${name}_${idx}`;
    usedNames.add(name);
    const domain = np.domain === 'ai.onnx' ? '' : np.domain ?? '';
    const attrs: Record<string, AttrValue> = {};
    const attrTypes: Record<string, number> = {};
    for (const a of np.attribute ?? []) {
      if (a.refAttrName) fail('unsupported', `node '${name}': attribute references are only valid inside functions`, name);
      const { value, type } = decodeAttribute(a, name, ctx);
      attrs[a.name ?? ''] = value;
      attrTypes[a.name ?? ''] = type;
    }
    if (op === 'Constant' && domain === '') {
      const out = (np.output ?? [])[0];
      if (!out) fail('corrupt-model', `Constant node '${name}' has no output`, name);
      initializers[out] = constantValue(name, attrs);
      return;
    }
    const meta = nodeMeta.get(idx);
    const node: Node = {
      name, op, domain,
      opset: opsets[domain],
      inputs: [...(np.input ?? [])],
      outputs: [...(np.output ?? [])],
      attrs, attrTypes,
      ...(meta ? { metadata: meta } : {}),
    };
    if (meta) {
      const a = annotationFromNodeMetadata(name, meta);
      // Model-level annotations name nodes explicitly; node-level ones fill in where none is given.
      if (a && !(name in annotations)) annotations[name] = a;
    }
    nodes.push(node);
  });

  return {
    name: gp.name ?? '',
    inputs, outputs, tensors, initializers, nodes, opsets, annotations, metadata,
    irVersion: longToNumber(model.irVersion),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') || undefined,
  };
}

/** The value of a Constant node, in every form the spec allows. */
function constantValue(name: string, attrs: Record<string, AttrValue>): Tensor {
  const keys = Object.keys(attrs);
  if (keys.length !== 1) fail('corrupt-model', `Constant node '${name}' must have exactly one value attribute, has ${keys.join(', ') || 'none'}`, name);
  const k = keys[0];
  const v = attrs[k];
  switch (k) {
    case 'value': return v as Tensor;
    case 'value_float': return makeTensor('float32', [], [v as number]);
    case 'value_floats': return makeTensor('float32', [(v as number[]).length], v as number[]);
    case 'value_int': return makeTensor('int64', [], [v as number]);
    case 'value_ints': return makeTensor('int64', [(v as number[]).length], v as number[]);
    case 'value_string': return { dtype: 'string', shape: [], data: new Uint8Array(0), strings: [v as string] };
    case 'value_strings': return { dtype: 'string', shape: [(v as string[]).length], data: new Uint8Array(0), strings: v as string[] };
    default: fail('unsupported', `Constant node '${name}': attribute '${k}' is not supported`, name);
  }
}

function parseQuantMeta(json: string): Record<string, QuantParams> {
  try {
    const v = JSON.parse(json);
    if (typeof v === 'object' && v && !Array.isArray(v)) return v as Record<string, QuantParams>;
  } catch { /* fall through */ }
  throw new HsqError('bad-input', `metadata ${QUANT_KEY}: not a JSON object`, QUANT_KEY);
}

export type { DType };
