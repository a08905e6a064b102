// fold-batchnorm and fuse-activation: structure, and numbers through the interpreter.
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { validateGraph } from '../ops/engine/validate';
import { runGraph } from '../ops/engine/interpreter';
import { foldBatchNorm } from '../passes/fold-batchnorm';
import { fuseActivations } from '../passes/fuse-activation';
import { encodeModel } from '../frontend/onnx/export';
import { decodeModel } from '../frontend/onnx/import';
import { inferShapes } from '../passes/shape-inference';
import { f32, graph, maxAbsDiff, node, ops, randT, rng, scalar } from './passes-helpers';

function bnInits(r: ReturnType<typeof rng>, c: number, negative = false) {
  return {
    gamma: f32([c], Array.from({ length: c }, (_, k) => (negative && k % 2 ? -1 : 1) * r(0.5, 2))),
    beta: randT(r, [c]),
    mean: randT(r, [c], -0.5, 0.5),
    var: randT(r, [c], 0.1, 2),
  };
}
const bn = (x: string, y: string) => node('BatchNormalization', [x, 'gamma', 'beta', 'mean', 'var'], [y], { epsilon: 1e-5 }, '', 'bn');

function compare(g0: Graph, g: Graph, inputs: Record<string, ReturnType<typeof f32>>, tol: number) {
  const [a, b] = [runGraph(g0, inputs), runGraph(g, inputs)];
  for (const o of g0.outputs) expect(maxAbsDiff(a[o], b[o])).toBeLessThanOrEqual(tol);
}

describe('fold-batchnorm', () => {
  it('folds BN into a float Conv: W*a, (b-mean)*a+B, numbers within float32 rounding', () => {
    const r = rng(7);
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [1, 3, 6, 6]]], outputs: ['y'],
      inits: { w: randT(r, [4, 3, 3, 3]), b: randT(r, [4]), ...bnInits(r, 4) },
      nodes: [node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }, '', 'conv'), bn('c', 'y')],
    }));
    const g = foldBatchNorm(g0);
    expect(ops(g)).toEqual(['Conv']);
    expect(g.nodes[0].outputs).toEqual(['y']);
    expect(g.nodes[0].origin).toEqual(['conv', 'bn']);
    validateGraph(g, { strict: true });
    // Folded weight value check against the documented formula.
    const a0 = Math.fround(g0.initializers.gamma.data[0] as number / Math.fround(Math.sqrt(Math.fround((g0.initializers.var.data[0] as number) + Math.fround(1e-5)))));
    expect(g.initializers[g.nodes[0].inputs[1]].data[0]).toBe(Math.fround((g0.initializers.w.data[0] as number) * a0));
    compare(g0, g, { x: randT(r, [1, 3, 6, 6]) }, 2e-5);
  });

  it('folds BN after Gemm (transB) and after MatMul (which becomes Gemm)', () => {
    const r = rng(8);
    const gemm = inferShapes(graph({
      inputs: [['x', 'float32', [2, 5]]], outputs: ['y'],
      inits: { w: randT(r, [3, 5]), c: randT(r, [3]), ...bnInits(r, 3, true) },
      nodes: [node('Gemm', ['x', 'w', 'c'], ['g'], { transB: 1, beta: 0.5 }), bn('g', 'y')],
    }));
    const g1 = foldBatchNorm(gemm);
    expect(ops(g1)).toEqual(['Gemm']);
    compare(gemm, g1, { x: randT(r, [2, 5]) }, 2e-5);
    const mm = inferShapes(graph({
      inputs: [['x', 'float32', [2, 5]]], outputs: ['y'],
      inits: { w: randT(r, [5, 3]), ...bnInits(r, 3) },
      nodes: [node('MatMul', ['x', 'w'], ['m']), bn('m', 'y')],
    }));
    const g2 = foldBatchNorm(mm);
    expect(ops(g2)).toEqual(['Gemm']);
    validateGraph(g2, { strict: true });
    compare(mm, g2, { x: randT(r, [2, 5]) }, 2e-5);
  });

  it('folds BN into the DequantizeLinear scale of integer weights, keeping them integer', () => {
    const r = rng(9);
    const w = makeTensor('int8', [4, 2, 3, 3], Array.from({ length: 72 }, () => Math.round(r(-7, 7))));
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [1, 2, 5, 5]]], outputs: ['y'],
      inits: { w, ws: f32([4], [0.1, 0.2, 0.05, 0.3]), wz: makeTensor('int8', [4], [0, 0, 0, 0]), b: randT(r, [4]), ...bnInits(r, 4, true) },
      nodes: [node('DequantizeLinear', ['w', 'ws', 'wz'], ['wf'], { axis: 0 }), node('Conv', ['x', 'wf', 'b'], ['c']), bn('c', 'y')],
    }));
    const g = foldBatchNorm(g0);
    expect(ops(g)).toEqual(['DequantizeLinear', 'DequantizeLinear', 'Conv']);
    const dq = g.nodes[1];
    const wi = g.initializers[dq.inputs[0]];
    expect(wi.dtype).toBe('int8');
    // Odd channels had negative BN scale: their integers are negated, the scale stays positive.
    expect(Number(wi.data[18])).toBe(-Number(w.data[18]));
    expect(Number(wi.data[0])).toBe(Number(w.data[0]));
    for (const s of g.initializers[dq.inputs[1]].data) expect(s).toBeGreaterThan(0);
    validateGraph(g, { strict: true });
    compare(g0, g, { x: randT(r, [1, 2, 5, 5]) }, 1e-5);
  });

  it('leaves a BN that has nothing to fold into', () => {
    const r = rng(10);
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [1, 3, 2, 2]]], outputs: ['y'],
      inits: bnInits(r, 3),
      nodes: [node('Relu', ['x'], ['a']), bn('a', 'y')],
    }));
    expect(foldBatchNorm(g0)).toBe(g0);
  });
});

