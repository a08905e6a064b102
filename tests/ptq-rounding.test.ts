// Rounding methods on seeded layers (GPTQ and AdaRound lower the layer output error below
// round-to-nearest; runs are deterministic), and the PTQ walk on a small CNN (bias correction,
// per-layer records, seed-determinism).
import { Rng } from '../examples/lib/prng';
import { decodeModel } from '../frontend/onnx/import';
import { setWarningSink } from '../core/diagnostics';
import {
  RoundingProblem, adaRound, gptqRound, loadCalibration, mseScale, nearestRound, outputEnergy, outputError,
  quantizePtq, resolvePrecisions, runFloatPasses,
} from '../precision';
import { cholesky, choleskyInverse } from '../precision/linalg';
import { smallCnnBytes } from './quantize-helpers';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

/** A seeded layer: Gaussian weights, correlated non-negative inputs (ReLU of a random mix). */
function seededLayer(seed: number, rows: number, k: number, n: number, bits: number): RoundingProblem {
  const r = new Rng(seed);
  const g = () => r.normal();
  const w = Float64Array.from({ length: rows * k }, () => 0.2 * g());
  const a = Float64Array.from({ length: k * k }, () => g() / Math.sqrt(k));
  const h = new Float64Array(k * k);
  const z = new Float64Array(k), x = new Float64Array(k);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < k; i++) z[i] = g();
    for (let i = 0; i < k; i++) { let s = 0.3; for (let j = 0; j < k; j++) s += a[i * k + j] * z[j]; x[i] = Math.max(0, s); }
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] += x[i] * x[j];
  }
  const qmax = 2 ** (bits - 1) - 1;
  const scale = Float64Array.from({ length: rows }, (_, m) => {
    const v = Float32Array.from(w.subarray(m * k, (m + 1) * k));
    return mseScale(v, Math.max(...Array.from(v, Math.abs)), qmax);
  });
  return { w, rows, k, scale, qmax, h };
}

const db = (p: RoundingProblem, q: Float64Array) => 10 * Math.log10(outputEnergy(p) / outputError(p, q));

describe('rounding on a seeded layer', () => {
  test.each([[2, 1], [4, 2], [3, 3]])('at %i bits (seed %i) GPTQ and AdaRound beat nearest', (bits, seed) => {
    const p = seededLayer(seed, 12, 48, 1500, bits);
    const near = db(p, nearestRound(p));
    const gptq = db(p, gptqRound(p));
    const ada = db(p, adaRound(p, { iters: 300 }));
    // eslint-disable-next-line no-console
    console.log(`w${bits}: nearest ${near.toFixed(2)} dB, gptq ${gptq.toFixed(2)} dB, adaround ${ada.toFixed(2)} dB`);
    expect(gptq).toBeGreaterThan(near + 0.5);
    expect(ada).toBeGreaterThan(near + 0.5);
    for (const q of [gptqRound(p), adaRound(p, { iters: 50 })]) for (const v of q) expect(Math.abs(v)).toBeLessThanOrEqual(p.qmax);
  });

  test('deterministic: the same problem gives the same integers', () => {
    const p = seededLayer(7, 6, 20, 400, 2);
    expect(Array.from(gptqRound(p))).toEqual(Array.from(gptqRound(p)));
    expect(Array.from(adaRound(p, { iters: 80 }))).toEqual(Array.from(adaRound(p, { iters: 80 })));
  });

  test('Cholesky inverse', () => {
    const p = seededLayer(9, 1, 10, 200, 4);
    const a = Float64Array.from(p.h, (v, i) => v + (i % 11 === 0 ? 1 : 0));
    const inv = choleskyInverse(cholesky(a, 10)!, 10);
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) {
      let s = 0;
      for (let k = 0; k < 10; k++) s += a[i * 10 + k] * inv[k * 10 + j];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 8);
    }
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeUndefined();
  });
});

describe('PTQ walk on a small CNN', () => {
  const fg = runFloatPasses(decodeModel(smallCnnBytes()));
  const calib = loadCalibration(fg, 'random', { seed: 0, randomSamples: 4 });
  const precisions = resolvePrecisions(fg, { cli: ['conv2,fc=w2a8'], warn: () => undefined });
  const run = (o: object) => quantizePtq(fg, { precisions, calib, progress: false, ...o });

  test('records per layer: methods, rounding, bias correction and SQNR; learned rounding raises the rounded layers\' SQNR', () => {
    const near = run({ rounding: 'nearest', measureLayers: true });
    const gptq = run({ rounding: 'gptq', measureLayers: true });
    const byLayer = (r: typeof near) => new Map(r.layers.map((l) => [l.layer, l]));
    const n = byLayer(near), g = byLayer(gptq);
    expect(n.get('conv1')).toMatchObject({ weightBits: 8, weightMethod: 'minmax', activationMethod: 'minmax', rounding: 'nearest', biasCorrected: false });
    expect(n.get('conv2')).toMatchObject({ weightBits: 2, weightMethod: 'mse', rounding: 'nearest', biasCorrected: true });
    expect(g.get('conv2')!.rounding).toMatch(/^gptq/);
    expect(g.get('conv2')!.weightSqnrDb).toEqual(expect.any(Number));
    expect(g.get('conv2')!.sqnrDb!).toBeGreaterThan(n.get('conv2')!.sqnrDb!);
    expect(g.get('conv1')!.sqnrDb).toBe(n.get('conv1')!.sqnrDb);
    expect(gptq.refined).toBe(2);
  });

  test('bias correction moves the sub-8-bit layers\' biases and the same seed gives the same graph', () => {
    const off = run({ rounding: 'gptq', biasCorrection: false });
    const on = run({ rounding: 'gptq' });
    const again = run({ rounding: 'gptq' });
    const biases = (r: typeof on) => Object.entries(r.graph.initializers).filter(([k]) => /conv2_bias_quantized/.test(k)).map(([, t]) => Array.from(t.data as Int32Array));
    expect(biases(on)).not.toEqual(biases(off));
    const ints = (r: typeof on) => Object.entries(r.graph.initializers).filter(([k]) => /_quantized$/.test(k)).map(([k, t]) => [k, Array.from(t.data as ArrayLike<number>)]);
    expect(ints(again)).toEqual(ints(on));
  });
});
