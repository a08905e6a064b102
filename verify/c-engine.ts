// The generated C as a verify/eval engine, built with -DHSQ_TRACE: besides the graph outputs it
// observes every tensor a CPU layer writes (and, on stm32n6, the NPU segments' boundary
// tensors), which verify checks against the interpreter layer by layer.
// Host: one build, every input set through it; cortex-m55: one ELF, one QEMU boot for every
// set; stm32n6: one run per set (outputs only) until its runner takes a batch.
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { lookupTarget } from '../targets/registry';
import type { TargetRunOptions } from '../targets/target';
import { Engine, InputSet } from './engine';

export function cEngine(opts: TargetRunOptions & { readonly target: string; readonly trace?: boolean }): Engine {
  const trace = opts.trace ?? true;
  return {
    name: opts.target,
    async run(g: Graph, sets: readonly InputSet[]): Promise<Record<string, Tensor>[]> {
      if (opts.target === 'host') {
        const { runCBatch } = await import('../targets/host/run');
        return (await runCBatch([{ graph: g, inputs: sets.map((s) => ({ ...s })) }], { ...opts, trace }))[0];
      }
      if (opts.target === 'cortex-m55') {
        const { runM55Batch } = await import('../targets/cortex-m55/run');
        return (await runM55Batch([{ graph: g, inputs: sets.map((s) => ({ ...s })) }], { scalar: opts.scalar, opt: opts.opt, cacheDir: opts.cacheDir, trace })).outputs[0];
      }
      const t = lookupTarget(opts.target, '--target');
      if (!t.run) throw new Error(`target ${opts.target} has no runner`);
      const out: Record<string, Tensor>[] = [];
      for (const s of sets) out.push(await t.run(g, { ...s }, opts));
      return out;
    },
  };
}
