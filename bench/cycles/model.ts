// Estimated Cortex-M55 cycles of whole models: the cortex-m55 engine's program built with
// -DHSQ_PROFILE (targets/cortex-m55/run.ts), run once in QEMU under the block counter with the
// profile clock as the split marker, so every hsq_profile_now() call (each layer's
// HSQ_PROFILE_BEGIN/END, and the harness's reads around the run) starts a segment: segment 2k+2
// is layer k, segments 1 .. 2L+1 the whole inference. Beside it, the SysTick profile of the same
// run (instructions per layer).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Graph } from '../../core/ir/graph';
import type { Tensor } from '../../core/ir/tensor';
import { buildM55Program } from '../../targets/cortex-m55/run';
import { runtimeInputs } from '../../targets/c/emit-model';
import { checkedInput, writeTensorFile } from '../../targets/c/harness-io';
import { CORTEX_M55 } from '../../targets/cortex-m55/target';
import { symbolAddresses } from './blocks';
import { estimateProgram } from './estimate';

export interface LayerEstimate {
  readonly name: string;
  readonly op: string;
  /** The SysTick profile (-DHSQ_PROFILE): ticks x 31.25. */
  readonly profileInstructions: number;
  /** Executed instructions and estimated cycles from the block counts. */
  readonly instructions: number;
  readonly estCycles: number;
  /** Generated kernel of the layer, with its MACs and precision (none: portable C). */
  readonly kernel?: { fn: string; kind?: string; precision?: string; macs?: number; estCyclesPerMac?: number };
}

export interface ModelEstimate {
  readonly instructions: number;
  readonly estCycles: number;
  /** SysTick count of the whole run (ticks x 31.25). */
  readonly profileInstructions: number;
  readonly layers: LayerEstimate[];
}

/** Build `g` for the M55 (MVE, -O2, -DHSQ_PROFILE), run it on `inputs`, estimate per layer. */
export async function estimateModel(g: Graph, inputs: Record<string, Tensor>, cacheDir: string): Promise<ModelEstimate> {
  const prog = await buildM55Program([g], { profile: true, cacheDir });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-m55-est-'));
  try {
    runtimeInputs(g).forEach((name, i) => writeTensorFile(path.join(dir, `k0_s0_in${i}.bin`), checkedInput(g, inputs, name)));
    fs.writeFileSync(path.join(dir, 'plan.bin'), new Uint8Array(Int32Array.from([0, 0, 0]).buffer));
    const m = symbolAddresses(prog.elf, ['hsq_m55_counter_start', 'hsq_m55_counter_read']);
    const r = estimateProgram(prog.elf, { begin: m.hsq_m55_counter_start, split: m.hsq_m55_counter_read }, dir, 20 * 60 * 1000);
    if (r.exitCode !== 0 || !r.stdout.includes('HSQ_DONE')) throw new Error(`the profiled M55 program exited with ${r.exitCode}:\n${r.stdout.slice(-2000)}`);
    const perTick = CORTEX_M55.counter.instructionsPerTick;
    const run = /^HSQ_RUN 0 0 0 (\d+)$/m.exec(r.stdout);
    if (!run) throw new Error(`the profiled M55 program printed no run line:\n${r.stdout.slice(-2000)}`);
    const ticks = new Map<number, number>();
    for (const t of r.stdout.matchAll(/^HSQ_PROFILE 0 0 (\d+) (\d+)$/gm)) ticks.set(Number(t[1]), Number(t[2]));
    const model = prog.models[0];
    const L = model.profile.length;
    const seg = (k: number) => r.segments.find((s) => s.run === 0 && s.seg === k);
    if (!seg(2 * L + 1)) throw new Error(`block counter: ${r.segments.length} segments for ${L} profiled layers`);
    let instructions = 0;
    let estCycles = 0;
    for (let k = 1; k <= 2 * L + 1; k++) {
      instructions += seg(k)!.instructions;
      estCycles += seg(k)!.cycles;
    }
    const gen = new Map(model.layers.filter((l) => l.kernel === 'generated').map((l) => [l.node, l]));
    const layers = model.profile.map((p, k): LayerEstimate => {
      const s = seg(2 * k + 2)!;
      const kl = gen.get(p.name);
      return {
        name: p.name, op: p.op, profileInstructions: (ticks.get(k) ?? NaN) * perTick, instructions: s.instructions, estCycles: Math.round(s.cycles),
        ...(kl ? { kernel: { fn: kl.fn!, kind: kl.kind, precision: kl.precision, macs: kl.macs, ...(kl.macs ? { estCyclesPerMac: Number((s.cycles / kl.macs).toFixed(4)) } : {}) } } : {}),
      };
    });
    return { instructions, estCycles: Math.round(estCycles), profileInstructions: Number(run[1]) * perTick, layers };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
