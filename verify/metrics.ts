// The figures `hsq verify` prints per output, and its verdict. The generated C is compared with
// the reference interpreter (must be bit-exact) and with ONNX Runtime, the oracle (within the
// tolerance of DEVELOPERS.md). Every figure is a finite number or null, so reports are plain JSON.
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
// - sqnrDb: 10 log10(Σ s² / Σ (c - ort)²) with s = ort, or ort - zeroPoint for integer outputs
//   with `quant`; clamped to ±SQNR_CAP_DB, so a perfect match reports +SQNR_CAP_DB.
// - nonFiniteMismatchesVsOrt: elements where one side is NaN or ±Inf and the other differs;
//   they are left out of the figures above and fail the verdict on their own.
// All *VsOrt figures are null when ONNX Runtime's result is absent.
import { Tensor, numel, strides } from '../core/ir/tensor';
import { isFloat } from '../core/ir/dtype';

export const SQNR_CAP_DB = 200;
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

export function compareOutputs(input: CompareInput): OutputMetrics {
  const { name, c, interp, ort, quant } = input;
  if (c.dtype === 'string') throw new Error(`output '${name}': string outputs cannot be compared numerically`);
  const n = c.data.length;
  const kind: OutputKind = !isFloat(c.dtype) ? 'quantized' : quant ? 'dequantized' : 'float';

  let exactVsInterpreter: number | null = null;
  if (interp) {
    sameShape(name, 'the interpreter result', c, interp);
    if (interp.dtype !== c.dtype) throw new Error(`output '${name}': the interpreter gives ${interp.dtype}, the C ${c.dtype}`);
    let eq = 0;
    for (let i = 0; i < n; i++) {
      const a = Number(c.data[i]), b = Number(interp.data[i]);
      if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) eq++;
    }
    exactVsInterpreter = n === 0 ? 1 : eq / n;
  }

  const none = { maxStepsVsOrt: null, within1StepVsOrt: null, maxRelErrVsOrt: null, sqnrDb: null, nonFiniteMismatchesVsOrt: null };
  if (!ort) return { name, kind, elements: n, exactVsInterpreter, ...none };
  sameShape(name, "ONNX Runtime's result", c, ort);

  const scaleAt = quant ? perElement(quant.scale, quant.axis, c.shape, name) : () => 1;
  const zpAt = quant && kind === 'quantized' ? perElement(quant.zeroPoint, quant.axis, c.shape, name) : () => 0;
  let maxSteps = 0, within1 = 0, maxAbs = 0, maxOrt = 0, signal = 0, noise = 0, nonFinite = 0, counted = 0;
  for (let i = 0; i < n; i++) {
    const a = Number(c.data[i]), b = Number(ort.data[i]);
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) nonFinite++;
      continue;
    }
    counted++;
    const d = Math.abs(a - b);
    if (d > maxAbs) maxAbs = d;
    if (Math.abs(b) > maxOrt) maxOrt = Math.abs(b);
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
  const sqnrDb = noise === 0 ? SQNR_CAP_DB : signal === 0 ? -SQNR_CAP_DB : clampDb(10 * Math.log10(signal / noise));
  return {
    name, kind, elements: n, exactVsInterpreter,
    maxStepsVsOrt: kind === 'float' ? null : maxSteps,
    within1StepVsOrt: kind === 'float' ? null : counted === 0 ? 1 : within1 / counted,
    maxRelErrVsOrt: kind === 'quantized' ? null : maxAbs / Math.max(maxOrt, FLT_MIN),
    sqnrDb,
    nonFiniteMismatchesVsOrt: nonFinite,
  };
}

export interface Tolerance {
  /** Least share of quantized elements within 1 step of ORT. */
  readonly minWithin1Step: number;
  /** Most steps any quantized element may be from ORT. */
  readonly maxSteps: number;
  /** Largest maxRelErrVsOrt for genuinely float outputs. */
  readonly maxRelErr: number;
}

/** End to end, where ORT runs int4 layers in float (DEVELOPERS.md, Numerics). */
export const WHOLE_MODEL_TOLERANCE: Tolerance = { minWithin1Step: 0.995, maxSteps: 3, maxRelErr: 1e-4 };
/** One layer on identical inputs: at most 1 quantization step. */
export const LAYER_TOLERANCE: Tolerance = { minWithin1Step: 1, maxSteps: 1, maxRelErr: 1e-4 };

export interface Verdict {
  readonly ok: boolean;
  /** One line per failed check, naming the output. */
  readonly failures: string[];
  /** Checks that could not be made (ORT absent). */
  readonly notes: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * OK when every output is bit-exact with the interpreter and, where ORT ran, agrees with it:
 * quantized and dequantized outputs by steps, float outputs by maxRelErr.
 */
export function verdict(results: readonly OutputMetrics[], tolerance: Tolerance = WHOLE_MODEL_TOLERANCE): Verdict {
  const failures: string[] = [];
  const notes: string[] = [];
  if (results.length === 0) failures.push('no outputs were compared');
  for (const r of results) {
    const o = `output '${r.name}'`;
    if (r.exactVsInterpreter === null) failures.push(`${o}: not compared with the reference interpreter`);
    else if (r.exactVsInterpreter < 1) failures.push(`${o}: only ${pct(r.exactVsInterpreter)} of elements equal the reference interpreter (must be 100 %)`);
    if (r.nonFiniteMismatchesVsOrt === null) { notes.push(`${o}: not compared with ONNX Runtime (not available)`); continue; }
    if (r.nonFiniteMismatchesVsOrt > 0) failures.push(`${o}: ${r.nonFiniteMismatchesVsOrt} elements are NaN or infinite on one side only vs ONNX Runtime`);
    if (r.kind === 'float') {
      if (r.maxRelErrVsOrt! > tolerance.maxRelErr)
        failures.push(`${o}: max relative error vs ONNX Runtime ${r.maxRelErrVsOrt!.toExponential(2)} (allowed ${tolerance.maxRelErr.toExponential(0)})`);
    } else {
      if (r.within1StepVsOrt! < tolerance.minWithin1Step)
        failures.push(`${o}: ${pct(r.within1StepVsOrt!)} of elements within 1 step of ONNX Runtime (need at least ${pct(tolerance.minWithin1Step)})`);
      if (r.maxStepsVsOrt! > tolerance.maxSteps)
        failures.push(`${o}: an element is ${r.maxStepsVsOrt} steps from ONNX Runtime (allowed ${tolerance.maxSteps})`);
    }
  }
  return { ok: failures.length === 0, failures, notes };
}
