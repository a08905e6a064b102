// Segments as graphs of their own: the IR sub-graph of a segment (what hsq's C emitters compile,
// for CPU segments and for the NPU emulation) and the INT8 QDQ ONNX model of an NPU segment in
// ST's recipe (what `stedgeai generate` compiles for the Neural-ART NPU).
//
// ST's recipe (ST Edge AI Core, "ST Neural-ART NPU - Supported operators and limitations"):
// ONNX QDQ, weights int8 symmetric per output channel (zero point 0), activations int8
// asymmetric per tensor, bias int32 with scale x_scale·w_scale and zero point 0. hsq's QConv /
// QGemm become DequantizeLinear → Conv / Gemm / MatMul(+Add) → QuantizeLinear again; a qmin/qmax
// narrower than the container (a fused Relu/Clip) becomes a float Clip before the Q, which gives
// the same integers. Sub-8-bit weights (widened layers) are stored as int8 holding the same
// integers. Boundary: each segment input is a float32 graph input followed by QuantizeLinear
// with the tensor's scale and zero point, each output a DequantizeLinear to a float32 output
// ("<tensor>_f"): `stedgeai --input-data-type int8 --output-data-type int8` folds these into the
// int8 buffers the glue hands over, and ONNX Runtime can run the file as it is (feeding the
// dequantized values gives back exactly the same integers).
import { fail } from '../../core/diagnostics';
import { Graph, Node, TensorInfo, attrInt } from '../../core/ir/graph';
import { Tensor, makeTensor, numel } from '../../core/ir/tensor';
import { encodeModel } from '../../frontend/onnx/export';
import { quantRange } from '../../core/numerics';
import type { Segment } from '../../placement/partition';

/** The IR sub-graph of one segment: its nodes, the constants they read, its boundary as I/O. */
export function segmentGraph(g: Graph, seg: Segment, name: string): Graph {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const nodes = seg.nodes.map((n) => {
    const node = byName.get(n);
    if (!node) return fail('bad-input', `segment ${seg.id}: node '${n}' is not in the graph`, n);
    return node;
  });
  const initializers: Record<string, Tensor> = {};
  const tensors: Record<string, TensorInfo> = {};
  const keep = (t: string) => {
    if (!t) return;
    if (t in g.initializers) initializers[t] = g.initializers[t];
    if (g.tensors[t]) tensors[t] = g.tensors[t];
  };
  for (const n of nodes) { n.inputs.forEach(keep); n.outputs.forEach(keep); }
  return {
    name, inputs: [...seg.inputs], outputs: [...seg.outputs], tensors, initializers, nodes,
    opsets: { ...g.opsets }, annotations: {}, metadata: {}, irVersion: g.irVersion,
  };
}

/** Name of the float32 graph input/output that stands for boundary tensor `t` in a segment ONNX. */
export function floatBoundaryName(t: string): string {
  return `${t}_f`;
}

const MIN_QDQ_OPSET = 13; // per-axis DequantizeLinear

class Builder {
  readonly nodes: Node[] = [];
  readonly inits: Record<string, Tensor> = {};
  readonly infos: Record<string, TensorInfo> = {};
  private readonly used = new Set<string>();
  constructor(private readonly g: Graph, private readonly opset: number, readonly int4: boolean = false) {}

  fresh(base: string): string {
    let n = base, k = 1;
    while (this.used.has(n) || n in this.g.tensors || n in this.g.initializers) n = `${base}_${k++}`;
    this.used.add(n);
    return n;
  }
  init(base: string, t: Tensor): string {
    const n = this.fresh(base);
    this.inits[n] = t;
    this.infos[n] = { name: n, dtype: t.dtype, shape: [...t.shape] };
    return n;
  }
  /** Names taken by nodes copied as they are. */
  reserve(names: readonly string[]): void { for (const n of names) this.used.add(n); }
  info(t: TensorInfo): void { this.infos[t.name] = t; }
  node(op: string, name: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): void {
    this.nodes.push({ name: this.fresh(name), op, domain: '', opset: this.opset, inputs, outputs, attrs });
  }
}

