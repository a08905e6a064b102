import { makeTensor } from '../core/ir/tensor';
import { dequantizeValue } from '../core/numerics';
import { compareOutputs, exactnessFailures, layerOrtFailures, SQNR_CAP_DB, OutputMetrics } from '../verify/metrics';

const i8 = (v: number[], shape = [v.length]) => makeTensor('int8', shape, v);
const f32 = (v: number[], shape = [v.length]) => makeTensor('float32', shape, v);

describe('compareOutputs: quantized outputs', () => {
  test('exact match everywhere', () => {
    const t = i8([1, -2, 3, 127]);
    const m = compareOutputs({ name: 'y', interp: t, c: i8([1, -2, 3, 127]), ort: i8([1, -2, 3, 127]), quant: { scale: 0.1, zeroPoint: 0 } });
    expect(m).toEqual({
      name: 'y', kind: 'quantized', elements: 4, exactVsInterpreter: 1, maxStepsVsOrt: 0, within1StepVsOrt: 1,
      maxRelErrVsOrt: null, withinTolVsOrt: null, sqnrDb: SQNR_CAP_DB, nonFiniteMismatchesVsOrt: 0,
    });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  test('steps in integer units, share within one step, SQNR around the zero point', () => {
    const c = i8([10, 12, 20, -5]);
    const ort = i8([10, 11, 17, -5]);
    const m = compareOutputs({ name: 'y', interp: i8([10, 12, 21, -5]), c, ort, quant: { scale: 0.5, zeroPoint: 2 } });
    expect(m.exactVsInterpreter).toBe(0.75);
    expect(m.maxStepsVsOrt).toBe(3);
    expect(m.within1StepVsOrt).toBe(0.75);
    // signal: (10-2)^2 + (11-2)^2 + (17-2)^2 + (-5-2)^2 = 64+81+225+49 = 419; noise: 1 + 9 = 10
    expect(m.sqnrDb).toBeCloseTo(10 * Math.log10(419 / 10), 10);
  });

  test('uint8 and int4 containers', () => {
    const m = compareOutputs({ name: 'u', interp: makeTensor('uint8', [2], [0, 255]), c: makeTensor('uint8', [2], [0, 255]), ort: makeTensor('uint8', [2], [2, 255]) });
    expect(m.maxStepsVsOrt).toBe(2);
    expect(m.within1StepVsOrt).toBe(0.5);
    const q = compareOutputs({ name: 'q', c: makeTensor('int4', [2], [-8, 7]), ort: makeTensor('int4', [2], [-7, 7]) });
    expect(q.maxStepsVsOrt).toBe(1);
    expect(q.exactVsInterpreter).toBeNull();
  });

  test('ORT absent: only the interpreter figure', () => {
    const m = compareOutputs({ name: 'y', interp: i8([1, 2]), c: i8([1, 2]), ort: null });
    expect(m.exactVsInterpreter).toBe(1);
    expect([m.maxStepsVsOrt, m.within1StepVsOrt, m.maxRelErrVsOrt, m.withinTolVsOrt, m.sqnrDb, m.nonFiniteMismatchesVsOrt]).toEqual([null, null, null, null, null, null]);
  });

  test('shape mismatches are errors naming the output', () => {
    expect(() => compareOutputs({ name: 'logits', interp: i8([1, 2], [1, 2]), c: i8([1, 2], [2, 1]) })).toThrow(/'logits'.*interpreter/);
    expect(() => compareOutputs({ name: 'logits', c: i8([1, 2]), ort: i8([1, 2, 3]) })).toThrow(/'logits'.*ONNX Runtime/);
    expect(() => compareOutputs({ name: 'logits', interp: makeTensor('uint8', [2], [1, 2]), c: i8([1, 2]) })).toThrow(/uint8/);
  });
});

describe('compareOutputs: dequantized float outputs', () => {
  const scale = Math.fround(0.0392157);
  const dq = (qs: number[], zp = 0) => f32(qs.map((q) => dequantizeValue(q, scale, zp)));

  test('steps are |c - ort| / scale, snapped to integers', () => {
    const c = dq([100, 50, -3, 7], 3), ort = dq([101, 50, -6, 7], 3);
    const m = compareOutputs({ name: 'p', interp: c, c, ort, quant: { scale, zeroPoint: 3 } });
    expect(m.kind).toBe('dequantized');
    expect(m.maxStepsVsOrt).toBe(3);
    expect(m.within1StepVsOrt).toBe(0.75);
    expect(m.maxRelErrVsOrt).toBeCloseTo((3 * scale) / (98 * scale), 5);
  });

  test('per-axis scales pick the slice of each element', () => {
    const scales = [0.5, 0.25];
    // shape [2, 2], axis 0: row 0 at scale 0.5, row 1 at scale 0.25; one step off in each row.
    const c = f32([1, 2, 1, 2], [2, 2]);
    const ort = f32([1, 2.5, 1, 2.25], [2, 2]);
    const m = compareOutputs({ name: 'p', c, ort, quant: { scale: scales, zeroPoint: [0, 0], axis: 0 } });
    expect(m.maxStepsVsOrt).toBe(1);
    expect(m.within1StepVsOrt).toBe(1);
    const wrongAxis = { scale: scales, zeroPoint: [0, 0], axis: 1 };
    expect(compareOutputs({ name: 'p', c, ort, quant: wrongAxis }).maxStepsVsOrt).toBe(2);
    expect(() => compareOutputs({ name: 'p', c, ort, quant: { scale: [1, 2, 3], zeroPoint: 0, axis: 0 } })).toThrow(/axis 0/);
  });
});

describe('compareOutputs: float outputs', () => {
  test('normwise relative error, no steps', () => {
    const c = f32([1, 2, -4, 0.001]);
    const ort = f32([1, 2.001, -4, 0]);
    const m = compareOutputs({ name: 'f', interp: c, c, ort });
    expect(m.kind).toBe('float');
    expect(m.maxStepsVsOrt).toBeNull();
    expect(m.within1StepVsOrt).toBeNull();
    expect(m.maxRelErrVsOrt).toBeCloseTo(0.001 / 4, 6);
    expect(m.sqnrDb).toBeGreaterThan(60);
  });

  test('bit exactness: -0 differs from +0, NaN equals NaN', () => {
    const m = compareOutputs({ name: 'f', interp: f32([0, NaN, 1]), c: f32([-0, NaN, 1]) });
    expect(m.exactVsInterpreter).toBeCloseTo(2 / 3, 12);
  });

  test('NaN or Inf on one side only is counted apart and keeps figures finite', () => {
    const m = compareOutputs({ name: 'f', c: f32([NaN, Infinity, 1, NaN]), ort: f32([1, Infinity, 1, NaN]) });
    expect(m.nonFiniteMismatchesVsOrt).toBe(1);
    expect(m.maxRelErrVsOrt).toBe(0);
    expect(Number.isFinite(m.sqnrDb!)).toBe(true);
  });

  test('all-zero reference: SQNR capped, relative error finite', () => {
    const m = compareOutputs({ name: 'f', c: f32([0, 1e-3]), ort: f32([0, 0]) });
    expect(m.sqnrDb).toBe(-SQNR_CAP_DB);
    expect(Number.isFinite(m.maxRelErrVsOrt!)).toBe(true);
    expect(m.maxRelErrVsOrt!).toBeGreaterThan(1e30);
  });
});

describe('compareOutputs: the ONNX backend tests\' tolerance', () => {
  test('withinTolVsOrt: |c - ort| <= 1e-5 + 1e-3 |ort| element by element (a tensor of magnitude 1)', () => {
    // 1 vs 1.0009 is within 1e-3 relative; 1e-6 vs 0 within 1e-5 absolute; 0.5 vs 0.5006 is not.
    const m = compareOutputs({ name: 'f', c: f32([1.0009, 1e-6, 0.5006, 0.2]), ort: f32([1, 0, 0.5, 0.2]) });
    expect(m.withinTolVsOrt).toBe(0.75);
    expect(compareOutputs({ name: 'q', c: i8([1]), ort: i8([2]) }).withinTolVsOrt).toBeNull();
  });

  test('atol is relative to the tensor\'s magnitude: cancellation noise in a large layer passes, a 1e-3 error does not', () => {
    // max |ort| = 500: atol 5e-3. 0.07 ± 9e-5 passes (it would fail a fixed 1e-5); 500 vs 500.6 fails rtol.
    const m = compareOutputs({ name: 'f', c: f32([0.07009, 500, -3, 500.6]), ort: f32([0.07, 500, -3, 500]) });
    expect(m.withinTolVsOrt).toBe(0.75);
  });
});

describe('the gate', () => {
  /** 1000 quantized elements, `off1` of them 1 step off and `offFar` of them `far` steps off. */
  function quantized(name: string, off1: number, offFar: number, far = 3): OutputMetrics {
    const ort = new Array(1000).fill(0).map((_, i) => (i % 200) - 100);
    const c = ort.map((v, i) => (i < off1 ? v + 1 : i < off1 + offFar ? v + far : v));
    return compareOutputs({ name, interp: i8(c), c: i8(c), ort: i8(ort) });
  }

  test('a layer: any number of elements 1 step off passes, one element 2 steps off fails, naming it', () => {
    expect(layerOrtFailures("layer 'conv1'", quantized('y', 999, 0))).toEqual([]);
    expect(layerOrtFailures("layer 'conv1'", quantized('y', 0, 1, 2))).toEqual([expect.stringMatching(/layer 'conv1': an element is 2 steps from ONNX Runtime \(allowed 1; 99\.90 % within 1 step\)/)]);
  });

  test('a float layer: within rtol 1e-3 + atol 1e-5, or the share outside is named', () => {
    const good = compareOutputs({ name: 'f', c: f32([1, 2]), ort: f32([1, 2.0019]) });
    const bad = compareOutputs({ name: 'g', c: f32([1, 2]), ort: f32([1, 2.003]) });
    expect(layerOrtFailures('g', good)).toEqual([]);
    expect(layerOrtFailures('g', bad)).toEqual([expect.stringMatching(/g: 50\.00 % of elements differ from ONNX Runtime by more than rtol 0\.001 \+ atol 0\.00001 × max\(1, max \|ort\|\)/)]);
  });

  test('no ORT figure: nothing to fail; NaN on one side fails', () => {
    expect(layerOrtFailures('y', compareOutputs({ name: 'y', c: i8([1]) }))).toEqual([]);
    expect(layerOrtFailures('f', compareOutputs({ name: 'f', c: f32([NaN]), ort: f32([0]) }))[0]).toMatch(/NaN or infinite/);
  });

  test('an engine: anything but 100 % equal to the interpreter fails; not observed (null) does not', () => {
    const m = compareOutputs({ name: 'y', interp: i8([1, 2]), c: i8([1, 3]), ort: i8([1, 3]) });
    expect(exactnessFailures("output 'y' (host)", m.exactVsInterpreter)).toEqual([expect.stringMatching(/output 'y' \(host\): only 50\.00 %.*interpreter/)]);
    expect(exactnessFailures('y', 1)).toEqual([]);
    expect(exactnessFailures('y', null)).toEqual([]);
  });
});
