// hsq eval / evaluateTop1: top-1 over every sample of X, agreement with a reference model.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeModel } from '../frontend/onnx/import';
import { encodeNpy } from '../frontend/npy';
import { lower } from '../driver/frontend';
import { evaluate } from '../driver/index';
import { makeTensor } from '../core/ir/tensor';
import { setWarningSink } from '../core/diagnostics';
import { randomInputs } from '../core/random-inputs';
import { argmax, evaluateTop1 } from '../verify/accuracy';
import { runOrtMany } from '../verify/ort';
import { cEngine } from '../verify/c-engine';
import { graph, node } from './passes-helpers';
import { qdqSmallCnn } from './verify-fixtures';
import { describeShared, sharedPath, testShared } from './support/shared';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

describe('evaluateTop1', () => {
  // y = x: the prediction is the index of the largest input element.
  const id = graph({ inputs: [['x', 'float32', [1, 4]]], outputs: ['y'], nodes: [node('Identity', ['x'], ['y'])] });
  const x = makeTensor('float32', [5, 1, 4], [0, 9, 1, 2, /**/ 5, 1, 1, 1, /**/ 0, 0, 0, 7, /**/ 1, 2, 3, 4, /**/ 2, 2, 1, 0]);

  test('arg-max of the chosen output against integer labels, over every sample', async () => {
    const r = await evaluateTop1(id, x, makeTensor('int64', [5], [1, 0, 3, 0, 0]));
    expect(r).toMatchObject({ n: 5, correct: 4, top1: 0.8, output: 'y', engine: 'interpreter', agreementVsReference: null });
    expect(r.predictions).toEqual([1, 0, 3, 3, 0]); // ties: the first index
    expect(argmax(makeTensor('float32', [3], [NaN, -Infinity, -5]))).toBe(2);
  });

  test('samples fit inputs with or without the batch dimension; clear errors', async () => {
    const noBatch = graph({ inputs: [['x', 'float32', [4]]], outputs: ['y'], nodes: [node('Identity', ['x'], ['y'])] });
    expect((await evaluateTop1(noBatch, makeTensor('float32', [5, 4], x.data), makeTensor('int64', [5], [1, 0, 3, 3, 0]))).top1).toBe(1);
    await expect(evaluateTop1(id, x, makeTensor('int64', [4], [1, 0, 3, 0]))).rejects.toThrow(/--labels has 4 labels for 5 samples/);
    await expect(evaluateTop1(id, makeTensor('float32', [2, 1, 3], [1, 2, 3, 4, 5, 6]), makeTensor('int64', [2], [0, 0]))).rejects.toThrow(/does not fit input 'x'/);
    await expect(evaluateTop1(id, x, makeTensor('float32', [5], [1, 0, 3, 0, 0]))).rejects.toThrow(/--labels must hold integers/);
    await expect(evaluateTop1(id, x, makeTensor('int64', [5], [1, 0, 3, 0, 0]), { output: 'z' })).rejects.toThrow(/--output 'z'/);
  });

  test('quantized CNN against its float original: agreement is the share of the float model\'s predictions kept', async () => {
    const { float, qdq } = qdqSmallCnn();
    const g = lower(decodeModel(qdq));
    const n = 40;
    const sets = Array.from({ length: n }, (_, k) => randomInputs(g, 100 + k));
    const xs = makeTensor('float32', [n, 1, 3, 16, 16], Float32Array.from(sets.flatMap((s) => Array.from(s.x.data as Float32Array))));
    // Labels: the float model's own predictions, so agreement = top-1 and the reference scores 100 %.
    const labels = (await runOrtMany(float, sets)).map((o) => argmax(o.y));
    const r = await evaluateTop1(g, xs, makeTensor('int64', [n], labels), { reference: float });
    expect(r.referenceTop1).toBe(1);
    expect(r.agreementVsReference).toBe(r.top1);
    expect(r.top1).toBeGreaterThan(0.5);
    // The generated host C, one build for all samples, predicts what the interpreter predicts.
    const c = await evaluateTop1(g, xs, makeTensor('int64', [n], labels), { engine: cEngine({ target: 'host' }) });
    expect(c.engine).toBe('host');
    expect(c.predictions).toEqual(r.predictions);
  });

  test('hsq eval: --target is checked (npm API: evaluate)', () => {
    return expect(evaluate({ model: 'x.onnx', data: 'x.npy', labels: 'y.npy', engine: 'c', target: 'foo' as 'host' })).rejects.toMatchObject({ kind: 'bad-input', subject: '--target' });
  });

  test('hsq eval on the command line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-eval-'));
    try {
      const m = path.join(dir, 'id.onnx');
      fs.writeFileSync(m, require('../frontend/onnx/export').encodeModel(id));
      fs.writeFileSync(path.join(dir, 'x.npy'), encodeNpy(x));
      fs.writeFileSync(path.join(dir, 'y.npy'), encodeNpy(makeTensor('int64', [5], [1, 0, 3, 0, 0])));
      const r = spawnSync(process.execPath, [path.resolve(__dirname, '../bin/hsq.js'), 'eval', m, '--data', path.join(dir, 'x.npy'), '--labels', path.join(dir, 'y.npy'), '--json'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ n: 5, top1: 0.8, agreementVsReference: null });
      const bad = spawnSync(process.execPath, [path.resolve(__dirname, '../bin/hsq.js'), 'eval', m, '--data', path.join(dir, 'x.npy'), '--labels', path.join(dir, 'x.npy')], { encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--labels must hold integers/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const SHARED = sharedPath('models', 'real');
const sharedTest = test;

describeShared('QONNX model zoo on 1000 MNIST digits', () => {
  // Through the CLI, as users run it (the interpreter is many times slower inside jest's sandbox).
  const hsqEval = (name: string) => {
    const model = path.join(SHARED, 'qonnx-zoo', `${name}.onnx`);
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../bin/hsq.js'), 'eval', model, '--data', path.join(SHARED, 'mnist-digits', 'x.npy'),
      '--labels', path.join(SHARED, 'mnist-digits', 'y.npy'), '--reference', model, '--json'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    return JSON.parse(r.stdout);
  };
  // Published (MNIST test set): 96.60 % and 93.17 %; these 1000 digits: 96.7 % and about 93 %.
  sharedTest.each([['TFC_2W2A', 0.955, 0.98], ['TFC_1W1A', 0.91, 0.95]])('%s: top-1 within [%f, %f], the same predictions as its QONNX reference in ORT', (name, lo, hi) => {
    const r = hsqEval(name as string);
    expect(r.n).toBe(1000);
    expect(r.top1).toBeGreaterThanOrEqual(lo as number);
    expect(r.top1).toBeLessThanOrEqual(hi as number);
    expect(r.agreementVsReference).toBeGreaterThanOrEqual(0.999);
  });
});

describeShared('QONNX model zoo on the Cortex-M55 (QEMU)', () => {
  // The check: the generated cortex-m55 C gives the interpreter's predictions digit for
  // digit, all 1000 samples through one build and one QEMU boot.
  const { prepareModel } = require('../driver/compile') as typeof import('../driver/compile');
  const { decodeNpy } = require('../frontend/npy') as typeof import('../frontend/npy');
  test.each(['TFC_2W2A', 'TFC_1W1A'])('%s: cortex-m55 C predictions equal the interpreter\'s on every digit', async (name) => {
    const { graph } = prepareModel({ model: path.join(SHARED, 'qonnx-zoo', `${name}.onnx`), target: 'cortex-m55' });
    const x = decodeNpy(fs.readFileSync(path.join(SHARED, 'mnist-digits', 'x.npy')), 'x.npy');
    const y = decodeNpy(fs.readFileSync(path.join(SHARED, 'mnist-digits', 'y.npy')), 'y.npy');
    const interp = await evaluateTop1(graph, x, y);
    const m55 = await evaluateTop1(graph, x, y, { engine: cEngine({ target: 'cortex-m55', trace: false }) });
    expect(m55.n).toBe(1000);
    const differ = m55.predictions.filter((p, k) => p !== interp.predictions[k]).length;
    expect({ differ, top1: m55.top1 }).toEqual({ differ: 0, top1: interp.top1 });
    console.log(`eval ${name}: cortex-m55 top-1 ${m55.top1} on ${m55.n} digits, equal to the interpreter's`);
  }, 900000);
});
