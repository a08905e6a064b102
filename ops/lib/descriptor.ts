// The contract every op file fulfils: one descriptor holding the op's attributes (with their
// defaults and domains), its shape and dtype inference, its interpreter semantics, its traits
// (how it quantizes, whether it has weights, a neutral NPU kind) and, for elementwise ops, its C
// form as data. Everything that lists ops elsewhere is derived from these (ops/engine/traits.ts),
// so adding an op is one file and one line in ops/index.ts (docs/adding-an-op.md).
//
// As in onnx/reference/ops/op_*.py, an op's `run` and `infer` take the attributes as named
// values: `defineOp` resolves them from the node through the schema (default when absent, the
// default may depend on the node's opset) before calling the op.
import { fail } from '../../core/diagnostics';
import { DType } from '../../core/ir/dtype';
import { Node, TensorInfo } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';

// ---------------------------------------------------------------------------------- traits

/**
 * How a quantized model computes the op:
 * - accumulating: int32 multiply-accumulate over (constant) weights, requantized with one float32
 *   multiplier per output channel (Conv, Gemm, MatMul; their integer forms QConv, QLinearConv...);
 * - lookup-table: a unary function; in 8 bits one 256-entry table the interpreter computes;
 * - dequantize-compute-quantize: dequantize, compute in float32, quantize (Add, AveragePool...);
 * - pass-through: compares or selects values (MaxPool): computed on the integers, the output keeps
 *   the input's quantization (quantization is monotone);
 * - data-movement: moves values without looking at them (Reshape, Transpose, Slice...): the output
 *   keeps the input's quantization;
 * - none: no quantized form; the op runs in float (or on integers it defines itself).
 */
export type QuantKind = 'accumulating' | 'lookup-table' | 'dequantize-compute-quantize' | 'pass-through' | 'data-movement' | 'none';

/**
 * What kind of unit an NPU would run the op on. Neutral: which kinds (and which ops of a kind) an
 * NPU runs, per NPU version, is that target's data, not the op's.
 */
export type NpuKind = 'conv-like' | 'pool' | 'elementwise' | 'lookup-activation' | 'data-movement' | 'none';

/** How outputs map to inputs, for ops whose output element i depends on input element(s) i only. */
export type ElementwiseArity = 'unary' | 'binary' | 'variadic' | 'ternary';

export interface WeightsTrait {
  /** Input position of the (constant) weight tensor. */
  readonly input: number;
  /** Output-channel axis of that tensor (per-channel quantization, bias and requantization). */
  readonly channelAxis: (node: Node) => number;
}

export interface OpTraits {
  readonly quant: QuantKind;
  /** false: hsq's post-training quantizer leaves the op float and a precision cannot be given for
   *  it; the quantized form still runs when a model brings its own Q/DQ around it. */
  readonly quantizer?: false;
  /** The op takes integers that are already quantized (QOperator forms, hsq QConv/QGemm). */
  readonly integer?: true;
  readonly weights?: WeightsTrait;
  readonly elementwise?: ElementwiseArity;
  readonly npu: NpuKind;
  /** The real range every output lies in, whatever the input (Sigmoid [0, 1]). hsq's quantizer
   *  quantizes the output over this range rather than the calibrated one: a narrow calibration
   *  (random inputs) would otherwise give a step below the op's own float32 error. */
  readonly outputRange?: readonly [number, number];
}

// ------------------------------------------------------------------------------ attributes

interface AttrTypes {
  int: number;
  float: number;
  string: string;
  ints: readonly number[];
  floats: readonly number[];
  strings: readonly string[];
  tensor: Tensor;
}
export type AttrKind = keyof AttrTypes;

/** A default, or a default that depends on the node's opset (Infinity when not recorded). */
export type AttrDefault<T> = T | ((opset: number) => T);

interface AttrExtra<T> {
  /** The only values the op accepts (others are an error naming the node); also what a generated
   *  conformance test covers. */
  readonly values?: readonly T[];
  /** Representative values for generated tests of an open domain (ints, floats). */
  readonly samples?: readonly T[];
}

/** `D` records whether a default exists (then the resolved value is never undefined). */
export interface AttrSpec<K extends AttrKind = AttrKind, D extends boolean = boolean> extends AttrExtra<AttrTypes[K]> {
  readonly kind: K;
  readonly default?: AttrDefault<AttrTypes[K]>;
  /** Type-level only. */
  readonly hasDefault?: D;
}

export type AttrSchema = Readonly<Record<string, AttrSpec>>;

export type AttrValues<S extends AttrSchema> = {
  readonly [K in keyof S]: S[K] extends AttrSpec<infer T, infer D> ? (D extends true ? AttrTypes[T] : AttrTypes[T] | undefined) : never;
};

function attrKind<K extends AttrKind>(kind: K) {
  function make(): AttrSpec<K, false>;
  function make(def: undefined, extra: AttrExtra<AttrTypes[K]>): AttrSpec<K, false>;
  function make(def: AttrDefault<AttrTypes[K]>, extra?: AttrExtra<AttrTypes[K]>): AttrSpec<K, true>;
  function make(def?: AttrDefault<AttrTypes[K]>, extra?: AttrExtra<AttrTypes[K]>): AttrSpec<K> {
    return { kind, ...(def !== undefined ? { default: def } : {}), ...extra };
  }
  return make;
}

/** Attribute schema builders: `attr.int(1)` has default 1, `attr.ints()` is optional. */
export const attr = {
  int: attrKind('int'),
  float: attrKind('float'),
  string: attrKind('string'),
  ints: attrKind('ints'),
  floats: attrKind('floats'),
  strings: attrKind('strings'),
  tensor: attrKind('tensor'),
};

