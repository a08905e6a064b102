// Quantization of hsq QConv / QGemm operands, read from the tensor infos (docs/ir.md).
import { fail } from '../../core/diagnostics';
import { DType, intRange } from '../../core/ir/dtype';
import { Node, QuantParams, TensorInfo, attrInt } from '../../core/ir/graph';
import { quantRange } from '../../core/numerics';

export function quantOf(node: Node, info: TensorInfo | undefined, what: string): QuantParams {
  const q = info?.quant;
  if (!q) return fail('bad-shape', `node '${node.name}' (${node.op}): ${what} has no quantization parameters`, node.name);
  return q;
}

export function perTensor(node: Node, q: QuantParams, what: string): { scale: number; zero: number } {
  if (q.scale.length !== 1 || (q.zeroPoint.length > 1))
    fail('unsupported', `node '${node.name}' (${node.op}): ${what} must be quantized per tensor`, node.name);
  return { scale: q.scale[0], zero: q.zeroPoint.length ? q.zeroPoint[0] : 0 };
}

/**
 * Output container of QConv/QGemm when no output info says it: a negative qmin needs int8, a
 * qmax above 127 needs uint8, otherwise the input's container.
 */
export function inferQOutDtype(node: Node, xDtype: DType): DType {
  const qmin = attrInt(node, 'qmin'), qmax = attrInt(node, 'qmax');
  if (qmin !== undefined && qmin < 0) return 'int8';
  if (qmax !== undefined && qmax > 127) return 'uint8';
  return xDtype;
}

/** The output clamp: the qmin/qmax attributes, else the output quant range, else the dtype range. */
export function outputClamp(node: Node, out: QuantParams, dtype: DType): [number, number] {
  const [dlo, dhi] = out.bipolar ? [-1, 1] : quantRange(out.bits, out.signed, out.narrow);
  const [tlo, thi] = intRange(dtype);
  const lo = attrInt(node, 'qmin', Math.max(dlo, tlo));
  const hi = attrInt(node, 'qmax', Math.min(dhi, thi));
  return [lo, hi];
}
