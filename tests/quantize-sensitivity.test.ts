// Sensitivity (one layer lowered at a time, output SQNR vs FP32 in the interpreter), automatic
// precision under a flash budget, and calibration data from folders of .npy / .pb / images.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { decodeModel } from '../frontend/onnx/import';
import { encodeNpy } from '../frontend/npy';
import { encodeTensorProto } from '../frontend/onnx/tensor-proto';
import { HsqError, setWarningSink } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { decodeImage, imageToTensor } from '../frontend/image-decode';
import {
  autoPrecision, calibrate, formatCurve, layerFlashBytes, layerWeights, loadCalibration, measureSensitivity, measureSqnr,
  resolvePrecisions, runFloatPasses, withWeightBits, PercentileObserver, MinMaxObserver,
} from '../precision';
import { runGraph } from '../ops/engine/interpreter';
import { quantizeArgs } from '../driver/commands/quantize-options';
import { smallCnnBytes } from './quantize-helpers';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

describe('sensitivity and auto precision (small CNN)', () => {
  const fg = runFloatPasses(decodeModel(smallCnnBytes()));
  const calib = loadCalibration(fg, 'random', { seed: 0, randomSamples: 3 });
  const ranges = calibrate(fg, calib);
  // Plain min-max scales and no bias correction, so that each width strictly loses SQNR.
  const plain = { weightMethod: 'minmax' as const, biasCorrection: false };
  const sens = measureSensitivity(fg, calib, undefined, [4, 2], { ranges, ptq: plain });

  test('the compile\'s methods (mse scales, bias correction, GPTQ) raise the lowered layers\' SQNR', () => {
    const better = measureSensitivity(fg, calib, undefined, [2], { ranges, ptq: { rounding: 'gptq' } });
    expect(better.method).toMatch(/rounding gptq/);
    for (const r of better.rows) expect(r.sqnrDb.w2).toBeGreaterThan(sens.rows.find((x) => x.layer === r.layer)!.sqnrDb.w2);
  });

  test('one row per weighted layer; lower widths lose SQNR; bytes from the containers', () => {
    expect(sens.rows.map((r) => r.layer)).toEqual(['conv1', 'conv2', 'fc']);
    expect(sens.baselineSqnrDb).toBeGreaterThan(15);
    for (const r of sens.rows) {
      expect(r.sqnrDb.w4).toBeLessThan(sens.baselineSqnrDb);
      expect(r.sqnrDb.w2).toBeLessThan(r.sqnrDb.w4);
      expect(r.flashBytes.w4).toBe(Math.ceil(r.weights / 2) + 4 * (r.layer === 'conv1' ? 8 : r.layer === 'conv2' ? 16 : 10));
    }
    // eslint-disable-next-line no-console
    console.log(JSON.stringify(sens, null, 1));
  });

  test('auto precision meets the budget, most bytes per unit of noise first, with a measured curve', () => {
    const full = sens.rows.reduce((a, r) => a + r.flashBytes.w8, 0);
    const conv2 = sens.rows.find((r) => r.layer === 'conv2')!;
    const budget = full - (conv2.flashBytes.w8 - conv2.flashBytes.w4);   // exactly one w4 step of conv2 fits
    const base = resolvePrecisions(fg, { warn: () => undefined });
    const refs = calib.map((s) => runGraph(fg, s));
    const r = autoPrecision(sens, { flashBudgetBytes: budget, measure: (low) => measureSqnr(fg, calib, refs, withWeightBits(base, low), ranges, { ptq: plain }) });
    expect(r.met).toBe(true);
    expect(r.flashBytes).toBeLessThanOrEqual(budget);
    expect(r.sqnrKind).toBe('measured');
    expect(r.curve[0].flashBytes).toBe(full);
    expect(r.curve[r.curve.length - 1].flashBytes).toBe(r.flashBytes);
    for (const c of r.chosen) expect(c.reason).toMatch(/step \d+: saves/);
    // The first step is the best bytes-per-noise ratio among the w8 → w4 moves.
    const ratio = (l: typeof conv2) => (l.flashBytes.w8 - l.flashBytes.w4) / Math.max(1e-15, 10 ** (-l.sqnrDb.w4 / 10) - 10 ** (-sens.baselineSqnrDb / 10));
    const best = [...sens.rows].sort((a, b) => ratio(b) - ratio(a))[0];
    expect(r.curve[1].layer).toBe(best.layer);
    expect(r.flags.length).toBeGreaterThan(0);
    expect(formatCurve(r).join('\n')).toMatch(/measured/);
    const est = autoPrecision(sens, { flashBudgetBytes: 0 });
    expect(est.met).toBe(false);
    expect(est.sqnrKind).toBe('estimated');
    expect(est.chosen.every((c) => c.weightBits === 2)).toBe(true);
    expect(est.flashBytes).toBe(layerWeights(fg).reduce((a, l) => a + layerFlashBytes(l, 2), 0));
  });
});