/** The default-domain opset of a node; Infinity (the latest) when the model does not say. */
export function opsetOf(node: Node): number {
  return node.opset ?? Infinity;
}

/** The node's attributes resolved through the schema: given value, else the default. */
export function readAttrs<S extends AttrSchema>(schema: S, node: Node): AttrValues<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    let v: unknown = node.attrs[name];
    if (v === undefined && spec.default !== undefined) v = typeof spec.default === 'function' ? spec.default(opsetOf(node)) : spec.default;
    if (v !== undefined && spec.values && !spec.values.includes(v as never))
      fail('unsupported', `node '${node.name}' (${node.op}): ${name} '${String(v)}' is not supported (${spec.values.join(', ')})`, node.name);
    out[name] = v;
  }
  return out as AttrValues<S>;
}

// ------------------------------------------------------------------------------ the op

export interface InferredOutput {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface InferArgs {
  readonly node: Node;
  /** Input infos by position; undefined for omitted optional inputs. */
  readonly inputs: readonly (TensorInfo | undefined)[];
  /** Values of inputs known at compile time (initializers), by position. */
  readonly values: readonly (Tensor | undefined)[];
}

export interface RunArgs {
  readonly node: Node;
  readonly inputs: readonly (Tensor | undefined)[];
  /** Infos of the inputs and outputs (quantization lives here). */
  readonly inputInfos: readonly (TensorInfo | undefined)[];
  readonly outputInfos: readonly (TensorInfo | undefined)[];
}

/**
 * What a C expression of an elementwise op may use: the target's literal syntax and integer
 * arithmetic, so the descriptor names operations and their order, not a target's spelling.
 */
export interface CEnv<A> {
  readonly attrs: A;
  /** The node's opset (Infinity when not recorded). */
  readonly opset: number;
  /** Input 0 is a float tensor. */
  readonly isFloat: boolean;
  /** C element type of input 0 ('float', 'int8_t', ...). */
  readonly ctype: string;
  /** A float32 literal. */
  float(v: number): string;
  /** A literal of input 0's element type. */
  lit(v: number): string;
  /** First value of constant input i; undefined when the input is absent or empty. */
  constScalar(i: number): number | undefined;
  /** `a op b` in the integer element type, wrapping as the interpreter's typed-array store does. */
  wrap(op: '+' | '-' | '*', a: string, b: string): string;
}

/** The C form of an elementwise op: an expression per element, mirroring the TypeScript order
 *  of float32 operations (each C float operation rounds to float32: FLT_EVAL_METHOD 0, no
 *  contraction), so host and Cortex-M55 C equal the interpreter bit for bit. */
export interface CForm<A = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly unary?: (v: string, e: CEnv<A>) => string;
  /** Also used left to right for variadic ops (Max, Min). */
  readonly binary?: (a: string, b: string, e: CEnv<A>) => string;
  /** A reduction (Reduce*): acc = init; acc = step(acc, v) over the reduced elements in
   *  row-major order; y = finish(acc, count). */
  readonly reduce?: ReduceCForm<A>;
}

export interface ReduceCForm<A = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  /** C type of the accumulator; default: float for float inputs, int64_t for integers. */
  readonly acc?: (e: CEnv<A>) => string;
  readonly init: (e: CEnv<A>) => string;
  readonly step: (acc: string, v: string, e: CEnv<A>) => string;
  /** Default: the accumulator itself. */
  readonly finish?: (acc: string, count: number, e: CEnv<A>) => string;
}

export interface OpDescriptor {
  /** ONNX op type, e.g. 'Conv'. */
  readonly op: string;
  /** Domains this descriptor serves ('' = ai.onnx). */
  readonly domains: readonly string[];
  /** Opset (of its domain) whose definition the semantics follow; undefined: every supported one. */
  readonly since?: number;
  readonly attrs: AttrSchema;
  /** Input positions whose values must be known at compile time (weights, shapes, scales). */
  readonly constInputs?: readonly number[];
  /** Element types of input 0 the op computes (documentation and generated tests); undefined:
   *  the types the op file checks itself. */
  readonly types?: readonly DType[];
  readonly traits: OpTraits;
  readonly c?: CForm;
  infer(args: InferArgs): InferredOutput[];
  run(args: RunArgs): Tensor[];
}

export interface OpSpec<S extends AttrSchema> {
  readonly op: string;
  readonly domains?: readonly string[];
  readonly since?: number;
  readonly attrs: S;
  readonly constInputs?: readonly number[];
  readonly types?: readonly DType[];
  readonly traits: OpTraits;
  readonly c?: CForm<AttrValues<S>>;
  infer(args: InferArgs & { readonly attrs: AttrValues<S> }): InferredOutput[];
  run(args: RunArgs & { readonly attrs: AttrValues<S> }): Tensor[];
}

/** A descriptor from its spec: attributes resolved through the schema before infer and run. */
export function defineOp<S extends AttrSchema>(spec: OpSpec<S>): OpDescriptor {
  const { infer, run, domains, ...rest } = spec;
  return {
    ...rest,
    domains: domains ?? [''],
    c: spec.c as CForm | undefined,
    infer: (args) => infer({ ...args, attrs: readAttrs(spec.attrs, args.node) }),
    run: (args) => run({ ...args, attrs: readAttrs(spec.attrs, args.node) }),
  };
}

/** Whether a value is an op descriptor (for collecting the exports of ops/index.ts). */
export function isOpDescriptor(v: unknown): v is OpDescriptor {
  const d = v as OpDescriptor;
  return !!d && typeof d === 'object' && typeof d.op === 'string' && typeof d.run === 'function' && typeof d.infer === 'function' && !!d.traits;
}
