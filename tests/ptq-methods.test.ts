// PTQ range and scale methods: histogram bookkeeping, mse/entropy activation ranges, mse weight
// clipping, calibration sample selection and one .npy of stacked samples.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../examples/lib/prng';
import { decodeModel } from '../frontend/onnx/import';
import { encodeNpy } from '../frontend/npy';
import { HsqError, setWarningSink } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { parseConfig } from '../core/config';
import {
  Histogram, HistogramObserver, MinMaxObserver, complementOf, dequantizeWeights, loadCalibration, mseRange, quantizeWeights,
  rangeError, runFloatPasses, selectSamples,
} from '../precision';
import { quantizeArgs } from '../driver/commands/quantize-options';
import { smallCnnBytes } from './quantize-helpers';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

/** Laplace-distributed values with a few large outliers (a heavy-tailed tensor). */
function heavyTailed(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r.uniform() - 0.5;
    d[i] = Math.fround(-Math.sign(u) * Math.log(1 - 2 * Math.abs(u)) * 0.1);
  }
  for (let i = 0; i < n; i += 997) d[i] *= 12;
  return d;
}

const sqErr = (a: Float32Array, b: ArrayLike<number>) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

describe('histogram', () => {
  test('keeps exact counts and extent while its span doubles', () => {
    const h = new Histogram(64);
    h.add([0.1, -0.2, 0, 0]);
    h.add([5, -40, 0.3, Number.NaN]);
    h.add(Float32Array.from({ length: 100 }, (_, i) => i - 50));
    expect(h.total).toBe(4 + 3 + 100);
    expect(h.extent()).toEqual([-50, 49]);
    expect(h.zeros).toBe(3);
    const { n } = h.points();
    expect(n.reduce((a, b) => a + b, 0)).toBe(h.total);
  });
});

describe('activation ranges', () => {
  const d = heavyTailed(20000, 1);
  const pts = (() => { const h = new Histogram(); h.add(d); return h; })();

  test.each([4, 8])('mse at %i bits clips the tail and beats min-max on the histogram error', (bits) => {
    const mm = new MinMaxObserver(); mm.observe(d);
    const mo = new HistogramObserver('mse'); mo.observe(d);
    const [lo, hi] = mo.range(bits);
    const [l0, h0] = mm.range();
    expect(hi).toBeLessThan(h0);
    expect(lo).toBeGreaterThan(l0);
    const { x, n } = pts.points();
    expect(rangeError(x, n, lo, hi, bits, true)).toBeLessThan(rangeError(x, n, l0, h0, bits, true));
    expect(mseRange(pts, bits, true)).toEqual([lo, hi]);
  });

  test('entropy clips a heavy tail at 8 bits, keeps zeros out, stays inside the extent', () => {
    const o = new HistogramObserver('entropy');
    o.observe(d);
    const [lo, hi] = o.range(8);
    const [l0, h0] = pts.extent();
    expect(lo).toBeGreaterThanOrEqual(l0);
    expect(hi).toBeLessThanOrEqual(h0);
    expect(hi - lo).toBeLessThan(h0 - l0);
    // A ReLU-like tensor (mostly zeros, a non-negative tail) keeps a one-sided range well above 0.
    const relu = new HistogramObserver('entropy');
    relu.observe(Float32Array.from(d, (v) => (v > 0 ? v : 0)));
    const [rl, rh] = relu.range(4);
    expect(rl).toBe(0);
    expect(rh).toBeGreaterThan(0.1);
  });
});

describe('weight scales', () => {
  const w = makeTensor('float32', [8, 4, 3, 3], heavyTailed(8 * 36, 2));
  test.each([2, 3, 4])('mse clipping beats min-max on heavy-tailed weights at %i bits', (bits) => {
    const mm = quantizeWeights(w, bits, 0, 'test', 'minmax');
    const ms = quantizeWeights(w, bits, 0, 'test', 'mse');
    const e = (q: typeof mm) => sqErr(w.data as Float32Array, dequantizeWeights(q.t, q.quant).data as Float32Array);
    expect(e(ms)).toBeLessThan(e(mm));
    for (let c = 0; c < 8; c++) expect(ms.quant.scale[c]).toBeLessThanOrEqual(mm.quant.scale[c]);
  });
  test('8 bits with minmax are the plain max|w|/127 scales', () => {
    const q = quantizeWeights(w, 8, 0);
    const d = w.data as Float32Array;
    for (let c = 0; c < 8; c++) {
      const amax = Math.max(...Array.from(d.subarray(c * 36, (c + 1) * 36), Math.abs));
      expect(q.quant.scale[c]).toBe(Math.fround(amax / 127));
    }
  });
});

