// The IR: a graph of named nodes over named tensors. Values are immutable; passes use immer.
import { DType } from './dtype';
import { Tensor } from './tensor';

/**
 * Quantization of a tensor. `scale`/`zeroPoint` have one entry (per tensor), one per slice
 * along `axis` (per axis), or one per block (blocked, `blockSize` along `axis`, laid out as
 * the ONNX scale tensor is, row-major over the input shape with the axis divided).
 * `bits` is the numeric range (e.g. 4 for [-8,7], or [-7,7] when `narrow`); the tensor's
 * dtype is its container (int8 holding a 4-bit range is legal: precision is semantics,
 * storage is a choice). `bipolar` marks 1-bit {-1,+1} values (QONNX BipolarQuant).
 */
export interface QuantParams {
  readonly scale: readonly number[];        // float32 values
  readonly zeroPoint: readonly number[];    // integers
  readonly axis?: number;                   // undefined: per tensor
  readonly blockSize?: number;              // with axis: blocked quantization
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly bipolar?: boolean;
  /** Where this precision came from, for reports and conflict warnings. */
  readonly source?: string;
}

export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  /** Static shape; -1 marks a dim not known yet (only before input shapes are fixed). */
  readonly shape: readonly number[];
  /** Symbolic names of dynamic dims, parallel to shape (for error messages). */
  readonly dimParams?: readonly (string | undefined)[];
  readonly quant?: QuantParams;
  /** A float constant whose values are exactly dequantized integers, fround((q - zp) * scale)
   *  (a weight-only quantized layer's weights once fold-float-weights made them float): the
   *  integers' width, signedness and the scale / zero point / axis of that DequantizeLinear, so
   *  emitters can store the integers at their width and dequantize in the kernel. */
  readonly weightGrid?: QuantParams;
}

export type AttrValue =
  | number | string | readonly number[] | readonly string[] | Tensor | readonly Tensor[]
  | { readonly graph: unknown };

export interface Node {
  readonly name: string;
  readonly op: string;
  /** '' for the default ONNX domain; 'hsq' for hsq's own IR ops; QONNX domains kept as read. */
  readonly domain: string;
  /** Opset version of the node's domain in the model it came from (undefined: latest). */
  readonly opset?: number;
  /** Input tensor names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Which attributes were given as INT vs FLOAT etc. is recovered from the op schema on export. */
  readonly attrTypes?: Readonly<Record<string, number>>;
  /** NodeProto.metadata_props (ONNX 1.16+), read but not written on export. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** ONNX node names this node stands for after fusion (reports, annotations). */
  readonly origin?: readonly string[];
}

export interface Annotation {
  readonly placement?: 'npu' | 'cpu';
  readonly precision?: string;
  readonly widen?: boolean;
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly tensors: Readonly<Record<string, TensorInfo>>;
  readonly initializers: Readonly<Record<string, Tensor>>;
  readonly nodes: readonly Node[];
  /** opset version per domain ('' = ai.onnx). */
  readonly opsets: Readonly<Record<string, number>>;
  /** hsq.annotations: node name or glob → annotation. */
  readonly annotations: Readonly<Record<string, Annotation>>;
  /** Model-level metadata_props other than hsq's own. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly irVersion: number;
  readonly producer?: string;
}

/** Attribute readers with defaults, the way onnx/reference ops take named parameters. */
export function attrInt(n: Node, key: string, def: number): number;
export function attrInt(n: Node, key: string): number | undefined;
export function attrInt(n: Node, key: string, def?: number): number | undefined {
  const v = n.attrs[key];
  return v === undefined ? def : (v as number);
}
export function attrFloat(n: Node, key: string, def: number): number {
  const v = n.attrs[key];
  return v === undefined ? def : (v as number);
}
export function attrInts(n: Node, key: string): readonly number[] | undefined {
  const v = n.attrs[key];
  return v === undefined ? undefined : (v as readonly number[]);
}
export function attrString(n: Node, key: string, def: string): string {
  const v = n.attrs[key];
  return v === undefined ? def : (v as string);
}
export function attrTensor(n: Node, key: string): Tensor | undefined {
  return n.attrs[key] as Tensor | undefined;
}

/** The node that produces each tensor. */
export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/** The nodes that read each tensor. */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) {
    const l = m.get(i);
    if (l) l.push(n); else m.set(i, [n]);
  }
  return m;
}

/** True when the tensor's value is known at compile time. */
export function isConstant(g: Graph, name: string): boolean {
  return name in g.initializers;
}
