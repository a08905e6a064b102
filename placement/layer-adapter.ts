// IR → NpuLayerDesc: how the stm32n6 constraints and cost model see one layer of an hsq graph.
//
// A layer is a compute node with the DequantizeLinear nodes that feed it and the QuantizeLinear
// nodes that read it (the IR's definition of a quantized float op: dequantize, compute in
// float32, quantize), or a QConv/QGemm alone. The placement pass forms the groups; this file
// only describes one, reading activation precision through the absorbed DQ/Q nodes.
import { isFloat } from '../core/ir/dtype';
import { Graph, Node, TensorInfo, attrInt, attrInts, attrString } from '../core/ir/graph';
import { NpuLayerDesc, NpuOp } from './layer-desc';

/** One layer as the placement pass groups it. */
export interface LayerGroup {
  /** The node that computes (QConv, QGemm, the float op of a DQ→op→Q group, a lone Q or DQ). */
  readonly core: Node;
  /** DequantizeLinear nodes absorbed on the activation inputs of `core` (input tensor → DQ). */
  readonly dqs: ReadonlyMap<string, Node>;
  /** QuantizeLinear nodes absorbed on the outputs of `core`. */
  readonly qs: readonly Node[];
}

/** The integer tensor an activation edge carries (through an absorbed DQ or Q), or the edge itself. */
function edgeInfo(g: Graph, name: string): TensorInfo | undefined {
  return g.tensors[name];
}

const isConst = (g: Graph, name: string): boolean => name in g.initializers;

/** Activation inputs of the layer: non-constant inputs of core, seen through absorbed DQs. */
export function layerInputs(g: Graph, l: LayerGroup): string[] {
  const out: string[] = [];
  l.core.inputs.forEach((i) => {
    if (!i) return;
    if (isConst(g, i)) return;
    const dq = l.dqs.get(i);
    out.push(dq ? dq.inputs[0] : i);
  });
  return out;
}

/** Activation outputs of the layer, seen through absorbed Qs. */
export function layerOutputs(l: LayerGroup): string[] {
  const out: string[] = [];
  for (const o of l.core.outputs) {
    if (!o) continue;
    const qs = l.qs.filter((q) => q.inputs[0] === o);
    if (qs.length) for (const q of qs) out.push(q.outputs[0]);
    else out.push(o);
  }
  return out;
}

/** Input index of the weight operand for ops with weights (QConv/QGemm/Conv/Gemm/MatMul). */
function weightIndex(n: Node): number {
  if (n.domain === 'hsq' && (n.op === 'QConv' || n.op === 'QConvTranspose' || n.op === 'QGemm')) return 1;
  if (n.domain === '' && (n.op === 'Conv' || n.op === 'Gemm' || n.op === 'MatMul' || n.op === 'ConvTranspose')) return 1;
  return -1;
}

/** Numeric bits of an integer tensor: its quant bits, else its container. */
function bitsOf(info: TensorInfo | undefined): { bits: number; signed: boolean; float: boolean } {
  if (!info) return { bits: 8, signed: true, float: true };
  if (isFloat(info.dtype)) return { bits: 32, signed: true, float: true };
  if (info.quant) return { bits: info.quant.bits, signed: info.quant.signed, float: false };
  const bits = info.dtype === 'int4' || info.dtype === 'uint4' ? 4 : info.dtype.endsWith('8') ? 8 : info.dtype.endsWith('16') ? 16 : info.dtype.endsWith('64') ? 64 : 32;
  return { bits, signed: !info.dtype.startsWith('u') && info.dtype !== 'bool', float: false };
}

