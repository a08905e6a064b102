// Which quantization a compared tensor carries, so differences count in steps.
import { Graph, producers } from '../core/ir/graph';
import { OutputQuant } from './metrics';

/** Quantization of an integer tensor, or of a float tensor that a DequantizeLinear produced. */
export function outputQuant(g: Graph, name: string): OutputQuant | undefined {
  const info = g.tensors[name];
  // Blocked parameters: integer outputs still count steps in integer units, without a zero point.
  if (info?.quant) return info.quant.blockSize === undefined ? { scale: info.quant.scale, zeroPoint: info.quant.zeroPoint, axis: info.quant.axis } : undefined;
  const p = producers(g).get(name);
  if (p?.op === 'DequantizeLinear') {
    const q = g.tensors[p.inputs[0]]?.quant;
    if (q && q.blockSize === undefined) return { scale: q.scale, zeroPoint: q.zeroPoint, axis: q.axis };
  }
  return undefined;
}
