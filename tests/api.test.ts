// The npm API as a program uses it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compile, verify, run, inspect, HsqError } from '../driver/index';
import { SHARED } from './support/conformance';
import { describeShared, sharedPath, testShared } from './support/shared';

const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv');

describe('npm API', () => {
  testShared('compile, verify, run, inspect', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-api-')), 'out');
    const r = await compile({ model: path.join(MNIST, 'model.onnx'), out, target: 'host', name: 'mnist' });
    expect(r.files).toEqual(expect.arrayContaining(['mnist.c', 'mnist.h', 'mnist_weights.c']));
    const v = await verify({ model: path.join(MNIST, 'model.onnx'), inputs: path.join(MNIST, 'test_data_set_0') });
    expect(v.ok).toBe(true);
    expect(v.outputs[0].exactVsInterpreter).toBe(1);
    const o = await run({ model: path.join(MNIST, 'model.onnx'), inputs: path.join(MNIST, 'test_data_set_0') });
    expect(o.values[o.names[0]].shape).toEqual([1, 10]);
    expect(inspect(path.join(MNIST, 'model.onnx')).totals.macs).toBeGreaterThan(0);
  });

  test('typed diagnostics: HsqError with kind and subject', async () => {
    await expect(compile({ model: path.join(MNIST, 'model.onnx'), out: os.tmpdir(), name: '9bad' })).rejects.toMatchObject({ kind: 'bad-input', subject: '--name' });
    try {
      inspect('/nonexistent/model.onnx');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(HsqError);
      expect((e as HsqError).kind).toBe('bad-input');
    }
  });
});
