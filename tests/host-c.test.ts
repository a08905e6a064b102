// Host C backend on small seeded graphs built in TypeScript: quantized conv/gemm with int8, int4,
// int2 and 1-bit weights, float conv with fused activations, broadcasting and layout-sensitive
// ops on 4-D (NHWC inside) tensors. Every graph runs in ONE program; outputs must equal the
// interpreter bit for bit. Plus the emitted files' properties: determinism, API header, weights
// formats, the NHWC API option, run_float.
import { runCBatch } from '../targets/host/run';
import { emitHost as emitC } from '../targets/host/emit';
import { runGraph } from '../ops/engine/interpreter';
import { DType } from '../core/ir/dtype';
import { AttrValue, Graph, Node, QuantParams, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { inferShapes } from '../passes/shape-inference';
import { dequantizeValue } from '../core/numerics';
import { compareExact } from './support/host-c-conformance';
import * as fs from 'fs';
import * as path from 'path';
import { runtimeDir } from '../core/package-files';

// ------------------------------------------------------------------ builders

let seed = 12345;
function rnd(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}
const randInt = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

function tensorOf(dtype: DType, shape: number[], gen: () => number): Tensor {
  return makeTensor(dtype, shape, Array.from({ length: numel(shape) }, gen));
}
const floats = (shape: number[], lo = -2, hi = 2) => tensorOf('float32', shape, () => Math.fround(lo + rnd() * (hi - lo)));

function q(scale: number | number[], zp: number | number[], bits = 8, signed = true, extra: Partial<QuantParams> = {}): QuantParams {
  const s = Array.isArray(scale) ? scale : [scale];
  const z = Array.isArray(zp) ? zp : [zp];
  return { scale: s.map(Math.fround), zeroPoint: z, bits, signed, narrow: false, ...extra };
}

function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): Node {
  return { name: `${op}_${outputs[0]}`, op, domain, inputs, outputs, attrs };
}

interface Case {
  name: string; graph: Graph; inputs: Record<string, Tensor>;
  /** Reference graph for the interpreter when `graph` uses a fused form (activation attribute). */
  ref?: Graph;
}

function mk(name: string, spec: {
  inputs: [string, DType, number[], QuantParams?][];
  outputs: string[];
  nodes: Node[];
  inits?: Record<string, Tensor>;
  quant?: Record<string, QuantParams>;
  opset?: number;
}, values: Record<string, Tensor>): Case {
  const tensors: Record<string, TensorInfo> = {};
  for (const [n, dtype, shape, quant] of spec.inputs) tensors[n] = { name: n, dtype, shape, ...(quant ? { quant } : {}) };
  for (const [n, t] of Object.entries(spec.inits ?? {})) tensors[n] = { name: n, dtype: t.dtype, shape: t.shape };
  for (const [n, qp] of Object.entries(spec.quant ?? {})) tensors[n] = { ...(tensors[n] ?? { name: n, dtype: 'int8', shape: [] }), quant: qp };
  let g: Graph = {
    name, inputs: spec.inputs.map((i) => i[0]), outputs: spec.outputs, tensors, initializers: spec.inits ?? {},
    nodes: spec.nodes.map((n) => ({ ...n, opset: spec.opset ?? 17 })), opsets: { '': spec.opset ?? 17, hsq: 1 },
    annotations: {}, metadata: {}, irVersion: 8,
  };
  g = inferShapes(g);
  // inferShapes keeps quant of outputs only when given before; re-apply for initializers.
  const t2 = { ...g.tensors };
  for (const [n, qp] of Object.entries(spec.quant ?? {})) t2[n] = { ...t2[n], quant: qp };
  return { name, graph: { ...g, tensors: t2 }, inputs: values };
}

// ------------------------------------------------------------------ quantized conv / gemm

function weightValues(bits: number, bipolar: boolean, n: number, unsigned = false): number[] {
  if (bipolar) return Array.from({ length: n }, () => (rnd() < 0.5 ? -1 : 1));
  if (unsigned) return Array.from({ length: n }, () => randInt(0, 2 ** bits - 1));
  return Array.from({ length: n }, () => randInt(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1));
}

