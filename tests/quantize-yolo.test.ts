// Tiny YOLOv2 (seeded) quantized by hsq with --calib random: the emitted QDQ ONNX runs in ONNX
// Runtime, hsq's integer graph is within 1 step of it, and w4a8 on conv7/conv8 cuts the weight
// bytes (counted by `hsq inspect` on the emitted models) by the 7,077,888 bytes they hold.
import { decodeModel } from '../frontend/onnx/import';
import { inspectGraph } from '../driver/inspect';
import { runGraph } from '../ops/engine/interpreter';
import { runOrt, quantSteps, sqnrDb } from '../verify/ort';
import { setWarningSink } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { runC } from '../targets/host/run';
import { buildTinyYoloV2Fp32 } from '../examples/tiny-yolov2/build';
import {
  encodeQdqOnnx, loadCalibration, quantizeModel, runFloatPasses, runQuantizedPasses, calibrate,
} from '../precision';

const SIZE = 64;
let warnings: string[] = [];
let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink((m) => warnings.push(m)); });
afterAll(() => setWarningSink(restore));

function floatYolo(size: number): Graph {
  return runFloatPasses(decodeModel(buildTinyYoloV2Fp32({ size, seed: 1 })));
}

/** The output's quantization scale: the DequantizeLinear that ends the QDQ graph. */
function outputScale(q: Graph): number {
  const dq = q.nodes.find((n) => n.outputs.includes(q.outputs[0]))!;
  expect(dq.op).toBe('DequantizeLinear');
  return Number(q.initializers[dq.inputs[1]].data[0]);
}

describe('Tiny YOLOv2 w8a8, --calib random', () => {
  let fg: Graph;
  let q: Graph;
  let bytes: Uint8Array;
  const calibWarnings: string[] = [];
  beforeAll(() => {
    fg = floatYolo(SIZE);
    warnings = [];
    const calib = loadCalibration(fg, 'random', { seed: 0 });
    calibWarnings.push(...warnings);
    q = quantizeModel(fg, { calib });
    bytes = encodeQdqOnnx(q);
  });

  test('random calibration warns loudly and repeats with its seed', () => {
    expect(calibWarnings.join('\n')).toMatch(/--calib random.*seed 0.*never to measure accuracy/);
    const a = loadCalibration(fg, 'random', { seed: 0 })[0].input.data;
    const b = loadCalibration(fg, 'random', { seed: 0 })[0].input.data;
    const c = loadCalibration(fg, 'random', { seed: 1 })[0].input.data;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
    expect((a as Float32Array).every((v) => v >= 0 && v < 1)).toBe(true);
  });

  test('QDQ layout: int8 weights per channel, int32 bias, opset 21, float output', () => {
    const m = decodeModel(bytes);
    expect(m.opsets['']).toBe(21);
    expect(m.irVersion).toBe(10);
    const convs = m.nodes.filter((n) => n.op === 'Conv');
    expect(convs.map((n) => n.name)).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'conv7', 'conv8', 'conv9']);
    for (const c of convs) {
      const dq = m.nodes.find((n) => n.outputs.includes(c.inputs[1]))!;
      expect(dq.op).toBe('DequantizeLinear');
      const w = m.initializers[dq.inputs[0]];
      expect(w.dtype).toBe('int8');
      expect((w.data as Int8Array).reduce((a, v) => Math.max(a, Math.abs(v)), 0)).toBe(127);
      expect(m.initializers[dq.inputs[1]].shape).toEqual([w.shape[0]]);
      const bdq = m.nodes.find((n) => n.outputs.includes(c.inputs[2]))!;
      expect(m.initializers[bdq.inputs[0]].dtype).toBe('int32');
      const x = m.nodes.find((n) => n.outputs.includes(c.inputs[0]))!;
      expect(x.op).toBe('DequantizeLinear');
    }
    expect(m.tensors[m.outputs[0]].dtype).toBe('float32');
  });

  test('runs in ONNX Runtime; hsq integer graph within 1 step of it on the output', async () => {
    const input = loadCalibration(fg, 'random', { seed: 7 })[0];
    const ort = await runOrt(bytes, input);
    const ig = runQuantizedPasses(decodeModel(bytes));
    expect(ig.nodes.filter((n) => n.op === 'QConv')).toHaveLength(9);
    const ours = runGraph(ig, input);
    const st = quantSteps(ort.output, ours.output, outputScale(q));
    expect(st.max).toBeLessThanOrEqual(1);
    const fp = runGraph(fg, input);
    const sq = sqnrDb(fp.output, ours.output);
    // eslint-disable-next-line no-console
    console.log(`w8a8 ${SIZE}x${SIZE}: max ${st.max} step(s) vs ORT, ${(st.within(0) * 100).toFixed(2)} % equal; SQNR vs FP32 ${sq.toFixed(2)} dB`);
    expect(sq).toBeGreaterThan(10);
    // The generated host C equals the interpreter bit for bit.
    const c = await runC(ig, input);
    expect(Buffer.from((c.output.data as Float32Array).buffer).equals(Buffer.from((ours.output.data as Float32Array).buffer))).toBe(true);
  });
});

