// Quantized ConvTranspose (hsq QConvTranspose): the QDQ chain becomes one integer layer; the
// interpreter is within 1 step of ONNX Runtime; the weights are stored at their bit width; the
// report shows an integer layer with its precision; stm32n6 keeps it on the CPU and says why.
// (Bit-exactness of host and Cortex-M55 C: tests/op-cases.test.ts runs the same cases.)
import { buildCase, checkInterpreter, maxSteps } from './support/op-cases/harness';
import { quantizedConvTransposeCases } from './support/op-cases/conv-transpose';
import { runGraph } from '../ops/engine/interpreter';
import { runOrt } from '../verify/ort';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compile } from '../driver';
import { TargetName } from '../driver/compile';
import { Report } from '../report';
import { ModelBuilder, DT, attr, floatTensor, int8Tensor, int32Tensor } from '../examples/lib/onnx-builder';
import { Rng } from '../examples/lib/prng';
import { makeTensor } from '../core/ir/tensor';
import { runCBatch } from '../targets/host/run';
import { compareExact } from './support/host-c-conformance';
import { lower } from '../driver/frontend';
import { decodeModel } from '../frontend/onnx/import';
import { verifyModel } from '../driver/commands/verify';

const cases = quantizedConvTransposeCases().map(buildCase);