interface QConvSpec {
  bits: number; bipolar?: boolean; xUnsigned?: boolean; wUnsigned?: boolean; perChannel?: boolean; group?: number;
  C: number; M: number; H: number; W: number; k: number; stride?: number; dil?: number; pad?: number[]; bias?: boolean;
  qmin?: number; qmax?: number; zw?: number;
}

function qconvCase(name: string, s: QConvSpec): Case {
  const group = s.group ?? 1;
  const xdt: DType = s.xUnsigned ? 'uint8' : 'int8';
  const wShape = [s.M, s.C / group, s.k, s.k];
  const wdt: DType = s.bits === 4 && !s.bipolar ? (s.wUnsigned ? 'uint4' : 'int4') : (s.wUnsigned ? 'uint8' : 'int8');
  const w = makeTensor(wdt, wShape, weightValues(s.bits, !!s.bipolar, numel(wShape), s.wUnsigned));
  const sw = s.perChannel ? Array.from({ length: s.M }, () => 0.01 + rnd() * 0.05) : 0.03;
  const zw = s.zw ?? 0;
  const inits: Record<string, Tensor> = { w };
  const inputs = ['x', 'w'];
  if (s.bias) { inits.b = tensorOf('int32', [s.M], () => randInt(-2000, 2000)); inputs.push('b'); }
  const attrs: Record<string, AttrValue> = {
    group, strides: [s.stride ?? 1, s.stride ?? 1], dilations: [s.dil ?? 1, s.dil ?? 1], pads: s.pad ?? [1, 1, 1, 1], kernel_shape: [s.k, s.k],
  };
  if (s.qmin !== undefined) attrs.qmin = s.qmin;
  if (s.qmax !== undefined) attrs.qmax = s.qmax;
  const zx = s.xUnsigned ? 128 : 3;
  const x = tensorOf(xdt, [1, s.C, s.H, s.W], () => (s.xUnsigned ? randInt(0, 255) : randInt(-128, 127)));
  return mk(name, {
    inputs: [['x', xdt, [1, s.C, s.H, s.W], q(0.05, zx, 8, !s.xUnsigned)]],
    outputs: ['y'],
    nodes: [node('QConv', inputs, ['y'], attrs, 'hsq')],
    inits,
    quant: {
      w: q(sw, s.perChannel ? Array(s.M).fill(zw) : zw, s.bipolar ? 1 : s.bits, !s.wUnsigned, s.bipolar ? { bipolar: true } : {}),
      y: q(0.2, s.xUnsigned ? 120 : -5, 8, !s.xUnsigned),
    },
  }, { x });
}

function qgemmCase(name: string, xShape: number[], N: number, bits: number, perColumn: boolean, xUnsigned = false): Case {
  const K = xShape[xShape.length - 1];
  const xdt: DType = xUnsigned ? 'uint8' : 'int8';
  const w = makeTensor(bits === 4 ? 'int4' : 'int8', [K, N], weightValues(bits, bits === 1, K * N));
  const sw = perColumn ? Array.from({ length: N }, () => 0.01 + rnd() * 0.05) : 0.02;
  return mk(name, {
    inputs: [['x', xdt, xShape, q(0.1, xUnsigned ? 100 : -2, 8, !xUnsigned)]],
    outputs: ['y'],
    nodes: [node('QGemm', ['x', 'w', 'b'], ['y'], {}, 'hsq')],
    inits: { w, b: tensorOf('int32', [N], () => randInt(-500, 500)) },
    quant: { w: q(sw, perColumn ? Array(N).fill(0) : 0, bits === 1 ? 1 : bits, true, { ...(bits === 1 ? { bipolar: true } : {}), ...(perColumn ? { axis: 1 } : {}) }), y: q(0.3, 1, 8, !xUnsigned) },
  }, { x: tensorOf(xdt, xShape, () => (xUnsigned ? randInt(0, 255) : randInt(-128, 127))) });
}

// ------------------------------------------------------------------ float and layout cases