function perTensorQuant(g: Graph, t: string, where: string) {
  const info = g.tensors[t];
  const q = info?.quant;
  if (!q || q.axis !== undefined || q.scale.length !== 1 || q.bipolar || q.blockSize !== undefined)
    return fail('unsupported', `${where}: tensor '${t}' is not a per-tensor quantized integer (the NPU's activations are int8 per tensor)`, t);
  if (info.dtype !== 'int8' && info.dtype !== 'uint8')
    return fail('unsupported', `${where}: tensor '${t}' is ${info.dtype}; the NPU's activations are 8-bit`, t);
  return { info, q };
}

/** Scale and zero-point constants of a per-tensor quantized activation. */
function qdqParams(b: Builder, g: Graph, t: string, where: string): { scale: string; zp: string; info: TensorInfo } {
  const { info, q } = perTensorQuant(g, t, where);
  const scale = b.init(`${t}_scale`, makeTensor('float32', [], [q.scale[0]]));
  const zp = b.init(`${t}_zero_point`, makeTensor(info.dtype, [], [q.zeroPoint[0]]));
  return { scale, zp, info };
}

/** Weights of at most 4 bits in a signed 4-bit range: what the NPU of ST Edge AI 3.0+ takes natively. */
export function isInt4(g: Graph, wName: string): boolean {
  const q = g.tensors[wName]?.quant;
  return !!q && q.signed && q.bits === 4 && (g.initializers[wName]?.dtype === 'int4' || g.initializers[wName]?.dtype === 'int8');
}

/** Integer weights as int8 (sub-8-bit values widened, same integers) or native int4, their per-channel DQ. */
function weightDq(b: Builder, g: Graph, n: Node, wName: string, axis: number, channels: number): string {
  const w = g.initializers[wName];
  const wi = g.tensors[wName];
  const q = wi?.quant;
  if (!w || !q) return fail('unsupported', `node '${n.name}': weights '${wName}' are not constant quantized integers`, n.name);
  if (q.bipolar || q.blockSize !== undefined) return fail('unsupported', `node '${n.name}': ${q.bipolar ? 'bipolar' : 'blocked'} weights cannot be written for the NPU`, n.name);
  if (!(w.dtype === 'int8' || w.dtype === 'int4' || (w.dtype === 'uint8' && false)))
    return fail('unsupported', `node '${n.name}': weights '${wName}' are ${w.dtype}; the NPU takes signed int8 weights`, n.name);
  if (q.zeroPoint.some((z) => z !== 0)) return fail('unsupported', `node '${n.name}': weights '${wName}' have a nonzero zero point; the NPU takes symmetric weights`, n.name);
  const data = Int8Array.from(w.data as ArrayLike<number>);
  // 4-bit weights on a release that runs them natively (ST Edge AI 3.0+): ONNX's int4 QDQ (the
  // nearest form to ST's undocumented one, see stedgeai-versions.json); else int8 holding the
  // same integers.
  const int4 = b.int4 && isInt4(g, wName);
  const wt = int4 ? 'int4' : 'int8';
  const wq = b.init(`${wName}_${wt}`, makeTensor(wt, w.shape, data));
  const scales = q.scale.length === 1 ? new Array(channels).fill(q.scale[0]) : [...q.scale];
  if (scales.length !== channels) return fail('bad-shape', `node '${n.name}': ${scales.length} weight scales for ${channels} channels`, n.name);
  const s = b.init(`${wName}_scale`, makeTensor('float32', [channels], scales));
  const z = b.init(`${wName}_zero_point`, makeTensor(wt, [channels], new Array(channels).fill(0)));
  const out = b.fresh(`${wName}_dq`);
  b.info({ name: out, dtype: 'float32', shape: [...w.shape] });
  b.node('DequantizeLinear', `${wName}_DequantizeLinear`, [wq, s, z], [out], { axis });
  return out;
}

