// hsq verify --per-layer: every layer against ONNX Runtime running that layer alone (cut from the
// original model or its QONNX reference) on the interpreter's own inputs; engines against the
// interpreter; the first divergence named.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeModel } from '../frontend/onnx/import';
import { bindConstantInputs } from '../frontend/bind-inputs';
import { lower } from '../driver/frontend';
import { verifyModel } from '../driver/commands/verify';
import { compile } from '../driver/compile';
import { Graph } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { randomInputs } from '../core/random-inputs';
import { setWarningSink } from '../core/diagnostics';
import { interpreterEngine, Engine } from '../verify/engine';
import { originalModel } from '../verify/original-model';
import { checkLayers } from '../verify/per-layer';
import { verifyLayers } from '../verify/layers';
import { verifyHtml } from '../verify/html';
import { qdqSmallCnn, qonnxTinyCnn } from './verify-fixtures';
import { graph, node } from './passes-helpers';
import { encodeModel } from '../frontend/onnx/export';
import { describeShared, sharedPath, testShared } from './support/shared';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-verify-layers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const small = qdqSmallCnn();
const QDQ = path.join(dir, 'small_qdq.onnx'), FLOAT = path.join(dir, 'small_float.onnx'), QONNX = path.join(dir, 'tiny_qonnx.onnx');
fs.writeFileSync(QDQ, small.qdq);
fs.writeFileSync(FLOAT, small.float);
fs.writeFileSync(QONNX, qonnxTinyCnn());

/** Model → bound original, lowered graph, interpreter values of every tensor for `n` random sets. */
async function prepare(bytes: Uint8Array, n = 2) {
  const raw = decodeModel(bytes);
  const sets = Array.from({ length: n }, (_, k) => randomInputs(raw, 10 + k));
  const bound = bindConstantInputs(raw, sets[0]).graph;
  const g = lower(bound);
  return { raw, bound, g, sets, interp: await interpreterEngine.run(g, sets) };
}

