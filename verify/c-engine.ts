// The generated C as a verify/eval engine. It observes the graph outputs only: per-layer
// tensors come with the traced build (-DHSQ_TRACE), when the target runners hand them out.
// Host: one build, every input set through it; cortex-m55 and stm32n6: one QEMU run per set
// until their runners take a batch.
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { lookupTarget } from '../targets/registry';
import type { TargetRunOptions } from '../targets/target';
import { Engine, InputSet } from './engine';

export function cEngine(opts: TargetRunOptions & { readonly target: string }): Engine {
  return {
    name: opts.target,
    async run(g: Graph, sets: readonly InputSet[]): Promise<Record<string, Tensor>[]> {
      if (opts.target === 'host') {
        const { runCBatch } = await import('../targets/host/run');
        return (await runCBatch([{ graph: g, inputs: sets.map((s) => ({ ...s })) }], opts))[0];
      }
      const t = lookupTarget(opts.target, '--target');
      if (!t.run) throw new Error(`target ${opts.target} has no runner`);
      const out: Record<string, Tensor>[] = [];
      for (const s of sets) out.push(await t.run(g, { ...s }, opts));
      return out;
    },
  };
}