/** int32 bias with scale x_scale·w_scale[c] (float32), zero point 0, dequantized. */
function biasDq(b: Builder, g: Graph, n: Node, bName: string, xScale: number, wName: string, channels: number): string {
  const bias = g.initializers[bName];
  if (!bias || bias.dtype !== 'int32') return fail('unsupported', `node '${n.name}': bias '${bName}' is not a constant int32 tensor`, n.name);
  const q = g.tensors[wName]!.quant!;
  const ws = q.scale.length === 1 ? new Array(channels).fill(q.scale[0]) : q.scale;
  const scales = ws.map((s) => Math.fround(Math.fround(xScale) * Math.fround(s)));
  const bq = b.init(`${bName}_int32`, bias);
  const s = b.init(`${bName}_scale`, makeTensor('float32', [channels], scales));
  const z = b.init(`${bName}_zero_point`, makeTensor('int32', [channels], new Array(channels).fill(0)));
  const out = b.fresh(`${bName}_dq`);
  b.info({ name: out, dtype: 'float32', shape: [channels] });
  b.node('DequantizeLinear', `${bName}_DequantizeLinear`, [bq, s, z], [out], { axis: 0 });
  return out;
}

/** float y → (Clip to the qmin/qmax range when narrower than the tensor's) → Q → output integer tensor. */
function requantOut(b: Builder, g: Graph, n: Node, yFloat: string, yShape: readonly number[]): void {
  const yName = n.outputs[0];
  const { scale, zp, info } = qdqParams(b, g, yName, `node '${n.name}'`);
  const q = info.quant!;
  const [dlo, dhi] = quantRange(q.bits, q.signed, q.narrow);
  const [tlo, thi] = info.dtype === 'int8' ? [-128, 127] : [0, 255];
  const lo = attrInt(n, 'qmin', Math.max(dlo, tlo)), hi = attrInt(n, 'qmax', Math.min(dhi, thi));
  let src = yFloat;
  if (lo > tlo || hi < thi) {
    const s = q.scale[0], z = q.zeroPoint[0];
    const clipped = b.fresh(`${yName}_clipped`);
    b.info({ name: clipped, dtype: 'float32', shape: [...yShape] });
    if (lo === z && hi >= thi) b.node('Relu', `${n.name}_relu`, [yFloat], [clipped]);
    else {
      const mn = b.init(`${yName}_min`, makeTensor('float32', [], [Math.fround((lo - z) * s)]));
      const mx = b.init(`${yName}_max`, makeTensor('float32', [], [Math.fround((hi - z) * s)]));
      b.node('Clip', `${n.name}_clip`, [yFloat, mn, mx], [clipped]);
    }
    src = clipped;
  }
  b.info(info);
  b.node('QuantizeLinear', `${n.name}_QuantizeLinear`, [src, scale, zp], [yName]);
}

function xDq(b: Builder, g: Graph, n: Node): { x: string; xScale: number } {
  const xName = n.inputs[0];
  const { scale, zp, info } = qdqParams(b, g, xName, `node '${n.name}'`);
  const x = b.fresh(`${xName}_dq`);
  b.info({ name: x, dtype: 'float32', shape: [...info.shape] });
  b.node('DequantizeLinear', `${xName}_DequantizeLinear`, [xName, scale, zp], [x]);
  return { x, xScale: info.quant!.scale[0] };
}

function qconvToQdq(b: Builder, g: Graph, n: Node): void {
  const { x, xScale } = xDq(b, g, n);
  const w = g.initializers[n.inputs[1]];
  const M = w.shape[0];
  const wf = weightDq(b, g, n, n.inputs[1], 0, M);
  const ins = [x, wf];
  if (n.inputs[2]) ins.push(biasDq(b, g, n, n.inputs[2], xScale, n.inputs[1], M));
  const yShape = g.tensors[n.outputs[0]].shape;
  const y = b.fresh(`${n.outputs[0]}_float`);
  b.info({ name: y, dtype: 'float32', shape: [...yShape] });
  const attrs: Record<string, Node['attrs'][string]> = {};
  for (const k of ['group', 'kernel_shape', 'strides', 'pads', 'dilations']) if (n.attrs[k] !== undefined) attrs[k] = n.attrs[k];
  b.nodes.push({ name: b.fresh(n.origin?.[0] ?? n.name), op: 'Conv', domain: '', inputs: ins, outputs: [y], attrs });
  requantOut(b, g, n, y, yShape);
}

