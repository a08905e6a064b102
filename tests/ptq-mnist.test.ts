// PTQ accuracy on the shared float mnist-conv: calibrated from one .npy with --calib-samples
// (every tenth of the 1000 shared digits: 10 of each class), top-1 on the other 900 through the
// emitted QDQ ONNX run by hsq's interpreter (integer graph). The model's own test input is
// 0..255, the shared digits 0..1: the test scales them (data preparation, as a user would).
// Needs ../shared; without it, one line says what was skipped.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeNpy, encodeNpy } from '../frontend/npy';
import { loadModel } from '../frontend/onnx/import';
import { makeTensor } from '../core/ir/tensor';
import { complementOf, loadCalibration, runFloatPasses, runQuantizedPasses, selectSamples, top1 } from '../precision';
import { describeShared, sharedPath, testShared } from './support/shared';

const SHARED = sharedPath('models');
const MODEL = path.join(SHARED, 'qonnx', 'mnist-conv', 'model.onnx');
const DIGITS = path.join(SHARED, 'real', 'mnist-digits');
const BIN = path.resolve(__dirname, '../bin/hsq.js');
const CALIB = '::10';

const maybe = describeShared;

maybe('PTQ on mnist-conv (100 shared digits calibrate, 900 evaluate)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-ptq-mnist-'));
  const xs = path.join(dir, 'x255.npy');
  let evalSamples: ReturnType<typeof loadCalibration>;
  let labels: number[];
  let floatTop1: number;

  beforeAll(() => {
    const x = decodeNpy(fs.readFileSync(path.join(DIGITS, 'x.npy')), 'x.npy');
    const y = decodeNpy(fs.readFileSync(path.join(DIGITS, 'y.npy')), 'y.npy');
    fs.writeFileSync(xs, encodeNpy(makeTensor('float32', x.shape, Float32Array.from(x.data as Float32Array, (v) => v * 255))));
    const fg = runFloatPasses(loadModel(MODEL));
    const all = loadCalibration(fg, xs);
    const held = complementOf(selectSamples(all.length, CALIB), all.length);
    evalSamples = held.map((i) => all[i]);
    labels = held.map((i) => Number(y.data[i]));
    floatTop1 = top1(fg, evalSamples, labels);
  });

  const quantizedTop1 = (name: string, args: string[]): number => {
    const onnx = path.join(dir, `${name}.onnx`);
    const r = spawnSync(process.execPath, [BIN, 'compile', MODEL, '--calib', xs, '--calib-samples', CALIB, '-o', path.join(dir, name), '--emit-onnx', onnx, ...args], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    return top1(runQuantizedPasses(runFloatPasses(loadModel(onnx))), evalSamples, labels);
  };

  test('float reference', () => {
    expect(evalSamples).toHaveLength(900);
    expect(floatTop1).toBeGreaterThan(0.98);
  });

  test('w2a8 with AdaRound: at least 95 % (min-max with nearest rounding collapses)', () => {
    const ada = quantizedTop1('w2a8-ada', ['--precision', '*=w2a8', '--rounding', 'adaround']);
    const plain = quantizedTop1('w2a8-minmax', ['--precision', '*=w2a8', '--weight-method', 'minmax', '--no-bias-correction']);
    // eslint-disable-next-line no-console
    console.log(`mnist-conv top-1 on 900: float ${(100 * floatTop1).toFixed(2)} %, w2a8 adaround ${(100 * ada).toFixed(2)} %, w2a8 minmax/nearest ${(100 * plain).toFixed(2)} %`);
    expect(ada).toBeGreaterThanOrEqual(0.95);
    expect(plain).toBeLessThan(ada);
  });

  test('w4a4 with mse activations and AdaRound: at least 99 %', () => {
    const t = quantizedTop1('w4a4', ['--precision', '*=w4a4', '--calib-method', 'mse', '--rounding', 'adaround']);
    // eslint-disable-next-line no-console
    console.log(`mnist-conv w4a4 top-1 ${(100 * t).toFixed(2)} %`);
    expect(t).toBeGreaterThanOrEqual(0.99);
  });

  test('w4a8 with AdaRound: within 0.2 points of float', () => {
    const t = quantizedTop1('w4a8', ['--precision', '*=w4a8', '--rounding', 'adaround']);
    // eslint-disable-next-line no-console
    console.log(`mnist-conv w4a8 top-1 ${(100 * t).toFixed(2)} % (float ${(100 * floatTop1).toFixed(2)} %)`);
    expect(t).toBeGreaterThanOrEqual(floatTop1 - 0.002 - 1e-9);
  });
});
