// hsq's quantizer gives a bounded op's output (Sigmoid, HardSigmoid [0, 1]; Tanh [-1, 1]) the op's
// own range, not the calibrated one. With random calibration the PaddleOCR detector's final
// Sigmoid saw outputs below 1e-6: its step became 3.5e-9, under ONNX Runtime's own float32 error
// of Sigmoid, and verify --per-layer failed a layer that was right.
import { decodeModel } from '../frontend/onnx/import';
import { runGraph } from '../ops/engine/interpreter';
import { Graph } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { setWarningSink } from '../core/diagnostics';
import { encodeQdqOnnx, loadCalibration, quantizeModel, runFloatPasses } from '../precision';
import { ModelBuilder, DT, floatTensor } from '../examples/lib/onnx-builder';
import { Rng } from '../examples/lib/prng';
import { runOrt, quantSteps } from '../verify/ort';
import { activationParams } from '../precision/act-params';

const SHAPE = [1, 4, 8, 8];

/** x → Mul(k) → Sigmoid / Tanh / HardSigmoid, each a graph output. */
function model(k: number): Uint8Array {
  const b = new ModelBuilder('bounded', 9, 17);
  b.input('x', DT.FLOAT, SHAPE);
  b.initializer(floatTensor('k', [], [k]));
  b.node({ op: 'Mul', name: 'mul', inputs: ['x', 'k'], outputs: ['m'] });
  for (const op of ['Sigmoid', 'Tanh', 'HardSigmoid']) {
    b.node({ op, name: op.toLowerCase(), inputs: ['m'], outputs: [op.toLowerCase()] });
    b.output(op.toLowerCase(), DT.FLOAT, SHAPE);
  }
  return b.encode();
}

function quantized(k: number): Graph {
  const fg = runFloatPasses(decodeModel(model(k)));
  const restore = setWarningSink(() => undefined);
  try {
    return quantizeModel(fg, { calib: loadCalibration(fg, 'random', { seed: 3, randomSamples: 4 }) });
  } finally {
    setWarningSink(restore);
  }
}

/** scale and zero point of the QuantizeLinear that writes `<t>`'s integers. */
function qparams(g: Graph, out: string): [number, number] {
  const q = g.nodes.find((n) => n.op === 'QuantizeLinear' && g.nodes.some((p) => p.outputs.includes(n.inputs[0]) && p.name === out))!;
  return [g.initializers[q.inputs[1]].data[0] as number, g.initializers[q.inputs[2]].data[0] as number];
}

describe('bounded op outputs take the op\'s range', () => {
  test('Sigmoid and HardSigmoid over [0, 1], Tanh over [-1, 1], whatever the calibration saw', () => {
    const g = quantized(-40); // inputs in [0, 1): Sigmoid's outputs all below 1e-17..0.5
    expect(qparams(g, 'sigmoid')).toEqual([Math.fround(1 / 255), -128]);
    expect(qparams(g, 'hardsigmoid')).toEqual([Math.fround(1 / 255), -128]);
    const t = activationParams(-1, 1, 8, true); // ORT's rule over [-1, 1]: zero point -1
    expect(qparams(g, 'tanh')).toEqual([t.scale[0], t.zeroPoint[0]]);
    expect(t.scale[0]).toBe(Math.fround(2 / 255));
  });

  test('the quantized model is within one step of ONNX Runtime running it (QDQ), on a narrow input', async () => {
    const g = quantized(-40);
    const x = makeTensor('float32', SHAPE, new Rng(5).fillUniform(new Float32Array(SHAPE.reduce((a, b) => a * b, 1)), 0, 1));
    const mine = runGraph(g, { x });
    const ort = await runOrt(encodeQdqOnnx(g), { x });
    for (const o of ['sigmoid', 'tanh', 'hardsigmoid']) {
      const [s] = qparams(g, o);
      expect(quantSteps(ort[o], mine[o], s).max).toBeLessThanOrEqual(1);
    }
  });
});
