import { makeTensor } from '../core/ir/tensor';
import { dequantizeValue } from '../core/numerics';
import { compareOutputs, verdict, SQNR_CAP_DB, WHOLE_MODEL_TOLERANCE, LAYER_TOLERANCE, OutputMetrics } from '../verify/metrics';

const i8 = (v: number[], shape = [v.length]) => makeTensor('int8', shape, v);
const f32 = (v: number[], shape = [v.length]) => makeTensor('float32', shape, v);

describe('compareOutputs: quantized outputs', () => {
  test('exact match everywhere', () => {
    const t = i8([1, -2, 3, 127]);
    const m = compareOutputs({ name: 'y', interp: t, c: i8([1, -2, 3, 127]), ort: i8([1, -2, 3, 127]), quant: { scale: 0.1, zeroPoint: 0 } });
    expect(m).toEqual({
      name: 'y', kind: 'quantized', elements: 4, exactVsInterpreter: 1, maxStepsVsOrt: 0, within1StepVsOrt: 1,
      maxRelErrVsOrt: null, sqnrDb: SQNR_CAP_DB, nonFiniteMismatchesVsOrt: 0,
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
    expect([m.maxStepsVsOrt, m.within1StepVsOrt, m.maxRelErrVsOrt, m.sqnrDb, m.nonFiniteMismatchesVsOrt]).toEqual([null, null, null, null, null]);
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

describe('verdict', () => {
  /** 1000 quantized elements, `off1` of them 1 step off and `off3` of them `far` steps off. */
  function quantized(name: string, off1: number, offFar: number, far = 3): OutputMetrics {
    const ort = new Array(1000).fill(0).map((_, i) => (i % 200) - 100);
    const c = ort.map((v, i) => (i < off1 ? v + 1 : i < off1 + offFar ? v + far : v));
    return compareOutputs({ name, interp: i8(c), c: i8(c), ort: i8(ort) });
  }

  test('whole model: 99.5 % within 1 step and none beyond 3 passes', () => {
    const v = verdict([quantized('y', 300, 5)]);
    expect(v).toEqual({ ok: true, failures: [], notes: [] });
  });

  test('too few within 1 step fails, naming the output', () => {
    const v = verdict([quantized('a', 0, 0), quantized('boxes', 0, 6)]);
    expect(v.ok).toBe(false);
    expect(v.failures).toEqual([expect.stringMatching(/output 'boxes': 99\.40 % of elements within 1 step.*99\.50 %/)]);
  });

  test('an element 4 steps away fails', () => {
    const v = verdict([quantized('y', 0, 1, 4)]);
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toMatch(/4 steps/);
  });

  test('layer tolerance allows no element beyond 1 step', () => {
    expect(verdict([quantized('y', 10, 0)], LAYER_TOLERANCE).ok).toBe(true);
    expect(verdict([quantized('y', 0, 1, 2)], LAYER_TOLERANCE).ok).toBe(false);
    expect(verdict([quantized('y', 0, 1, 2)], WHOLE_MODEL_TOLERANCE).ok).toBe(true);
  });

  test('any difference from the interpreter fails even when ORT agrees', () => {
    const m = compareOutputs({ name: 'y', interp: i8([1, 2]), c: i8([1, 3]), ort: i8([1, 3]) });
    const v = verdict([m]);
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toMatch(/'y': only 50\.00 %.*interpreter/);
  });

  test('float outputs by relative error', () => {
    const good = compareOutputs({ name: 'f', interp: f32([1, 2]), c: f32([1, 2]), ort: f32([1, 2.0001]) });
    const bad = compareOutputs({ name: 'g', interp: f32([1, 2]), c: f32([1, 2]), ort: f32([1, 2.001]) });
    expect(verdict([good]).ok).toBe(true);
    expect(verdict([bad]).failures).toEqual([expect.stringMatching(/'g': max relative error/)]);
  });

  test('ORT absent: passes on the interpreter alone with a note; no outputs fails', () => {
    const v = verdict([compareOutputs({ name: 'y', interp: i8([1]), c: i8([1]) })]);
    expect(v.ok).toBe(true);
    expect(v.notes).toEqual([expect.stringMatching(/'y': not compared with ONNX Runtime/)]);
    expect(verdict([]).ok).toBe(false);
    expect(verdict([compareOutputs({ name: 'y', c: i8([1]), ort: i8([1]) })]).ok).toBe(false);
  });

  test('non-finite mismatches fail', () => {
    const m = compareOutputs({ name: 'f', interp: f32([NaN]), c: f32([NaN]), ort: f32([0]) });
    expect(verdict([m]).failures[0]).toMatch(/NaN or infinite/);
  });
});
