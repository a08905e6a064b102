// A small CNN quantized by hsq as ORT-style QDQ (S8S8) and converted to QOperator (QLinearConv,
// S8S8 and U8S8): hsq's integer graph gives ONNX Runtime's result within 1 step.
import { decodeModel } from '../frontend/onnx/import';
import { encodeModel } from '../frontend/onnx/export';
import { runGraph } from '../ops/engine/interpreter';
import { runOrt, quantSteps } from '../verify/ort';
import { setWarningSink } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import {
  calibrate, loadCalibration, quantizeModel, runFloatPasses, runQuantizedPasses, toOnnxQdq, toQOperator,
} from '../precision';
import { smallCnnBytes } from './quantize-helpers';

// The importer gives initializers no tensor infos, and qdq-recognition's qlinear-conv rule
// needs one for the weight (passes/qdq-recognition.ts qlinearOperand). Until it falls back to
// the initializer's value, the QOperator numbers are checked with infos supplied here, and the
// raw import is an expected failure below.
function withInitInfos(g: Graph): Graph {
  const tensors = { ...g.tensors };
  for (const [k, t] of Object.entries(g.initializers)) if (!tensors[k]) tensors[k] = { name: k, dtype: t.dtype, shape: [...t.shape] };
  return { ...g, tensors };
}

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

/** The quantized logits (the Q that ends fc) as an extra graph output, with their scale. */
function exposeLogits(q: Graph): { g: Graph; name: string; scale: number } {
  const qn = q.nodes.find((n) => n.op === 'QuantizeLinear' && n.inputs[0] === 'logits')!;
  expect(qn).toBeDefined();
  return { g: { ...q, outputs: [...q.outputs, qn.outputs[0]] }, name: qn.outputs[0], scale: 1 };
}

describe('small CNN vs ONNX Runtime', () => {
  const fg = runFloatPasses(decodeModel(smallCnnBytes()));
  const calib = loadCalibration(fg, 'random', { seed: 0, randomSamples: 4 });
  const ranges = calibrate(fg, calib);
  const inputs = loadCalibration(fg, 'random', { seed: 11, randomSamples: 3 });

  async function check(bytes: Uint8Array, logits: string, expectOps: string[]) {
    const m = decodeModel(bytes);
    for (const op of expectOps) expect(m.nodes.some((n) => n.op === op)).toBe(true);
    const ig = runQuantizedPasses(withInitInfos(m));
    expect(ig.nodes.filter((n) => n.op === 'QConv')).toHaveLength(2);
    expect(ig.nodes.filter((n) => n.op === 'QGemm')).toHaveLength(1);
    let max = 0;
    for (const x of inputs) {
      const ort = await runOrt(bytes, x);
      const ours = runGraph(ig, x);
      expect(ours[logits].dtype).toBe(ort[logits].dtype);
      max = Math.max(max, quantSteps(ort[logits], ours[logits], 1).max);
      // Softmax: DQ, float32, Q on hsq's fixed output grid (1/256) on both sides.
      const st = quantSteps(ort.y, ours.y, 1 / 256);
      expect(st.max).toBeLessThanOrEqual(2);
    }
    return max;
  }

  test('QDQ S8S8: within 1 step', async () => {
    const q = quantizeModel(fg, { ranges });
    const sm = q.nodes.find((n) => n.name === 'sm')!;
    expect(sm.op).toBe('Softmax');
    // Its output on the fixed softmax grid (TFLite's): scale 1/256, zero point -128.
    const smq = q.nodes.find((n) => n.op === 'QuantizeLinear' && n.inputs[0] === sm.outputs[0])!;
    expect(q.tensors[smq.outputs[0]].quant).toMatchObject({ scale: [1 / 256], zeroPoint: [-128], bits: 8, signed: true });
    expect(q.nodes.some((n) => n.op === 'DequantizeLinear' && n.outputs[0] === sm.inputs[0])).toBe(true);
    const { g, name } = exposeLogits(q);
    const steps = await check(encodeModel(toOnnxQdq(g)), name, ['QuantizeLinear', 'DequantizeLinear', 'Conv']);
    expect(steps).toBeLessThanOrEqual(1);
  });

  test('QOperator (QLinearConv) S8S8: within 1 step', async () => {
    const { g, name } = exposeLogits(quantizeModel(fg, { ranges }));
    const qop = toQOperator(toOnnxQdq(g));
    expect(qop.nodes.filter((n) => n.op === 'QLinearConv')).toHaveLength(2);
    expect(qop.nodes.some((n) => n.op === 'Conv')).toBe(false);
    const steps = await check(encodeModel(qop), name, ['QLinearConv']);
    expect(steps).toBeLessThanOrEqual(1);
  });

  test('QOperator (QLinearConv) U8S8: within 1 step', async () => {
    const { g, name } = exposeLogits(quantizeModel(fg, { ranges, activationType: 'uint8' }));
    const smq = g.nodes.find((n) => n.op === 'QuantizeLinear' && n.inputs[0] === g.nodes.find((m) => m.name === 'sm')!.outputs[0])!;
    expect(g.tensors[smq.outputs[0]].quant).toMatchObject({ scale: [1 / 256], zeroPoint: [0], bits: 8, signed: false });
    const qop = toQOperator(toOnnxQdq(g));
    const x = qop.nodes.find((n) => n.op === 'QLinearConv')!;
    expect(qop.initializers[x.inputs[2]].dtype).toBe('uint8');
    const steps = await check(encodeModel(qop), name, ['QLinearConv']);
    expect(steps).toBeLessThanOrEqual(1);
  });

  // Expected failure (see withInitInfos): QLinearConv straight from an imported model is not
  // recognised because its weight initializer has no tensor info.
  test('QOperator straight from import: QLinearConv recognised as QConv', () => {
    const qop = toQOperator(toOnnxQdq(quantizeModel(fg, { ranges })));
    const ig = runQuantizedPasses(decodeModel(encodeModel(qop)));
    expect(ig.nodes.filter((n) => n.op === 'QConv')).toHaveLength(2);
  });
});
