// Questions about ops answered from their descriptors' traits (ops/lib/descriptor.ts), so that no
// other file keeps its own list of op names: which ops accumulate and where their weights are,
// which keep their input's quantization, which the quantizer quantizes, which chain into a
// lookup table, and each op's neutral NPU kind.
import { Node } from '../../core/ir/graph';
import { NpuKind, OpDescriptor, OpTraits, QuantKind } from '../lib/descriptor';
import { allOps, canonicalDomain, lookupOp } from './registry';

type OpRef = Pick<Node, 'op' | 'domain'>;

export function descriptorOf(n: OpRef): OpDescriptor | undefined {
  return lookupOp(n.op, n.domain);
}

/** Names of the ops of `domain` ('' = ONNX, 'hsq', 'qonnx') whose descriptor satisfies `pred`. */
export function opsWhere(pred: (d: OpDescriptor) => boolean, domain = ''): ReadonlySet<string> {
  const d0 = canonicalDomain(domain);
  return new Set(allOps().filter((d) => d.domains.some((x) => canonicalDomain(x) === d0) && pred(d)).map((d) => d.op));
}

export function quantKindOf(n: OpRef): QuantKind {
  return descriptorOf(n)?.traits.quant ?? 'none';
}

/** int32 multiply-accumulate over weights, in float form (Conv, Gemm, MatMul) or integer form
 *  (QConv, QGemm, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger). */
export function isAccumulating(n: OpRef): boolean {
  return quantKindOf(n) === 'accumulating';
}

/** A float op hsq quantizes into an accumulating integer op (Conv, Gemm, MatMul). */
export function isFloatAccumulating(n: OpRef): boolean {
  const t = descriptorOf(n)?.traits;
  return !!t && t.quant === 'accumulating' && !t.integer;
}

/** Input position of the op's weight tensor (ops with weights, quantized or not), else undefined. */
export function weightInputOf(n: OpRef): number | undefined {
  return descriptorOf(n)?.traits.weights?.input;
}

/** Output-channel axis of the op's weight tensor, else undefined. */
export function weightChannelAxisOf(n: Node): number | undefined {
  return descriptorOf(n)?.traits.weights?.channelAxis(n);
}

/** The output keeps the input's quantization (pass-through and data-movement ops). */
export function keepsInputQuant(n: OpRef): boolean {
  const q = quantKindOf(n);
  return q === 'pass-through' || q === 'data-movement';
}

/** The op's bounded output range (OpTraits.outputRange), else undefined. */
export function outputRangeOf(n: OpRef): readonly [number, number] | undefined {
  return descriptorOf(n)?.traits.outputRange;
}

/** A non-accumulating op hsq's quantizer runs quantized: a lookup table or dequantize-compute-quantize. */
export function quantizedByDefault(t: OpTraits): boolean {
  return (t.quant === 'lookup-table' || t.quant === 'dequantize-compute-quantize') && t.quantizer !== false;
}

export function isQuantizedByDefault(n: OpRef): boolean {
  const t = descriptorOf(n)?.traits;
  return !!t && quantizedByDefault(t);
}

/**
 * A link of a DequantizeLinear -> unary ops -> QuantizeLinear chain that becomes one 256-entry
 * table: a unary elementwise op with a quantized form (a lookup-table op, or Identity).
 */
export function tableLink(t: OpTraits): boolean {
  return t.elementwise === 'unary' && t.quant !== 'none';
}

export function isTableLink(n: OpRef): boolean {
  const t = descriptorOf(n)?.traits;
  return !!t && tableLink(t);
}

/** The op's neutral NPU kind; 'none' for an unknown op. */
export function npuKindOf(op: string, domain: string): NpuKind {
  return lookupOp(op, domain)?.traits.npu ?? 'none';
}
