// --input-format: a uint8 channels-last frame with the normalisation built in computes what the
// float model computes on the normalised image; the C equals the interpreter.
import * as path from 'path';
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { runC } from '../targets/host/run';
import { cameraInput } from '../passes/camera-input';
import { makeTensor } from '../core/ir/tensor';
import { buildTinyYoloV2Fp32 } from '../examples/tiny-yolov2/build';
import { SHARED } from './support/conformance';
import { describeShared, sharedPath, testShared } from './support/shared';

const f = Math.fround;

function frame(h: number, w: number, c: number, seed: number) {
  const t = makeTensor('uint8', [1, h, w, c]);
  let s = seed;
  for (let i = 0; i < t.data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; (t.data as Uint8Array)[i] = s >>> 24; }
  return t;
}

describe('camera input', () => {
  test('bgr888 on an NCHW RGB model with mean/std: same numbers as the float model on the normalised image; C bit-exact', async () => {
    const raw = decodeModel(buildTinyYoloV2Fp32({ variant: 'fp32', size: 32, layout: 'voc', seed: 2 }));
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const cam = lower(cameraInput(raw, { format: 'bgr888', mean, std }));
    const ref = lower(raw);
    const fr = frame(32, 32, 3, 9);
    const x = makeTensor('float32', [1, 3, 32, 32]);
    for (let y = 0; y < 32; y++) for (let xx = 0; xx < 32; xx++) for (let c = 0; c < 3; c++) {
      const p = (fr.data as Uint8Array)[(y * 32 + xx) * 3 + (2 - c)]; // BGR frame → RGB channel c
      (x.data as Float32Array)[(c * 32 + y) * 32 + xx] = f(f(f(p / 255) - f(mean[c])) / f(std[c]));
    }
    expect(cam.tensors.input).toMatchObject({ dtype: 'uint8', shape: [1, 32, 32, 3] });
    const a = runGraph(cam, { input: fr }).output;
    const b = runGraph(ref, { input: x }).output;
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const c = await runC(cam, { input: fr });
    expect(Array.from(c.output.data)).toEqual(Array.from(a.data));
  });

  testShared('gray8 on mnist; wrong channel count is an error naming the input', () => {
    const raw = loadModel(path.join(SHARED, 'models/qonnx/mnist-conv/model.onnx'));
    const cam = lower(cameraInput(raw, { format: 'gray8' }));
    expect(cam.tensors.Input3).toMatchObject({ dtype: 'uint8', shape: [1, 28, 28, 1] });
    expect(() => cameraInput(raw, { format: 'rgb888' })).toThrow(/Input3/);
    expect(() => cameraInput(raw, { format: 'gray8', mean: [0.1, 0.2] })).toThrow(/--mean/);
  });
});
