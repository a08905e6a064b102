// Small checks shared by the op files.
import { fail } from '../../core/diagnostics';
import { DType } from '../../core/ir/dtype';
import { Node, TensorInfo } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';

/** The input at `i`, which must be present. */
export function need<T extends Tensor | TensorInfo>(node: Node, xs: readonly (T | undefined)[], i: number, what: string): T {
  const t = xs[i];
  if (!t) return fail('bad-shape', `node '${node.name}' (${node.op}): missing input ${i} (${what})`, node.name);
  return t;
}

export function requireDtype(node: Node, what: string, dtype: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(dtype))
    fail('unsupported', `node '${node.name}' (${node.op}): ${what} of type ${dtype} is not supported (${allowed.join(', ')})`, node.name);
}

/** Shape of an input known either as a value or as an info. */
export function shapeOf(t: Tensor | TensorInfo | undefined): readonly number[] {
  return t ? t.shape : [];
}

export function requireLength(node: Node, what: string, t: Tensor, n: number): void {
  if (t.data.length !== n)
    fail('bad-shape', `node '${node.name}' (${node.op}): ${what} has ${t.data.length} elements, expected ${n}`, node.name);
}

/** A scalar (one-element) input as a number; `def` when the optional input is absent. */
export function scalarInput(node: Node, what: string, t: Tensor | undefined, def?: number): number {
  if (!t) {
    if (def === undefined) fail('bad-shape', `node '${node.name}' (${node.op}): missing ${what}`, node.name);
    return def;
  }
  if (t.data.length !== 1)
    fail('unsupported', `node '${node.name}' (${node.op}): ${what} must be a scalar here, got shape [${t.shape}]`, node.name);
  return Number(t.data[0]);
}
