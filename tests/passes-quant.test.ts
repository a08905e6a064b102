// lower-qonnx and qdq-recognition: structure, quant annotations, and numbers through the
// interpreter (lowering is exact; integer QConv/QGemm are within one output step of QDQ float).
import { HsqError, setWarningSink } from '../core/diagnostics';
import { Graph, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { validateGraph } from '../ops/engine/validate';
import { runGraph } from '../ops/engine/interpreter';
import { runPipeline } from '../passes/pass-manager';
import { lowerQonnx } from '../passes/lower-qonnx';
import { corePipeline } from '../passes/pipeline';
import { annotateQuant, recognizeQdq } from '../passes/qdq-recognition';
import { inferShapes } from '../passes/shape-inference';
import { sameQuant } from '../passes/quant';
import { f32, graph, maxAbsDiff, node, ops, randT, rng, scalar } from './passes-helpers';

const QONNX = 'qonnx.custom_op.general';

function quantNode(x: string, s: string, z: string, b: string, y: string, attrs: Record<string, number | string>) {
  return node('Quant', [x, s, z, b], [y], attrs, QONNX, `quant_${y}`);
}

function exact(g0: Graph, g: Graph, inputs: Record<string, Tensor>) {
  const [a, b] = [runGraph(g0, inputs), runGraph(g, inputs)];
  for (const o of g0.outputs) expect(Array.from(b[o].data)).toEqual(Array.from(a[o].data));
}

describe('lower-qonnx', () => {
  it('folds a per-channel narrow 4-bit weight Quant into an integer initializer + DequantizeLinear', () => {
    const r = rng(21);
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [1, 2, 3, 3]]], outputs: ['y'],
      inits: { w: randT(r, [3, 2, 1, 1], -1, 1), s: f32([3, 1, 1, 1], [0.05, 0.1, 0.2]), z: scalar('float32', 0), b: scalar('float32', 4) },
      nodes: [quantNode('w', 's', 'z', 'b', 'wq', { signed: 1, narrow: 1, rounding_mode: 'ROUND' }), node('Conv', ['x', 'wq'], ['y'])],
    }));
    const g = inferShapes(lowerQonnx(g0));
    expect(ops(g)).toEqual(['DequantizeLinear', 'Conv']);
    const dq = g.nodes[0];
    expect(dq.attrs.axis).toBe(0);
    const wi = g.initializers[dq.inputs[0]];
    expect(wi.dtype).toBe('int8');
    expect(Math.min(...Array.from(wi.data, Number))).toBeGreaterThanOrEqual(-7); // narrow: -8 is excluded
    expect(Array.from(wi.data, Number)).toContain(-7);
    expect(g.tensors[dq.inputs[0]].quant).toMatchObject({ bits: 4, signed: true, narrow: true, axis: 0, zeroPoint: [0, 0, 0] });
    validateGraph(g, { strict: true });
    exact(g0, g, { x: randT(r, [1, 2, 3, 3]) });
  });

  it('lowers an unsigned 4-bit activation Quant to QuantizeLinear → DequantizeLinear with the range on the integer tensor', () => {
    const r = rng(22);
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [2, 8]]], outputs: ['y'],
      inits: { s: scalar('float32', 0.1), z: scalar('float32', 0), b: scalar('float32', 4) },
      nodes: [quantNode('x', 's', 'z', 'b', 'y', { signed: 0, narrow: 0 })],
    }));
    const g = inferShapes(lowerQonnx(g0));
    expect(ops(g)).toEqual(['QuantizeLinear', 'DequantizeLinear']);
    const mid = g.nodes[0].outputs[0];
    expect(g.tensors[mid]).toMatchObject({ dtype: 'uint8', shape: [2, 8], quant: { bits: 4, signed: false, narrow: false, scale: [Math.fround(0.1)], zeroPoint: [0] } });
    validateGraph(g, { strict: true });
    const x = randT(r, [2, 8], -1, 3);
    exact(g0, g, { x });
    expect(Math.max(...Array.from(runGraph(g, { x }).y.data))).toBeCloseTo(1.5, 5); // 15 * 0.1: clamped to 4 bits, not 255
  });

  it('reads a missing narrow as 0 and warns; rejects a non-integer zero point naming the node', () => {
    const warnings: string[] = [];
    const prev = setWarningSink((m) => warnings.push(m));
    try {
      const g0 = graph({
        inputs: [['x', 'float32', [4]]], outputs: ['y'],
        inits: { s: scalar('float32', 0.5), z: scalar('float32', 0), b: scalar('float32', 3) },
        nodes: [quantNode('x', 's', 'z', 'b', 'y', { signed: 1 })],
      });
      const g = runPipeline(g0, corePipeline.slice(0, 1));
      expect(g.tensors[g.nodes[0].outputs[0]].quant).toMatchObject({ bits: 3, narrow: false });
      expect(warnings.join('\n')).toMatch(/'quant_y' lack.*narrow.*read as narrow=0/);
      const bad = { ...g0, initializers: { ...g0.initializers, z: scalar('float32', 0.5) } };
      let err: unknown;
      try { lowerQonnx(bad); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(HsqError);
      expect((err as HsqError).message).toMatch(/node 'quant_y'.*zero point 0.5 is not an integer/);
    } finally { setWarningSink(prev); }
  });

  it('folds BipolarQuant on weights to {-1,+1}; on activations it becomes Q/DQ whose integer tensor is bipolar (the sign)', () => {
    const r = rng(23);
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [1, 4]]], outputs: ['y'],
      inits: { w: randT(r, [4, 3]), s: scalar('float32', 0.25) },
      nodes: [node('BipolarQuant', ['w', 's'], ['wb'], {}, QONNX), node('MatMul', ['x', 'wb'], ['m']), node('BipolarQuant', ['m', 's'], ['y'], {}, QONNX)],
    }));
    const g = inferShapes(lowerQonnx(g0));
    expect(ops(g)).toEqual(['DequantizeLinear', 'MatMul', 'QuantizeLinear', 'DequantizeLinear']);
    expect(g.tensors[g.nodes[2].outputs[0]].quant).toMatchObject({ bits: 1, signed: true, bipolar: true });
    const wi = g.initializers[g.nodes[0].inputs[0]];
    expect(new Set(Array.from(wi.data, Number))).toEqual(new Set([-1, 1]));
    expect(g.tensors[g.nodes[0].inputs[0]].quant).toMatchObject({ bits: 1, bipolar: true });
    validateGraph(g, { strict: true });
    exact(g0, g, { x: randT(r, [1, 4]) });
  });
});

