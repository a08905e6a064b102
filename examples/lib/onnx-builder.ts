// A small ONNX ModelProto writer for seeded test and benchmark models. It talks to onnx-proto
// directly and shares nothing with hsq's importer, so tests that compare the two compare two
// independent readings of the same bytes.
import { onnx } from 'onnx-proto';

/** ONNX TensorProto.DataType codes used here (onnx-proto's enum predates INT4). */
export const DT = {
  FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, UINT4: 21, INT4: 22,
} as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Raw little-endian bytes of a typed array (a view, no copy, on little-endian hosts). */
export function leBytes(a: Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return view;
  const out = new Uint8Array(view.length);
  const w = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < view.length; i += w) for (let j = 0; j < w; j++) out[i + j] = view[i + w - 1 - j];
  return out;
}

/** Packs 4-bit values two a byte, the first element in the low nibble (ONNX int4/uint4). */
export function packInt4(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array((values.length + 1) >> 1);
  for (let i = 0; i < values.length; i++) {
    const nib = values[i] & 0x0f;
    out[i >> 1] |= (i & 1) === 0 ? nib : nib << 4;
  }
  return out;
}

/** Unpacks ONNX int4 storage (signed, low nibble first) into one value a slot. */
export function unpackInt4(bytes: Uint8Array, n: number, signed = true): Int8Array {
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const nib = (i & 1) === 0 ? bytes[i >> 1] & 0x0f : bytes[i >> 1] >> 4;
    out[i] = signed && nib >= 8 ? nib - 16 : nib;
  }
  return out;
}

function checkCount(name: string, dims: readonly number[], n: number): void {
  const want = dims.reduce((a, b) => a * b, 1);
  if (want !== n) throw new Error(`initializer '${name}': ${n} values for shape [${dims.join(',')}] (needs ${want})`);
}

export function floatTensor(name: string, dims: readonly number[], data: Float32Array | readonly number[]): onnx.ITensorProto {
  const a = data instanceof Float32Array ? data : Float32Array.from(data);
  checkCount(name, dims, a.length);
  return { name, dims: [...dims], dataType: DT.FLOAT, rawData: leBytes(a) };
}

export function int8Tensor(name: string, dims: readonly number[], data: Int8Array | readonly number[]): onnx.ITensorProto {
  const a = data instanceof Int8Array ? data : Int8Array.from(data);
  checkCount(name, dims, a.length);
  return { name, dims: [...dims], dataType: DT.INT8, rawData: leBytes(a) };
}

export function uint8Tensor(name: string, dims: readonly number[], data: Uint8Array | readonly number[]): onnx.ITensorProto {
  const a = data instanceof Uint8Array ? data : Uint8Array.from(data);
  checkCount(name, dims, a.length);
  return { name, dims: [...dims], dataType: DT.UINT8, rawData: leBytes(a) };
}

/** Signed 4-bit tensor (data_type 22), values in [-8, 7], packed two a byte. */
export function int4Tensor(name: string, dims: readonly number[], data: ArrayLike<number>): onnx.ITensorProto {
  checkCount(name, dims, data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < -8 || v > 7 || (v | 0) !== v) throw new Error(`initializer '${name}': int4 value ${v} at ${i} is not an integer in [-8, 7]`);
  }
  return { name, dims: [...dims], dataType: DT.INT4, rawData: packInt4(data) };
}

export function int32Tensor(name: string, dims: readonly number[], data: Int32Array | readonly number[]): onnx.ITensorProto {
  const a = data instanceof Int32Array ? data : Int32Array.from(data);
  checkCount(name, dims, a.length);
  return { name, dims: [...dims], dataType: DT.INT32, rawData: leBytes(a) };
}

export function int64Tensor(name: string, dims: readonly number[], data: BigInt64Array | readonly number[]): onnx.ITensorProto {
  const a = data instanceof BigInt64Array ? data : BigInt64Array.from(data, (v) => BigInt(v));
  checkCount(name, dims, a.length);
  return { name, dims: [...dims], dataType: DT.INT64, rawData: leBytes(a) };
}

