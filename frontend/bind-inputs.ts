// Which given input values become compile-time constants (for `hsq run`, `hsq verify` and the
// conformance tests, whose models take weights, scales, shapes and bounds as graph inputs).
//
// Rule: a graph input stays a runtime input when some node reads it as its first input (position
// 0) and that op does not require position 0 at compile time (OpDescriptor.constInputs), or when no
// node reads it (it only feeds graph outputs). Every other graph input with a given value (weights,
// biases, scales, zero points, shapes, Clip bounds, Resize scales, the second operand of a binary
// op) is bound as an initializer. The data input of every op thus stays dynamic, and everything a
// compiled model would hold in flash becomes a constant, as after a real export.
import { lookupOp } from '../ops/engine/registry';
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';

export interface BoundInputs {
  /** The graph with the bound inputs as initializers (they stay listed in graph.inputs). */
  readonly graph: Graph;
  /** The given values of the inputs that remain runtime inputs. */
  readonly runtimeInputs: Record<string, Tensor>;
}

/** True when `name` must stay a runtime input under the rule above. */
export function isRuntimeInput(g: Graph, name: string): boolean {
  let read = false;
  for (const n of g.nodes) {
    if (n.inputs.includes(name)) read = true;
    if (n.inputs[0] === name) {
      const impl = lookupOp(n.op, n.domain);
      if (!impl?.constInputs?.includes(0)) return true;
    }
  }
  return !read;
}

export function bindConstantInputs(g: Graph, inputs: Record<string, Tensor>): BoundInputs {
  const runtimeInputs: Record<string, Tensor> = {};
  const bound: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    if (name in g.initializers) continue;
    const v = inputs[name];
    if (v === undefined) continue;
    if (isRuntimeInput(g, name)) runtimeInputs[name] = v;
    else bound[name] = v;
  }
  if (Object.keys(bound).length === 0) return { graph: g, runtimeInputs };
  return { graph: { ...g, initializers: { ...g.initializers, ...bound } }, runtimeInputs };
}