function qgemmToQdq(b: Builder, g: Graph, n: Node): void {
  const { x, xScale } = xDq(b, g, n);
  const w = g.initializers[n.inputs[1]];
  const N = w.shape[1];
  const wf = weightDq(b, g, n, n.inputs[1], 1, N);
  const xShape = g.tensors[n.inputs[0]].shape;
  const yShape = g.tensors[n.outputs[0]].shape;
  const y = b.fresh(`${n.outputs[0]}_float`);
  b.info({ name: y, dtype: 'float32', shape: [...yShape] });
  const name = b.fresh(n.origin?.[0] ?? n.name);
  const bias = n.inputs[2] ? biasDq(b, g, n, n.inputs[2], xScale, n.inputs[1], N) : undefined;
  if (xShape.length === 2) {
    b.nodes.push({ name, op: 'Gemm', domain: '', inputs: bias ? [x, wf, bias] : [x, wf], outputs: [y], attrs: {} });
  } else if (bias) {
    const mm = b.fresh(`${n.outputs[0]}_matmul`);
    b.info({ name: mm, dtype: 'float32', shape: [...yShape] });
    b.nodes.push({ name, op: 'MatMul', domain: '', inputs: [x, wf], outputs: [mm], attrs: {} });
    b.node('Add', `${name}_bias`, [mm, bias], [y]);
  } else {
    b.nodes.push({ name, op: 'MatMul', domain: '', inputs: [x, wf], outputs: [y], attrs: {} });
  }
  requantOut(b, g, n, y, yShape);
}

/** QuantizeLinear to a sub-8-bit range: clip in float first so the int8 container holds the same integers. */
function quantizeNode(b: Builder, g: Graph, n: Node): void {
  const y = g.tensors[n.outputs[0]];
  const q = y?.quant;
  const full = y && ((y.dtype === 'int8' && q && q.signed && q.bits >= 8 && !q.narrow) || (y.dtype === 'uint8' && q && !q.signed && q.bits >= 8 && !q.narrow));
  if (!q || full || q.axis !== undefined || q.scale.length !== 1) { b.nodes.push(n); return; }
  const [lo, hi] = quantRange(q.bits, q.signed, q.narrow);
  const s = q.scale[0], z = q.zeroPoint[0];
  const xs = g.tensors[n.inputs[0]]?.shape ?? [];
  const clipped = b.fresh(`${n.inputs[0]}_range`);
  b.info({ name: clipped, dtype: 'float32', shape: [...xs] });
  const mn = b.init(`${n.outputs[0]}_min`, makeTensor('float32', [], [Math.fround((lo - z) * s)]));
  const mx = b.init(`${n.outputs[0]}_max`, makeTensor('float32', [], [Math.fround((hi - z) * s)]));
  b.node('Clip', `${n.name}_range`, [n.inputs[0], mn, mx], [clipped]);
  b.nodes.push({ ...n, inputs: [clipped, ...n.inputs.slice(1)] });
}

/**
 * The INT8 QDQ ONNX graph of an NPU segment (see the file comment). `name` becomes the graph name.
 * Fails (naming the node) on what ST's recipe cannot express; placement keeps such layers on the CPU.
 */
