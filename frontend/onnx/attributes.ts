// AttributeProto <-> IR attribute values.
import { onnx } from 'onnx-proto';
import { AttrValue } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { fail } from '../../core/diagnostics';
import { DecodeContext, longToNumber, tensorFromProto, tensorToProto } from './tensor-proto';

const T = onnx.AttributeProto.AttributeType;

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array(0)).toString('utf8');

/** The attribute's type, inferring it from the filled field for old models that leave `type` unset. */
function attrType(a: onnx.IAttributeProto): number {
  if (a.type) return a.type;
  if (a.floats && a.floats.length) return T.FLOATS;
  if (a.ints && a.ints.length) return T.INTS;
  if (a.strings && a.strings.length) return T.STRINGS;
  if (a.t) return T.TENSOR;
  if (a.g) return T.GRAPH;
  if (a.s && a.s.length) return T.STRING;
  if (a.i !== null && a.i !== undefined && longToNumber(a.i) !== 0) return T.INT;
  if (a.f) return T.FLOAT;
  return T.INT;
}

export function decodeAttribute(a: onnx.IAttributeProto, nodeName: string, ctx: DecodeContext): { value: AttrValue; type: number } {
  const type = attrType(a);
  switch (type) {
    case T.FLOAT: return { value: a.f ?? 0, type };
    case T.INT: return { value: longToNumber(a.i), type };
    case T.STRING: return { value: utf8(a.s), type };
    case T.TENSOR: return { value: tensorFromProto(a.t ?? {}, ctx), type };
    case T.FLOATS: return { value: [...(a.floats ?? [])], type };
    case T.INTS: return { value: (a.ints ?? []).map(longToNumber), type };
    case T.STRINGS: return { value: (a.strings ?? []).map(utf8), type };
    case T.TENSORS: return { value: (a.tensors ?? []).map((t) => tensorFromProto(t, ctx)), type };
    case T.GRAPH: return { value: { graph: a.g }, type };
    default:
      fail('unsupported', `node '${nodeName}': attribute '${a.name}' has an unsupported type (${type})`, nodeName);
  }
}

// Attribute names that are FLOAT in the ONNX/QONNX schemas, for nodes that passes create
// without recording attrTypes.
const FLOAT_ATTRS = new Set([
  'alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'ratio', 'bias', 'lambd', 'spatial_scale',
  'extrapolation_value', 'cubic_coeff_a', 'value_float', 'value_floats', 'min', 'max', 'scale',
]);

export function encodeAttribute(name: string, value: AttrValue, type: number | undefined): onnx.IAttributeProto {
  const a: onnx.IAttributeProto = { name };
  if (type === undefined) type = guessType(name, value);
  a.type = type;
  switch (type) {
    case T.FLOAT: a.f = value as number; break;
    case T.INT: a.i = value as number; break;
    case T.STRING: a.s = Buffer.from(value as string, 'utf8'); break;
    case T.TENSOR: a.t = tensorToProto(value as Tensor, ''); break;
    case T.FLOATS: a.floats = [...(value as number[])]; break;
    case T.INTS: a.ints = [...(value as number[])]; break;
    case T.STRINGS: a.strings = (value as string[]).map((s) => Buffer.from(s, 'utf8')); break;
    case T.TENSORS: a.tensors = (value as Tensor[]).map((t) => tensorToProto(t, '')); break;
    case T.GRAPH: a.g = (value as { graph: onnx.IGraphProto }).graph; break;
    default: throw new Error(`cannot encode attribute ${name} of type ${type}`);
  }
  return a;
}

function guessType(name: string, v: AttrValue): number {
  if (typeof v === 'string') return T.STRING;
  if (typeof v === 'number') return FLOAT_ATTRS.has(name) || !Number.isInteger(v) ? T.FLOAT : T.INT;
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return T.STRINGS;
    if (v.length > 0 && typeof v[0] === 'object') return T.TENSORS;
    return FLOAT_ATTRS.has(name) || (v as number[]).some((x) => !Number.isInteger(x)) ? T.FLOATS : T.INTS;
  }
  if ((v as { graph?: unknown }).graph !== undefined) return T.GRAPH;
  return T.TENSOR;
}