// ---- QDQ ----

const q8 = (scale: number, zp: number, signed = true) => ({ scale: [scale], zeroPoint: [zp], bits: 8, signed, narrow: false });

/** DQ(x) → Conv(DQ(w per-channel), DQ(bias int32)) → Relu → Q, as ONNX Runtime's quantizer writes it. */
function qdqConv(): Graph {
  const r = rng(31);
  const sx = 0.05, sy = 0.08;
  const sw = [0.01, 0.02, 0.015];
  const w = makeTensor('int8', [3, 2, 3, 3], Array.from({ length: 54 }, () => Math.round(r(-127, 127))));
  const bias = makeTensor('int32', [3], [100, -2000, 350]);
  return inferShapes(graph({
    inputs: [['x', 'int8', [1, 2, 5, 5]]], outputs: ['y'],
    inits: {
      sx: scalar('float32', sx), zx: scalar('int8', 3), w, sw: f32([3], sw), zw: makeTensor('int8', [3], [0, 0, 0]),
      bias, sb: f32([3], sw.map((s) => Math.fround(Math.fround(sx) * Math.fround(s)))), zb: makeTensor('int32', [3], [0, 0, 0]),
      sy: scalar('float32', sy), zy: scalar('int8', -5),
    },
    nodes: [
      node('DequantizeLinear', ['x', 'sx', 'zx'], ['xf']),
      node('DequantizeLinear', ['w', 'sw', 'zw'], ['wf'], { axis: 0 }),
      node('DequantizeLinear', ['bias', 'sb', 'zb'], ['bf'], { axis: 0 }),
      node('Conv', ['xf', 'wf', 'bf'], ['c'], { auto_pad: 'SAME_UPPER', kernel_shape: [3, 3] }, '', 'conv'),
      node('Relu', ['c'], ['r']),
      node('QuantizeLinear', ['r', 'sy', 'zy'], ['y']),
    ],
  }));
}