/** The separate activation node a fused `activation` attribute stands for (fuse-activation.ts). */
function activationNode(act: [string, number[]], x: string, y: string, inits: Record<string, Tensor>): Node {
  if (act[0] === 'relu') return node('Relu', [x], [y]);
  if (act[0] === 'leakyrelu') return node('LeakyRelu', [x], [y], { alpha: act[1][0] });
  inits.clo = makeTensor('float32', [], [act[1][0]]);
  inits.chi = makeTensor('float32', [], [act[1][1]]);
  return node('Clip', [x, 'clo', 'chi'], [y]);
}

function floatConvCase(name: string, act?: [string, number[]], rank = 4, group = 1): Case {
  const C = 4, M = 6;
  const xShape = rank === 4 ? [2, C, 7, 6] : [1, C, 9];
  const wShape = rank === 4 ? [M, C / group, 3, 3] : [M, C / group, 3];
  const attrs: Record<string, AttrValue> = { group, pads: rank === 4 ? [1, 0, 2, 1] : [1, 1], strides: rank === 4 ? [2, 1] : [1], dilations: rank === 4 ? [1, 2] : [2] };
  const inits = { w: floats(wShape, -1, 1), b: floats([M]) };
  const x = floats(xShape);
  const plain = mk(name, { inputs: [['x', 'float32', xShape]], outputs: ['y'], nodes: [node('Conv', ['x', 'w', 'b'], ['y'], attrs)], inits }, { x });
  if (!act) return plain;
  const fused = mk(name, {
    inputs: [['x', 'float32', xShape]], outputs: ['y'],
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { ...attrs, activation: act[0], activation_params: act[1] })], inits,
  }, { x });
  const refInits: Record<string, Tensor> = { ...inits };
  const ref = mk(name, {
    inputs: [['x', 'float32', xShape]], outputs: ['y'],
    nodes: [node('Conv', ['x', 'w', 'b'], ['t'], attrs), activationNode(act, 't', 'y', refInits)], inits: refInits,
  }, { x });
  return { ...fused, ref: ref.graph };
}

function unaryChain(): Case {
  const special = [NaN, Infinity, -Infinity, -0, 0, 1e-40, -1e-40, 88.7, 89, -104, -105, 0.625, -0.625, 0.5, -0.5, 3, -3, 1e30, -1e30];
  const n = 4 * 5 * 6;
  const data = Array.from({ length: n }, (_, i) => (i < special.length ? special[i] : Math.fround(-10 + rnd() * 20)));
  const x = makeTensor('float32', [1, 4, 5, 6], Float32Array.from(data));
  const ops = ['Sigmoid', 'Tanh', 'Exp', 'Erf', 'HardSwish', 'Relu', 'Sqrt', 'Neg', 'Abs'];
  const nodes = ops.map((op, i) => node(op, ['x'], [`y${i}`]));
  nodes.push(node('LeakyRelu', ['x'], ['l'], { alpha: 0.1 }), node('HardSigmoid', ['x'], ['h'], { alpha: 0.3, beta: 0.4 }));
  nodes.push(node('Clip', ['x', 'lo', 'hi'], ['c']), node('Softmax', ['x'], ['s1'], { axis: 1 }), node('Softmax', ['x'], ['s3'], { axis: 3 }));
  return mk('unary', {
    inputs: [['x', 'float32', [1, 4, 5, 6]]],
    outputs: [...ops.map((_, i) => `y${i}`), 'l', 'h', 'c', 's1', 's3'],
    nodes, inits: { lo: makeTensor('float32', [], [-1.5]), hi: makeTensor('float32', [], [2.25]) },
  }, { x });
}

function broadcastCase(): Case {
  const shapes: [string, number[]][] = [['a', [2, 3, 4, 5]], ['b', [1, 3, 1, 1]], ['c', [5]], ['d', [3, 1, 5]], ['e', [2, 3, 4, 5]]];
  return mk('broadcast', {
    inputs: shapes.map(([n, s]) => [n, 'float32', s] as [string, DType, number[]]),
    outputs: ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7'],
    nodes: [
      node('Add', ['a', 'b'], ['o1']), node('Mul', ['a', 'c'], ['o2']), node('Sub', ['d', 'a'], ['o3']),
      node('Div', ['a', 'e'], ['o4']), node('Max', ['a', 'b', 'c'], ['o5']), node('PRelu', ['a', 'b'], ['o6']),
      node('Greater', ['a', 'e'], ['m']), node('Where', ['m', 'a', 'e'], ['o7']),
    ],
  }, Object.fromEntries(shapes.map(([n, s]) => [n, floats(s)])));
}

