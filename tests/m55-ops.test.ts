// The generated Cortex-M55 kernels of the non-MAC 8-bit layers (targets/cortex-m55/kernels/
// fuse.ts, lut.ts, eltwise.ts, pool.ts, movement.ts): small seeded graphs of quantized Add / Mul
// (broadcasting, uint8, exact ties), average and max pooling (padding, count_include_pad,
// global), lookup tables (Sigmoid, HardSwish, LeakyRelu; Relu / Clip as VMAX/VMIN; a shared
// DequantizeLinear), Concat (copies and requantization) and nearest Resize, plus one model
// through the quantizer. All in ONE ELF and ONE QEMU run per path (MVE, and the portable path
// of a -mcpu=cortex-m55+nomve build); outputs equal the interpreter bit for bit, and the
// emitted C calls the MVE kernel of every layer.
import { armToolchainStatus, ARM_APT_PACKAGES } from '../toolchain/qemu';
import { M55BatchResult, runM55Batch } from '../targets/cortex-m55/run';
import { runGraph } from '../ops/engine/interpreter';
import { DType } from '../core/ir/dtype';
import { AttrValue, Graph, Node, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { inferShapes } from '../passes/shape-inference';
import { decodeModel } from '../frontend/onnx/import';
import { setWarningSink } from '../core/diagnostics';
import { loadCalibration, quantizeModel, runFloatPasses, runQuantizedPasses } from '../precision';
import { ModelBuilder, DT, attr, floatTensor } from '../examples/lib/onnx-builder';
import { Rng } from '../examples/lib/prng';
import { fma32, reciprocal32, vdiv32 } from '../targets/cortex-m55/kernels/op-kernel';
import { binaryMismatch } from '../targets/cortex-m55/kernels/eltwise';
import { emitM55Model } from '../targets/cortex-m55/emit';
import { compareExact } from './support/host-c-conformance';

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`m55-ops: skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describe;

let seed = 777;
function rnd(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}
const randInt = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const f = Math.fround;

/** A graph under construction: inputs, DequantizeLinear / QuantizeLinear helpers, nodes. */
class G {
  readonly nodes: Node[] = [];
  readonly inits: Record<string, Tensor> = {};
  readonly tensors: Record<string, TensorInfo> = {};
  readonly inputs: string[] = [];
  readonly feeds: Record<string, Tensor> = {};
  private k = 0;
  constructor(readonly name: string) {}

  input(name: string, dtype: DType, shape: number[]): string {
    this.inputs.push(name);
    this.tensors[name] = { name, dtype, shape };
    const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
    this.feeds[name] = makeTensor(dtype, shape, Array.from({ length: numel(shape) }, () => randInt(lo, hi)));
    return name;
  }

  constInt(name: string, dtype: DType, shape: number[]): string {
    const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-128, 127];
    this.inits[name] = makeTensor(dtype, shape, Array.from({ length: numel(shape) }, () => randInt(lo, hi)));
    return name;
  }

  private params(scale: number, zp: number, dtype: DType): [string, string] {
    const id = this.k++;
    this.inits[`s${id}`] = makeTensor('float32', [], [f(scale)]);
    this.inits[`z${id}`] = makeTensor(dtype, [], [zp]);
    return [`s${id}`, `z${id}`];
  }

  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): string {
    const id = this.k++;
    const out = `t${id}`;
    this.nodes.push({ name: name ?? `${op.toLowerCase()}${id}`, op, domain: '', inputs, outputs: [out], attrs, opset: 17 });
    return out;
  }

  dq(x: string, scale: number, zp: number, dtype: DType = 'int8'): string {
    return this.node('DequantizeLinear', [x, ...this.params(scale, zp, dtype)]);
  }

  q(x: string, scale: number, zp: number, dtype: DType = 'int8'): string {
    return this.node('QuantizeLinear', [x, ...this.params(scale, zp, dtype)]);
  }

  build(outputs: string[]): Graph {
    const g: Graph = {
      name: this.name, inputs: this.inputs, outputs, tensors: { ...this.tensors }, initializers: this.inits, nodes: this.nodes,
      opsets: { '': 17 }, annotations: {}, metadata: {}, irVersion: 8,
    };
    return inferShapes(g);
  }
}

interface Case { name: string; graph: Graph; inputs: Record<string, Tensor>[]; kinds: string[] }

/** Input sets: the builder's, then two more random ones. */
function sets(g: G): Record<string, Tensor>[] {
  const more = () => Object.fromEntries(Object.entries(g.feeds).map(([k, t]) => [k, makeTensor(t.dtype, [...t.shape], Array.from({ length: numel(t.shape) }, () => (t.dtype === 'uint8' ? randInt(0, 255) : randInt(-128, 127))))]));
  return [g.feeds, more(), more()];
}

function binary(name: string, op: 'Add' | 'Mul', a: [DType, number[], number, number], b: [DType, number[], number, number] | 'const', y: [DType, number, number]): Case {
  const g = new G(name);
  const xa = g.dq(g.input('a', a[0], a[1]), a[2], a[3], a[0]);
  const xb = b === 'const' ? g.dq(g.constInt('bc', 'int8', [1, a[1][1], 1, 1]), 0.03, 2) : g.dq(g.input('b', b[0], b[1]), b[2], b[3], b[0]);
  const yq = g.q(g.node(op, [xa, xb]), y[1], y[2], y[0]);
  return { name, graph: g.build([yq]), inputs: sets(g), kinds: [op.toLowerCase()] };
}

function chain(name: string, x: [DType, number[], number, number], y: [DType, number, number], op: string, attrs: Record<string, AttrValue>, kinds: string[], extra: string[] = []): Case {
  const g = new G(name);
  const d = g.dq(g.input('x', x[0], x[1]), x[2], x[3], x[0]);
  const yq = g.q(g.node(op, [d, ...extra], attrs), y[1], y[2], y[0]);
  return { name, graph: g.build([yq]), inputs: sets(g), kinds };
}

function cases(): Case[] {
  const c: Case[] = [];
  c.push(binary('add_s8', 'Add', ['int8', [1, 19, 5, 7], 0.043, 3], ['int8', [1, 19, 5, 7], 0.021, -7], ['int8', 0.061, -2]));
  // Power-of-two scales: half the quotients are exact ties (round half to even).
  c.push(binary('add_ties', 'Add', ['int8', [1, 16, 4, 4], 0.5, 0], ['int8', [1, 16, 4, 4], 0.25, 1], ['int8', 0.5, 0]));
  c.push(binary('mul_ties_u8', 'Mul', ['uint8', [1, 8, 6, 6], 0.125, 128], ['uint8', [1, 8, 6, 6], 0.0625, 120], ['uint8', 0.25, 130]));
  c.push(binary('add_u8_bcast_const', 'Add', ['uint8', [1, 24, 4, 5], 0.02, 100], 'const', ['uint8', 0.05, 90]));
  c.push(binary('mul_bcast_rows', 'Mul', ['int8', [1, 6, 5, 9], 0.05, 0], ['int8', [1, 1, 5, 9], 0.04, 4], ['int8', 0.03, -1]));
  c.push(binary('add_rank2', 'Add', ['int8', [3, 37], 0.07, 1], ['int8', [3, 37], 0.07, 1], ['int8', 0.11, 0]));
  c.push(chain('avgpool_3x3_pad', ['int8', [1, 19, 7, 6], 0.05, -3], ['int8', 0.04, 2], 'AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, ['avgpool']));
  c.push(chain('avgpool_2x2_s2_cip_u8', ['uint8', [1, 10, 7, 9], 0.5, 128], ['uint8', 0.5, 128], 'AveragePool', { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 0, 1, 1], count_include_pad: 1 }, ['avgpool']));
  c.push(chain('avgpool_ties', ['int8', [1, 8, 6, 6], 0.5, 0], ['int8', 0.5, 0], 'AveragePool', { kernel_shape: [2, 2], strides: [2, 2] }, ['avgpool']));
  c.push(chain('global_avgpool', ['int8', [1, 21, 5, 5], 0.03, 5], ['int8', 0.02, -5], 'GlobalAveragePool', {}, ['avgpool']));
  c.push(chain('maxpool_3x3_s2', ['int8', [1, 20, 9, 8], 0.05, -3], ['int8', 0.05, -3], 'MaxPool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, ['maxpool']));
  c.push(chain('global_maxpool_u8', ['uint8', [1, 17, 4, 6], 0.05, 7], ['uint8', 0.05, 7], 'GlobalMaxPool', {}, ['maxpool']));
  {
    const g = new G('maxpool_int_u8');
    const y = g.node('MaxPool', [g.input('x', 'uint8', [1, 33, 6, 6])], { kernel_shape: [2, 2], strides: [2, 2] });
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['maxpool'] });
  }
  c.push(chain('sigmoid', ['int8', [1, 18, 5, 5], 0.06, 0], ['int8', 1 / 256, -128], 'Sigmoid', {}, ['lut']));
  c.push(chain('hardswish_u8', ['int8', [1, 7, 3, 5], 0.05, 10], ['uint8', 0.03, 20], 'HardSwish', {}, ['lut']));
  c.push(chain('relu_clamp', ['int8', [1, 40, 3, 3], 0.05, -10], ['int8', 0.05, -10], 'Relu', {}, ['clamp']));
  {
    // One DequantizeLinear read by four unary chains (no host lookup table for those).
    const g = new G('shared_dq_unaries');
    const d = g.dq(g.input('x', 'int8', [1, 12, 4, 4]), 0.04, 3);
    g.inits.lo = makeTensor('float32', [], [-1]);
    g.inits.hi = makeTensor('float32', [], [2]);
    const outs = [
      g.q(g.node('LeakyRelu', [d], { alpha: 0.1 }), 0.03, -20),
      g.q(g.node('Clip', [d, 'lo', 'hi']), 0.04, 3),
      g.q(g.node('Sigmoid', [d]), 1 / 256, -128),
      g.q(g.node('HardSwish', [d]), 0.04, -30),
    ];
    c.push({ name: g.name, graph: g.build(outs), inputs: sets(g), kinds: ['lut', 'clamp', 'lut', 'lut'] });
  }
  {
    const g = new G('relu_int_s8');
    const y = g.node('Relu', [g.input('x', 'int8', [1, 9, 5, 3])]);
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['clamp'] });
  }
  {
    const g = new G('concat_same');
    const ins = [5, 16, 7].map((C, i) => g.dq(g.input(`x${i}`, 'int8', [1, C, 3, 4]), 0.05, 1));
    const y = g.q(g.node('Concat', ins, { axis: 1 }), 0.05, 1);
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['concat'] });
  }
  {
    const g = new G('concat_requant_u8');
    const ins = [[3, 0.02, 100], [20, 0.07, 128], [9, 0.05, 60]].map(([C, s, z], i) => g.dq(g.input(`x${i}`, 'uint8', [1, C, 4, 2]), s, z, 'uint8'));
    const y = g.q(g.node('Concat', ins, { axis: 1 }), 0.05, 110, 'uint8');
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['concat'] });
  }
  {
    const g = new G('concat_int_h');
    const y = g.node('Concat', [g.input('x0', 'int8', [1, 6, 2, 5]), g.input('x1', 'int8', [1, 6, 3, 5])], { axis: 2 });
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['concat'] });
  }
  {
    const g = new G('resize_2x');
    g.inits.scales = makeTensor('float32', [4], [1, 1, 2, 2]);
    const d = g.dq(g.input('x', 'int8', [1, 20, 4, 5]), 0.05, 2);
    const y = g.q(g.node('Resize', [d, '', 'scales'], { mode: 'nearest' }), 0.05, 2);
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['resize'] });
  }
  {
    const g = new G('resize_int_sizes_u8');
    g.inits.sizes = makeTensor('int64', [4], [1, 7, 8, 11]);
    const y = g.node('Resize', [g.input('x', 'uint8', [1, 7, 5, 7]), '', '', 'sizes'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    c.push({ name: g.name, graph: g.build([y]), inputs: sets(g), kinds: ['resize'] });
  }
  c.push(quantizedModel());
  return c;
}

/** A float model through hsq's quantizer: every op of this suite between two convolutions. */
function quantizedModel(): Case {
  const r = new Rng(5);
  const t = (n: number, s: number) => r.fillNormal(new Float32Array(n), 0, s);
  const b = new ModelBuilder('ops_model', 8, 13);
  b.input('x', DT.FLOAT, [1, 8, 8, 8]);
  b.initializer(floatTensor('w1', [8, 8, 1, 1], t(64, 0.3)));
  b.node({ op: 'Conv', name: 'conv1', inputs: ['x', 'w1'], outputs: ['c1'] });
  b.node({ op: 'Add', name: 'add', inputs: ['c1', 'x'], outputs: ['a'] });
  b.node({ op: 'Mul', name: 'mul', inputs: ['a', 'x'], outputs: ['m'] });
  b.node({ op: 'Relu', name: 'relu', inputs: ['m'], outputs: ['r'] });
  b.node({ op: 'MaxPool', name: 'mp', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } });
  b.node({ op: 'AveragePool', name: 'ap', inputs: ['p'], outputs: ['ap'], attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } });
  b.node({ op: 'Sigmoid', name: 'sig', inputs: ['ap'], outputs: ['s'] });
  b.node({ op: 'HardSwish', name: 'hs', inputs: ['ap'], outputs: ['h'] });
  b.node({ op: 'LeakyRelu', name: 'lr', inputs: ['ap'], outputs: ['l'], attrs: { alpha: attr.float(0.1) } });
  b.node({ op: 'Concat', name: 'cat', inputs: ['s', 'h', 'l'], outputs: ['cat'], attrs: { axis: attr.int(1) } });
  b.initializer(floatTensor('scales', [4], [1, 1, 2, 2]));
  b.node({ op: 'Resize', name: 'rs', inputs: ['cat', '', 'scales'], outputs: ['y'], attrs: { mode: attr.string('nearest') } });
  b.output('y', DT.FLOAT, [1, 24, 8, 8]);
  const fg = runFloatPasses(decodeModel(b.encode()));
  const restore = setWarningSink(() => undefined);
  try {
    const graph = runQuantizedPasses(quantizeModel(fg, { calib: loadCalibration(fg, 'random', { seed: 0, randomSamples: 2 }) }));
    const inputs = loadCalibration(fg, 'random', { seed: 9, randomSamples: 3 });
    return { name: 'quantized_model', graph, inputs, kinds: ['add', 'mul', 'lut', 'maxpool', 'avgpool', 'lut', 'lut', 'clamp', 'concat', 'resize'] };
  } finally {
    setWarningSink(restore);
  }
}

describe('exact float32 division by a multiply and two fused multiply-adds (hsq_m55_vdiv)', () => {
  test('fma32 rounds a·b + c once', () => {
    // 1 + 2^-24 is a tie in float32 when formed in two steps; fused, the 2^-48 decides.
    const a = f(1 + 2 ** -23), b = f(1 + 2 ** -23);
    expect(fma32(a, b, -1)).toBe(f(2 ** -22 + 2 ** -46));
    expect(fma32(f(1 + 2 ** -12), f(1 + 2 ** -12), 0)).toBe(f(1 + 2 ** -11)); // exact 1 + 2^-11 + 2^-24 rounds down
  });

  test('equals the IEEE quotient on random and tie-heavy operands', () => {
    let bad = 0;
    const divisors = [3, 5, 7, 9, 25, 49, 0.0392156877, 0.1, 0.02, 0.25, 1 / 3].map(f);
    for (const b of divisors) {
      const r = reciprocal32(b);
      for (let i = 0; i < 20000; i++) {
        const a = i % 2 ? f((rnd() - 0.5) * 2 ** randInt(-20, 20)) : f(randInt(-40000, 40000) * b * 0.5);
        if (vdiv32(a, b, r) !== f(a / b)) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  test('a plain multiply by the reciprocal is not exact; with the fused correction the Add/Mul proof passes', () => {
    // Sanity of the exhaustive check itself: a divisor whose reciprocal is inexact with ties
    // in the quotients gives mismatches for q = v * RN(1/s) without the correction.
    const y = { u: false, scale: f(0.3), zp: 0, lo: -128, hi: 127 };
    expect(binaryMismatch({ op: 'add', a: { u: false, scale: f(0.15), zp: 0 }, b: { u: false, scale: f(0.15), zp: 0 }, y })).toBeUndefined();
    let plainBad = 0;
    const r = f(1 / 0.3);
    for (let x = -256; x <= 254; x++) {
      const v = f(f(x * f(0.15)));
      const q1 = f(v * r), q2 = f(v / f(0.3));
      if (Math.round(q1) !== Math.round(q2) || q1 !== q2) plainBad++;
    }
    expect(plainBad).toBeGreaterThan(0);
  });
});

maybe('generated Cortex-M55 non-MAC kernels in models (QEMU)', () => {
  const all = cases();
  const runs: Partial<Record<'mve' | 'scalar', M55BatchResult>> = {};

  beforeAll(async () => {
    if (!status.ok)
      throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
    const items = all.map((c) => ({ graph: c.graph, inputs: c.inputs }));
    const [mve, scalar] = await Promise.all([runM55Batch(items, {}), runM55Batch(items, { scalar: true, opt: '-Os' })]);
    runs.mve = mve;
    runs.scalar = scalar;
  }, 600000);

  test('every layer runs its generated kernel, MVE path, called from the schedule', () => {
    const models = runs.mve!.stats.program.models;
    const got = models.map((m, k) => ({ name: all[k].name, kinds: m.ops.map((o) => o.kind), paths: [...new Set(m.ops.map((o) => o.path))] }));
    expect(got).toEqual(all.map((c) => ({ name: c.name, kinds: c.kinds, paths: ['mve'] })));
    const helper: Record<string, string> = {
      add: 'hsq_m55_qbinary(', mul: 'hsq_m55_qbinary(', avgpool: 'hsq_m55_qavgpool_px(', maxpool: 'hsq_m55_maxpool_px(',
      lut: 'hsq_m55_lut(', clamp: 'hsq_m55_clamp(', concat: 'hsq_m55_', resize: 'hsq_m55_',
    };
    models.forEach((m, k) => {
      const src = m.files[`${m.name}_m55.c`] as string;
      const sched = m.files[`${m.name}.c`] as string;
      for (const o of m.ops) {
        expect(src).toContain(`void ${o.fn}(`);
        expect(src).toContain(helper[o.kind]);
        expect(sched).toContain(`  ${o.fn}(`);
      }
      // No float tensors left between the fused chains of the hand-built graphs.
      if (all[k].name !== 'quantized_model') expect(sched).not.toMatch(/hsq_dequantize\(/);
    });
  });

  test.each(['mve', 'scalar'] as const)('%s: every model equals the interpreter bit for bit', (path) => {
    const bad: string[] = [];
    all.forEach((c, k) => c.inputs.forEach((set, s) => {
      const ref = runGraph(c.graph, set);
      for (const o of c.graph.outputs) {
        const p = compareExact(runs[path]!.outputs[k][s][o], ref[o]);
        if (p) bad.push(`${c.name}/${o} (input set ${s}): ${p}`);
      }
    }));
    expect(bad).toEqual([]);
  });

  test('portable-only emission keeps the DequantizeLinear -> op -> QuantizeLinear chains', () => {
    const c = all.find((x) => x.name === 'add_s8')!;
    const e = emitM55Model(c.graph, { name: 'p', portableOnly: true, omitRuntime: true });
    expect(e.ops).toEqual([]);
    expect(e.files['p.c']).toMatch(/hsq_dequantize\(/);
    expect(Object.keys(e.files)).not.toContain('p_m55.c');
  });
});
