// The figures `hsq verify` prints per layer and per output, and its gate. An engine (the
// generated C) is compared with the reference interpreter (must be bit-exact); the interpreter's
// layers with ONNX Runtime, the oracle, each layer run alone on the interpreter's own inputs
// (quantized layers within 1 step; float layers within the ONNX backend tests' tolerance). End to
// end, differences from ORT compound with depth: they are reported, not gated. Every figure is a
// finite number or null, so reports are plain JSON.
//
// Definitions (c = generated C, ort = ONNX Runtime, elementwise):
// - exactVsInterpreter: share (0..1) of elements of c equal to the interpreter's, bit for bit
//   (-0 and +0 differ) except that any NaN equals any NaN (payloads differ between hosts).
// - steps, for integer (quantized) outputs: |c - ort| in integer units. For float outputs that
//   dequantize a quantized tensor (`quant` given): |c - ort| / scale, snapped to the nearest
//   integer when within 1e-3 of it (both sides are float32 grid points; the quotient carries
//   rounding noise). Genuinely float outputs have no steps (null).
// - maxStepsVsOrt / within1StepVsOrt: the largest step count, and the share of elements at most
//   1 step away.
// - maxRelErrVsOrt, for float outputs (also reported for dequantized ones): max |c - ort| divided
//   by max |ort| over the tensor (normwise, so near-zero elements do not blow it up; the divisor
//   is at least FLT_MIN). null for integer outputs.
// - withinTolVsOrt, for float and dequantized outputs: share of elements with
//   |c - ort| <= FLOAT_ATOL * max(1, max|ort|) + FLOAT_RTOL * |ort|: numpy.allclose with the
//   ONNX backend tests' rtol and atol, atol taken relative to the tensor's magnitude. The
//   backend tests' tensors are O(1); in a layer whose outputs reach hundreds, float32 sums that
//   cancel to near zero carry absolute errors of the size of the large terms' ulp (PaddleOCR's
//   convs: 9e-5 at |y| = 0.07 in a tensor reaching 480, whose ulp is 3e-5), which a fixed 1e-5
//   would call wrong.
// - sqnrDb: 10 log10(Σ s² / Σ (c - ort)²) with s = ort, or ort - zeroPoint for integer outputs
//   with `quant`; clamped to ±SQNR_CAP_DB, so a perfect match reports +SQNR_CAP_DB.
// - nonFiniteMismatchesVsOrt: elements where one side is NaN or ±Inf and the other differs;
//   they are left out of the figures above and fail the verdict on their own.
// All *VsOrt figures are null when ONNX Runtime's result is absent.
import { Tensor, numel, strides } from '../core/ir/tensor';
import { isFloat } from '../core/ir/dtype';

export const SQNR_CAP_DB = 200;
/** Float layers against ORT: the ONNX backend tests' tolerance. */
export const FLOAT_RTOL = 1e-3;
export const FLOAT_ATOL = 1e-5;
/** Quantized layers against ORT on identical inputs. */
export const MAX_LAYER_STEPS = 1;
const FLT_MIN = 1.1754943508222875e-38;
const SNAP = 1e-3;

export interface OutputQuant {
  /** One value (per tensor) or one per slice along `axis`. */
  readonly scale: number | readonly number[];
  readonly zeroPoint: number | readonly number[];
  readonly axis?: number;
}

export interface CompareInput {
  readonly name: string;
  /** Reference interpreter result; null when it was not run. */
  readonly interp?: Tensor | null;
  /** Generated C result. */
  readonly c: Tensor;
  /** ONNX Runtime result; null when ORT is absent or cannot run the model. */
  readonly ort?: Tensor | null;
  /** Present when the output is (or dequantizes) a quantized tensor. */
  readonly quant?: OutputQuant;
}

export type OutputKind = 'quantized' | 'dequantized' | 'float';

export interface OutputMetrics {
  readonly name: string;
  readonly kind: OutputKind;
  readonly elements: number;
  readonly exactVsInterpreter: number | null;
  readonly maxStepsVsOrt: number | null;
  readonly within1StepVsOrt: number | null;
  readonly maxRelErrVsOrt: number | null;
  readonly withinTolVsOrt: number | null;
  readonly sqnrDb: number | null;
  readonly nonFiniteMismatchesVsOrt: number | null;
}

function sameShape(name: string, what: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new Error(`output '${name}': ${what} has shape [${b.shape.join(',')}], the C result [${a.shape.join(',')}]`);
  if (a.data.length !== numel(a.shape) || b.data.length !== numel(b.shape))
    throw new Error(`output '${name}': ${what} data length does not match its shape`);
}

/** Per-element value of a per-tensor or per-axis parameter. */
function perElement(v: number | readonly number[], axis: number | undefined, shape: readonly number[], name: string): (i: number) => number {
  if (typeof v === 'number') return () => v;
  if (v.length === 1) return () => v[0];
  if (axis === undefined) throw new Error(`output '${name}': ${v.length} quantization values need an axis`);
  const ax = axis < 0 ? axis + shape.length : axis;
  if (!(ax >= 0 && ax < shape.length) || shape[ax] !== v.length)
    throw new Error(`output '${name}': ${v.length} quantization values do not match axis ${axis} of shape [${shape.join(',')}]`);
  const st = strides(shape)[ax], n = shape[ax];
  return (i) => v[Math.floor(i / st) % n];
}

const clampDb = (x: number) => Math.max(-SQNR_CAP_DB, Math.min(SQNR_CAP_DB, x));