export function segmentOnnxGraph(g: Graph, seg: Segment, name: string, onnx: SegmentOnnxRules = DEFAULT_ONNX_RULES): Graph {
  // The release's ONNX bounds the opset (ST Edge AI 2.x bundles ONNX 1.15: opset ≤ 20, IR ≤ 9).
  const opset = Math.min(Math.max(g.opsets[''] ?? MIN_QDQ_OPSET, MIN_QDQ_OPSET), onnx.maxOpset);
  const b = new Builder(g, opset, onnx.int4Weights && opset >= 21);
  const sub = segmentGraph(g, seg, name);
  b.reserve(sub.nodes.filter((n) => n.domain === '').map((n) => n.name));
  // Boundary inputs: float32 → QuantizeLinear → the int8 tensor the segment reads.
  const inputs: string[] = [];
  for (const t of seg.inputs) {
    const { scale, zp, info } = qdqParams(b, g, t, `segment ${name} input`);
    const f = floatBoundaryName(t);
    b.info({ name: f, dtype: 'float32', shape: [...info.shape] });
    b.info(info);
    b.node('QuantizeLinear', `${t}_QuantizeLinear_in`, [f, scale, zp], [t]);
    inputs.push(f);
  }
  for (const n of sub.nodes) {
    if (n.domain === 'hsq' && n.op === 'QConv') qconvToQdq(b, g, n);
    else if (n.domain === 'hsq' && n.op === 'QGemm') qgemmToQdq(b, g, n);
    else if (n.domain !== '') fail('unsupported', `node '${n.name}' (${n.domain}.${n.op}) cannot be written for stedgeai`, n.name);
    else if (n.op === 'QuantizeLinear') quantizeNode(b, g, n);
    else b.nodes.push(n);
    for (const t of [...n.inputs, ...n.outputs]) {
      if (!t) continue;
      if (t in g.initializers && !(t in b.inits)) { b.inits[t] = g.initializers[t]; b.infos[t] = g.tensors[t] ?? { name: t, dtype: g.initializers[t].dtype, shape: [...g.initializers[t].shape] }; }
      else if (g.tensors[t] && !(t in b.infos) && !(t in g.initializers)) b.infos[t] = g.tensors[t];
    }
  }
  // Boundary outputs: the int8 tensor → DequantizeLinear → float32.
  const outputs: string[] = [];
  for (const t of seg.outputs) {
    const { scale, zp, info } = qdqParams(b, g, t, `segment ${name} output`);
    const f = floatBoundaryName(t);
    b.info({ name: f, dtype: 'float32', shape: [...info.shape] });
    b.node('DequantizeLinear', `${t}_DequantizeLinear_out`, [t, scale, zp], [f]);
    outputs.push(f);
  }
  // Widened weights leave the original (sub-8-bit) initializers unused: drop what no node reads.
  const read = new Set(b.nodes.flatMap((n) => n.inputs));
  const inits: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(b.inits)) if (read.has(k)) inits[k] = v;
  // Quant metadata would travel as hsq.quant; the file is plain ONNX for stedgeai: no metadata.
  const tensors: Record<string, TensorInfo> = {};
  for (const [k, v] of Object.entries(b.infos)) { const { quant: _q, ...rest } = v; void _q; tensors[k] = rest; }
  return {
    name, inputs, outputs, tensors, initializers: inits, nodes: b.nodes.map((n) => ({ ...n, opset })),
    opsets: { '': opset }, annotations: {}, metadata: {}, irVersion: irFor(opset, onnx.maxIrVersion),
  };
}

/** What the target release allows in a segment model (stedgeai-versions.json `onnx`, `int4Weights`). */
export interface SegmentOnnxRules {
  readonly maxOpset: number;
  readonly maxIrVersion: number;
  /** 4-bit weights go to stedgeai as int4 (ST Edge AI 3.0+); else widened to int8. */
  readonly int4Weights: boolean;
}
const DEFAULT_ONNX_RULES: SegmentOnnxRules = { maxOpset: 21, maxIrVersion: 10, int4Weights: true };

/** The IR version ONNX pairs with an opset (opset 19–20: IR 9; 21: IR 10), within the release's bound. */
function irFor(opset: number, maxIr: number): number {
  return Math.min(maxIr, opset >= 21 ? 10 : opset >= 19 ? 9 : 8);
}

/** ONNX bytes of an NPU segment (`OUT/npu/<name>.onnx`). */
export function encodeSegmentOnnx(g: Graph, seg: Segment, name: string, onnx?: SegmentOnnxRules): Uint8Array {
  return encodeModel(segmentOnnxGraph(g, seg, name, onnx));
}

