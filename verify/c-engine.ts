// The generated C as a verify/eval engine, built with -DHSQ_TRACE: besides the graph outputs it
// observes every tensor a CPU layer writes (and, on stm32n6, the NPU segments' boundary
// tensors), which verify checks against the interpreter layer by layer.
// Host: one build, every input set through it; cortex-m55: one ELF, one QEMU boot for every
// set; stm32n6: one build, one run per set (until its runner takes a batch).
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { lookupTarget } from '../targets/registry';
import type { TargetRunOptions } from '../targets/target';
import { Engine, InputSet } from './engine';

export function cEngine(opts: TargetRunOptions & { readonly target: string; readonly trace?: boolean; readonly stedgeaiVersion?: string }): Engine {
  const trace = opts.trace ?? true;
  // stm32n6: where placement put each IR node, from the program the last run built.
  let deviceOfNode: Readonly<Record<string, string>> | undefined;
  return {
    name: opts.target,
    deviceOf: (layer) => (deviceOfNode ? deviceOfNode[layer.core.name] ?? layer.nodes.map((n) => deviceOfNode![n.name]).find(Boolean) ?? 'cpu' : 'cpu'),
    async run(g: Graph, sets: readonly InputSet[]): Promise<Record<string, Tensor>[]> {
      if (opts.target === 'host') {
        const { runCBatch } = await import('../targets/host/run');
        return (await runCBatch([{ graph: g, inputs: sets.map((s) => ({ ...s })) }], { ...opts, trace }))[0];
      }
      if (opts.target === 'cortex-m55') {
        const { runM55Batch } = await import('../targets/cortex-m55/run');
        return (await runM55Batch([{ graph: g, inputs: sets.map((s) => ({ ...s })) }], { scalar: opts.scalar, opt: opts.opt, cacheDir: opts.cacheDir, trace })).outputs[0];
      }
      if (opts.target === 'stm32n6') {
        const { buildStm32n6, runStm32n6Program } = await import('../targets/stm32n6/run');
        const { resolveStedgeaiVersion } = await import('../targets/stm32n6/stedgeai-version');
        const o = { host: opts.host, cacheDir: opts.cacheDir, trace, ...(opts.stedgeaiVersion ? { stedgeaiVersion: resolveStedgeaiVersion(opts.stedgeaiVersion) } : {}) };
        const prog = await buildStm32n6(g, o);
        deviceOfNode = prog.emitted.placement.deviceOfNode;
        return sets.map((s) => runStm32n6Program(prog, { ...s }, o));
      }
      const t = lookupTarget(opts.target, '--target');
      if (!t.run) throw new Error(`target ${opts.target} has no runner`);
      const out: Record<string, Tensor>[] = [];
      for (const s of sets) out.push(await t.run(g, { ...s }, { ...opts, trace }));
      return out;
    },
  };
}
