// QAT layers become integer layers (issue 11 items 1, 3, 7, 8; docs/qat-layers.md): seeded
// Brevitas-style MLPs built here with the independent ONNX builder (examples/lib/onnx-builder),
// the shared qonnx-zoo TFC models when ../shared is present, and a precision override on the
// seeded Tiny YOLOv2 QDQ.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setWarningSink } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { accumulatorOutput } from '../core/numerics';
import { decodeModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { verifyModel } from '../driver/commands/verify';
import { runGraph } from '../ops/engine/interpreter';
import { ModelBuilder, DT, attr, floatTensor, int64Tensor } from '../examples/lib/onnx-builder';
import { Rng } from '../examples/lib/prng';
import { buildTinyYoloV2 } from '../examples/tiny-yolov2/build';
import { encodeQdqOnnx, loadCalibration, quantizeModel, runFloatPasses } from '../precision';
import { shiftUint8ToInt8 } from '../passes/uint8-to-int8';
import { randomInputs } from '../core/random-inputs';
import { smallCnnBytes } from './quantize-helpers';
import { sharedPath, testShared } from './support/shared';

const HSQ = path.join(__dirname, '..', 'bin', 'hsq.js');
const BREVITAS = 'onnx.brevitas';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-qat-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A Brevitas FINN-style MLP (as the qonnx-zoo TFC exports): x [1,1,4,4] → Reshape → Mul/Sub (float
 * prologue) → activation quantizer → per layer Quant(W [N,K]) → Transpose → MatMul →
 * BatchNormalization → activation quantizer; the last MatMul ends in a float Sub/Div/Mul/Add.
 * `bits` 1 uses BipolarQuant for weights and activations (TFC_1W1A), else Quant signed narrow.
 */
function brevitasMlp(bits: number, seed: number, dims = [16, 24, 12, 5]): Uint8Array {
  const r = new Rng(seed);
  const t = (n: number, s: number) => r.fillNormal(new Float32Array(n), 0, s);
  const b = new ModelBuilder(`mlp_w${bits}a${bits}`, 7, 11).useDomain(BREVITAS, 1);
  b.input('x', DT.FLOAT, [1, 1, 4, 4]);
  const scalar = (name: string, v: number) => b.initializer(floatTensor(name, [], [v]));
  scalar('zp', 0); scalar('bits', bits); scalar('s', 1); scalar('two', 2); scalar('one', 1);
  b.initializer(int64Tensor('shape', [2], [1, -1]));
  b.node({ op: 'Reshape', name: 'Reshape_0', inputs: ['x', 'shape'], outputs: ['r'] });
  b.node({ op: 'Mul', name: 'Mul_pre', inputs: ['r', 'two'], outputs: ['m'] });
  b.node({ op: 'Sub', name: 'Sub_pre', inputs: ['m', 'one'], outputs: ['a0f'] });
  const q = (name: string, x: string, out: string) => bits === 1
    ? b.node({ op: 'BipolarQuant', name, domain: BREVITAS, inputs: [x, 's'], outputs: [out] })
    : b.node({ op: 'Quant', name, domain: BREVITAS, inputs: [x, 's', 'zp', 'bits'], outputs: [out], attrs: { signed: attr.int(1), narrow: attr.int(1), rounding_mode: attr.string('ROUND') } });
  q('Quant_in', 'a0f', 'a0');
  let x = 'a0';
  for (let l = 0; l + 1 < dims.length; l++) {
    const K = dims[l], N = dims[l + 1];
    b.initializer(floatTensor(`W${l}`, [N, K], t(N * K, 0.8)));
    q(`Quant_W${l}`, `W${l}`, `Wq${l}`);
    b.node({ op: 'Transpose', name: `Transpose_${l}`, inputs: [`Wq${l}`], outputs: [`Wt${l}`], attrs: { perm: attr.ints([1, 0]) } });
    b.node({ op: 'MatMul', name: `MatMul_${l}`, inputs: [x, `Wt${l}`], outputs: [`mm${l}`] });
    if (l + 2 < dims.length) {
      // Some channels with negative BN factors: their integers are negated by the fold.
      b.initializer(floatTensor(`g${l}`, [N], Array.from(t(N, 1), (v) => (Math.abs(v) < 0.2 ? 0.5 : v))));
      b.initializer(floatTensor(`be${l}`, [N], t(N, 0.5)));
      b.initializer(floatTensor(`mu${l}`, [N], t(N, 1)));
      b.initializer(floatTensor(`var${l}`, [N], Array.from(t(N, 1), (v) => 1 + Math.abs(v) * 4)));
      b.node({ op: 'BatchNormalization', name: `BN_${l}`, inputs: [`mm${l}`, `g${l}`, `be${l}`, `mu${l}`, `var${l}`], outputs: [`bn${l}`] });
      q(`Quant_a${l + 1}`, `bn${l}`, `a${l + 1}`);
      x = `a${l + 1}`;
    } else {
      scalar('mean', 0.3); scalar('std', 1.7); scalar('gamma', 0.8); scalar('beta', -0.2);
      b.node({ op: 'Sub', name: 'Sub_post', inputs: [`mm${l}`, 'mean'], outputs: ['p1'] });
      b.node({ op: 'Div', name: 'Div_post', inputs: ['p1', 'std'], outputs: ['p2'] });
      b.node({ op: 'Mul', name: 'Mul_post', inputs: ['p2', 'gamma'], outputs: ['p3'] });
      b.node({ op: 'Add', name: 'Add_post', inputs: ['p3', 'beta'], outputs: ['y'] });
    }
  }
  b.output('y', DT.FLOAT, [1, dims[dims.length - 1]]);
  return b.encode();
}

const weightCount = (dims: number[]) => dims.slice(1).reduce((s, n, i) => s + n * dims[i], 0);

function compileCli(model: string, target: string, out: string, extra: string[] = []) {
  const r = spawnSync(process.execPath, [HSQ, 'compile', model, '--target', target, '-o', out, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hsq compile ${model} --target ${target} failed: ${r.stderr}`);
  return { report: JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')), stderr: r.stderr };
}

const ops = (g: Graph) => g.nodes.map((n) => (n.domain && n.domain !== '' ? `${n.domain}:${n.op}` : n.op));

describe('Brevitas MLPs become integer QGemm layers', () => {
  const dims = [16, 24, 12, 5];
  for (const bits of [2, 1]) {
    const file = path.join(dir, `mlp_w${bits}.onnx`);
    beforeAll(() => fs.writeFileSync(file, brevitasMlp(bits, 40 + bits, dims)));

    test(`w${bits}a${bits}: every MatMul is a QGemm with ${bits}-bit weights; prologue and epilogue stay float; interpreter equals the QONNX graph`, () => {
      const raw = decodeModel(fs.readFileSync(file));
      const g = lower(raw);
      const o = ops(g);
      expect(o.filter((n) => n === 'hsq:QGemm')).toHaveLength(dims.length - 1);
      for (const n of ['MatMul', 'BatchNormalization', 'Transpose', `${BREVITAS}:Quant`, `${BREVITAS}:BipolarQuant`]) expect(o).not.toContain(n);
      expect(o).toEqual(expect.arrayContaining(['Mul', 'Sub', 'Div', 'Add', 'QuantizeLinear']));
      const qg = g.nodes.filter((n) => n.op === 'QGemm');
      for (const n of qg) {
        const wq = g.tensors[n.inputs[1]].quant!;
        expect(bits === 1 ? wq.bipolar : wq.bits).toBe(bits === 1 ? true : 2);
        // The BN-folded bias is a float term (input 3), never an int32 bias.
        expect(n.inputs[2] ?? '').toBe('');
      }
      expect(qg.slice(0, -1).every((n) => n.inputs[3])).toBe(true);
      expect(qg[qg.length - 1].attrs.float_out).toBe(1);
      // Numbers: the lowered graph against the original QONNX graph in the interpreter.
      const r = new Rng(7);
      for (let k = 0; k < 5; k++) {
        const x = makeTensor('float32', [1, 1, 4, 4], r.fillNormal(new Float32Array(16), 0.4, 0.5));
        const a = runGraph(raw, { x }).y.data as Float32Array, b2 = runGraph(g, { x }).y.data as Float32Array;
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b2[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(a[i])));
      }
    });

    test(`w${bits}a${bits}: host flash holds the weights at ${bits} bit(s); verify --per-layer on host passes with 0 steps`, async () => {
      const { report } = compileCli(file, 'host', path.join(dir, `out_w${bits}_host`));
      const n = weightCount(dims);
      // Packed weights (rows start on a byte) plus per-channel multipliers and float terms.
      const params = dims.slice(1).reduce((s, c) => s + c * 8 + 32, 0);
      expect(report.totals.flash.total).toBeLessThanOrEqual(Math.ceil((n * (bits === 1 ? 1 : 2)) / 8) + dims.length * 24 + params + 64);
      expect(report.totals.flash.total).toBeLessThan(n); // below one byte a weight
      const v = await verifyModel({ model: file, target: 'host', random: 3, seed: 2, sanitize: false, scalar: false, 'per-layer': true });
      expect(v.json.ok).toBe(true);
      if (process.env.QAT_DEBUG) fs.writeFileSync('/tmp/qat-debug.json', JSON.stringify({ ...v.json, layers: undefined }, null, 1) + v.text);
      // The integer layers are exact against ONNX Runtime on the QONNX reference.
      for (const l of v.json.layers) if (l.name.startsWith('MatMul_') && l.kind !== 'float') expect([l.name, l.maxStepsVsOrt]).toEqual([l.name, 0]);
      expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
      expect(v.json.layers.filter((l) => l.precision === `w${bits}a${bits}`).length).toBe(dims.length - 2);
    }, 120000);
  }
});

describe('w1a1 layers on cortex-m55 take the generated XOR/popcount kernels', () => {
  test('a seeded BipolarQuant MLP: the bipolar-in, bipolar-out hidden QGemms run generated w1a1 kernels (sign output), the float-output one the portable kernel; QEMU equals the interpreter', async () => {
    const dims = [16, 32, 24, 5];
    const file = path.join(dir, 'mlp_w1_m55.onnx');
    fs.writeFileSync(file, brevitasMlp(1, 77, dims));
    compileCli(file, 'cortex-m55', path.join(dir, 'mlp_w1_m55'));
    const c = fs.readFileSync(path.join(dir, 'mlp_w1_m55', 'mlp_w1_m55.c'), 'utf8');
    expect(c.match(/generated Cortex-M55 kernel \S+ \(fc, w1a1,/g) ?? []).toHaveLength(2);
    expect(c.match(/hsq_qgemm\(/g) ?? []).toHaveLength(1);
    const k = fs.readFileSync(path.join(dir, 'mlp_w1_m55', 'mlp_w1_m55_m55.c'), 'utf8');
    expect(k).toMatch(/hsq_m55_sign_x/);
    const v = await verifyModel({ model: file, target: 'cortex-m55', random: 3, seed: 8, sanitize: false, scalar: false, 'per-layer': true });
    expect(v.json.ok).toBe(true);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
    for (const l of v.json.layers) expect([l.name, l.exactVsInterpreter]).toEqual([l.name, 1]);
  }, 600000);
});

describe('the float bias term', () => {
  test('float(acc)·m + b rounds once: a bias that rounding to int32 would move across a .5 boundary keeps its side', () => {
    // acc 3, m 0.5, bias 0.26 in output units: exact 1.76 → 2; with the bias rounded to int32
    // accumulator units (0.26 / 0.5 = 0.52 → 1) the result would be (3 + 1)·0.5 = 2 as well, but
    // at acc 2: 1.26 → 1, against (2 + 1)·0.5 = 1.5 → 2.
    expect(accumulatorOutput(2, 0.5, 0.26, 'int', 0, -8, 7)).toBe(1);
    expect(accumulatorOutput(3, 0.5, 0.26, 'int', 0, -8, 7)).toBe(2);
    expect(accumulatorOutput(-1, 0.5, 0.25, 'bipolar', 0, -1, 1)).toBe(-1);
    expect(accumulatorOutput(-1, 0.5, 0.5, 'bipolar', 0, -1, 1)).toBe(1); // zero is positive (QONNX BipolarQuant)
    expect(accumulatorOutput(7, 0.25, 0.125, 'float', 0, 0, 0)).toBe(1.875);
  });
});

// ---- the shared models ----
// Found through HSQ_SHARED or ../shared (tests/support/shared.ts): without it, skipped and counted.
const ZOO = sharedPath('models', 'real', 'qonnx-zoo');
const zooTest = testShared;

describe('qonnx-zoo TFC models', () => {
  for (const [model, limit, prec] of [['TFC_2W2A', 20 * 1024, 'w2a2'], ['TFC_1W1A', 12 * 1024, 'w1a1']] as const) {
    zooTest(`${model}: flash ≤ ${limit / 1024} KiB on host, cortex-m55 and stm32n6; hidden layers ${prec}; verify --per-layer passes on host`, async () => {
      for (const target of ['host', 'cortex-m55', 'stm32n6']) {
        const { report } = compileCli(path.join(ZOO, `${model}.onnx`), target, path.join(dir, `${model}_${target}`));
        expect(report.totals.flash.total).toBeLessThanOrEqual(limit);
        expect(report.layers.filter((l: { precision: string }) => l.precision === prec)).toHaveLength(3);
      }
      const v = await verifyModel({ model: path.join(ZOO, `${model}.onnx`), target: 'host', random: 2, seed: 1, sanitize: false, scalar: false, 'per-layer': true });
      expect(v.json.ok).toBe(true);
      for (const l of v.json.layers) if (l.kind !== 'float') expect(l.maxStepsVsOrt).toBe(0);
    }, 300000);
  }
  zooTest('TFC_1W1A on cortex-m55 (QEMU): the C equals the interpreter and every layer passes', async () => {
    compileCli(path.join(ZOO, 'TFC_1W1A.onnx'), 'cortex-m55', path.join(dir, 'TFC_1W1A_m55_kernels'));
    const c = fs.readFileSync(path.join(dir, 'TFC_1W1A_m55_kernels', 'TFC_1W1A.c'), 'utf8');
    expect(c.match(/generated Cortex-M55 kernel \S+ \(fc, w1a1,/g) ?? []).toHaveLength(3);
    const v = await verifyModel({ model: path.join(ZOO, 'TFC_1W1A.onnx'), target: 'cortex-m55', random: 1, seed: 3, sanitize: false, scalar: false, 'per-layer': true });
    expect(v.json.ok).toBe(true);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
  }, 600000);
});

describe('precision overrides on a pre-quantized model', () => {
  test('Tiny YOLOv2 QDQ (int4 conv8): --precision conv8=w2a8 gives conv8 w2a8 and halves its weight bytes, on host and stm32n6', async () => {
    const file = path.join(dir, 'tyv2_qdq.onnx');
    fs.writeFileSync(file, await buildTinyYoloV2({ variant: 'qdq', size: 64, seed: 3 }));
    const base = compileCli(file, 'host', path.join(dir, 'ty_host')).report;
    for (const target of ['host', 'stm32n6']) {
      const over = compileCli(file, target, path.join(dir, `ty2_${target}`), ['--precision', 'conv8=w2a8']);
      expect(over.stderr).toMatch(/overrides w4a8 .*weights requantized .*to 2 bits/);
      const layer = (r: typeof base, n: string) => r.layers.find((l: { name: string }) => l.name === n);
      expect(layer(base, 'conv8').precision).toBe('w4a8');
      expect(layer(over.report, 'conv8').precision).toBe('w2a8');
      expect(layer(over.report, 'conv8').weightBytes).toBeLessThan(layer(base, 'conv8').weightBytes * 0.6);
      if (target === 'host') expect(over.report.totals.flash.total).toBeLessThan(base.totals.flash.total);
      expect(layer(over.report, 'conv7').precision).toBe('w4a8');
    }
  }, 300000);
});

describe('uint8 activations on the NPU', () => {
  test('a uint8 QDQ CNN (ORT\'s default) runs its convs on the stm32n6 NPU by the zero-point shift, and the emulation equals the interpreter', async () => {
    const fg = runFloatPasses(decodeModel(smallCnnBytes(3)));
    const q = quantizeModel(fg, { calib: loadCalibration(fg, 'random', { seed: 0, randomSamples: 4 }), activationType: 'uint8' });
    const file = path.join(dir, 'small_u8.onnx');
    fs.writeFileSync(file, encodeQdqOnnx(q));
    const g = lower(decodeModel(fs.readFileSync(file)));
    expect(Object.values(g.tensors).some((t) => t.dtype === 'uint8' && t.quant?.bits === 8)).toBe(true);
    const shifted = shiftUint8ToInt8(g);
    expect(Object.values(shifted.tensors).filter((t) => t.dtype === 'uint8' && t.quant && !(t.name in shifted.initializers))).toEqual([]);
    // Lossless: the graph outputs are identical.
    const x = randomInputs(decodeModel(fs.readFileSync(file)), 4);
    const [a, b] = [runGraph(g, x), runGraph(shifted, x)];
    for (const o of g.outputs) expect(Array.from(b[o].data)).toEqual(Array.from(a[o].data));
    const { report } = compileCli(file, 'stm32n6', path.join(dir, 'u8_n6'));
    const convs = report.layers.filter((l: { op: string }) => l.op === 'Conv');
    expect(convs.length).toBeGreaterThan(0);
    expect(convs.every((l: { device: string }) => l.device === 'npu')).toBe(true);
    const v = await verifyModel({ model: file, target: 'stm32n6', random: 2, seed: 1, sanitize: false, scalar: false });
    expect(v.json.ok).toBe(true);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
  }, 300000);
});

describe('per-channel affine between a QAT conv and its quantizer', () => {
  /** x → Quant s8 → Conv (w4 per channel, float bias) → Mul [1,C,1,1] → Add [C,1,1] → Relu → Quant u4 → Conv (w4) → Quant s8. */
  function affineCnn(seed: number): Uint8Array {
    const r = new Rng(seed);
    const t = (n: number, s: number) => r.fillNormal(new Float32Array(n), 0, s);
    const b = new ModelBuilder('affine_qat', 7, 11).useDomain(BREVITAS, 1);
    b.input('x', DT.FLOAT, [1, 3, 6, 6]);
    const scalar = (name: string, v: number) => b.initializer(floatTensor(name, [], [v]));
    const quant = (name: string, x: string, s: string, bits: string, signed: number, narrow: number, out: string) =>
      b.node({ op: 'Quant', name, domain: BREVITAS, inputs: [x, s, 'zp', bits], outputs: [out], attrs: { signed: attr.int(signed), narrow: attr.int(narrow), rounding_mode: attr.string('ROUND') } });
    scalar('zp', 0); scalar('b4', 4); scalar('b8', 8); scalar('s_in', 1 / 32); scalar('s_a', 0.25); scalar('s_out', 1 / 16);
    quant('Quant_in', 'x', 's_in', 'b8', 1, 0, 'xq');
    const conv = { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) };
    b.initializer(floatTensor('w1', [6, 3, 3, 3], t(6 * 27, 0.3)));
    b.initializer(floatTensor('w1_s', [6, 1, 1, 1], Array.from({ length: 6 }, (_, k) => 0.05 + 0.01 * k)));
    b.initializer(floatTensor('b1', [6], t(6, 0.2)));
    quant('Quant_w1', 'w1', 'w1_s', 'b4', 1, 1, 'w1q');
    b.node({ op: 'Conv', name: 'Conv_1', inputs: ['xq', 'w1q', 'b1'], outputs: ['c1'], attrs: conv });
    b.initializer(floatTensor('mul_c', [1, 6, 1, 1], Array.from(t(6, 0.5), (v, k) => (k === 2 ? -0.7 : 1 + v))));
    b.initializer(floatTensor('add_c', [6, 1, 1], t(6, 0.3)));
    b.node({ op: 'Mul', name: 'Mul_1', inputs: ['c1', 'mul_c'], outputs: ['m1'] });
    b.node({ op: 'Add', name: 'Add_1', inputs: ['m1', 'add_c'], outputs: ['n1'] });
    b.node({ op: 'Relu', name: 'Relu_1', inputs: ['n1'], outputs: ['r1'] });
    quant('Quant_a1', 'r1', 's_a', 'b4', 0, 0, 'a1');
    b.initializer(floatTensor('w2', [4, 6, 3, 3], t(4 * 54, 0.2)));
    b.initializer(floatTensor('w2_s', [4, 1, 1, 1], [0.04, 0.05, 0.06, 0.07]));
    quant('Quant_w2', 'w2', 'w2_s', 'b4', 1, 1, 'w2q');
    b.node({ op: 'Conv', name: 'Conv_2', inputs: ['a1', 'w2q'], outputs: ['c2'], attrs: conv });
    quant('Quant_out', 'c2', 's_out', 'b8', 1, 0, 'y');
    b.output('y', DT.FLOAT, [1, 4, 6, 6]);
    return b.encode();
  }

  test('Mul and Add by per-channel constants fold into the 4-bit QConv (one negative factor); verify --per-layer on host within 1 step', async () => {
    const file = path.join(dir, 'affine_qat.onnx');
    fs.writeFileSync(file, affineCnn(9));
    const g = lower(decodeModel(fs.readFileSync(file)));
    expect(ops(g).filter((o) => o === 'hsq:QConv')).toHaveLength(2);
    expect(ops(g)).not.toEqual(expect.arrayContaining(['Mul']));
    expect(ops(g)).not.toEqual(expect.arrayContaining(['Add']));
    const c1 = g.nodes.find((n) => n.name === 'Conv_1')!;
    expect(g.tensors[c1.inputs[1]].quant).toMatchObject({ bits: 4, narrow: true });
    const v = await verifyModel({ model: file, target: 'host', random: 3, seed: 4, sanitize: false, scalar: false, 'per-layer': true });
    expect(v.json.ok).toBe(true);
    const by = Object.fromEntries(v.json.layers.map((l) => [l.name, l]));
    expect(by.Conv_1).toMatchObject({ precision: 'w4a4' });
    expect(by.Conv_1.maxStepsVsOrt).toBeLessThanOrEqual(1);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
  }, 120000);
});

describe('weight-only quantized layers (float input, Quant-ed weights)', () => {
  /** x float → Conv (Quant w 4-bit per channel, float bias) → Relu → Flatten → Quant(W 2-bit per row) → Transpose → MatMul → y float. */
  function weightOnlyNet(seed: number): Uint8Array {
    const r = new Rng(seed);
    const t = (n: number, s: number) => r.fillNormal(new Float32Array(n), 0, s);
    const b = new ModelBuilder('weight_only', 7, 11).useDomain(BREVITAS, 1);
    b.input('x', DT.FLOAT, [1, 3, 6, 6]);
    const scalar = (name: string, v: number) => b.initializer(floatTensor(name, [], [v]));
    const quant = (name: string, x: string, s: string, bits: string, out: string) =>
      b.node({ op: 'Quant', name, domain: BREVITAS, inputs: [x, s, 'zp', bits], outputs: [out], attrs: { signed: attr.int(1), narrow: attr.int(1), rounding_mode: attr.string('ROUND') } });
    scalar('zp', 0); scalar('b4', 4); scalar('b2', 2);
    b.initializer(floatTensor('w1', [6, 3, 3, 3], t(6 * 27, 0.3)));
    b.initializer(floatTensor('w1_s', [6, 1, 1, 1], Array.from({ length: 6 }, (_, k) => 0.05 + 0.013 * k)));
    b.initializer(floatTensor('b1', [6], t(6, 0.2)));
    quant('Quant_w1', 'w1', 'w1_s', 'b4', 'w1q');
    b.node({ op: 'Conv', name: 'Conv_1', inputs: ['x', 'w1q', 'b1'], outputs: ['c1'], attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } });
    b.node({ op: 'Relu', name: 'Relu_1', inputs: ['c1'], outputs: ['r1'] });
    b.node({ op: 'Flatten', name: 'Flatten_1', inputs: ['r1'], outputs: ['f1'], attrs: { axis: attr.int(1) } });
    const K = 6 * 36, N = 10;
    b.initializer(floatTensor('W2', [N, K], t(N * K, 0.1)));
    b.initializer(floatTensor('W2_s', [N, 1], Array.from({ length: N }, (_, k) => 0.03 + 0.007 * k)));
    quant('Quant_W2', 'W2', 'W2_s', 'b2', 'W2q');
    b.node({ op: 'Transpose', name: 'Transpose_2', inputs: ['W2q'], outputs: ['W2t'], attrs: { perm: attr.ints([1, 0]) } });
    b.node({ op: 'MatMul', name: 'MatMul_2', inputs: ['f1', 'W2t'], outputs: ['y'] });
    b.output('y', DT.FLOAT, [1, N]);
    return b.encode();
  }
  const file = path.join(dir, 'weight_only.onnx');
  beforeAll(() => fs.writeFileSync(file, weightOnlyNet(12)));

  test('the layers stay float and their float weights carry the integer grid; the interpreter equals the QONNX graph bit for bit', () => {
    const raw = decodeModel(fs.readFileSync(file));
    const g = lower(raw);
    const conv = g.nodes.find((n) => n.op === 'Conv')!, mm = g.nodes.find((n) => n.op === 'MatMul')!;
    expect(g.tensors[conv.inputs[1]]).toMatchObject({ dtype: 'float32', weightGrid: { bits: 4, axis: 0 } });
    expect(g.tensors[mm.inputs[1]]).toMatchObject({ dtype: 'float32', weightGrid: { bits: 2, axis: 1 } });
    const r = new Rng(3);
    const x = makeTensor('float32', [1, 3, 6, 6], r.fillNormal(new Float32Array(108), 0, 1));
    expect(Array.from(runGraph(g, { x }).y.data as Float32Array)).toEqual(Array.from(runGraph(raw, { x }).y.data as Float32Array));
  });

  test('host: weights stored at 4 and 2 bits (report weightBytes, totals.flash), precision w4f32 / w2f32; verify --per-layer exact against the interpreter', async () => {
    const { report } = compileCli(file, 'host', path.join(dir, 'weight_only_host'));
    const by = Object.fromEntries(report.layers.map((l: { name: string }) => [l.name, l]));
    expect(by.Conv_1.precision).toBe('w4f32');
    expect(by.MatMul_2.precision).toBe('w2f32');
    // Packed rows (27 values at 4 bits: 14 bytes) + 6 scales + 6 biases, each array 16-aligned.
    expect(by.Conv_1.weightBytes).toBeLessThanOrEqual(6 * 14 + 16 + 6 * 4 + 16 + 6 * 4 + 16);
    expect(by.Conv_1.weightBytes).toBeLessThan((6 * 27 * 4) / 2);
    // 10 rows of 216 values at 2 bits (54 bytes) + 10 scales.
    expect(by.MatMul_2.weightBytes).toBeLessThanOrEqual(10 * 54 + 16 + 10 * 4 + 16);
    expect(report.totals.flash.total).toBeLessThan((6 * 27 + 216 * 10) * 4 / 4);
    const c = fs.readFileSync(path.join(dir, 'weight_only_host', 'weight_only.c'), 'utf8');
    expect(c).toMatch(/hsq_conv_wq_f32/);
    expect(c).toMatch(/hsq_matmul_wq_f32/);
    const v = await verifyModel({ model: file, target: 'host', random: 3, seed: 5, sanitize: false, scalar: false, 'per-layer': true });
    expect(v.json.ok).toBe(true);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
    for (const l of v.json.layers) expect([l.name, l.exactVsInterpreter ?? 1]).toEqual([l.name, 1]);
  }, 120000);

  test('cortex-m55 (QEMU): the same weight bytes, and the C equals the interpreter', async () => {
    const { report } = compileCli(file, 'cortex-m55', path.join(dir, 'weight_only_m55'));
    expect(report.layers.find((l: { name: string }) => l.name === 'Conv_1').precision).toBe('w4f32');
    expect(report.totals.flash.total).toBeLessThan((6 * 27 + 216 * 10) * 4 / 4);
    const v = await verifyModel({ model: file, target: 'cortex-m55', random: 1, seed: 6, sanitize: false, scalar: false, 'per-layer': true });
    expect(v.json.ok).toBe(true);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
  }, 600000);
});

describe('weight-only quantized conv geometries (hsq_conv_wq_f32 blocks of 8 output channels)', () => {
  /** x float [1, 5, 11, 13] → Conv (Quant w 3-bit per channel, 11 output channels: one full
   * block of 8 and a partial one; stride, dilation and pads from `attrs`) → y float. */
  function wqConv(seed: number, attrs: { strides: number[]; dilations: number[]; pads: number[] }, bias: boolean): Uint8Array {
    const r = new Rng(seed);
    const M = 11, C = 5;
    const b = new ModelBuilder('wq_conv', 7, 11).useDomain(BREVITAS, 1);
    b.input('x', DT.FLOAT, [1, C, 11, 13]);
    b.initializer(floatTensor('zp', [], [0]));
    b.initializer(floatTensor('b3', [], [3]));
    b.initializer(floatTensor('w', [M, C, 3, 3], r.fillNormal(new Float32Array(M * C * 9), 0, 0.3)));
    b.initializer(floatTensor('w_s', [M, 1, 1, 1], Array.from({ length: M }, (_, k) => 0.04 + 0.011 * k)));
    if (bias) b.initializer(floatTensor('bias', [M], r.fillNormal(new Float32Array(M), 0, 0.2)));
    b.node({ op: 'Quant', name: 'Quant_w', domain: BREVITAS, inputs: ['w', 'w_s', 'zp', 'b3'], outputs: ['wq'], attrs: { signed: attr.int(1), narrow: attr.int(1), rounding_mode: attr.string('ROUND') } });
    b.node({ op: 'Conv', name: 'Conv_1', inputs: ['x', 'wq', ...(bias ? ['bias'] : [])], outputs: ['y'], attrs: { kernel_shape: attr.ints([3, 3]), strides: attr.ints(attrs.strides), dilations: attr.ints(attrs.dilations), pads: attr.ints(attrs.pads) } });
    const out = (len: number, s: number, d: number, p0: number, p1: number) => Math.floor((len + p0 + p1 - d * 2 - 1) / s) + 1;
    b.output('y', DT.FLOAT, [1, M, out(11, attrs.strides[0], attrs.dilations[0], attrs.pads[0], attrs.pads[2]), out(13, attrs.strides[1], attrs.dilations[1], attrs.pads[1], attrs.pads[3])]);
    return b.encode();
  }
  const cases = [
    { name: 'stride 1, pads 1', attrs: { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] }, bias: true },
    { name: 'stride 2x1, dilation 1x2, pads 2,0,1,3, no bias', attrs: { strides: [2, 1], dilations: [1, 2], pads: [2, 0, 1, 3] }, bias: false },
  ];
  for (const c of cases) {
    test(`${c.name}: host C and cortex-m55 (QEMU) run hsq_conv_wq_f32 and equal the interpreter bit for bit`, async () => {
      const file = path.join(dir, `wq_conv_${cases.indexOf(c)}.onnx`);
      fs.writeFileSync(file, wqConv(21 + cases.indexOf(c), c.attrs, c.bias));
      const out = path.join(dir, `wq_conv_${cases.indexOf(c)}_host`);
      const { report } = compileCli(file, 'host', out);
      expect(report.layers.find((l: { name: string }) => l.name === 'Conv_1').precision).toBe('w3f32');
      expect(fs.readFileSync(path.join(out, `wq_conv_${cases.indexOf(c)}.c`), 'utf8')).toMatch(/hsq_conv_wq_f32/);
      for (const target of ['host', 'cortex-m55']) {
        const v = await verifyModel({ model: file, target, random: 2, seed: 4, sanitize: false, scalar: false });
        expect([target, v.json.ok, v.json.outputs[0].exactVsInterpreter]).toEqual([target, true, 1]);
      }
    }, 300000);
  }
});

describe('the Brevitas ESPCN', () => {
  const ESPCN = sharedPath('models', 'qonnx', 'bsd300x3-espcn');
  testShared('Conv_5 (float input, 8-bit Quant-ed weights) keeps 1-byte weights on host and cortex-m55 (w8f32); Conv_41 shows its weights with a float output; verify --per-layer on host passes, exact against the interpreter', async () => {
    const model = path.join(ESPCN, 'subpixel', 'quant_model.onnx');
    for (const target of ['host', 'cortex-m55']) {
      const { report } = compileCli(model, target, path.join(dir, `espcn_${target}`));
      const by = Object.fromEntries(report.layers.map((l: { name: string }) => [l.name, l]));
      expect(by.Conv_5.precision).toBe('w8f32');
      // 64 x 75 weights at one byte, 64 scales, 64 biases (each array 16-aligned): not 4 bytes a weight.
      expect(by.Conv_5.weightBytes).toBeLessThanOrEqual(64 * 75 + 2 * 64 * 4 + 48);
      expect(by.Conv_41.precision).toMatch(/^w[0-9]+a4f32$/);
    }
    const v = await verifyModel({ model, target: 'host', inputs: path.join(ESPCN, 'test_data'), seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(v.json.ok).toBe(true);
    expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
  }, 300000);
});