describe('calibration samples', () => {
  test('N, slices and random:N select indices; the rest is the complement', () => {
    expect(selectSamples(10, '3')).toEqual([0, 1, 2]);
    expect(selectSamples(10, '::4')).toEqual([0, 4, 8]);
    expect(selectSamples(10, '7:')).toEqual([7, 8, 9]);
    expect(selectSamples(10, '-2:')).toEqual([8, 9]);
    const r = selectSamples(100, 'random:10', 3);
    expect(r).toHaveLength(10);
    expect(new Set(r).size).toBe(10);
    expect(selectSamples(100, 'random:10', 3)).toEqual(r);
    expect(selectSamples(100, 'random:10', 4)).not.toEqual(r);
    expect(complementOf([0, 4, 8], 10)).toEqual([1, 2, 3, 5, 6, 7, 9]);
  });
  test.each(['0', 'x', '1:2:0', 'random:', '11'])('bad selection %s is a bad-input error naming the flag', (spec) => {
    let err: unknown;
    try { selectSamples(10, spec); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HsqError);
    expect((err as HsqError).kind).toBe('bad-input');
    expect(String((err as Error).message)).toMatch(/--calib-samples/);
  });

  test('one .npy with samples along the first dimension, and a subset of it', () => {
    const fg = runFloatPasses(decodeModel(smallCnnBytes()));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-npy-'));
    const file = path.join(dir, 'x.npy');
    const data = Float32Array.from({ length: 6 * 3 * 16 * 16 }, (_, i) => (i % 97) / 97);
    fs.writeFileSync(file, encodeNpy(makeTensor('float32', [6, 3, 16, 16], data)));
    const all = loadCalibration(fg, file);
    expect(all).toHaveLength(6);
    expect(all[2].x.shape).toEqual([1, 3, 16, 16]);
    expect(Array.from(all[2].x.data.slice(0, 3))).toEqual(Array.from(data.slice(2 * 768, 2 * 768 + 3)));
    const some = loadCalibration(fg, file, { samples: '1::2' });
    expect(some.map((s) => s.x.data[0])).toEqual([all[1], all[3], all[5]].map((s) => s.x.data[0]));
    fs.writeFileSync(file, encodeNpy(makeTensor('float32', [6, 3, 8, 8], new Float32Array(6 * 192))));
    expect(() => loadCalibration(fg, file)).toThrow(/neither samples of input 'x'/);
  });

  test('flags and config keys of the methods', () => {
    const a = quantizeArgs({ 'calib-method': 'entropy', 'weight-method': 'mse', rounding: 'gptq', 'calib-samples': '::10', 'bias-correction': false });
    expect(a).toMatchObject({ calibMethod: 'entropy', weightMethod: 'mse', rounding: 'gptq', calibSamples: '::10', biasCorrection: false });
    expect(() => quantizeArgs({ 'calib-samples': '1:2:0' })).toThrow(/STEP/);
    expect(parseConfig(JSON.stringify({ calibration: { method: 'mse', weightMethod: 'minmax', rounding: 'adaround', samples: 'random:50' } }), 'c.json').calibration)
      .toMatchObject({ method: 'mse', rounding: 'adaround' });
    expect(() => parseConfig(JSON.stringify({ calibration: { rounding: 'stochastic' } }), 'c.json')).toThrow(/calibration\.rounding: must be one of/);
    expect(() => parseConfig(JSON.stringify({ calibration: { samples: 'some' } }), 'c.json')).toThrow(/calibration\.samples: must be N, START:STOP/);
  });
});
