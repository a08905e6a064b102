// The interpreter against ONNX Runtime on real and built float models (issue acceptance:
// largest difference at most 1e-4 × the largest |output|).
import * as path from 'path';
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { runOrt } from '../verify/ort';
import { buildTinyYoloV2Fp32 } from '../examples/tiny-yolov2/build';
import { randomInput } from '../examples/lib/random-input';
import { Tensor } from '../core/ir/tensor';
import { SHARED } from './support/conformance';
import { describeShared, sharedPath, testShared } from './support/shared';

function relMaxDiff(a: Tensor, b: Tensor): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.data.length; i++) {
    d = Math.max(d, Math.abs(Number(a.data[i]) - Number(b.data[i])));
    m = Math.max(m, Math.abs(Number(b.data[i])));
  }
  return d / m;
}

describe('interpreter vs ONNX Runtime', () => {
  testShared('mnist-conv test_data_set_0', async () => {
    const dir = path.join(SHARED, 'models/qonnx/mnist-conv');
    const g = lower(loadModel(path.join(dir, 'model.onnx')));
    const x = readTensorFile(path.join(dir, 'test_data_set_0/input_0.pb'));
    const ours = runGraph(g, { [g.inputs[0]]: x })[g.outputs[0]];
    const ort = (await runOrt(path.join(dir, 'model.onnx'), { [g.inputs[0]]: x }))[g.outputs[0]];
    expect(relMaxDiff(ours, ort)).toBeLessThanOrEqual(1e-4);
  });

  test('float Tiny YOLOv2 416x416 (seeded weights)', async () => {
    const bytes = buildTinyYoloV2Fp32({ variant: 'fp32', size: 416, layout: 'voc', seed: 7 });
    const g = lower(decodeModel(bytes));
    const x = randomInput([1, 3, 416, 416], 3);
    const ours = runGraph(g, { input: x }).output;
    const ort = (await runOrt(bytes, { input: x })).output;
    expect(ours.shape).toEqual([1, 125, 13, 13]);
    const r = relMaxDiff(ours, ort);
    expect(r).toBeLessThanOrEqual(1e-4);
  });
});
