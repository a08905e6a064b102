// What computes hsq's numbers for `hsq verify` and `hsq eval`. An engine runs the lowered graph
// on input sets and hands back the tensors it can observe, keyed by IR tensor name: the
// interpreter every tensor; the generated C (verify/c-engine.ts, built with -DHSQ_TRACE) every
// tensor a CPU layer writes on host and cortex-m55, the graph outputs elsewhere. verify checks
// each observed tensor against the interpreter's, so an engine that observes more is checked
// layer by layer with no change here.
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { runGraph } from '../ops/engine/interpreter';
import type { VerifyLayer } from './layers';

export type InputSet = Readonly<Record<string, Tensor>>;

export interface Engine {
  /** 'interpreter', or the target whose C runs ('host', 'cortex-m55', 'stm32n6'). */
  readonly name: string;
  /** Every input set in one go (one build, one process or one QEMU boot for all of them). */
  run(g: Graph, sets: readonly InputSet[]): Promise<Record<string, Tensor>[]>;
  /** Device that computes a layer ('cpu', 'npu'); without it, 'cpu'. */
  deviceOf?(layer: VerifyLayer): string;
}

/** The reference interpreter, keeping every tensor. */
export const interpreterEngine: Engine = {
  name: 'interpreter',
  run: async (g, sets) => sets.map((s) => runGraph(g, { ...s }, { keep: 'all' })),
};