/** A typed attribute value; explicit so that 1.0 stays FLOAT and 1 stays INT. */
export type Attr =
  | { readonly kind: 'int'; readonly v: number }
  | { readonly kind: 'float'; readonly v: number }
  | { readonly kind: 'ints'; readonly v: readonly number[] }
  | { readonly kind: 'floats'; readonly v: readonly number[] }
  | { readonly kind: 'string'; readonly v: string }
  | { readonly kind: 'tensor'; readonly v: onnx.ITensorProto };

export const attr = {
  int: (v: number): Attr => ({ kind: 'int', v }),
  float: (v: number): Attr => ({ kind: 'float', v }),
  ints: (v: readonly number[]): Attr => ({ kind: 'ints', v }),
  floats: (v: readonly number[]): Attr => ({ kind: 'floats', v }),
  string: (v: string): Attr => ({ kind: 'string', v }),
  tensor: (v: onnx.ITensorProto): Attr => ({ kind: 'tensor', v }),
};

function attrProto(name: string, a: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int': return { name, type: T.INT, i: a.v };
    case 'float': return { name, type: T.FLOAT, f: a.v };
    case 'ints': return { name, type: T.INTS, ints: [...a.v] };
    case 'floats': return { name, type: T.FLOATS, floats: [...a.v] };
    case 'string': return { name, type: T.STRING, s: new TextEncoder().encode(a.v) };
    case 'tensor': return { name, type: T.TENSOR, t: a.v };
  }
}

function valueInfo(name: string, elemType: number, shape: readonly number[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  };
}

export interface NodeSpec {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, Attr>>;
  readonly domain?: string;
}

/** Accumulates a graph and writes ModelProto bytes. */
export class ModelBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inits: onnx.ITensorProto[] = [];
  private readonly initNames = new Set<string>();
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly valueInfos: onnx.IValueInfoProto[] = [];
  private readonly opsets = new Map<string, number>();

  constructor(
    readonly graphName: string,
    readonly irVersion: number,
    opset: number,
  ) {
    this.opsets.set('', opset);
  }

  useDomain(domain: string, version: number): this {
    this.opsets.set(domain, version);
    return this;
  }

  input(name: string, elemType: number, shape: readonly number[]): this {
    this.inputs.push(valueInfo(name, elemType, shape));
    return this;
  }

  output(name: string, elemType: number, shape: readonly number[]): this {
    this.outputs.push(valueInfo(name, elemType, shape));
    return this;
  }

  /** Optional intermediate value_info (type and shape of an inner tensor). */
  valueInfo(name: string, elemType: number, shape: readonly number[]): this {
    this.valueInfos.push(valueInfo(name, elemType, shape));
    return this;
  }

  initializer(t: onnx.ITensorProto): string {
    const name = t.name ?? '';
    if (!name) throw new Error('initializer without a name');
    if (this.initNames.has(name)) throw new Error(`duplicate initializer '${name}'`);
    this.initNames.add(name);
    this.inits.push(t);
    return name;
  }

  hasInitializer(name: string): boolean {
    return this.initNames.has(name);
  }

  node(spec: NodeSpec): this {
    this.nodes.push({
      opType: spec.op,
      name: spec.name,
      domain: spec.domain ?? '',
      input: [...spec.inputs],
      output: [...spec.outputs],
      attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
    });
    return this;
  }

  toProto(): onnx.IModelProto {
    return {
      irVersion: this.irVersion,
      producerName: 'hsq-examples',
      producerVersion: '0.1.0',
      opsetImport: [...this.opsets].map(([domain, version]) => ({ domain, version })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
        valueInfo: this.valueInfos,
      },
    };
  }

  encode(): Uint8Array {
    return onnx.ModelProto.encode(onnx.ModelProto.create(this.toProto())).finish();
  }
}