describe('Tiny YOLOv2 with conv7 and conv8 at w4a8', () => {
  test('weight bytes (hsq inspect on the emitted models) drop by 7,077,888 (>= 44 %); SQNR vs FP32 reported', async () => {
    const fg = floatYolo(SIZE);
    const calib = loadCalibration(fg, 'random', { seed: 0 });
    const ranges = calibrate(fg, calib);
    const q8 = quantizeModel(fg, { ranges });
    const q4 = quantizeModel(fg, { ranges, cli: ['conv7,conv8=w4a8'] });
    const b8 = encodeQdqOnnx(q8), b4 = encodeQdqOnnx(q4);
    const w8 = inspectGraph(decodeModel(b8)).totals.weightBytes;
    const w4 = inspectGraph(decodeModel(b4)).totals.weightBytes;
    expect(w8).toBe(15_855_536);
    expect(w8 - w4).toBe(7_077_888);
    expect((w8 - w4) / w8).toBeGreaterThanOrEqual(0.44);
    const m4 = decodeModel(b4);
    for (const name of ['conv7', 'conv8']) {
      const conv = m4.nodes.find((n) => n.name === name)!;
      const dq = m4.nodes.find((n) => n.outputs.includes(conv.inputs[1]))!;
      const w = m4.initializers[dq.inputs[0]];
      expect(w.dtype).toBe('int4');
      expect((w.data as Int8Array).every((v) => v >= -7 && v <= 7)).toBe(true);
    }
    // ONNX Runtime runs the mixed model; hsq within 1 step; SQNR of both widths against FP32.
    const input = loadCalibration(fg, 'random', { seed: 7 })[0];
    const ort4 = await runOrt(b4, input);
    const ig4 = runQuantizedPasses(m4);
    const ours4 = runGraph(ig4, input);
    const st = quantSteps(ort4.output, ours4.output, outputScale(q4));
    expect(st.max).toBeLessThanOrEqual(1);
    const fp = runGraph(fg, input).output;
    const s8 = sqnrDb(fp, runGraph(runQuantizedPasses(q8), input).output);
    const s4 = sqnrDb(fp, ours4.output);
    // eslint-disable-next-line no-console
    console.log(`Tiny YOLOv2 weight bytes: w8a8 ${w8}, conv7+conv8 w4a8 ${w4} (-${(((w8 - w4) / w8) * 100).toFixed(1)} %); `
      + `output SQNR vs FP32: w8a8 ${s8.toFixed(2)} dB, w4a8 ${s4.toFixed(2)} dB; w4a8 vs ORT max ${st.max} step(s), ${(st.within(0) * 100).toFixed(2)} % equal`);
    expect(s4).toBeLessThan(s8);
    expect(s4).toBeGreaterThan(5);
  });
});