/** Bytes of int8 weights an NPU segment holds (the size of its xSPI2 blob, before stedgeai's own data). */
export function segmentWeightBytes(g: Graph, seg: Segment, int4 = false): number {
  return Object.values(segmentWeightBytesByNode(g, seg, int4)).reduce((a, b) => a + b, 0);
}

/** The int8 weights and int32 biases each QConv/QGemm of the segment hands to stedgeai (a tensor
 *  two nodes share counts once, for the first). */
export function segmentWeightBytesByNode(g: Graph, seg: Segment, int4 = false): Record<string, number> {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const out: Record<string, number> = {};
  const seen = new Set<string>();
  for (const name of seg.nodes) {
    const n = byName.get(name)!;
    if (n.domain !== 'hsq') continue;
    for (const [i, k] of [[1, 1], [2, 4]] as const) {
      const t = n.inputs[i];
      if (!t || seen.has(t) || !(t in g.initializers)) continue;
      seen.add(t);
      // Native int4 weights are two a byte in the blob.
      const bytes = i === 1 && int4 && isInt4(g, t) ? Math.ceil(numel(g.initializers[t].shape) / 2) : numel(g.initializers[t].shape) * k;
      out[name] = (out[name] ?? 0) + bytes;
    }
  }
  return out;
}

/**
 * Segments whose boundaries are all integer tensors. The partition schedules nodes, not layers,
 * so a layer's DequantizeLinear can land in an earlier segment of the same device than the op
 * it feeds (it is ready first), and a float tensor would cross segments. Such a DQ moves to the
 * front of the segment that reads it: same device, same numbers, and the buffer handed over is
 * the integer tensor (what stedgeai's int8 I/O and hsq's exchange buffers hold).
 */
export function integerBoundaries(g: Graph, segments: readonly Segment[]): Segment[] {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const nodes = segments.map((s) => [...s.nodes]);
  const segOf = new Map<string, number>();
  const recompute = () => { segOf.clear(); nodes.forEach((l, k) => l.forEach((n) => byName.get(n)!.outputs.forEach((o) => o && segOf.set(o, k)))); };
  recompute();
  let moved = true;
  while (moved) {
    moved = false;
    for (let k = 0; k < nodes.length && !moved; k++) {
      for (const name of nodes[k]) {
        const n = byName.get(name)!;
        if (n.op !== 'DequantizeLinear' || n.domain !== '') continue;
        const out = n.outputs[0];
        if (g.outputs.includes(out)) continue;
        const readers = new Set<number>();
        nodes.forEach((l, r) => l.forEach((m) => { if (byName.get(m)!.inputs.includes(out)) readers.add(r); }));
        if (readers.has(k) || readers.size !== 1) continue;
        const r = [...readers][0];
        if (segments[r].device !== segments[k].device || r < k) continue;
        nodes[k] = nodes[k].filter((m) => m !== name);
        nodes[r] = [name, ...nodes[r]];
        moved = true;
        break;
      }
    }
    if (moved) recompute();
  }
  const out: Segment[] = [];
  nodes.forEach((l, k) => {
    if (l.length === 0) return;
    const id = out.length;
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (const name of l) {
      const n = byName.get(name)!;
      for (const i of n.inputs) if (i && !(i in g.initializers) && segOf.get(i) !== k && !inputs.includes(i)) inputs.push(i);
      for (const o of n.outputs) {
        if (!o) continue;
        const external = nodes.some((m, r) => r !== k && m.some((x) => byName.get(x)!.inputs.includes(o)));
        if ((external || g.outputs.includes(o)) && !outputs.includes(o)) outputs.push(o);
      }
    }
    out.push({ id, device: segments[k].device, nodes: l, inputs, outputs });
  });
  for (const s of out) for (const t of [...s.inputs, ...s.outputs]) {
    const info = g.tensors[t];
    const crossesNpu = s.device === 'npu';
    if (crossesNpu && info && (info.dtype === 'float32' || !info.quant))
      fail('unsupported', `segment ${s.id} (NPU) ${s.inputs.includes(t) ? 'reads' : 'writes'} the float tensor '${t}' at its boundary; the NPU's inputs and outputs are int8`, t);
  }
  return out;
}
