// What `hsq inspect` reports: per node op, shapes, dtypes, quantization, MACs and weight bytes,
// on the model as given (after shape inference only).
import { Graph, Node, producers, attrInt } from '../core/ir/graph';
import { numel } from '../core/ir/tensor';
import { storageBits } from '../core/ir/dtype';

export interface QuantSummary { bits: number; signed: boolean; narrow: boolean; perChannel: boolean; source: string }

export interface NodeReport {
  name: string;
  op: string;
  domain: string;
  inputs: { name: string; dtype: string; shape: number[] }[];
  outputs: { name: string; dtype: string; shape: number[] }[];
  /** For quantizer nodes (QuantizeLinear, Quant, BipolarQuant): the integer format they produce. */
  quant?: QuantSummary;
  /** For Conv/ConvTranspose/Gemm/MatMul: the precision of the weights as the model gives them. */
  weightQuant?: QuantSummary;
  macs: number;
  weightBytes: number;
}

export interface InspectReport {
  model: string;
  opsets: Record<string, number>;
  nodes: NodeReport[];
  totals: { macs: number; weightBytes: number; nodes: number };
}

const ACCUMULATING = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul', 'QConv', 'QGemm']);
/** Weight input position of each accumulating op. */
const WEIGHT_INPUT: Record<string, number> = { Conv: 1, ConvTranspose: 1, Gemm: 1, MatMul: 1, ConvInteger: 1, MatMulInteger: 1, QLinearConv: 3, QLinearMatMul: 3, QConv: 1, QGemm: 1 };

function shapeOf(g: Graph, name: string): number[] {
  if (g.initializers[name]) return [...g.initializers[name].shape];
  return [...(g.tensors[name]?.shape ?? [])];
}
function dtypeOf(g: Graph, name: string): string {
  return g.initializers[name]?.dtype ?? g.tensors[name]?.dtype ?? '?';
}

export function nodeMacs(g: Graph, n: Node): number {
  if (!ACCUMULATING.has(n.op)) return 0;
  const x = shapeOf(g, n.inputs[0]);
  const w = shapeOf(g, n.inputs[WEIGHT_INPUT[n.op]]);
  const y = shapeOf(g, n.outputs[0]);
  switch (n.op) {
    case 'Conv': case 'ConvInteger': case 'QLinearConv': case 'QConv':
      // every output element takes (C/group)·kH·kW products
      return numel(y) * w.slice(1).reduce((a, b) => a * b, 1);
    case 'ConvTranspose': {
      return numel(x) * w.slice(1).reduce((a, b) => a * b, 1); // each input element meets (M/group)·kH·kW weights
    }
    case 'Gemm': {
      const k = attrInt(n, 'transA', 0) ? x[0] : x[1];
      return numel(y) * k;
    }
    default: {
      // MatMul family: every output element takes K products, K = last dim of A.
      const k = x.length === 1 ? x[0] : x[x.length - 1];
      return numel(y) * k;
    }
  }
}

/** Follow a weight input back through DequantizeLinear / QONNX quantizers to the stored tensor. */
function storedWeight(g: Graph, name: string, prod: Map<string, Node>): { stored?: string; quant?: QuantSummary } {
  let cur = name;
  let quant: QuantSummary | undefined;
  for (let hops = 0; hops < 4; hops++) {
    if (g.initializers[cur]) return { stored: cur, quant };
    const p = prod.get(cur);
    if (!p) return { quant };
    if (p.op === 'DequantizeLinear' || p.op === 'Quant' || p.op === 'BipolarQuant' || p.op === 'Transpose' || p.op === 'Reshape' || p.op === 'Identity' || p.op === 'Cast') {
      quant = quant ?? quantizerSummary(g, p);
      if (p.op === 'DequantizeLinear' && !quant) quant = dqSummary(g, p);
      cur = p.inputs[0];
    } else return { quant };
  }
  return { quant };
}

function dqSummary(g: Graph, n: Node): QuantSummary | undefined {
  const dt = dtypeOf(g, n.inputs[0]);
  const bits = dt.endsWith('int4') ? 4 : dt.endsWith('int8') ? 8 : dt === 'int32' ? 32 : 0;
  if (!bits) return undefined;
  const scale = g.initializers[n.inputs[1]];
  return { bits, signed: !dt.startsWith('u'), narrow: false, perChannel: !!scale && numel(scale.shape) > 1, source: 'DequantizeLinear' };
}