function layoutCase(): Case {
  const i64 = (v: number[]) => makeTensor('int64', [v.length], v);
  return mk('layout', {
    inputs: [['x', 'float32', [2, 3, 4, 5]], ['z', 'float32', [2, 2, 4, 5]]],
    outputs: ['r1', 'r2', 'r3', 't', 'c1', 'c3', 'sl', 'sp1', 'sp2', 'fl', 'pd', 'rs', 'gap', 'mp', 'ap', 'sm11', 'gth'],
    opset: 17,
    nodes: [
      node('Reshape', ['x', 's1'], ['r1']), node('Reshape', ['r1', 's2'], ['r2']), node('Reshape', ['x', 's3'], ['r3']),
      node('Transpose', ['x'], ['t'], { perm: [0, 3, 1, 2] }),
      node('Concat', ['x', 'z'], ['c1'], { axis: 1 }), node('Concat', ['x', 'x'], ['c3'], { axis: 3 }),
      node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['sl']),
      node('Split', ['x', 'spl'], ['sp1', 'sp2'], { axis: 1 }),
      node('Flatten', ['x'], ['fl'], { axis: 2 }),
      node('Pad', ['x', 'pads', 'pv'], ['pd']),
      node('Resize', ['x', '', 'scales'], ['rs'], { mode: 'nearest' }),
      node('GlobalAveragePool', ['x'], ['gap']),
      node('MaxPool', ['x'], ['mp'], { kernel_shape: [2, 3], strides: [1, 2], pads: [1, 1, 0, 1] }),
      node('AveragePool', ['x'], ['ap'], { kernel_shape: [3, 2], pads: [1, 0, 1, 1], count_include_pad: 1 }),
      { ...node('Softmax', ['x'], ['sm11'], { axis: 1 }), opset: 11 },
      node('Gather', ['x', 'gi'], ['gth'], { axis: 1 }),
    ],
    inits: {
      s1: i64([6, 20]), s2: i64([2, 5, 3, 4]), s3: i64([3, 2, 10, 2]),
      st: i64([1, 3]), en: i64([3, 0]), ax: i64([1, 3]), sp: i64([1, -2]), spl: i64([1, 2]),
      pads: i64([0, 1, 0, 2, 0, 0, 1, 1]), pv: makeTensor('float32', [], [-7.5]), scales: makeTensor('float32', [4], [1, 1, 2, 1.5]),
      gi: i64([2, 0, 2]),
    },
  }, { x: floats([2, 3, 4, 5]), z: floats([2, 2, 4, 5]) });
}

