// Seeded models for the verify and eval tests: a QDQ CNN quantized by hsq (with its float
// original), and a small Brevitas-style QONNX CNN (Quant on the input, 4-bit per-channel weight
// Quant, float bias, BatchNormalization, Relu, 4-bit unsigned activation Quant, 8-bit output).
import { decodeModel } from '../frontend/onnx/import';
import { setWarningSink } from '../core/diagnostics';
import { encodeQdqOnnx, loadCalibration, quantizeModel, runFloatPasses } from '../precision';
import { ModelBuilder, DT, attr, floatTensor } from '../examples/lib/onnx-builder';
import { Rng } from '../examples/lib/prng';
import { smallCnnBytes } from './quantize-helpers';

/** hsq's post-training quantization of smallCnnBytes (random calibration), as QDQ ONNX. */
export function qdqSmallCnn(seed = 3): { float: Uint8Array; qdq: Uint8Array } {
  const float = smallCnnBytes(seed);
  const restore = setWarningSink(() => undefined);
  try {
    const fg = runFloatPasses(decodeModel(float));
    const q = quantizeModel(fg, { calib: loadCalibration(fg, 'random', { seed: 0, randomSamples: 4 }) });
    return { float, qdq: encodeQdqOnnx(q) };
  } finally {
    setWarningSink(restore);
  }
}

const BREVITAS = 'onnx.brevitas';

/** x [1,3,8,8] → Quant s8 → conv1 (w4 per channel, bias) → BN → Relu → Quant u4 → conv2 (w4) → Quant s8 → y. */
export function qonnxTinyCnn(seed = 5): Uint8Array {
  const r = new Rng(seed);
  const t = (n: number, s: number) => r.fillNormal(new Float32Array(n), 0, s);
  const b = new ModelBuilder('tiny_qonnx', 7, 11).useDomain(BREVITAS, 1);
  b.input('x', DT.FLOAT, [1, 3, 8, 8]);
  const scalar = (name: string, v: number) => b.initializer(floatTensor(name, [], [v]));
  const quant = (name: string, x: string, s: string, bits: string, signed: number, narrow: number, out: string) =>
    b.node({ op: 'Quant', name, domain: BREVITAS, inputs: [x, s, 'zp', bits], outputs: [out], attrs: { signed: attr.int(signed), narrow: attr.int(narrow), rounding_mode: attr.string('ROUND') } });
  scalar('zp', 0); scalar('b4', 4); scalar('b8', 8);
  scalar('s_in', 1 / 32); scalar('s_a', 0.25); scalar('s_out', 1 / 16);
  quant('Quant_in', 'x', 's_in', 'b8', 1, 0, 'xq');
  const conv = { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) };
  b.initializer(floatTensor('w1', [8, 3, 3, 3], t(8 * 27, 0.3)));
  b.initializer(floatTensor('w1_s', [8, 1, 1, 1], Array.from({ length: 8 }, (_, k) => 0.05 + 0.01 * k)));
  b.initializer(floatTensor('b1', [8], t(8, 0.2)));
  quant('Quant_w1', 'w1', 'w1_s', 'b4', 1, 1, 'w1q');
  b.node({ op: 'Conv', name: 'Conv_1', inputs: ['xq', 'w1q', 'b1'], outputs: ['c1'], attrs: conv });
  b.initializer(floatTensor('bn_g', [8], Array.from(t(8, 0.2), (v) => 1 + v)));
  b.initializer(floatTensor('bn_b', [8], t(8, 0.1)));
  b.initializer(floatTensor('bn_m', [8], t(8, 0.1)));
  b.initializer(floatTensor('bn_v', [8], Array.from(t(8, 0.2), (v) => 1 + Math.abs(v))));
  b.node({ op: 'BatchNormalization', name: 'BN_1', inputs: ['c1', 'bn_g', 'bn_b', 'bn_m', 'bn_v'], outputs: ['n1'] });
  b.node({ op: 'Relu', name: 'Relu_1', inputs: ['n1'], outputs: ['r1'] });
  quant('Quant_a1', 'r1', 's_a', 'b4', 0, 0, 'a1');
  b.initializer(floatTensor('w2', [4, 8, 3, 3], t(4 * 72, 0.2)));
  b.initializer(floatTensor('w2_s', [4, 1, 1, 1], [0.04, 0.05, 0.06, 0.07]));
  quant('Quant_w2', 'w2', 'w2_s', 'b4', 1, 1, 'w2q');
  b.node({ op: 'Conv', name: 'Conv_2', inputs: ['a1', 'w2q'], outputs: ['c2'], attrs: conv });
  quant('Quant_out', 'c2', 's_out', 'b8', 1, 0, 'y');
  b.output('y', DT.FLOAT, [1, 4, 8, 8]);
  return b.encode();
}