/** Precision of the layer's activations: the narrowest integer edge, or float if any edge is float. */
export function activationPrecision(g: Graph, l: LayerGroup): { bits: number; signed: boolean; float: boolean; floatEdges: 'none' | 'inputs' | 'outputs' | 'both' } {
  const ins = layerInputs(g, l).map((t) => bitsOf(edgeInfo(g, t)));
  const outs = layerOutputs(l).map((t) => bitsOf(edgeInfo(g, t)));
  const edges = [...ins, ...outs];
  if (edges.length === 0) return { bits: 8, signed: true, float: false, floatEdges: 'none' };
  // Which side is float matters to the reason shown: an integer layer with a float output
  // (docs/qat-layers.md) reads integers; "float activations" would mislead.
  const fin = ins.some((e) => e.float);
  const fout = outs.some((e) => e.float);
  return {
    bits: Math.min(...edges.map((e) => e.bits)),
    signed: edges.every((e) => e.signed),
    float: fin || fout,
    floatEdges: fin && fout ? 'both' : fin ? 'inputs' : fout ? 'outputs' : 'none',
  };
}

/** Weight precision of a layer with constant weights, or undefined. */
export function weightPrecision(g: Graph, n: Node): { bits: number; float: boolean; signed: boolean; symmetric: boolean; perChannel: boolean; constant: boolean; tensor: string } | undefined {
  const k = weightIndex(n);
  if (k < 0) return undefined;
  const w = n.inputs[k];
  const constant = isConst(g, w);
  const info = g.tensors[w];
  const b = bitsOf(info);
  const q = info?.quant;
  return {
    bits: b.float ? 32 : b.bits,
    float: b.float,
    signed: b.signed,
    symmetric: !!q && q.zeroPoint.every((z) => z === 0),
    perChannel: !!q && q.axis !== undefined,
    constant,
    tensor: w,
  };
}


function pair(v: readonly number[] | undefined): readonly [number, number] | undefined {
  return v && v.length >= 2 ? [v[0], v[1]] : undefined;
}

/** ONNX pads [h_begin, w_begin, h_end, w_end] → [top, left, bottom, right]. */
function pads4(v: readonly number[] | undefined): readonly [number, number, number, number] | undefined {
  return v && v.length === 4 ? [v[0], v[1], v[2], v[3]] : undefined;
}

/**
 * The NpuLayerDesc of a layer. Ops the NPU has no mapping for keep their ONNX op name in `op`
 * (cast): the target's check then reports "op X is not supported on the NPU" and the CPU cost model
 * treats them as element-wise work.
 */