export function quantizerSummary(g: Graph, n: Node): QuantSummary | undefined {
  if (n.op === 'Quant') {
    const bw = g.initializers[n.inputs[3]];
    const scale = g.initializers[n.inputs[1]];
    return {
      bits: bw ? Number(bw.data[0]) : NaN,
      signed: attrInt(n, 'signed', 1) === 1,
      narrow: attrInt(n, 'narrow', 0) === 1,
      perChannel: !!scale && numel(scale.shape) > 1,
      source: `QONNX Quant (${n.domain})`,
    };
  }
  if (n.op === 'BipolarQuant') return { bits: 1, signed: true, narrow: false, perChannel: false, source: `QONNX BipolarQuant (${n.domain})` };
  if (n.op === 'QuantizeLinear') {
    const zp = n.inputs[2];
    const dt = zp ? dtypeOf(g, zp) : (n.attrs['output_dtype'] !== undefined ? String(n.attrs['output_dtype']) : 'uint8');
    const bits = dt.endsWith('int4') || dt === '21' || dt === '22' ? 4 : 8;
    const scale = g.initializers[n.inputs[1]];
    return { bits, signed: !dt.startsWith('u') && dt !== '2' && dt !== '21', narrow: false, perChannel: !!scale && numel(scale.shape) > 1, source: 'QuantizeLinear' };
  }
  return undefined;
}

export function inspectGraph(g: Graph): InspectReport {
  const prod = producers(g);
  const nodes: NodeReport[] = g.nodes.map((n) => {
    const r: NodeReport = {
      name: n.name, op: n.op, domain: n.domain,
      inputs: n.inputs.filter(Boolean).map((i) => ({ name: i, dtype: dtypeOf(g, i), shape: shapeOf(g, i) })),
      outputs: n.outputs.filter(Boolean).map((o) => ({ name: o, dtype: dtypeOf(g, o), shape: shapeOf(g, o) })),
      macs: nodeMacs(g, n),
      weightBytes: 0,
    };
    const q = quantizerSummary(g, n);
    if (q) r.quant = q;
    if (ACCUMULATING.has(n.op)) {
      const w = storedWeight(g, n.inputs[WEIGHT_INPUT[n.op]], prod);
      if (w.stored) {
        const t = g.initializers[w.stored];
        r.weightBytes = Math.ceil((numel(t.shape) * storageBits(t.dtype)) / 8);
      }
      if (w.quant) r.weightQuant = w.quant;
    }
    return r;
  });
  return {
    model: g.name,
    opsets: { ...g.opsets },
    nodes,
    totals: {
      macs: nodes.reduce((a, n) => a + n.macs, 0),
      weightBytes: nodes.reduce((a, n) => a + n.weightBytes, 0),
      nodes: nodes.length,
    },
  };
}

const fmtShape = (s: number[]) => `[${s.join('x')}]`;
const fmtQ = (q: QuantSummary) => `${q.signed ? 's' : 'u'}${q.bits}${q.narrow ? ' narrow' : ''}${q.perChannel ? ' per-channel' : ''}`;

export function formatInspect(r: InspectReport): string {
  const rows = r.nodes.map((n) => [
    n.name, n.domain ? `${n.op} (${n.domain})` : n.op,
    n.inputs.filter((i, k) => k === 0).map((i) => `${i.dtype}${fmtShape(i.shape)}`).join(' '),
    n.outputs.map((o) => `${o.dtype}${fmtShape(o.shape)}`).join(' '),
    n.quant ? `out ${fmtQ(n.quant)}` : n.weightQuant ? `w ${fmtQ(n.weightQuant)}` : '',
    n.macs ? n.macs.toLocaleString('en-US') : '',
    n.weightBytes ? n.weightBytes.toLocaleString('en-US') : '',
  ]);
  const head = ['node', 'op', 'input', 'output', 'quantization', 'MACs', 'weight bytes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const gmac = (r.totals.macs / 1e9).toFixed(2);
  return [
    line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '',
    `${r.totals.nodes} nodes, ${r.totals.macs.toLocaleString('en-US')} MACs (${gmac} GMAC), ${r.totals.weightBytes.toLocaleString('en-US')} weight bytes`,
  ].join('\n');
}