describe('quantized ConvTranspose', () => {
  test('every QDQ chain becomes one QConvTranspose (no DequantizeLinear, ConvTranspose or QuantizeLinear left)', () => {
    for (const b of cases) {
      expect({ name: b.c.name, ops: b.graph.nodes.map((n) => `${n.domain || 'ai.onnx'}:${n.op}`) }).toEqual({ name: b.c.name, ops: ['hsq:QConvTranspose'] });
    }
  });

  test('the interpreter is within 1 quantization step of ONNX Runtime', async () => {
    const problems: string[] = [];
    const steps: string[] = [];
    for (const b of cases) {
      const p = await checkInterpreter(b);
      if (p) problems.push(`${b.c.name}: ${p}`);
      const ort = await runOrt(b.model, b.inputs), ours = runGraph(b.graph, b.inputs);
      steps.push(`${b.c.name}: ${maxSteps(ours.out0, ort.out0)}`);
    }
    console.log(`max steps vs ONNX Runtime:\n  ${steps.join('\n  ')}`);
    expect(problems).toEqual([]);
  });

  // The int4 case's weights [4, 2, 3, 3] (72 values) and the int8 grouped case's [4, 3, 3, 3] (108).
  const byName = (n: string) => cases.find((b) => b.c.name === `ConvTranspose_${n}`)!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-qconvt-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  async function compiled(name: string, target: TargetName): Promise<{ report: Report; files: Record<string, string> }> {
    const b = byName(name);
    const model = path.join(dir, `${name}.onnx`);
    fs.writeFileSync(model, b.model);
    const out = path.join(dir, `${name}-${target}`);
    await compile({ model, out, target, name: 'm', weightsFormat: 'c' });
    const files: Record<string, string> = {};
    for (const f of fs.readdirSync(out)) if (/\.(c|h|json)$/.test(f)) files[f] = fs.readFileSync(path.join(out, f), 'utf8');
    return { report: JSON.parse(files['report.json']) as Report, files };
  }

  test.each([
    ['q_int4_per_channel_s2', 'w4a8', 4],
    ['q_grouped_per_channel', 'w8a8', 8],
  ] as const)('%s: report.json shows one integer ConvTranspose layer at %s, weights stored %d-bit', async (name, precision, bits) => {
    const b = byName(name);
    const w = b.graph.initializers[b.graph.nodes[0].inputs[1]];
    const values = w.data.length, M = w.shape[0], rowLen = values / M;
    // Rows per output channel, each starting on a byte, then the int32 bias and one float32
    // multiplier per output channel; every array 16-byte aligned in the weights.
    const rowBytes = Math.ceil((rowLen * bits) / 8), packed = M * rowBytes;
    const a16 = (n: number) => Math.ceil(n / 16) * 16;
    for (const target of ['host', 'cortex-m55'] as const) {
      const { report, files } = await compiled(name, target);
      expect(report.layers).toHaveLength(1);
      const l = report.layers[0];
      expect(l).toMatchObject({ op: 'ConvTranspose', precision, device: 'cpu', nodes: ['convtranspose'] });
      expect(l.weightCount).toBe(values);
      if (target === 'cortex-m55') expect(l.cpuKernels).toEqual([expect.objectContaining({ kernel: 'portable', reason: expect.stringMatching(/no generated Cortex-M55 kernel for ConvTranspose/) })]);
      expect(l.weightBytes).toBeGreaterThanOrEqual(packed + 8 * M);
      expect(l.weightBytes).toBeLessThanOrEqual(a16(packed) + 2 * a16(4 * M));
      if (bits === 4) expect(l.weightBytes).toBeLessThan(values + 8 * M);
      const c = Object.entries(files).filter(([f]) => f.endsWith('.c')).map(([, t]) => t).join('\n');
      expect(c).toMatch(new RegExp(`\\.wbits = ${bits}, \\.wmul = -?\\d+, \\.wadd = -?\\d+, \\.row_bytes = ${rowBytes},`));
      expect(c).toMatch(/hsq_qconv_transpose\(/);
    }
  });

  test('stm32n6: the quantized ConvTranspose runs on the CPU and the report says why', async () => {
    const { report } = await compiled('q_int8_per_tensor', 'stm32n6');
    const l = report.layers.find((x) => x.op === 'ConvTranspose')!;
    expect(l).toMatchObject({ device: 'cpu', precision: 'w8a8' });
    expect(l.reason).toMatch(/ConvTranspose: no Neural-ART mapping documented/);
    expect(l.macs).toBe(3 * 5 * 5 * 3 * 3 * 4);
  });

  /** A float decoder head: grouped stride-2 ConvTranspose (output_padding) → Relu, then a
   *  depthwise ConvTranspose. */
  function floatDecoder(): Uint8Array {
    const r = new Rng(11);
    const t = (n: number, sd: number) => r.fillNormal(new Float32Array(n), 0, sd);
    const b = new ModelBuilder('decoder', 8, 17);
    b.input('x', DT.FLOAT, [1, 4, 5, 5]);
    b.initializer(floatTensor('w1', [4, 3, 3, 3], t(108, 0.3)));
    b.initializer(floatTensor('b1', [6], t(6, 0.1)));
    b.node({ op: 'ConvTranspose', name: 'up1', inputs: ['x', 'w1', 'b1'], outputs: ['u1'], attrs: { group: attr.int(2), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), output_padding: attr.ints([1, 1]) } });
    b.node({ op: 'Relu', name: 'relu1', inputs: ['u1'], outputs: ['r1'] });
    b.initializer(floatTensor('w2', [6, 1, 2, 2], t(24, 0.4)));
    b.initializer(floatTensor('b2', [6], t(6, 0.1)));
    b.node({ op: 'ConvTranspose', name: 'up2', inputs: ['r1', 'w2', 'b2'], outputs: ['y'], attrs: { group: attr.int(6), strides: attr.ints([2, 2]) } });
    b.output('y', DT.FLOAT, [1, 6, 20, 20]);
    return b.encode();
  }

  test.each([
    [[] as string[], 'w8a8', 8],
    [['up1,up2=w4a8'], 'w4a8', 4],
  ])('hsq PTQ (--calib random, precision %j) quantizes ConvTranspose into integer layers', async (precision, want, bits) => {
    const model = path.join(dir, 'decoder.onnx');
    fs.writeFileSync(model, floatDecoder());
    const out = path.join(dir, `decoder-${want}`), emitted = path.join(dir, `decoder-${want}.qdq.onnx`);
    const r = await compile({ model, out, target: 'host', name: 'm', weightsFormat: 'c', quantize: { calib: 'random', calibSeed: 0, precision, emitOnnx: emitted } });
    const convT = r.graph.nodes.filter((n) => n.op === 'QConvTranspose');
    expect(convT.map((n) => n.name)).toEqual(['up1', 'up2']);
    // The Relu is the output clamp of up1.
    expect(r.graph.nodes.some((n) => n.op === 'Relu')).toBe(false);
    for (const n of convT) {
      const q = r.graph.tensors[n.inputs[1]].quant!;
      expect({ bits: q.bits, axis: q.axis, channels: q.scale.length, bias: r.graph.initializers[n.inputs[2]]?.dtype }).toEqual({ bits, axis: 0, channels: 6, bias: 'int32' });
    }
    expect(r.report.layers.filter((l) => l.op === 'ConvTranspose').map((l) => [l.name, l.precision])).toEqual([['up1', want], ['up2', want]]);
    // ONNX Runtime on the emitted QDQ model vs the interpreter and host C on hsq's graph: the
    // last layer within 1 step (its float output divided by its scale).
    const x = makeTensor('float32', [1, 4, 5, 5], Array.from({ length: 100 }, (_, i) => Math.sin(i * 0.7) * 2));
    const ort = (await runOrt(fs.readFileSync(emitted), { x })).y;
    const ours = runGraph(r.graph, { x }).y;
    const yq = r.graph.tensors[convT[1].outputs[0]].quant!;
    const steps = Math.max(...Array.from(ort.data as Float32Array, (v, i) => Math.abs(v - Number(ours.data[i])) / yq.scale[0]));
    expect(new Set(Array.from(ours.data as Float32Array)).size).toBeGreaterThan(50);
    console.log(`PTQ ${want}: max ${steps.toFixed(3)} steps vs ONNX Runtime on the emitted QDQ model`);
    expect(steps).toBeLessThanOrEqual(1 + 1e-4);
    const [host] = await runCBatch([{ graph: r.graph, inputs: [{ x }] }], { target: 'host' });
    expect(compareExact(host[0].y, ours)).toBeNull();
  }, 120000);

  /** The QONNX / Brevitas form: Quant on the input, Quant on the weights (4-bit narrow, per
   *  output channel: scale [1, M/group, 1, 1]), float bias, ConvTranspose → Relu → Quant. */
  function qonnxConvTranspose(): Uint8Array {
    const BREVITAS = 'onnx.brevitas';
    const r = new Rng(5);
    const b = new ModelBuilder('qonnx_convt', 7, 13).useDomain(BREVITAS, 1);
    b.input('x', DT.FLOAT, [1, 4, 5, 5]);
    const scalar = (name: string, v: number) => b.initializer(floatTensor(name, [], [v]));
    scalar('zp', 0); scalar('b8', 8); scalar('b4', 4); scalar('sx', 0.03); scalar('sy', 0.05);
    const quant = (name: string, x: string, s: string, bits: string, out: string, signed = 1, narrow = 0) =>
      b.node({ op: 'Quant', name, domain: BREVITAS, inputs: [x, s, 'zp', bits], outputs: [out], attrs: { signed: attr.int(signed), narrow: attr.int(narrow), rounding_mode: attr.string('ROUND') } });
    quant('Quant_x', 'x', 'sx', 'b8', 'xq');
    b.initializer(floatTensor('W', [4, 3, 3, 3], r.fillNormal(new Float32Array(108), 0, 0.3)));
    b.initializer(floatTensor('sw', [1, 3, 1, 1], [0.05, 0.08, 0.04]));
    quant('Quant_W', 'W', 'sw', 'b4', 'Wq', 1, 1);
    b.initializer(floatTensor('B', [6], r.fillNormal(new Float32Array(6), 0, 0.2)));
    b.node({ op: 'ConvTranspose', name: 'ConvTranspose_0', inputs: ['xq', 'Wq', 'B'], outputs: ['c'], attrs: { group: attr.int(2), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]), output_padding: attr.ints([1, 1]) } });
    b.node({ op: 'Relu', name: 'Relu_0', inputs: ['c'], outputs: ['rl'] });
    quant('Quant_y', 'rl', 'sy', 'b8', 'y', 0);
    b.output('y', DT.FLOAT, [1, 6, 11, 11]);
    return b.encode();
  }

  test('QONNX (Brevitas) ConvTranspose: one w4a8 QConvTranspose with a float bias term; equals the QONNX graph; verify --per-layer on host and cortex-m55', async () => {
    const bytes = qonnxConvTranspose();
    const raw = decodeModel(bytes);
    const g = lower(raw);
    expect(g.nodes.map((n) => n.op)).toEqual(['QuantizeLinear', 'QConvTranspose', 'DequantizeLinear']);
    const n = g.nodes[1];
    expect(g.tensors[n.inputs[1]].quant).toMatchObject({ bits: 4, narrow: true, axis: 0, scale: [0.05, 0.08, 0.04, 0.05, 0.08, 0.04].map(Math.fround) });
    expect([n.inputs[2], g.initializers[n.inputs[3]]?.dtype]).toEqual(['', 'float32']);
    const r = new Rng(9);
    let worst = 0;
    for (let k = 0; k < 5; k++) {
      const x = makeTensor('float32', [1, 4, 5, 5], r.fillNormal(new Float32Array(100), 0, 1.5));
      const a = runGraph(raw, { x }).y.data as Float32Array, c = runGraph(g, { x }).y.data as Float32Array;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - c[i]) / Math.fround(0.05));
    }
    console.log(`QONNX ConvTranspose: lowered graph vs the QONNX graph (interpreter): max ${worst.toFixed(3)} steps`);
    expect(worst).toBeLessThanOrEqual(1e-3);
    const model = path.join(dir, 'qonnx_convt.onnx');
    fs.writeFileSync(model, bytes);
    for (const target of ['host', 'cortex-m55'] as const) {
      const v = await verifyModel({ model, target, random: 3, seed: 4, sanitize: false, scalar: target === 'cortex-m55', 'per-layer': true });
      const l = v.json.layers.find((x) => x.name === 'ConvTranspose_0')!;
      console.log(`QONNX ConvTranspose on ${target}: ${l.precision}, ${l.maxStepsVsOrt} steps vs ONNX Runtime (QONNX reference), exact vs interpreter ${l.exactVsInterpreter}`);
      expect(v.json.ok).toBe(true);
      expect(l).toMatchObject({ precision: 'w4a8', exactVsInterpreter: 1 });
      expect(l.maxStepsVsOrt).toBeLessThanOrEqual(1);
      expect(v.json.outputs[0].exactVsInterpreter).toBe(1);
    }
  }, 600000);

  test('ORT-quantizer layout (ConvTranspose → Q → DQ → Relu → Q): the Relu becomes the QConvTranspose output clamp; within 1 step of ONNX Runtime, host C exact', async () => {
    const r = new Rng(21);
    const b = new ModelBuilder('qdq_convt_relu', 8, 21);
    b.input('x', DT.FLOAT, [1, 3, 4, 4]);
    const scalar = (name: string, v: number) => b.initializer(floatTensor(name, [], [v]));
    scalar('sx', 0.04); scalar('sy', 0.06); scalar('sr', 0.06);
    b.initializer(int8Tensor('zx', [], [3])); b.initializer(int8Tensor('zy', [], [-5])); b.initializer(int8Tensor('zr', [], [-5]));
    b.initializer(int8Tensor('W', [3, 5, 3, 3], Array.from({ length: 135 }, () => Math.round(r.uniform(-127, 127)))));
    b.initializer(floatTensor('sw', [5], [0.01, 0.012, 0.008, 0.015, 0.011]));
    b.initializer(int8Tensor('zw', [5], [0, 0, 0, 0, 0]));
    b.initializer(int32Tensor('B', [5], Array.from({ length: 5 }, () => Math.round(r.uniform(-3000, 3000)))));
    b.initializer(floatTensor('sb', [5], [0.01, 0.012, 0.008, 0.015, 0.011].map((v) => Math.fround(Math.fround(0.04) * Math.fround(v)))));
    b.initializer(int32Tensor('zb', [5], [0, 0, 0, 0, 0]));
    b.node({ op: 'QuantizeLinear', name: 'qx', inputs: ['x', 'sx', 'zx'], outputs: ['xq'] });
    b.node({ op: 'DequantizeLinear', name: 'dqx', inputs: ['xq', 'sx', 'zx'], outputs: ['xd'] });
    b.node({ op: 'DequantizeLinear', name: 'dqw', inputs: ['W', 'sw', 'zw'], outputs: ['wd'], attrs: { axis: attr.int(1) } });
    b.node({ op: 'DequantizeLinear', name: 'dqb', inputs: ['B', 'sb', 'zb'], outputs: ['bd'], attrs: { axis: attr.int(0) } });
    b.node({ op: 'ConvTranspose', name: 'up', inputs: ['xd', 'wd', 'bd'], outputs: ['c'], attrs: { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), output_padding: attr.ints([1, 1]) } });
    b.node({ op: 'QuantizeLinear', name: 'qc', inputs: ['c', 'sy', 'zy'], outputs: ['cq'] });
    b.node({ op: 'DequantizeLinear', name: 'dqc', inputs: ['cq', 'sy', 'zy'], outputs: ['cd'] });
    b.node({ op: 'Relu', name: 'relu', inputs: ['cd'], outputs: ['rl'] });
    b.node({ op: 'QuantizeLinear', name: 'qr', inputs: ['rl', 'sr', 'zr'], outputs: ['rq'] });
    b.node({ op: 'DequantizeLinear', name: 'dqr', inputs: ['rq', 'sr', 'zr'], outputs: ['y'] });
    b.output('y', DT.FLOAT, [1, 5, 8, 8]);
    const bytes = b.encode();
    const g = lower(decodeModel(bytes));
    expect(g.nodes.map((n) => n.op)).toEqual(['QuantizeLinear', 'QConvTranspose', 'DequantizeLinear']);
    // Relu at zero point -5 of the output: qmin -5 (the Q after the Relu shares scale 0.06).
    expect(g.nodes[1].attrs.qmin).toBe(-5);
    const x = makeTensor('float32', [1, 3, 4, 4], Array.from({ length: 48 }, () => r.uniform(-4, 4)));
    const ort = (await runOrt(bytes, { x })).y.data as Float32Array;
    const ours = runGraph(g, { x }).y;
    const steps = Math.max(...Array.from(ort, (v, i) => Math.abs(v - Number(ours.data[i])) / Math.fround(0.06)));
    expect(steps).toBeLessThanOrEqual(1 + 1e-4);
    expect(Array.from(ours.data as Float32Array).filter((v) => v > 0).length).toBeGreaterThan(50);
    const [host] = await runCBatch([{ graph: g, inputs: [{ x }] }], { target: 'host' });
    expect(compareExact(host[0].y, ours)).toBeNull();
  }, 120000);
});