/** Share of elements of `a` equal to `b` bit for bit (-0 ≠ +0), any NaN equal to any NaN. */
export function exactShare(name: string, a: Tensor, b: Tensor): number {
  sameShape(name, 'the interpreter result', a, b);
  if (a.dtype !== b.dtype) throw new Error(`output '${name}': the interpreter gives ${b.dtype}, the engine ${a.dtype}`);
  const n = a.data.length;
  let eq = 0;
  for (let i = 0; i < n; i++) {
    const x = Number(a.data[i]), y = Number(b.data[i]);
    if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) eq++;
  }
  return n === 0 ? 1 : eq / n;
}

export function compareOutputs(input: CompareInput): OutputMetrics {
  const { name, c, interp, ort, quant } = input;
  if (c.dtype === 'string') throw new Error(`output '${name}': string outputs cannot be compared numerically`);
  const n = c.data.length;
  const kind: OutputKind = !isFloat(c.dtype) ? 'quantized' : quant ? 'dequantized' : 'float';
  const exactVsInterpreter = interp ? exactShare(name, c, interp) : null;

  const none = { maxStepsVsOrt: null, within1StepVsOrt: null, maxRelErrVsOrt: null, withinTolVsOrt: null, sqnrDb: null, nonFiniteMismatchesVsOrt: null };
  if (!ort) return { name, kind, elements: n, exactVsInterpreter, ...none };
  sameShape(name, "ONNX Runtime's result", c, ort);

  const scaleAt = quant ? perElement(quant.scale, quant.axis, c.shape, name) : () => 1;
  const zpAt = quant && kind === 'quantized' ? perElement(quant.zeroPoint, quant.axis, c.shape, name) : () => 0;
  let maxSteps = 0, within1 = 0, withinTol = 0, maxAbs = 0, maxOrt = 0, signal = 0, noise = 0, nonFinite = 0, counted = 0;
  for (let i = 0; i < n; i++) { const b = Math.abs(Number(ort.data[i])); if (b > maxOrt && b < Infinity) maxOrt = b; }
  const atol = FLOAT_ATOL * Math.max(1, maxOrt);
  for (let i = 0; i < n; i++) {
    const a = Number(c.data[i]), b = Number(ort.data[i]);
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) nonFinite++;
      continue;
    }
    counted++;
    const d = Math.abs(a - b);
    if (d > maxAbs) maxAbs = d;
    if (d <= atol + FLOAT_RTOL * Math.abs(b)) withinTol++;
    const s = b - zpAt(i);
    signal += s * s;
    noise += d * d;
    if (kind !== 'float') {
      let steps = kind === 'quantized' ? d : d / scaleAt(i);
      const r = Math.round(steps);
      if (Math.abs(steps - r) <= SNAP) steps = r;
      if (steps > maxSteps) maxSteps = steps;
      if (steps <= 1) within1++;
    }
  }
  const share = (k: number) => (counted === 0 ? 1 : k / counted);
  const sqnrDb = noise === 0 ? SQNR_CAP_DB : signal === 0 ? -SQNR_CAP_DB : clampDb(10 * Math.log10(signal / noise));
  return {
    name, kind, elements: n, exactVsInterpreter,
    maxStepsVsOrt: kind === 'float' ? null : maxSteps,
    within1StepVsOrt: kind === 'float' ? null : share(within1),
    maxRelErrVsOrt: kind === 'quantized' ? null : maxAbs / Math.max(maxOrt, FLT_MIN),
    withinTolVsOrt: kind === 'quantized' ? null : share(withinTol),
    sqnrDb,
    nonFiniteMismatchesVsOrt: nonFinite,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** An engine's figures on a tensor the interpreter also computed: anything but 100 % fails. */
export function exactnessFailures(what: string, exactVsInterpreter: number | null): string[] {
  if (exactVsInterpreter === null || exactVsInterpreter === 1) return [];
  return [`${what}: only ${pct(exactVsInterpreter)} of elements equal the reference interpreter (must be 100 %)`];
}

/**
 * One layer of the interpreter against ONNX Runtime on identical inputs: quantized (and
 * dequantized) outputs within MAX_LAYER_STEPS, float outputs within FLOAT_RTOL / FLOAT_ATOL,
 * no NaN or infinity on one side only. No ORT figure: nothing to fail.
 */
export function layerOrtFailures(what: string, m: OutputMetrics): string[] {
  if (m.nonFiniteMismatchesVsOrt === null) return [];
  const out: string[] = [];
  if (m.nonFiniteMismatchesVsOrt > 0) out.push(`${what}: ${m.nonFiniteMismatchesVsOrt} elements are NaN or infinite on one side only vs ONNX Runtime`);
  if (m.kind === 'float') {
    if (m.withinTolVsOrt! < 1)
      out.push(`${what}: ${pct(1 - m.withinTolVsOrt!)} of elements differ from ONNX Runtime by more than rtol ${FLOAT_RTOL} + atol ${FLOAT_ATOL} × max(1, max |ort|) (max relative error ${m.maxRelErrVsOrt!.toExponential(2)})`);
  } else if (m.maxStepsVsOrt! > MAX_LAYER_STEPS) {
    out.push(`${what}: an element is ${m.maxStepsVsOrt} steps from ONNX Runtime (allowed ${MAX_LAYER_STEPS}; ${pct(m.within1StepVsOrt!)} within 1 step)`);
  }
  return out;
}
