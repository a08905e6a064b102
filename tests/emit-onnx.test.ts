// --emit-onnx on a model hsq does not quantize itself: a QONNX (or QDQ) model is written as the
// QDQ lowering of its own quantizers; a float model without --calib is refused with the reason.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { compile } from '../driver/compile';
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { makeTensor } from '../core/ir/tensor';

const F = onnx.TensorProto.DataType.FLOAT;
const QONNX = 'qonnx.custom_op.general';
const vi = (name: string, dims: number[]): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const floats = (name: string, dims: number[], v: number[]): onnx.ITensorProto => ({ name, dims, dataType: F, floatData: v });
const int = (k: string, v: number): onnx.IAttributeProto => ({ name: k, type: onnx.AttributeProto.AttributeType.INT, i: v });
const quant = (name: string, x: string, y: string, s: string, bits: string, signed: number): onnx.INodeProto => ({
  name, opType: 'Quant', domain: QONNX, input: [x, s, 'zp', bits], output: [y],
  attribute: [int('signed', signed), int('narrow', 0), { name: 'rounding_mode', type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from('ROUND') }],
});

/** QONNX: 8-bit input quantizer, 4-bit weight quantizer, Conv 1x1, Relu, 8-bit output quantizer. */
function qonnxModel(): Uint8Array {
  const w = Array.from({ length: 8 }, (_, k) => ((k * 37) % 11) / 10 - 0.5);
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }, { domain: QONNX, version: 1 }],
    graph: {
      name: 'qonnx_tiny',
      node: [
        quant('qx', 'x', 'xq', 'sx', 'b8', 1),
        quant('qw', 'w', 'wq', 'sw', 'b4', 1),
        { name: 'conv', opType: 'Conv', input: ['xq', 'wq'], output: ['c'] },
        { name: 'relu', opType: 'Relu', input: ['c'], output: ['r'] },
        quant('qy', 'r', 'y', 'sy', 'b8', 0),
      ],
      initializer: [floats('w', [4, 2, 1, 1], w), floats('sx', [], [1 / 32]), floats('sw', [], [1 / 8]), floats('sy', [], [1 / 16]), floats('zp', [], [0]), floats('b8', [], [8]), floats('b4', [], [4])],
      input: [vi('x', [1, 2, 3, 3])], output: [vi('y', [1, 4, 3, 3])],
    },
  }).finish();
}

describe('--emit-onnx without --calib', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-emit-onnx-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a QONNX model: the QDQ lowering is written and computes what the QONNX model computes', async () => {
    const model = path.join(dir, 'q.onnx');
    fs.writeFileSync(model, qonnxModel());
    const emitted = path.join(dir, 'q_qdq.onnx');
    await compile({ model, out: path.join(dir, 'out'), target: 'host', quantize: { emitOnnx: emitted } });
    expect(fs.existsSync(emitted)).toBe(true);
    const g = loadModel(emitted);
    expect(g.nodes.some((n) => n.op === 'QuantizeLinear')).toBe(true);
    expect(g.nodes.some((n) => n.op === 'Quant')).toBe(false);
    const x = makeTensor('float32', [1, 2, 3, 3]);
    for (let i = 0; i < x.data.length; i++) (x.data as Float32Array)[i] = Math.fround(((i * 13) % 17) / 8 - 1);
    const want = runGraph(lower(decodeModel(qonnxModel())), { x }).y;
    const got = runGraph(lower(g), { x }).y;
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
  });

  test('a float model is refused with the reason, nothing written', async () => {
    const model = path.join(dir, 'f.onnx');
    fs.writeFileSync(model, onnx.ModelProto.encode({
      irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'f', node: [{ name: 'relu', opType: 'Relu', input: ['x'], output: ['y'] }], input: [vi('x', [1, 4])], output: [vi('y', [1, 4])] },
    }).finish());
    const emitted = path.join(dir, 'f_qdq.onnx');
    await expect(compile({ model, out: path.join(dir, 'fout'), target: 'host', quantize: { emitOnnx: emitted } }))
      .rejects.toMatchObject({ kind: 'bad-input', subject: '--emit-onnx', message: expect.stringMatching(/model is float.*--calib/) });
    expect(fs.existsSync(emitted)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'fout'))).toBe(false);
  });
});
