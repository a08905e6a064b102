// `hsq compile` and `hsq run --engine c` as a user runs them: OUT is replaced on success and left
// exactly as it was on any error; output is deterministic.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHARED } from './support/conformance';
import { describeShared, sharedPath, testShared } from './support/shared';

const BIN = path.resolve(__dirname, '../bin/hsq.js');
const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv');
const ESPCN = path.join(SHARED, 'models/qonnx/bsd300x3-espcn');
const hsq = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-compile-'));
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f)).toString('base64');
  return out;
}

describe('hsq compile --target host', () => {
  testShared('emits NAME.h, NAME.c, NAME_weights.c and kernels; byte-identical on a second run', () => {
    const a = path.join(tmp(), 'a');
    const b = path.join(tmp(), 'b');
    expect(hsq('compile', path.join(MNIST, 'model.onnx'), '--target', 'host', '-o', a, '--name', 'mnist').code).toBe(0);
    expect(hsq('compile', path.join(MNIST, 'model.onnx'), '--target', 'host', '-o', b, '--name', 'mnist').code).toBe(0);
    const files = fs.readdirSync(a).sort();
    expect(files).toEqual(expect.arrayContaining(['mnist.h', 'mnist.c', 'mnist_weights.c']));
    expect(snapshot(a)).toEqual(snapshot(b));
    const c = fs.readFileSync(path.join(a, 'mnist.c'), 'utf8');
    expect(c).toMatch(/node 'Convolution28' \(Conv\)/);
    const h = fs.readFileSync(path.join(a, 'mnist.h'), 'utf8');
    expect(h).toMatch(/MNIST_ARENA_SIZE/);
  });

  testShared('the emitted C builds with -std=c99 -Wall -Wextra -Werror and links twice into one program', () => {
    const dir = tmp();
    expect(hsq('compile', path.join(MNIST, 'model.onnx'), '-o', path.join(dir, 'a'), '--name', 'net_a').code).toBe(0);
    expect(hsq('compile', path.join(ESPCN, 'subpixel/quant_model.onnx'), '-o', path.join(dir, 'b'), '--name', 'net_b').code).toBe(0);
    // Two models, one program: shared runtime once, prefixed model symbols.
    fs.writeFileSync(path.join(dir, 'main.c'), `#include "net_a.h"\n#include "net_b.h"\nint main(void){return (NET_A_ARENA_SIZE > 0 && NET_B_ARENA_SIZE > 0) ? 0 : 1;}\n`);
    const srcs = [
      ...fs.readdirSync(path.join(dir, 'a')).filter((f) => f.endsWith('.c')).map((f) => path.join(dir, 'a', f)),
      ...fs.readdirSync(path.join(dir, 'b')).filter((f) => f.endsWith('.c') && f.startsWith('net_b')).map((f) => path.join(dir, 'b', f)),
      path.join(dir, 'main.c'),
    ];
    const r = spawnSync('cc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', '-ffp-contract=off', '-I', path.join(dir, 'a'), '-I', path.join(dir, 'b'), ...srcs, '-o', path.join(dir, 'prog'), '-lm'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(spawnSync(path.join(dir, 'prog')).status).toBe(0);
  });

  testShared('errors leave OUT exactly as it was (and do not create it)', () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    expect(hsq('compile', path.join(MNIST, 'model.onnx'), '-o', out).code).toBe(0);
    const before = snapshot(out);
    const corrupt = path.join(dir, 'corrupt.onnx');
    fs.writeFileSync(corrupt, fs.readFileSync(path.join(MNIST, 'model.onnx')).subarray(0, 5000));
    for (const args of [[corrupt], [path.join(dir, 'nope.onnx')], [path.join(MNIST, 'model.onnx'), '--input-shape', 'Input3=1,2,3']]) {
      const r = hsq('compile', ...args, '-o', out);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(snapshot(out)).toEqual(before);
      const fresh = path.join(dir, 'fresh');
      expect(hsq('compile', ...args, '-o', fresh).code).toBe(2);
      expect(fs.existsSync(fresh)).toBe(false);
    }
  });

  test('a foreign OUT is refused before any work: the error names OUT even when the model cannot be read', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    const r = hsq('compile', path.join(dir, 'no-such-model.onnx'), '-o', dir);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/output directory .* is not empty and was not written by hsq/)]);
    expect(fs.readdirSync(dir)).toEqual(['precious.txt']);
  });

  testShared('refuses to replace a folder hsq does not own', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    const r = hsq('compile', path.join(MNIST, 'model.onnx'), '-o', dir);
    expect(r.code).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

describe('hsq run --engine c', () => {
  testShared('mnist through the generated C equals the interpreter output file', () => {
    const dir = tmp();
    expect(hsq('run', path.join(MNIST, 'model.onnx'), '--inputs', path.join(MNIST, 'test_data_set_0'), '-o', path.join(dir, 'i')).code).toBe(0);
    const r = hsq('run', path.join(MNIST, 'model.onnx'), '--engine', 'c', '--target', 'host', '--inputs', path.join(MNIST, 'test_data_set_0'), '-o', path.join(dir, 'c'));
    expect(r.err).toBe('');
    expect(fs.readFileSync(path.join(dir, 'c', 'output_0.pb'))).toEqual(fs.readFileSync(path.join(dir, 'i', 'output_0.pb')));
  });

  testShared('wrong input shape or dtype: exit 2 naming the input', () => {
    const dir = tmp();
    const { encodeTensorProto } = require('../frontend/onnx/tensor-proto');
    const { makeTensor } = require('../core/ir/tensor');
    fs.writeFileSync(path.join(dir, 'shape.pb'), encodeTensorProto(makeTensor('float32', [1, 1, 27, 28]), 'Input3'));
    fs.writeFileSync(path.join(dir, 'dtype.pb'), encodeTensorProto(makeTensor('int8', [1, 1, 28, 28]), 'Input3'));
    for (const f of ['shape.pb', 'dtype.pb']) {
      const r = hsq('run', path.join(MNIST, 'model.onnx'), '--engine', 'c', '--input', `Input3=${path.join(dir, f)}`, '-o', path.join(dir, 'o'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/input 'Input3'/);
      expect(fs.existsSync(path.join(dir, 'o'))).toBe(false);
    }
  });

  testShared('ESPCN (4-bit QONNX) through the C: hsq verify is bit-exact with the interpreter', () => {
    const r = hsq('verify', path.join(ESPCN, 'subpixel/quant_model.onnx'), '--inputs', path.join(ESPCN, 'test_data'), '--json');
    const j = JSON.parse(r.out);
    expect(j.outputs[0].exactVsInterpreter).toBe(1);
    expect(j.ok).toBe(true);
    expect(r.code).toBe(0);
  });
});

describe('Tiny YOLOv2 QDQ (opset 21, int8 per-channel, int4 conv7/conv8) through the host C', () => {
  test('hsq verify: C equals the interpreter bit for bit; ONNX Runtime within tolerance', () => {
    const dir = tmp();
    const model = path.join(dir, 'tiny_qdq.onnx');
    const b = spawnSync(process.execPath, [path.resolve(__dirname, '../dist/examples/tiny-yolov2/build.js'), '--variant', 'qdq', '--size', '416', '--seed', '5', '-o', model], { encoding: 'utf8' });
    expect(b.status).toBe(0);
    const r = hsq('verify', model, '--random', '1', '--seed', '2', '--json');
    const j = JSON.parse(r.out);
    expect(j.outputs).toHaveLength(1);
    expect(j.outputs[0].exactVsInterpreter).toBe(1);
    expect(j.outputs[0].maxStepsVsOrt).toBeLessThanOrEqual(3);
    expect(j.outputs[0].within1StepVsOrt).toBeGreaterThanOrEqual(0.995);
    expect(j.ok).toBe(true);
    expect(r.code).toBe(0);
  });
});
