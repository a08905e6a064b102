// Quantization through `hsq compile` as a user runs it: --calib random, --precision, --emit-onnx,
// --auto-precision with a flash budget, report.json; and the errors.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from '../driver/index';
import { runOrt } from '../verify/ort';
import { randomInput } from '../examples/lib/random-input';

const BIN = path.resolve(__dirname, '../bin/hsq.js');
const hsq = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-qcli-'));
const model = path.join(dir, 'tiny.onnx');

beforeAll(() => {
  const b = spawnSync(process.execPath, [path.resolve(__dirname, '../dist/examples/tiny-yolov2/build.js'), '--variant', 'fp32', '--size', '64', '--seed', '3', '-o', model], { encoding: 'utf8' });
  expect(b.status).toBe(0);
});

describe('hsq compile with quantization', () => {
  test('--calib random with conv7,conv8 at w4a8: loud warning, QDQ ONNX that ORT runs, 44 % fewer weight bytes', async () => {
    const q8 = path.join(dir, 'w8.onnx');
    const q4 = path.join(dir, 'w4.onnx');
    const r8 = hsq('compile', model, '--calib', 'random', '-o', path.join(dir, 'o8'), '--emit-onnx', q8);
    expect(r8.code).toBe(0);
    expect(r8.err).toMatch(/warning: --calib random/);
    const r4 = hsq('compile', model, '--calib', 'random', '--precision', 'conv7,conv8=w4a8', '-o', path.join(dir, 'o4'), '--emit-onnx', q4);
    expect(r4.code).toBe(0);
    const w8 = inspect(q8).totals.weightBytes;
    const w4 = inspect(q4).totals.weightBytes;
    expect(1 - w4 / w8).toBeGreaterThanOrEqual(0.44);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'o4', 'report.json'), 'utf8'));
    const conv7 = report.precision.layers.find((l: { layer: string }) => l.layer === 'conv7');
    expect(conv7).toMatchObject({ precision: 'w4a8', source: 'cli' });
    const out = await runOrt(q4, { input: randomInput([1, 3, 64, 64], 1) });
    expect(out.output.shape).toEqual([1, 125, 2, 2]);
  });

  test('--auto-precision under a flash budget prints the curve and the chosen set', () => {
    const r = hsq('compile', model, '--calib', 'random', '--auto-precision', '--flash-budget', '9MiB', '-o', path.join(dir, 'oa'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/flash vs output SQNR/);
    expect(r.err).toMatch(/auto precision: --precision/);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'oa', 'report.json'), 'utf8'));
    expect(report.precision.sensitivity.rows.length).toBe(9);
    expect(report.precision.autoPrecision.met).toBe(true);
  });

  test('errors: float model for an integer target without --calib; an impossible precision names the layer', () => {
    const a = hsq('compile', model, '--target', 'cortex-m55', '-o', path.join(dir, 'x'));
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--calib/);
    const b = hsq('compile', model, '--calib', 'random', '--precision', 'leaky3=w4a8', '-o', path.join(dir, 'y'));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/leaky3/);
    const c = hsq('compile', model, '--calib', 'random', '--precision', 'nosuchlayer=w4a8', '-o', path.join(dir, 'z'));
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/nosuchlayer/);
    for (const d of ['x', 'y', 'z']) expect(fs.existsSync(path.join(dir, d))).toBe(false);
  });
});
