// Seeded Tiny YOLOv2 builders: structure, size (MACs and weights counted from the protobuf by
// examples/lib/model-stats, not by hsq's importer), determinism, and ONNX Runtime runs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import {
  buildTinyYoloV2, buildTinyYoloV2Fp32, buildTinyYoloV2Qdq, calibrateTinyYoloV2, inputShape, main,
  outputShape, tinyYoloV2Layers,
} from '../examples/tiny-yolov2/build';
import { modelStats } from '../examples/lib/model-stats';
import { unpackInt4 } from '../examples/lib/onnx-builder';
import { randomInput } from '../examples/lib/random-input';
import { runOrt, sqnrDb, quantSteps } from '../verify/ort';

function decode(bytes: Uint8Array) {
  return onnx.ModelProto.decode(bytes);
}
/** The decoded graph with its repeated fields typed as present (protobufjs fills them). */
interface G {
  node: onnx.NodeProto[];
  initializer: onnx.TensorProto[];
  input: onnx.ValueInfoProto[];
  output: onnx.ValueInfoProto[];
}
const graph = (bytes: Uint8Array) => decode(bytes).graph as unknown as G;
// rawData decodes as a view into a shared buffer; copy before reinterpreting.
const f32 = (raw: Uint8Array) => new Float32Array(new Uint8Array(raw).buffer);
const i8 = (raw: Uint8Array) => new Int8Array(new Uint8Array(raw).buffer);

describe('FP32 yolov2-tiny-voc at 416', () => {
  let bytes: Uint8Array;
  beforeAll(() => { bytes = buildTinyYoloV2Fp32({ size: 416, seed: 1 }); });

  test('graph: conv1..conv9, bn/leaky 1..8, pools 1..6, named I/O', () => {
    const g = graph(bytes);
    const names = g.node.map((n) => n.name);
    for (let i = 1; i <= 9; i++) expect(names).toContain(`conv${i}`);
    for (let i = 1; i <= 8; i++) { expect(names).toContain(`bn${i}`); expect(names).toContain(`leaky${i}`); }
    for (let i = 1; i <= 6; i++) expect(names).toContain(`pool${i}`);
    expect(names).not.toContain('pool7');
    expect(g.node.filter((n) => n.opType === 'Conv')).toHaveLength(9);
    expect(g.input.map((i) => i.name)).toEqual(['input']);
    expect(g.input[0].type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, 416, 416]);
    expect(g.output.map((o) => o.name)).toEqual(['output']);
    const conv9 = g.node.find((n) => n.name === 'conv9')!;
    expect(conv9.input).toHaveLength(3); // bias only on the last conv
    expect(g.node.find((n) => n.name === 'conv1')!.input).toHaveLength(2);
    const pool6 = g.node.find((n) => n.name === 'pool6')!;
    const attr = (k: string) => pool6.attribute.find((a) => a.name === k)!.ints!.map(Number);
    expect(attr('strides')).toEqual([1, 1]);
    expect(attr('pads')).toEqual([0, 0, 1, 1]);
    const leaky = g.node.find((n) => n.name === 'leaky3')!;
    expect(leaky.attribute[0].f).toBeCloseTo(0.1, 6);
    // BN variances are positive.
    for (const t of g.initializer.filter((i) => i.name!.endsWith('.var'))) {
      const v = f32(t.rawData!);
      expect(Math.min(...v)).toBeGreaterThan(0);
    }
  });

  test('3.49 GMAC and 15,855,536 conv weights, counted from the protobuf', () => {
    const s = modelStats(bytes);
    expect(s.outputShapes.output).toEqual([1, 125, 13, 13]);
    expect(s.convs.map((c) => c.outShape[2])).toEqual([416, 208, 104, 52, 26, 13, 13, 13, 13]);
    expect(Math.round(s.macs / 1e7) / 100).toBe(3.49);
    expect(s.macs).toBe(3_485_520_896);
    expect(s.convWeights).toBe(15_855_536);
    expect(s.convBiases).toBe(125);
    // Total parameters incl. BN (4 × 3056) and the conv9 bias: the published "15.86 M".
    const params = graph(bytes).initializer.reduce((a, t) => a + t.dims!.reduce((x: number, d) => x * Number(d), 1), 0);
    expect(params).toBe(15_855_536 + 125 + 4 * 3056);
    expect(Math.round(params / 1e4) / 100).toBe(15.87);
    expect(Math.round(s.convWeights / 1e4) / 100).toBe(15.86);
  });

  test('is deterministic in its seed', () => {
    const again = buildTinyYoloV2Fp32({ size: 416, seed: 1 });
    expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0);
    const other = buildTinyYoloV2Fp32({ size: 416, seed: 2 });
    expect(other.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(other), Buffer.from(bytes))).not.toBe(0);
  });

  test('runs in ONNX Runtime with output [1,125,13,13]', async () => {
    const out = await runOrt(bytes, { input: randomInput(inputShape({ size: 416 }), 3) });
    expect(out.output.shape).toEqual([1, 125, 13, 13]);
    const d = out.output.data as Float32Array;
    expect(d.every(Number.isFinite)).toBe(true);
    // Non-degenerate: the seeded weights keep activations in a sane range.
    const rms = Math.sqrt(d.reduce((a, v) => a + v * v, 0) / d.length);
    expect(rms).toBeGreaterThan(0.05);
    expect(rms).toBeLessThan(20);
  });
});