function qdqCase(): Case {
  return mk('qdq', {
    inputs: [['x', 'float32', [2, 3, 4, 5]]],
    outputs: ['d1', 'd2', 'q4', 'mp8', 'gmp'],
    nodes: [
      node('QuantizeLinear', ['x', 'sc', 'zp'], ['q1'], { axis: 1 }), node('DequantizeLinear', ['q1', 'sc', 'zp'], ['d1'], { axis: 1 }),
      node('QuantizeLinear', ['x', 's0', 'z0'], ['q2']), node('DequantizeLinear', ['q2', 's0', 'z0'], ['d2']),
      node('QuantizeLinear', ['x', 's0', 'z4'], ['q4']),
      node('MaxPool', ['q2'], ['mp8'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
      node('GlobalMaxPool', ['q2'], ['gmp']),
    ],
    inits: {
      sc: makeTensor('float32', [3], [0.01, 0.02, 0.5]), zp: makeTensor('uint8', [3], [0, 128, 250]),
      s0: makeTensor('float32', [], [0.015625]), z0: makeTensor('int8', [], [-3]), z4: makeTensor('int4', [], [1]),
    },
  }, { x: floats([2, 3, 4, 5], -3, 3) });
}

function lutCase(): Case {
  const xi = makeTensor('int8', [1, 4, 8, 8], Array.from({ length: 256 }, (_, i) => (i % 256) - 128));
  const xu = makeTensor('uint8', [2, 128], Array.from({ length: 256 }, (_, i) => i));
  return mk('lut', {
    inputs: [['x', 'int8', [1, 4, 8, 8]], ['u', 'uint8', [2, 128]]],
    outputs: ['y1', 'y2', 'y3'],
    nodes: [
      node('DequantizeLinear', ['x', 'sx', 'zx'], ['d1']), node('LeakyRelu', ['d1'], ['l1'], { alpha: 0.1 }), node('QuantizeLinear', ['l1', 'sy', 'zy'], ['y1']),
      node('DequantizeLinear', ['u', 'su', 'zu'], ['d2']), node('Sigmoid', ['d2'], ['s2']), node('Tanh', ['s2'], ['t2']), node('QuantizeLinear', ['t2', 'sy', 'zy'], ['y2']),
      node('DequantizeLinear', ['x', 'sx', 'zx'], ['d3']), node('HardSwish', ['d3'], ['h3']), node('QuantizeLinear', ['h3', 'su', 'z4'], ['y3']),
    ],
    inits: {
      sx: makeTensor('float32', [], [0.0625]), zx: makeTensor('int8', [], [-4]), sy: makeTensor('float32', [], [0.03]), zy: makeTensor('int8', [], [2]),
      su: makeTensor('float32', [], [0.05]), zu: makeTensor('uint8', [], [128]), z4: makeTensor('uint4', [], [3]),
    },
  }, { x: xi, u: xu });
}

function matmulCase(): Case {
  const inits = { gw: floats([4, 7]), gc: floats([4]) };
  const inputs: [string, DType, number[]][] = [['a', 'float32', [2, 3, 4, 5]], ['b', 'float32', [5, 6]], ['g', 'float32', [3, 7]]];
  const values = { a: floats([2, 3, 4, 5]), b: floats([5, 6]), g: floats([3, 7]) };
  const gemm = { transB: 1, alpha: 0.5, beta: 2 };
  const fused = mk('matmul', {
    inputs, outputs: ['y', 'gy'], inits,
    nodes: [node('MatMul', ['a', 'b'], ['y']), node('Gemm', ['g', 'gw', 'gc'], ['gy'], { ...gemm, activation: 'leakyrelu', activation_params: [Math.fround(0.2)] })],
  }, values);
  const ref = mk('matmul', {
    inputs, outputs: ['y', 'gy'], inits,
    nodes: [node('MatMul', ['a', 'b'], ['y']), node('Gemm', ['g', 'gw', 'gc'], ['t'], gemm), node('LeakyRelu', ['t'], ['gy'], { alpha: Math.fround(0.2) })],
  }, values);
  return { ...fused, ref: ref.graph };
}

// ------------------------------------------------------------------ the suite

function buildCases(): Case[] {
  seed = 12345;
  const cases: Case[] = [];
  for (const bits of [8, 4, 2]) {
    cases.push(qconvCase(`qconv_w${bits}`, { bits, C: 5, M: 7, H: 9, W: 8, k: 3, bias: true }));
    cases.push(qconvCase(`qconv_w${bits}_pc_u8_stride`, { bits, xUnsigned: true, perChannel: true, C: 6, M: 9, H: 11, W: 7, k: 3, stride: 2, pad: [0, 1, 2, 1] }));
    cases.push(qconvCase(`qconv_w${bits}_group_dil`, { bits, perChannel: true, group: 2, C: 6, M: 4, H: 8, W: 8, k: 3, dil: 2, pad: [2, 2, 2, 2], bias: true, qmin: -20, qmax: 90 }));
  }
  cases.push(qconvCase('qconv_w1_bipolar', { bits: 1, bipolar: true, perChannel: true, C: 16, M: 5, H: 6, W: 6, k: 3, bias: true }));
  cases.push(qconvCase('qconv_depthwise', { bits: 8, perChannel: true, group: 8, C: 8, M: 8, H: 10, W: 10, k: 3, bias: true }));
  cases.push(qconvCase('qconv_w8_zw', { bits: 8, C: 3, M: 4, H: 5, W: 5, k: 1, pad: [0, 0, 0, 0], zw: 5 }));
  cases.push(qconvCase('qconv_u8w_wide', { bits: 8, wUnsigned: true, zw: 0, C: 4, M: 3, H: 5, W: 5, k: 3 }));
  cases.push(qconvCase('qconv_w4_many_rows', { bits: 4, C: 64, M: 300, H: 3, W: 3, k: 3 }));
  cases.push(qgemmCase('qgemm_w8', [3, 20], 11, 8, false));
  cases.push(qgemmCase('qgemm_w4_pc', [5, 33], 17, 4, true, true));
  cases.push(qgemmCase('qgemm_w2_rank4', [1, 2, 3, 10], 6, 2, true));
  cases.push(qgemmCase('qgemm_w1', [2, 64], 9, 1, false));
  cases.push(floatConvCase('conv_plain'));
  cases.push(floatConvCase('conv_relu', ['relu', []]));
  cases.push(floatConvCase('conv_clip', ['clip', [-0.5, 0.75]]));
  cases.push(floatConvCase('conv_leaky_group', ['leakyrelu', [Math.fround(0.1)]], 4, 2));
  cases.push(floatConvCase('conv1d', undefined, 3, 2));
  cases.push(unaryChain(), broadcastCase(), layoutCase(), qdqCase(), matmulCase(), lutCase());
  return cases;
}

describe('host C backend on built graphs', () => {
  const cases = buildCases();

  test.each([false, true])('equals the interpreter bit for bit (sanitize: %s)', async (sanitize) => {
    const res = await runCBatch(cases.map((c) => ({ graph: c.graph, inputs: [c.inputs] })), { target: 'host', sanitize });
    const problems: string[] = [];
    cases.forEach((c, k) => {
      const want = runGraph(c.ref ?? c.graph, c.inputs);
      for (const o of c.graph.outputs) {
        const d = compareExact(res[k][0][o], want[o]);
        if (d) problems.push(`${c.name}/${o}: ${d}`);
      }
    });
    expect(problems).toEqual([]);
  });

  test('the NHWC API layout gives the same numbers', async () => {
    const picked = cases.filter((c) => ['layout', 'qconv_w4', 'conv_relu'].includes(c.name));
    const res = await runCBatch(picked.map((c) => ({ graph: c.graph, inputs: [c.inputs] })), { target: 'host', layout: 'nhwc' });
    picked.forEach((c, k) => {
      const want = runGraph(c.ref ?? c.graph, c.inputs);
      for (const o of c.graph.outputs) expect({ o, d: compareExact(res[k][0][o], want[o]) }).toEqual({ o, d: null });
    });
  });

  test('run_float quantizes inputs and dequantizes outputs with the tensor quantization', async () => {
    const c = cases.find((x) => x.name === 'qconv_w4')!;
    const xq = c.graph.tensors.x.quant!, yq = c.graph.tensors.y.quant!;
    const xf = makeTensor('float32', c.inputs.x.shape, Float32Array.from(c.inputs.x.data as Int8Array, (v) => dequantizeValue(v, xq.scale[0], xq.zeroPoint[0])));
    const [[r]] = await runCBatch([{ graph: c.graph, inputs: [{ x: xf }] }], { runFloat: true });
    const want = runGraph(c.graph, c.inputs).y;
    const wantF = Float32Array.from(want.data as Int8Array, (v) => dequantizeValue(v, yq.scale[0], yq.zeroPoint[0]));
    expect(Array.from(r.y.data)).toEqual(Array.from(wantF));
  });

  test('incbin weights give the same numbers', async () => {
    const picked = cases.filter((c) => ['qconv_w2', 'conv_plain'].includes(c.name));
    const res = await runCBatch(picked.map((c) => ({ graph: c.graph, inputs: [c.inputs] })), { weightsFormat: 'incbin' });
    picked.forEach((c, k) => {
      const want = runGraph(c.ref ?? c.graph, c.inputs);
      expect(compareExact(res[k][0].y, want.y)).toBeNull();
    });
  });

  test('emission is deterministic and the files carry the documented API', () => {
    const c = cases.find((x) => x.name === 'qconv_w4_pc_u8_stride')!;
    const a = emitC(c.graph, { name: 'net' }), b = emitC(c.graph, { name: 'net' });
    expect(Object.keys(a.files).sort()).toEqual(['hsq_expf.h', 'hsq_kernels.c', 'hsq_runtime.h', 'net.c', 'net.h', 'net_weights.c']);
    for (const f of Object.keys(a.files)) expect(b.files[f]).toEqual(a.files[f]);
    const h = a.files['net.h'] as string;
    for (const m of ['NET_ARENA_SIZE', 'NET_NUM_INPUTS 1', 'NET_NUM_OUTPUTS 1', 'NET_INPUT0_SHAPE', 'NET_INPUT0_DTYPE HSQ_UINT8', 'NET_INPUT0_SCALE', 'NET_INPUT0_ZERO_POINT 128', 'NET_OUTPUT0_SCALE', 'NET_LAYOUT_NHWC 0'])
      expect(h).toContain(m);
    expect(h).toContain('int net_run(const void* const* inputs, void* const* outputs, void* arena);');
    expect(h).toContain('int net_run_float(const float* const* inputs, float* const* outputs, void* arena);');
    const src = a.files['net.c'] as string;
    expect(src).toContain("/* node 'QConv_y' (hsq.QConv)");
    expect(src).toMatch(/4-bit weights/);
    const wts = a.files['net_weights.c'] as string;
    expect(wts).toContain('HSQ_WEIGHTS_ATTR const uint8_t net_weights[');
    for (const line of wts.split('\n').filter((l) => l.startsWith('"'))) expect(line.length).toBeLessThanOrEqual(80 * 4 + 3);
    // No absolute paths or timestamps.
    for (const f of Object.values(a.files)) if (typeof f === 'string') expect(f).not.toMatch(/\/work\/|\/tmp\/|20\d\d-\d\d-\d\d/);
    expect(emitC(c.graph, { name: 'net', layout: 'nhwc' }).files['net.h']).toContain('NET_LAYOUT_NHWC 1');
  });

  test('hsq_qparams_t is written with designated initialisers naming every field of the runtime struct', () => {
    const header = fs.readFileSync(path.join(runtimeDir(), 'hsq_runtime.h'), 'utf8');
    const body = /typedef struct \{([^}]*)\} hsq_qparams_t;/.exec(header)![1].replace(/\/\*[\s\S]*?\*\//g, '');
    const fields = [...body.matchAll(/int32_t\s+([^;]+);/g)].flatMap((m) => m[1].split(',').map((f) => f.trim()));
    expect(fields.length).toBeGreaterThan(10);
    const src = emitC(cases.find((x) => x.name === 'qconv_w4_pc_u8_stride')!.graph, { name: 'net' }).files['net.c'] as string;
    const init = /static const hsq_qparams_t \w+ = \{ ([^}]*) \};/.exec(src)![1];
    expect(init.split(', ').map((kv) => /^\.(\w+) = \S+$/.exec(kv)![1])).toEqual(fields);
  });

  test('quantized unary chains become lookup tables', () => {
    const src = emitC(cases.find((x) => x.name === 'lut')!.graph, { name: 'n' }).files['n.c'] as string;
    expect(src.match(/lookup table for/g)?.length).toBe(3);
    expect(src).not.toContain('hsq_expf');
  });

  test('sub-byte weights are packed in the weights file', () => {
    const sizes = ['qconv_w8', 'qconv_w4', 'qconv_w2'].map((n) => emitC(cases.find((x) => x.name === n)!.graph, { name: 'n' }).weightsSize);
    // 7 x 45 weights: int8 315 bytes, int4 7 x 23, int2 7 x 12 (rows start on a byte), plus the 28-byte bias and a multiplier.
    expect(sizes[1]).toBeLessThan(sizes[0]);
    expect(sizes[2]).toBeLessThan(sizes[1]);
  });
});
