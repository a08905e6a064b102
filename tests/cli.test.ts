// The CLI as a user runs it: the built bin/hsq.js in a child process (npm test builds first).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHARED } from './support/conformance';
import { describeShared, sharedPath, testShared } from './support/shared';

const BIN = path.resolve(__dirname, '../bin/hsq.js');
const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv');
const ESPCN = path.join(SHARED, 'models/qonnx/bsd300x3-espcn/subpixel/quant_model.onnx');

function hsq(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, HSQ_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-cli-'));

describe('hsq CLI', () => {
  test('--version and --help with examples', () => {
    expect(hsq('--version').out.trim()).toBe(require('../package.json').version);
    const help = hsq('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Examples:/);
    for (const c of ['inspect', 'run', 'verify', 'annotate', 'passes']) expect(help.out).toContain(c);
  });

  test('an unknown --target is one plain error naming the registry\'s targets, exit 2, OUT untouched', () => {
    const dir = tmp();
    try {
      const out = path.join(dir, 'out');
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
      const msg = 'hsq: error: --target "cortex-m5": no such target (targets: host, cortex-m55, stm32n6)\n';
      // Checked before the model is read: the model need not exist.
      const model = path.join(dir, 'model.onnx');
      for (const args of [
        ['compile', model, '--target', 'cortex-m5', '-o', out],
        ['verify', model, '--target', 'cortex-m5', '--random', '1'],
        ['run', model, '--target', 'cortex-m5', '--input', 'x=x.npy', '-o', out],
      ]) {
        const r = hsq(...args);
        expect({ code: r.code, err: r.err }).toEqual({ code: 2, err: msg });
      }
      expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('passes lists every pass with one line', () => {
    const r = hsq('passes', '--json');
    const list = JSON.parse(r.out);
    expect(list.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['shape-inference', 'constant-folding', 'qdq-recognition', 'lower-qonnx', 'fold-batchnorm']));
    for (const p of list) expect(p.description).not.toMatch(/\n/);
  });

  testShared('inspect --json: totals, and the 4-bit quantizers of the QONNX ESPCN', () => {
    const r = hsq('inspect', ESPCN, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.totals.macs).toBe(j.nodes.reduce((a: number, n: { macs: number }) => a + n.macs, 0));
    const conv17 = j.nodes.find((n: { name: string }) => n.name === 'Conv_17');
    expect(conv17.weightQuant).toMatchObject({ bits: 4, signed: true, narrow: true, perChannel: true });
    const act = j.nodes.filter((n: { op: string; quant?: { bits: number; signed: boolean } }) => n.op === 'Quant' && n.quant?.bits === 4 && !n.quant.signed);
    expect(act.length).toBe(3);
    const text = hsq('inspect', ESPCN);
    expect(text.out).toMatch(/Conv_17 .* w s4 narrow per-channel/);
  });

  testShared('inspect mnist: MACs of its two convs and one matmul', () => {
    const j = JSON.parse(hsq('inspect', path.join(MNIST, 'model.onnx'), '--json').out);
    // conv 28x28x8 (1x5x5), conv 14x14x16 (8x5x5), matmul 256x10
    expect(j.totals.macs).toBe(28 * 28 * 8 * 25 + 14 * 14 * 16 * 8 * 25 + 256 * 10);
  });

  testShared('run --engine interpreter reproduces mnist test data', () => {
    const out = tmp();
    const r = hsq('run', path.join(MNIST, 'model.onnx'), '--inputs', path.join(MNIST, 'test_data_set_0'), '-o', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['output_0.pb']);
    const npy = hsq('run', path.join(MNIST, 'model.onnx'), '--inputs', path.join(MNIST, 'test_data_set_0'), '-o', out, '--format', 'npy');
    expect(npy.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['output_0.npy', 'output_0.pb']);
  });

  test('bad input: one line, exit 2, nothing written', () => {
    const dir = tmp();
    const corrupt = path.join(dir, 'bad.onnx');
    fs.writeFileSync(corrupt, Buffer.from('this is not an onnx model at all'));
    for (const args of [
      ['inspect', corrupt],
      ['inspect', path.join(dir, 'missing.onnx')],
      ['run', path.join(MNIST, 'model.onnx'), '--inputs', dir, '-o', path.join(dir, 'out')],
      ['run', path.join(MNIST, 'model.onnx'), '--input', `Input3=${corrupt}`, '-o', path.join(dir, 'out')],
      ['inspect', path.join(MNIST, 'model.onnx'), '--input-shape', 'nope=1,2'],
      ['frobnicate'],
    ]) {
      const r = hsq(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^hsq: error: /);
    }
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  testShared('annotate writes hsq.annotations that import reads back; unknown nodes are refused', () => {
    const dir = tmp();
    const out = path.join(dir, 'a.onnx');
    const r = hsq('annotate', ESPCN, '--precision', 'Conv_17,Conv_29=w4a4', '--force-cpu', 'Conv_41', '-o', out);
    expect(r.code).toBe(0);
    const { loadModel } = require('../frontend/onnx/import');
    const g = loadModel(out);
    expect(g.annotations).toEqual({ Conv_17: { precision: 'w4a4' }, Conv_29: { precision: 'w4a4' }, Conv_41: { placement: 'cpu' } });
    expect(g.nodes.length).toBe(loadModel(ESPCN).nodes.length);
    const bad = hsq('annotate', ESPCN, '--force-npu', 'conv99', '-o', path.join(dir, 'b.onnx'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/conv99/);
    expect(fs.existsSync(path.join(dir, 'b.onnx'))).toBe(false);
  });
});

describe('hsq CLI on built models', () => {
  test('inspect Tiny YOLOv2 (VOC, 416, built by examples/tiny-yolov2): 3.49 GMAC, ~15.86 M weights', () => {
    const dir = tmp();
    const model = path.join(dir, 'tiny.onnx');
    const b = spawnSync(process.execPath, [path.resolve(__dirname, '../dist/examples/tiny-yolov2/build.js'), '--variant', 'fp32', '--size', '416', '-o', model], { encoding: 'utf8' });
    expect(b.status).toBe(0);
    const j = JSON.parse(hsq('inspect', model, '--json').out);
    expect((j.totals.macs / 1e9).toFixed(2)).toBe('3.49');
    // float32 weights, 4 bytes each, without biases
    expect(j.totals.weightBytes / 4 / 1e6).toBeCloseTo(15.86, 2);
    expect(j.nodes.filter((n: { op: string }) => n.op === 'Conv').map((n: { name: string }) => n.name)).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'conv7', 'conv8', 'conv9']);
  });

  testShared('--dump-after writes text and ONNX that hsq (and Netron) can open', () => {
    const dir = tmp();
    const r = hsq('run', ESPCN, '--inputs', path.join(SHARED, 'models/qonnx/bsd300x3-espcn/test_data'), '-o', path.join(dir, 'out'),
      '--dump-after', 'qdq-recognition', '--dump-dir', path.join(dir, 'dump'));
    expect(r.err).toBe('');
    // run builds as compile does: the passes after quantization dump into dump/quantized/.
    const files = fs.readdirSync(path.join(dir, 'dump', 'quantized')).sort();
    expect(files.some((f) => /qdq-recognition\.txt$/.test(f))).toBe(true);
    const onnxFile = files.find((f) => /qdq-recognition\.onnx$/.test(f))!;
    const { loadModel } = require('../frontend/onnx/import');
    const g = loadModel(path.join(dir, 'dump', 'quantized', onnxFile));
    // Conv_17 and Conv_29 (4-bit in and out) and Conv_41 (integer weights and input, float output;
    // docs/qat-layers.md) are QConv; Conv_5 has a float input and stays a float Conv.
    expect(g.nodes.filter((n: { op: string }) => n.op === 'QConv').length).toBe(3);
    expect(hsq('run', ESPCN, '--inputs', path.join(SHARED, 'models/qonnx/bsd300x3-espcn/test_data'), '-o', dir, '--dump-after', 'no-such-pass').err).toMatch(/no-such-pass/);
  });
});