function within1(g0: Graph, g: Graph, inputs: Record<string, Tensor>) {
  const [a, b] = [runGraph(g0, inputs), runGraph(g, inputs)];
  for (const o of g0.outputs) expect(maxAbsDiff(a[o], b[o])).toBeLessThanOrEqual(1);
}

describe('qdq-recognition', () => {
  it('marks quant on Q outputs and DQ integer inputs (bits from the dtype)', () => {
    const g0 = graph({
      inputs: [['x', 'float32', [4]]], outputs: ['y'],
      inits: { s: scalar('float32', 0.5), z: makeTensor('int4', [], [1]), w: makeTensor('int4', [4], [1, 2, 3, -8]) },
      nodes: [node('QuantizeLinear', ['x', 's', 'z'], ['q']), node('DequantizeLinear', ['w', 's', 'z'], ['wf']), node('DequantizeLinear', ['q', 's', 'z'], ['qf']), node('Add', ['qf', 'wf'], ['y'])],
    });
    const g = annotateQuant(inferShapes(g0));
    expect(g.tensors.q.quant).toEqual({ scale: [0.5], zeroPoint: [1], bits: 4, signed: true, narrow: false });
    expect(g.tensors.w.quant).toMatchObject({ bits: 4, signed: true });
    validateGraph(g, { strict: true });
  });

  it('turns DQ → Conv → Relu → Q into one QConv with qmin = zy, within one step', () => {
    const g0 = qdqConv();
    const g = recognizeQdq(g0);
    const qc = g.nodes.find((n) => n.op === 'QConv')!;
    expect(qc).toMatchObject({ domain: 'hsq', inputs: ['x', 'w', expect.any(String)], outputs: ['y'] });
    expect(qc.attrs).toMatchObject({ qmin: -5, qmax: 127, pads: [1, 1, 1, 1], group: 1, strides: [1, 1], dilations: [1, 1] });
    expect(Array.from(g.initializers[qc.inputs[2]].data)).toEqual([100, -2000, 350]);
    expect(g.tensors.x.quant).toMatchObject(q8(Math.fround(0.05), 3));
    expect(g.tensors.y.quant).toMatchObject(q8(Math.fround(0.08), -5));
    const clean = runPipeline(g, corePipeline.slice(-2), { strict: true });
    expect(ops(clean)).toEqual(['hsq:QConv']);
    const r = rng(32);
    for (let k = 0; k < 3; k++) within1(g0, clean, { x: makeTensor('int8', [1, 2, 5, 5], Array.from({ length: 50 }, () => Math.round(r(-128, 127)))) });
  });

  it('turns DQ → Gemm(transB) → Q into QGemm with transposed integer weights', () => {
    const r = rng(33);
    const w = makeTensor('int8', [3, 4], Array.from({ length: 12 }, () => Math.round(r(-127, 127))));
    const g0 = inferShapes(graph({
      inputs: [['x', 'uint8', [2, 4]]], outputs: ['y'],
      inits: { sx: scalar('float32', 0.02), zx: scalar('uint8', 128), w, sw: f32([3], [0.01, 0.03, 0.02]), zw: makeTensor('int8', [3], [0, 0, 0]), c: f32([3], [0.1, -0.2, 0.3]), sy: scalar('float32', 0.05), zy: scalar('uint8', 100) },
      nodes: [
        node('DequantizeLinear', ['x', 'sx', 'zx'], ['xf']),
        node('DequantizeLinear', ['w', 'sw', 'zw'], ['wf'], { axis: 0 }),
        node('Gemm', ['xf', 'wf', 'c'], ['g'], { transB: 1 }),
        node('QuantizeLinear', ['g', 'sy', 'zy'], ['y']),
      ],
    }));
    const g = runPipeline(recognizeQdq(g0), corePipeline.slice(-2), { strict: true });
    expect(ops(g)).toEqual(['hsq:QGemm']);
    const wt = g.initializers[g.nodes[0].inputs[1]];
    expect(wt.shape).toEqual([4, 3]);
    expect(Number(wt.data[1])).toBe(Number(w.data[4])); // wt[0][1] = w[1][0]
    expect(g.tensors[g.nodes[0].inputs[1]].quant).toMatchObject({ axis: 1 });
    for (let k = 0; k < 3; k++) within1(g0, g, { x: makeTensor('uint8', [2, 4], Array.from({ length: 8 }, () => Math.round(r(0, 255)))) });
  });

  it('maps QLinearConv to QConv with the same numbers', () => {
    const r = rng(34);
    const g0 = inferShapes(graph({
      inputs: [['x', 'uint8', [1, 2, 4, 4]]], outputs: ['y'],
      inits: {
        xs: scalar('float32', 0.03), xz: scalar('uint8', 120), w: makeTensor('int8', [2, 2, 3, 3], Array.from({ length: 36 }, () => Math.round(r(-100, 100)))),
        ws: scalar('float32', 0.01), wz: scalar('int8', 0), ys: scalar('float32', 0.06), yz: scalar('uint8', 128), b: makeTensor('int32', [2], [500, -500]),
      },
      nodes: [node('QLinearConv', ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], ['y'], { pads: [1, 1, 1, 1] })],
    }));
    const g = recognizeQdq(g0);
    expect(ops(g)).toEqual(['hsq:QConv']);
    validateGraph(g, { strict: true });
    const x = makeTensor('uint8', [1, 2, 4, 4], Array.from({ length: 32 }, () => Math.round(r(0, 255))));
    exact(g0, g, { x });
  });

  it('a Conv whose output is not quantized becomes a float-output QConv (integer weights kept), within float rounding of QDQ', () => {
    const g0 = qdqConv();
    const noQ = inferShapes({ ...g0, outputs: ['r'], nodes: g0.nodes.slice(0, 5), tensors: Object.fromEntries(Object.entries(g0.tensors).filter(([k]) => k !== 'y')) as Record<string, TensorInfo> });
    const g = recognizeQdq(noQ);
    expect(ops(g)).toContain('hsq:QConv');
    const qc = g.nodes.find((n) => n.op === 'QConv')!;
    expect(qc.attrs.float_out).toBe(1);
    expect(g.tensors[qc.outputs[0]].dtype).toBe('float32');
    const r = rng(31);
    const x = makeTensor('int8', [1, 2, 5, 5], Array.from({ length: 50 }, () => Math.round(r(-128, 127))));
    const [a, b] = [runGraph(noQ, { x }).r, runGraph(inferShapes(g), { x }).r];
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-4 * Math.max(1, ...Array.from(a.data as Float32Array, Math.abs)));
  });
});

describe('sameQuant', () => {
  const base = { scale: [0.004], zeroPoint: [0], bits: 8, signed: true, narrow: true };
  it('one scale along an axis equals the per-tensor form (a 1-output Gemm written per-tensor)', () => {
    expect(sameQuant({ ...base, axis: 0 }, base)).toBe(true);
  });
  it('two scales along different axes, or a different scale, differ', () => {
    const two = { ...base, scale: [0.004, 0.002], zeroPoint: [0, 0] };
    expect(sameQuant({ ...two, axis: 0 }, { ...two, axis: 1 })).toBe(false);
    expect(sameQuant(base, { ...base, scale: [0.005] })).toBe(false);
  });
});
