// `hsq run --engine c` and `hsq verify`: the target's runner, looked up by name.
import { fail } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { lookupTarget } from '../targets/registry';
import type { TargetRunOptions } from '../targets/target';

export async function runOnTarget(name: string, g: Graph, inputs: Record<string, Tensor>, opts: TargetRunOptions): Promise<Record<string, Tensor>> {
  const t = lookupTarget(name, '--target');
  if (!t.run) fail('unsupported', `--target ${name} has no runner: compile it and run the C on the target`, '--target');
  return t.run(g, inputs, opts);
}
