// A self-generated conformance case: one op, its attributes, seeded inputs. The harness
// (tests/support/op-cases/harness.ts) builds the model with hsq's own exporter
// (frontend/onnx/export.ts), takes the expected outputs from ONNX Runtime, and checks the
// interpreter (ONNX tolerance) and the C targets (bit for bit against the interpreter).
import { DType } from '../../../core/ir/dtype';
import { AttrValue } from '../../../core/ir/graph';
import { OpDescriptor } from '../../../ops/lib/descriptor';

export interface CaseInput {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** A compile-time constant (initializer) with these values; else a graph input. */
  readonly value?: readonly number[];
  /** Range of the seeded values (default [-3, 3]; integers: rounded). */
  readonly range?: readonly [number, number];
  /** Omitted optional input (''). */
  readonly omitted?: true;
  /** The op reads DequantizeLinear of this (integer) input: a model's own QDQ activation, or
   *  quantized weights when `value` is given. One scale / zero point per tensor, or per `axis`. */
  readonly dequantize?: { readonly scale: readonly number[]; readonly zeroPoint: readonly number[]; readonly axis?: number };
}

/** QuantizeLinear of an output (per tensor): the case is a QDQ layer DQ -> op -> Q. */
export interface CaseQuantize {
  readonly dtype: 'int8' | 'uint8';
  readonly scale: number;
  readonly zeroPoint: number;
}

export interface OpCase {
  readonly name: string;
  readonly op: string;
  readonly opset?: number;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  readonly inputs: readonly CaseInput[];
  readonly outputs?: number;
  /** ONNX's tolerance (rtol 1e-3, atol 1e-7) unless given. */
  readonly tol?: { readonly rtol: number; readonly atol: number };
  /** Outputs quantized by a QuantizeLinear (all of them). */
  readonly quantizeOutputs?: CaseQuantize;
  /** Integer outputs may differ from ONNX Runtime's by this many steps (default 0). */
  readonly steps?: number;
}

/** What each attribute takes in generated cases: the descriptor's closed domain (`values`) or its
 *  samples, else nothing (the default only). */
export function attrVariants(d: OpDescriptor, skip: readonly string[] = []): { name: string; value: AttrValue }[] {
  const out: { name: string; value: AttrValue }[] = [];
  for (const [name, spec] of Object.entries(d.attrs)) {
    if (skip.includes(name)) continue;
    for (const v of spec.values ?? spec.samples ?? []) out.push({ name, value: v as AttrValue });
  }
  return out;
}

/**
 * Cases over a descriptor: the base case at each of the descriptor's dtypes (`types`, or the
 * given ones), then one case per attribute variant (the others at their defaults).
 */
export function generate(d: OpDescriptor, base: Omit<OpCase, 'name' | 'op'>, o: { dtypes?: readonly DType[]; skipAttrs?: readonly string[]; prefix?: string } = {}): OpCase[] {
  const stem = o.prefix ?? d.op;
  const dtypes = o.dtypes ?? [base.inputs[0].dtype];
  const cases: OpCase[] = dtypes.map((dt) => ({ ...base, name: `${stem}_${dt}`, op: d.op,
    inputs: base.inputs.map((inp, i) => (i === 0 || (inp.dtype === base.inputs[0].dtype && inp.value === undefined) ? { ...inp, dtype: dt } : inp)) }));
  for (const v of attrVariants(d, o.skipAttrs)) {
    cases.push({ ...base, name: `${stem}_${v.name}_${String(v.value).replace(/[^A-Za-z0-9]+/g, '_')}`, op: d.op, attrs: { ...(base.attrs ?? {}), [v.name]: v.value } });
  }
  return cases;
}