describe('per-layer figures', () => {
  test('QDQ model: QConv/QGemm named by their ONNX node, the LUT chain and the quantized Softmax all checked by ORT within the gate', async () => {
    const r = await verifyModel({ model: QDQ, target: 'host', engine: 'interpreter', random: 2, seed: 1, sanitize: false, scalar: false, 'per-layer': true, 'float-model': FLOAT });
    expect(r.json.ok).toBe(true);
    expect(r.json.reference).toBe('onnx');
    const by = Object.fromEntries(r.json.layers.map((l) => [l.name, l]));
    expect(Object.keys(by)).toEqual(expect.arrayContaining(['conv1', 'conv2', 'fc', 'leaky2', 'sm']));
    expect(by.conv1).toMatchObject({ op: 'Conv', precision: 'w8a8', device: 'cpu', reference: 'ort', exactVsInterpreter: 1 });
    expect(by.fc.op).toBe('Gemm');
    for (const l of r.json.layers) {
      expect(l.reference).not.toBeNull();
      if (l.kind === 'float') expect(l.withinTolVsOrt).toBe(1);
      else expect(l.maxStepsVsOrt!).toBeLessThanOrEqual(1);
    }
    expect(by.sm).toMatchObject({ op: 'Softmax', kind: 'quantized', device: 'cpu' });
    expect(r.json.firstDivergence).toBeNull();
    // End to end: figures against ORT and against the float model, reported without a step gate.
    expect(r.json.outputs[0].sqnrDbVsFloat).toBeGreaterThan(20);
    expect(r.text).toMatch(/conv1\s+Conv\s+w8a8/);
  });

  test('QONNX model: ORT runs the QONNX reference cut between the Quant outputs; the lone output DQ compares with its own input', async () => {
    const r = await verifyModel({ model: QONNX, target: 'host', engine: 'interpreter', random: 2, seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(r.json.ok).toBe(true);
    expect(r.json.reference).toBe('qonnx-reference');
    const by = Object.fromEntries(r.json.layers.map((l) => [l.name, l]));
    expect(by.Conv_1).toMatchObject({ op: 'Conv', precision: 'w4a4', reference: 'qonnx-reference' });
    expect(by.Conv_1.origin).toEqual(expect.arrayContaining(['Conv_1', 'BN_1', 'Relu_1', 'Quant_a1']));
    expect(by.Conv_1.maxStepsVsOrt).toBeLessThanOrEqual(1);
    expect(by.Conv_2.reference).toBe('qonnx-reference');
    expect(by.Quant_out_dequantize.reference).toBe('input');
  });

  test('a wrong bias in one layer fails exactly that layer; the next layer, fed the interpreter\'s own (wrong) input, still passes', async () => {
    const p = await prepare(small.qdq);
    const conv1 = p.g.nodes.find((n) => n.op === 'QConv' && n.origin?.[0] === 'conv1')!;
    const b = p.g.initializers[conv1.inputs[2]];
    const bad: Graph = { ...p.g, initializers: { ...p.g.initializers, [conv1.inputs[2]]: makeTensor('int32', b.shape, Array.from(b.data as Int32Array, (v, k) => (k === 0 ? v + 5000 : v))) } };
    const interp = await interpreterEngine.run(bad, p.sets);
    const r = await checkLayers({ graph: bad, original: originalModel(p.bound), interpreter: interp });
    const failing = r.layers.filter((l) => l.failures.length > 0).map((l) => l.name);
    expect(failing).toEqual(['conv1']);
    expect(r.firstDivergence).toEqual({ layer: 'conv1', engine: 'interpreter' });
    expect(r.layers.find((l) => l.name === 'conv1')!.failures[0]).toMatch(/layer 'conv1' output .* steps from ONNX Runtime/);
  });

  test('an engine differing from the interpreter at one layer is named there', async () => {
    const p = await prepare(small.qdq, 1);
    const pool = verifyLayers(p.g).find((l) => l.name === 'pool1')!;
    const t = pool.outputs[0];
    const flip = (v: Record<string, Tensor>) => ({ ...v, [t]: { ...v[t], data: Int8Array.from(v[t].data as Int8Array, (x, i) => (i === 3 ? x ^ 1 : x)) } });
    const fake: Engine = { name: 'fake-c', run: async () => p.interp.map(flip) };
    const r = await checkLayers({ graph: p.g, original: originalModel(p.bound), interpreter: p.interp, engine: { engine: fake, values: await fake.run(p.g, p.sets) } });
    const l = r.layers.find((x) => x.name === 'pool1')!;
    expect(l.exactVsInterpreter).toBeLessThan(1);
    expect(r.firstDivergence).toEqual({ layer: 'pool1', engine: 'fake-c' });
    expect(r.layers.filter((x) => x.failures.length).map((x) => x.name)).toEqual(['pool1']);
  });

  test('a float layer beyond rtol 1e-3 + atol 1e-5 fails', async () => {
    const p = await prepare(small.float, 1);
    const conv = p.g.nodes.find((n) => n.op === 'Conv' && n.name === 'conv2')!;
    const w = p.g.initializers[conv.inputs[1]];
    const bad: Graph = { ...p.g, initializers: { ...p.g.initializers, [conv.inputs[1]]: makeTensor('float32', w.shape, Array.from(w.data as Float32Array, (v) => v * 1.01)) } };
    const r = await checkLayers({ graph: bad, original: originalModel(p.bound), interpreter: await interpreterEngine.run(bad, p.sets) });
    expect(r.firstDivergence?.layer).toBe('conv2');
    expect(r.layers.find((l) => l.name === 'conv2')!.failures[0]).toMatch(/more than rtol 0\.001 \+ atol 0\.00001/);
  });

  test('no ORT figure where a layer\'s tensor has no original counterpart, with the reason', async () => {
    const p = await prepare(small.qdq, 1);
    // A pass that gave conv1's output a fresh name would leave it without a counterpart.
    const conv1 = p.g.nodes.find((n) => n.origin?.[0] === 'conv1')!;
    const old = conv1.outputs[0], fresh = `${old}_renamed`;
    const ren = (s: string) => (s === old ? fresh : s);
    const g: Graph = { ...p.g, nodes: p.g.nodes.map((n) => ({ ...n, inputs: n.inputs.map(ren), outputs: n.outputs.map(ren) })), tensors: { ...p.g.tensors, [fresh]: { ...p.g.tensors[old], name: fresh } } };
    const r = await checkLayers({ graph: g, original: originalModel(p.bound), interpreter: await interpreterEngine.run(g, p.sets) });
    const l = r.layers.find((x) => x.name === 'conv1')!;
    expect(l).toMatchObject({ reference: null, maxStepsVsOrt: null, sqnrDb: null });
    expect(l.noOrtReason).toMatch(new RegExp(`output '${fresh}' has no counterpart`));
    expect(r.layers.find((x) => x.name === 'pool1')!.noOrtReason).toMatch(/input .* has no counterpart/);
    expect(r.firstDivergence).toBeNull();
  });

  test('4-bit inputs and outputs, which onnxruntime-node cannot exchange, are widened inside the cut and compared', async () => {
    const m = graph({ inputs: [['x', 'float32', [2, 8]]], outputs: ['y'], opset: 21, nodes: [node('QuantizeLinear', ['x', 's', 'z'], ['y4'], {}, '', 'q4'), node('DequantizeLinear', ['y4', 's', 'z'], ['y'], {}, '', 'dq4')],
      inits: { s: makeTensor('float32', [], [0.25]), z: makeTensor('int4', [], [1]) } });
    const file = path.join(dir, 'q4.onnx');
    fs.writeFileSync(file, encodeModel({ ...m, irVersion: 10 }));
    const r = await verifyModel({ model: file, target: 'host', engine: 'interpreter', random: 2, seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(r.json.layers.map((l) => [l.name, l.reference, l.maxStepsVsOrt])).toEqual([['q4', 'ort', 0], ['dq4', 'ort', 0]]);
    expect(r.json.outputs[0].maxStepsVsOrt).toBe(0);
  });

  test('the HTML page is self-contained and plots one bar per layer', async () => {
    const r = await verifyModel({ model: QDQ, target: 'host', engine: 'interpreter', random: 1, seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(r.html).toMatch(/^<!DOCTYPE html>/);
    expect(r.html).not.toMatch(/(src|href)=|<script|@import|url\(/);
    expect((r.html.match(/<rect /g) ?? []).length).toBe(r.json.layers.length);
    const again = await verifyModel({ model: QDQ, target: 'host', engine: 'interpreter', random: 1, seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(again.html).toBe(r.html);
    expect(verifyHtml({ model: '<m>', engine: 'x', reference: 'y', ok: false, layers: [], outputs: [], firstDivergence: null, failures: ['a<b'], notes: [] })).toContain('a&#60;b');
  });

  test('the generated host C is checked at the outputs; --target is validated', async () => {
    const r = await verifyModel({ model: QDQ, target: 'host', random: 1, seed: 2, sanitize: false, scalar: false });
    expect(r.json.engine).toBe('host');
    expect(r.json.outputs[0].exactVsInterpreter).toBe(1);
    expect(r.json.ok).toBe(true);
    await expect(verifyModel({ model: QDQ, target: 'foo', random: 1, seed: 0, sanitize: false, scalar: false })).rejects.toMatchObject({ kind: 'bad-input', subject: '--target' });
  });
});

// ---- the shared models ----
const SHARED = sharedPath('models');
const ESPCN = path.join(SHARED, 'qonnx', 'bsd300x3-espcn');
const BLAZEFACE = path.join(SHARED, 'real', 'mediapipe-blazeface', 'face_detection_front_128x128.onnx');
const ZOO = path.join(SHARED, 'real', 'qonnx-zoo');
const PADDLE = path.join(SHARED, 'real', 'paddleocr', 'ch_PP-OCRv4_det_infer.onnx');
const sharedTest = test;

describeShared('per-layer on the shared models', () => {
  sharedTest('Brevitas ESPCN: every layer has an ORT figure on the QONNX reference; the 4-bit convs are exact with the float bias term', async () => {
    const r = await verifyModel({ model: path.join(ESPCN, 'subpixel', 'quant_model.onnx'), target: 'host', inputs: path.join(ESPCN, 'test_data'), seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(r.json.ok).toBe(true);
    expect(r.json.layerSummary).toEqual({ layers: 7, withOrtFigure: 7, failing: 0 });
    const by = Object.fromEntries(r.json.layers.map((l) => [l.name, l]));
    // docs/espcn-bias.md: an int32 bias moved outputs by up to 0.04 step (1 step max); the float bias term makes them 0.
    for (const n of ['Conv_17', 'Conv_29']) expect(by[n]).toMatchObject({ precision: 'w4a4', maxStepsVsOrt: 0 });
    // End to end (the 8-bit output, after the float last conv): max 1 step (was 11 with the int32 bias).
    expect(r.json.outputs[0].maxStepsVsOrt).toBeLessThanOrEqual(1);
    expect(by.Conv_5.maxStepsVsOrt).toBe(0);
  });

  sharedTest('MediaPipe BlazeFace quantized with --calib random: every layer within the gate, at least half with an ORT figure', async () => {
    const q = path.join(dir, 'blazeface_qdq.onnx');
    await compile({ model: BLAZEFACE, out: path.join(dir, 'bf'), target: 'host', quantize: { calib: 'random', emitOnnx: q } });
    const r = await verifyModel({ model: q, target: 'host', random: 1, seed: 3, sanitize: false, scalar: false, 'per-layer': true });
    expect(r.json.failures).toEqual([]);
    expect(r.json.layerSummary.withOrtFigure).toBeGreaterThanOrEqual(r.json.layerSummary.layers / 2);
    expect(r.json.layers.filter((l) => l.op === 'Conv').length).toBeGreaterThan(30);
  });

  sharedTest('PaddleOCR detector (float, 317 layers) through the CLI: every layer within the float tolerance, whose atol follows the layer\'s magnitude', () => {
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../bin/hsq.js'), 'verify', PADDLE, '--random', '1', '--input-shape', 'x=1,3,160,160', '--engine', 'interpreter', '--json'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const j = JSON.parse(r.stdout);
    expect(j.layerSummary).toEqual({ layers: j.layerSummary.layers, withOrtFigure: j.layerSummary.layers, failing: 0 });
    expect(j.layerSummary.layers).toBeGreaterThan(300);
  });

  sharedTest.each(['TFC_2W2A', 'TFC_1W1A'])('%s: every layer checked against the QONNX reference', async (name) => {
    const r = await verifyModel({ model: path.join(ZOO, `${name}.onnx`), target: 'host', engine: 'interpreter', random: 2, seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(r.json.ok).toBe(true);
    expect(r.json.layerSummary.withOrtFigure).toBe(r.json.layerSummary.layers);
  });
});