describe('calibration data', () => {
  const fg = runFloatPasses(decodeModel(smallCnnBytes()));
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-calib-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a folder of .npy and .pb samples (batch dim optional)', () => {
    const d = path.join(dir, 'tensors');
    fs.mkdirSync(d);
    const a = makeTensor('float32', [1, 3, 16, 16], Float32Array.from({ length: 768 }, (_, i) => (i % 7) / 7));
    const b = makeTensor('float32', [3, 16, 16], Float32Array.from({ length: 768 }, (_, i) => -((i % 5) / 5)));
    fs.writeFileSync(path.join(d, 'a.npy'), encodeNpy(a));
    fs.writeFileSync(path.join(d, 'b.pb'), encodeTensorProto(b, 'x'));
    const s = loadCalibration(fg, d);
    expect(s).toHaveLength(2);
    expect(s[1].x.shape).toEqual([1, 3, 16, 16]);
    const r = calibrate(fg, s, { tensors: ['x'] });
    expect(r.x[0]).toBeCloseTo(-0.8, 6);
    expect(r.x[1]).toBeCloseTo(6 / 7, 6);
    fs.writeFileSync(path.join(d, 'c.npy'), encodeNpy(makeTensor('float32', [1, 3, 8, 8])));
    expect(() => loadCalibration(fg, d)).toThrow(/c\.npy: shape \[1,3,8,8\] does not fit input 'x'/);
  });

  test('PNG and JPEG images: resized, normalised, NCHW', () => {
    const d = path.join(dir, 'images');
    fs.mkdirSync(d);
    const png = new PNG({ width: 32, height: 32 });
    for (let i = 0; i < 32 * 32; i++) png.data.set([255, 0, 128, 255], 4 * i);
    fs.writeFileSync(path.join(d, 'a.png'), PNG.sync.write(png));
    const raw = { width: 8, height: 8, data: Buffer.alloc(8 * 8 * 4, 200) };
    fs.writeFileSync(path.join(d, 'b.jpg'), jpeg.encode(raw, 95).data);
    const s = loadCalibration(fg, d, { mean: [0.5], std: [0.5] });
    expect(s).toHaveLength(2);
    const x = s[0].x.data as Float32Array;
    expect(s[0].x.shape).toEqual([1, 3, 16, 16]);
    expect(x[0]).toBeCloseTo(1, 6);            // R 255 → (1 - 0.5) / 0.5
    expect(x[256]).toBeCloseTo(-1, 6);         // G 0
    expect(x[512]).toBeCloseTo((128 / 255 - 0.5) / 0.5, 5);
    const y = s[1].x.data as Float32Array;     // JPEG upscaled 8 → 16, flat grey ~200
    expect(Math.abs(y[100] - (200 / 255 - 0.5) / 0.5)).toBeLessThan(0.03);
    const img = decodeImage(fs.readFileSync(path.join(d, 'a.png')), 'a.png');
    const t = imageToTensor(img, { resize: [4, 6], layout: 'nhwc' });
    expect(t.shape).toEqual([1, 4, 6, 3]);
    expect(Array.from(t.data.slice(0, 3))).toEqual([1, 0, Math.fround(128 / 255)]);
    expect(() => decodeImage(new Uint8Array([1, 2, 3]), 'x.png')).toThrow(HsqError);
  });

  test('observers: min/max and percentile', () => {
    const d = Float32Array.from({ length: 1001 }, (_, i) => i - 500);
    const mm = new MinMaxObserver(); mm.observe(d);
    expect(mm.range()).toEqual([-500, 500]);
    const p = new PercentileObserver(99); p.observe(d);
    expect(p.range()).toEqual([-490, 490]);
  });

  test('CLI option values are checked', () => {
    const a = quantizeArgs({ calib: 'random', resize: '224,224', mean: '0.485,0.456,0.406', 'auto-precision': true, 'flash-budget': '6MiB', precision: ['conv7,conv8=w4a8'] });
    expect(a).toMatchObject({ resize: [224, 224], flashBudgetBytes: 6 * 1024 * 1024, calibSeed: 0, precision: ['conv7,conv8=w4a8'] });
    expect(() => quantizeArgs({ 'auto-precision': true })).toThrow(/--auto-precision needs --flash-budget/);
    expect(() => quantizeArgs({ resize: '224' })).toThrow(/--resize '224'/);
    expect(() => quantizeArgs({ std: '0,1,1' })).toThrow(/--std/);
  });
});
