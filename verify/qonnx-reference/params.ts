// Reading a QONNX node's constant parameters and attributes for its reference lowering.
import { fail } from '../../core/diagnostics';
import { Graph, Node } from '../../core/ir/graph';
import { Tensor, numel } from '../../core/ir/tensor';

/** A constant input (initializer) or a clear error naming the node and the input. */
export function constantInput(g: Graph, n: Node, k: number, what: string): Tensor {
  const name = n.inputs[k];
  const t = name ? g.initializers[name] : undefined;
  if (!t) fail('unsupported', `node '${n.name}' (${n.op}): input ${k} (${what}) must be a constant for a standard-ONNX reference`, n.name);
  return t;
}

/** A bit width: one integer value in 1..32. */
export function bitWidth(g: Graph, n: Node, k: number, what: string): number {
  const t = constantInput(g, n, k, what);
  const b = numel(t.shape) === 1 ? Number(t.data[0]) : NaN;
  if (!Number.isInteger(b) || b < 1 || b > 32) fail('unsupported', `node '${n.name}' (${n.op}): ${what} must be one integer in 1..32`, n.name);
  return b;
}

/**
 * An integer attribute qonnx requires (Quant's signed and narrow): qonnx stops on a missing one;
 * the reference, like hsq's import, reads the documented default and says so.
 */
export function flag(n: Node, key: string, def: 0 | 1, notes: string[]): boolean {
  const v = n.attrs[key];
  if (v === undefined) {
    notes.push(`node '${n.name}' (${n.op}): attribute '${key}' missing, read as ${def} (the QONNX documented default)`);
    return def !== 0;
  }
  return Number(v) !== 0;
}

export function roundingMode(n: Node, def: string): string {
  const v = n.attrs.rounding_mode;
  return v === undefined ? def : String(v);
}