describe('layouts and sizes', () => {
  test('ST layout: conv8 512 filters, 30 outputs, 224 default', () => {
    const layers = tinyYoloV2Layers('st');
    expect(layers[7].outChannels).toBe(512);
    expect(layers[8].outChannels).toBe(30);
    expect(inputShape({ layout: 'st' })).toEqual([1, 3, 224, 224]);
    const s = modelStats(buildTinyYoloV2Fp32({ layout: 'st' }));
    expect(s.outputShapes.output).toEqual([1, 30, 7, 7]);
    expect(outputShape({ layout: 'st', size: 160 })).toEqual([1, 30, 5, 5]);
  });

  test('rejects a size that is not a multiple of 32', () => {
    expect(() => buildTinyYoloV2Fp32({ size: 100 })).toThrow(/multiple of 32/);
  });
});

describe('QDQ at 160', () => {
  const opts = { variant: 'qdq' as const, size: 160, seed: 1 };
  let bytes: Uint8Array;
  let ranges: Awaited<ReturnType<typeof calibrateTinyYoloV2>>;
  beforeAll(async () => {
    bytes = await buildTinyYoloV2(opts);
    ranges = await calibrateTinyYoloV2(opts);
  });

  test('opset 21, IR 10; int8 weights except int4 conv7/conv8; int32 biases; BN folded', () => {
    const m = decode(bytes);
    expect(Number(m.irVersion)).toBe(10);
    expect(Number(m.opsetImport.find((o) => !o.domain)!.version)).toBe(21);
    const g = graph(bytes);
    expect(g.node.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const init = new Map(g.initializer.map((t) => [t.name!, t]));
    for (const l of tinyYoloV2Layers('voc')) {
      const w = init.get(`${l.name}.weight_q`)!;
      const int4 = l.name === 'conv7' || l.name === 'conv8';
      expect(w.dataType).toBe(int4 ? 22 : 3);
      const n = w.dims!.reduce((a: number, d) => a * Number(d), 1);
      const vals = int4 ? unpackInt4(w.rawData!, n) : i8(w.rawData!);
      const lim = int4 ? 7 : 127;
      let amax = 0;
      for (const v of vals) amax = Math.max(amax, Math.abs(v));
      expect(amax).toBe(lim); // symmetric per channel: the largest weight maps to ±lim
      expect(init.get(`${l.name}.weight_scale`)!.dims!.map(Number)).toEqual([l.outChannels]);
      expect(init.get(`${l.name}.bias_q`)!.dataType).toBe(6);
    }
    // Every float op is fed by DequantizeLinear and feeds QuantizeLinear.
    const producer = new Map<string, string>();
    for (const n of g.node) for (const o of n.output) producer.set(o, n.opType!);
    for (const n of g.node.filter((x) => ['Conv', 'LeakyRelu', 'MaxPool'].includes(x.opType!))) {
      for (const i of n.input) expect(producer.get(i)).toBe('DequantizeLinear');
      const consumers = g.node.filter((x) => x.input.includes(n.output[0]));
      expect(consumers.map((c) => c.opType)).toEqual(['QuantizeLinear']);
    }
    expect(g.node[0].opType).toBe('QuantizeLinear');
    expect(g.node[g.node.length - 1].opType).toBe('DequantizeLinear');
    expect(g.node[g.node.length - 1].output).toEqual(['output']);
  });

  test('bias scale is x_scale * w_scale per channel', () => {
    const g = graph(bytes);
    const init = new Map(g.initializer.map((t) => [t.name!, t]));
    const f = (name: string) => f32(init.get(name)!.rawData!);
    // conv2's input is pool1's output, quantized with leaky1's parameters.
    const xs = f('leaky1_out_scale')[0];
    const ws = f('conv2.weight_scale');
    const bs = f('conv2.bias_scale');
    for (let m = 0; m < ws.length; m++) expect(bs[m]).toBe(Math.fround(xs * ws[m]));
  });

  test('runs in ONNX Runtime and tracks the FP32 model', async () => {
    const x = randomInput(inputShape(opts), 11);
    const ref = (await runOrt(buildTinyYoloV2Fp32(opts), { input: x })).output;
    const q = (await runOrt(bytes, { input: x })).output;
    expect(q.shape).toEqual([1, 125, 5, 5]);
    // Measured: ~18 dB with int4 conv7/conv8, ~30 dB all-int8 (seed 1).
    expect(sqnrDb(ref, q)).toBeGreaterThan(12);
    const all8 = buildTinyYoloV2Qdq({ ...opts, int4Layers: [] }, ranges);
    const q8 = (await runOrt(all8, { input: x })).output;
    expect(sqnrDb(ref, q8)).toBeGreaterThan(24);
    expect(sqnrDb(ref, q8)).toBeGreaterThan(sqnrDb(ref, q) + 6);
    // Output is a dequantized int8 grid: every value a multiple of the output scale from zp.
    const g = graph(bytes);
    const sc = f32(g.initializer.find((t) => t.name === 'output_f_scale')!.rawData!)[0];
    expect(quantSteps(q, q, sc).max).toBe(0);
    const steps = (q.data as Float32Array).map((v) => Math.abs(v / sc - Math.round(v / sc)));
    expect(Math.max(...steps)).toBeLessThan(1e-3);
  });

  test('calibration is seeded and int4 layer choice is validated', async () => {
    // buildTinyYoloV2 calibrated on its own; the same seed gives the same ranges and bytes.
    expect(Buffer.compare(Buffer.from(buildTinyYoloV2Qdq(opts, ranges)), Buffer.from(bytes))).toBe(0);
    const r1 = await calibrateTinyYoloV2({ size: 64, seed: 4 });
    expect(r1).not.toEqual(ranges);
    expect(r1.input[0]).toBeGreaterThanOrEqual(0);
    expect(r1.input[1]).toBeLessThan(1);
    expect(r1.leaky3_out[0]).toBeLessThan(0); // LeakyRelu keeps small negatives
    expect(() => buildTinyYoloV2Qdq({ size: 64, seed: 4, int4Layers: ['conv10'] }, r1)).toThrow(/conv10/);
    const custom = buildTinyYoloV2Qdq({ size: 64, seed: 4, int4Layers: ['conv2'] }, r1);
    const init = graph(custom).initializer;
    expect(init.find((t) => t.name === 'conv2.weight_q')!.dataType).toBe(22);
    expect(init.find((t) => t.name === 'conv7.weight_q')!.dataType).toBe(3);
  });
});

describe('CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-tyv2-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes a model file that ORT loads from its path', async () => {
    const file = path.join(dir, 'st.onnx');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await main(['--variant', 'fp32', '--layout', 'st', '--size', '64', '--seed', '3', '-o', file]);
    } finally {
      write.mockRestore();
    }
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(buildTinyYoloV2Fp32({ layout: 'st', size: 64, seed: 3 })))).toBe(0);
    const out = await runOrt(file, { input: randomInput([1, 3, 64, 64], 1) });
    expect(out.output.shape).toEqual([1, 30, 2, 2]);
  });

  test('bad option: exit code 2, one error line, existing output untouched', async () => {
    const file = path.join(dir, 'keep.onnx');
    fs.writeFileSync(file, 'old');
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => { throw new Error(`exit ${code}`); }) as never);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(main(['--variant', 'int3', '-o', file])).rejects.toThrow('exit 2');
      expect(String(err.mock.calls[0][0])).toMatch(/--variant must be fp32 or qdq, got 'int3'/);
      await expect(main(['--size', '100', '-o', file])).rejects.toThrow('exit 2');
      expect(String(err.mock.calls[1][0])).toMatch(/multiple of 32/);
    } finally {
      exit.mockRestore();
      err.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });
});