export function layerDesc(g: Graph, l: LayerGroup, name: string): NpuLayerDesc {
  const n = l.core;
  const shape = (t: string): readonly number[] => g.tensors[t]?.shape ?? [];
  const ins = layerInputs(g, l);
  const outs = layerOutputs(l);
  const act = activationPrecision(g, l);
  const w = weightPrecision(g, n);
  const base = {
    name,
    inputShapes: ins.map(shape),
    outputShapes: outs.map(shape),
    actBits: act.float ? 32 : act.bits,
    actSigned: act.signed,
    actFloat: act.float || undefined,
    ...(act.floatEdges === 'inputs' || act.floatEdges === 'outputs' ? { floatSide: act.floatEdges } : {}),
    floatBias: (n.domain === 'hsq' && (n.op === 'QConv' || n.op === 'QConvTranspose' || n.op === 'QGemm') && (!!n.inputs[3] || n.attrs.float_out === 1)) || undefined,
  };
  const convLike = (n.domain === 'hsq' && n.op === 'QConv') || (n.domain === '' && n.op === 'Conv');
  if (convLike && w) {
    const wShape = shape(w.tensor);
    const group = attrInt(n, 'group', 1);
    const cin = shape(ins[0])[1];
    const depthwise = group > 1 && group === cin && wShape[1] === 1;
    return {
      ...base,
      op: depthwise ? 'DepthwiseConv' : 'Conv',
      kernel: pair(attrInts(n, 'kernel_shape')) ?? pair(wShape.slice(2)),
      stride: pair(attrInts(n, 'strides')),
      dilation: pair(attrInts(n, 'dilations')),
      pads: pads4(attrInts(n, 'pads')),
      group,
      outChannels: wShape[0],
      weightBits: w.bits, weightSigned: w.signed, weightSymmetric: w.symmetric, perChannel: w.perChannel, ...(w.float ? { weightFloat: true } : {}),
      weightsConstant: w.constant,
      hasBias: !!n.inputs[2],
    };
  }
  // ConvTranspose: ONNX weights [C, M/group, kH, kW]; hsq QConvTranspose's are regrouped [M, C/group, kH, kW].
  const convT = (n.domain === 'hsq' && n.op === 'QConvTranspose') || (n.domain === '' && n.op === 'ConvTranspose');
  if (convT && w) {
    const wShape = shape(w.tensor);
    const group = attrInt(n, 'group', 1);
    return {
      ...base,
      op: 'ConvTranspose',
      inputShapes: base.inputShapes.slice(0, 1),
      kernel: pair(attrInts(n, 'kernel_shape')) ?? pair(wShape.slice(2)),
      stride: pair(attrInts(n, 'strides')),
      dilation: pair(attrInts(n, 'dilations')),
      group,
      outChannels: n.op === 'QConvTranspose' ? wShape[0] : wShape[1] * group,
      weightBits: w.bits, weightSigned: w.signed, weightSymmetric: w.symmetric, perChannel: w.perChannel, ...(w.float ? { weightFloat: true } : {}),
      weightsConstant: w.constant,
      hasBias: !!n.inputs[2],
    };
  }
  const gemmLike = (n.domain === 'hsq' && n.op === 'QGemm') || (n.domain === '' && (n.op === 'Gemm' || n.op === 'MatMul'));
  if (gemmLike && w) {
    const wShape = shape(w.tensor);
    const transB = n.op === 'Gemm' && attrInt(n, 'transB', 0) === 1;
    return {
      ...base,
      op: 'Gemm',
      // Gemm's desc takes the activation operand only (and the weight when it is not constant).
      inputShapes: w.constant ? [shape(ins[0])] : [shape(ins[0]), shape(w.tensor)],
      inChannels: transB ? wShape[1] : wShape[0],
      outChannels: transB ? wShape[0] : wShape[1],
      weightBits: w.bits, weightSigned: w.signed, weightSymmetric: w.symmetric, perChannel: w.perChannel, ...(w.float ? { weightFloat: true } : {}),
      weightsConstant: w.constant,
      hasBias: !!n.inputs[2],
    };
  }
  // Standard ops keep their name: which of them an NPU runs is the target's data (derived from
  // the op descriptors' neutral NPU kind), not a list here. Other domains are named with theirs.
  const op = (n.domain === '' || n.domain === 'ai.onnx' ? n.op : `${n.domain}.${n.op}`) as NpuOp;
  switch (n.op) {
    case 'MaxPool': case 'AveragePool':
      return { ...base, op, kernel: pair(attrInts(n, 'kernel_shape')), stride: pair(attrInts(n, 'strides')), dilation: pair(attrInts(n, 'dilations')), pads: pads4(attrInts(n, 'pads')) };
    case 'Resize': {
      const mode = attrString(n, 'mode', 'nearest');
      const scalesName = n.inputs[2];
      const scales = scalesName && g.initializers[scalesName] ? Array.from(g.initializers[scalesName].data as Float32Array, Number) : undefined;
      return { ...base, op, resizeMode: mode as 'nearest' | 'linear' | 'cubic', resizeScales: scales && scales.length ? scales : undefined,
        inputShapes: base.inputShapes.slice(0, 1) };
    }
    case 'Pad':
      return { ...base, op, padMode: attrString(n, 'mode', 'constant') as 'constant', inputShapes: base.inputShapes.slice(0, 1) };
    case 'Concat': case 'Softmax': case 'Split':
      return { ...base, op, axis: attrInt(n, 'axis', n.op === 'Softmax' ? -1 : 0) };
    case 'Reshape': case 'Slice':
      // Shape/starts/ends operands are not activations.
      return { ...base, op, inputShapes: base.inputShapes.slice(0, 1) };
    default:
      return { ...base, op };
  }
}
