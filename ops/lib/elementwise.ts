// Shared shape/dtype inference, kernel selection and descriptor builders of elementwise ops.
import { DType, isBigInt } from '../../core/ir/dtype';
import { Node } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { HsqError } from '../../core/diagnostics';
import { AttrSchema, AttrValues, CForm, InferArgs, InferredOutput, OpDescriptor, OpTraits, defineOp } from './descriptor';
import { broadcastBinary, broadcastShapes } from './broadcast';
import { FLOAT_TYPES, inputInfo, req, requireFloat } from './tensor-util';

const fround = Math.fround;

type F = (a: any, b: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Per-dtype kernels of a binary arithmetic op. */
export interface ArithKernels {
  /** Exact real-number result; rounded to float32 (or kept as float64) by the caller. */
  readonly float: (a: number, b: number) => number;
  /** Integers up to 32 bits: exact result, wrapped by the typed array store (or special). */
  readonly int: (a: number, b: number) => number;
  /** 64-bit integers. */
  readonly big: (a: bigint, b: bigint) => bigint;
  /** Overrides for 32-bit types (e.g. Math.imul for Mul, where the exact product overflows 2^53). */
  readonly int32?: (a: number, b: number) => number;
  readonly uint32?: (a: number, b: number) => number;
}

/** The elementwise function for a dtype, including float32 rounding after the operation. */
export function arithKernel(dtype: DType, k: ArithKernels): F {
  if (dtype === 'float32' || dtype === 'float16') { const f = k.float; return (a: number, b: number) => fround(f(a, b)); }
  if (dtype === 'float64') return k.float;
  if (isBigInt(dtype)) return k.big;
  if (dtype === 'int32' && k.int32) return k.int32;
  if (dtype === 'uint32' && k.uint32) return k.uint32;
  if (dtype === 'string') throw new HsqError('unsupported', 'string tensors are not supported in arithmetic');
  return k.int;
}

export function sameDtype(node: Node, a: DType, b: DType): void {
  if (a !== b) {
    throw new HsqError('bad-input', `node '${node.name}' (${node.op}): input dtypes ${a} and ${b} differ`, node.name);
  }
}

/** Binary arithmetic with broadcasting and same-dtype inputs. */
export function arith(a: Tensor, b: Tensor, k: ArithKernels, subject?: string): Tensor {
  return broadcastBinary(a, b, a.dtype, arithKernel(a.dtype, k), subject);
}

/** Infer for ops whose output is input 0's dtype and shape. */
export function inferSameAsInput(args: InferArgs): InferredOutput[] {
  const x = inputInfo(args, 0);
  return [{ dtype: x.dtype, shape: [...x.shape] }];
}

/** Infer for broadcasting ops over the given inputs; dtype given or input 0's. */
export function inferBroadcast(args: InferArgs, dtype?: DType, positions?: readonly number[]): InferredOutput[] {
  const idx = positions ?? args.inputs.map((_, i) => i).filter((i) => args.node.inputs[i] !== '');
  const infos = idx.map((i) => inputInfo(args, i));
  return [{ dtype: dtype ?? infos[0].dtype, shape: broadcastShapes(infos.map((t) => t.shape), args.node.name) }];
}

interface ElementwiseSpec<S extends AttrSchema> {
  readonly op: string;
  readonly since?: number;
  readonly attrs?: S;
  readonly types?: readonly DType[];
  readonly traits: Omit<OpTraits, 'elementwise'>;
  readonly c?: CForm<AttrValues<S>>;
}

/** A unary elementwise op computed by `compute(x, attrs, node)`; output as input 0. `floatOnly`:
 *  the op takes float tensors only (FLOAT_TYPES; others are an error naming the node). */
export function unaryOp<S extends AttrSchema = Record<never, never>>(spec: ElementwiseSpec<S> & {
  readonly floatOnly?: boolean;
  readonly compute: (x: Tensor, attrs: AttrValues<S>, node: Node) => Tensor;
}): OpDescriptor {
  const { compute, floatOnly, ...rest } = spec;
  return defineOp<S>({
    ...rest, attrs: (spec.attrs ?? {}) as S,
    ...(floatOnly ? { types: FLOAT_TYPES } : {}),
    traits: { ...spec.traits, elementwise: 'unary' },
    infer: inferSameAsInput,
    run: ({ node, inputs, attrs }) => {
      const x = req(node, inputs, 0);
      if (floatOnly) requireFloat(node, x.dtype);
      return [compute(x, attrs, node)];
    },
  });
}

/** A broadcasting binary op with same-dtype inputs computed by `compute(a, b, node)`. */
export function binaryOp(spec: ElementwiseSpec<Record<never, never>> & {
  readonly outDtype?: DType;
  readonly compute: (a: Tensor, b: Tensor, node: Node) => Tensor;
}): OpDescriptor {
  const { compute, outDtype, ...rest } = spec;
  return defineOp({
    ...rest, attrs: {},
    traits: { ...spec.traits, elementwise: 'binary' },
    infer: (args) => {
      sameDtype(args.node, inputInfo(args, 0).dtype, inputInfo(args, 1).dtype);
      return inferBroadcast(args, outDtype, [0, 1]);
    },
    run: ({ node, inputs }) => {
      const a = req(node, inputs, 0), b = req(node, inputs, 1);
      sameDtype(node, a.dtype, b.dtype);
      return [compute(a, b, node)];
    },
  });
}