describe('fuse-activation', () => {
  const cases: [string, Node, Record<string, ReturnType<typeof f32>>, unknown[]][] = [
    ['relu', node('Relu', ['c'], ['y']), {}, []],
    ['clip', node('Clip', ['c', 'lo', 'hi'], ['y']), { lo: scalar('float32', -0.25), hi: scalar('float32', 0.5) }, [-0.25, 0.5]],
    ['leakyrelu', node('LeakyRelu', ['c'], ['y'], { alpha: 0.1 }), {}, [Math.fround(0.1)]],
  ];
  for (const [name, act, inits, params] of cases) {
    it(`fuses ${act.op} into a float Conv as activation='${name}', bit-identical; export splits it back`, () => {
      const r = rng(11);
      const g0 = inferShapes(graph({
        inputs: [['x', 'float32', [1, 2, 4, 4]]], outputs: ['y'],
        inits: { w: randT(r, [3, 2, 3, 3]), b: randT(r, [3]), ...inits },
        nodes: [node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }), act],
      }));
      const g = fuseActivations(g0);
      expect(ops(g)).toEqual(['Conv']);
      expect(g.nodes[0].attrs.activation).toBe(name);
      expect(g.nodes[0].attrs.activation_params).toEqual(params);
      expect(g.tensors.c).toBeUndefined();
      const x = randT(r, [1, 2, 4, 4]);
      expect(Array.from(runGraph(g, { x }).y.data)).toEqual(Array.from(runGraph(g0, { x }).y.data));
      const back = inferShapes(decodeModel(encodeModel(g)));
      expect(ops(back)).toEqual(['Conv', act.op]);
      expect(back.nodes[0].attrs.activation).toBeUndefined();
      expect(Array.from(runGraph(back, { x }).y.data)).toEqual(Array.from(runGraph(g0, { x }).y.data));
    });
  }

  function qconvGraph(act: Node, yScale = 0.05, yZero = 10): Graph {
    const r = rng(12);
    const q = (scale: number, zp: number, signed = true) => ({ scale: [scale], zeroPoint: [zp], bits: 8, signed, narrow: false });
    const infos: TensorInfo[] = [
      { name: 'x', dtype: 'int8', shape: [1, 2, 4, 4], quant: q(0.1, -2) },
      { name: 'w', dtype: 'int8', shape: [3, 2, 3, 3], quant: q(0.02, 0) },
      { name: 'yq', dtype: 'int8', shape: [1, 3, 4, 4], quant: q(yScale, yZero) },
      { name: 'z', dtype: 'int8', shape: [1, 3, 4, 4], quant: q(yScale, yZero) },
    ];
    return inferShapes(graph({
      inputs: [['x', 'int8', [1, 2, 4, 4]]], outputs: ['z'], tensors: infos,
      inits: { w: makeTensor('int8', [3, 2, 3, 3], Array.from({ length: 54 }, () => Math.round(r(-20, 20)))), s: scalar('float32', yScale), zp: scalar('int8', yZero), lo: scalar('float32', -0.2), hi: scalar('float32', 1) },
      nodes: [
        node('QConv', ['x', 'w'], ['yq'], { group: 1, kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], qmin: -128, qmax: 127 }, 'hsq', 'qc'),
        node('DequantizeLinear', ['yq', 's', 'zp'], ['yf']),
        act,
        node('QuantizeLinear', ['a', 's', 'zp'], ['z']),
      ],
    }));
  }

  it('fuses QConv → DQ → Relu → Q into qmin = max(qmin, zy), identical numbers', () => {
    const g0 = qconvGraph(node('Relu', ['yf'], ['a']));
    const g = fuseActivations(g0);
    expect(ops(g)).toEqual(['hsq:QConv']);
    expect(g.nodes[0].attrs).toMatchObject({ qmin: 10, qmax: 127 });
    expect(g.nodes[0].outputs).toEqual(['z']);
    validateGraph(g, { strict: true });
    const r = rng(13);
    const x = makeTensor('int8', [1, 2, 4, 4], Array.from({ length: 32 }, () => Math.round(r(-128, 127))));
    expect(Array.from(runGraph(g, { x }).z.data)).toEqual(Array.from(runGraph(g0, { x }).z.data));
  });

  it('fuses Clip(a, b) as clamp(quantize(a), quantize(b))', () => {
    const g0 = qconvGraph(node('Clip', ['yf', 'lo', 'hi'], ['a']));
    const g = fuseActivations(g0);
    expect(g.nodes[0].attrs).toMatchObject({ qmin: 10 - 4, qmax: 10 + 20 });
    const r = rng(14);
    const x = makeTensor('int8', [1, 2, 4, 4], Array.from({ length: 32 }, () => Math.round(r(-128, 127))));
    expect(Array.from(runGraph(g, { x }).z.data)).toEqual(Array.from(runGraph(g0, { x }).z.data));
  });

  it('does not fuse when the Q after the activation has another scale', () => {
    const g0 = qconvGraph(node('Relu', ['yf'], ['a']));
    const other = { ...g0, initializers: { ...g0.initializers, s2: scalar('float32', 0.07) }, nodes: g0.nodes.map((n) => (n.op === 'QuantizeLinear' ? { ...n, inputs: ['a', 's2', 'zp'] } : n)), tensors: { ...g0.tensors, z: { ...g0.tensors.z, quant: { ...g0.tensors.z.quant!, scale: [0.07] } } } };
    expect(fuseActivations(other)).toBe(other);
  });
});
