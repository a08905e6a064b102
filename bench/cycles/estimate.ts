// Estimated Cortex-M55 cycles of marked regions of a program: every block QEMU executed inside
// a region (counted by plugin.c), costed by llvm-mca-19 (mca.ts), weighted by its execution
// count, plus the branches: LE/LETP free, other taken branches 2 cycles, not-taken 1. Memory is
// taken as zero-wait TCM (llvm-mca's load latencies, no cache or bus model). bench/README.md
// lists the assumptions.
import { blockCosts, disassemble, type BlockCost } from './mca';
import { runCountingBlocks, type Markers, type Segment } from './blocks';

/** Cycles charged for a block's final branch. */
export const BRANCH_CYCLES = { loop: 0, taken: 2, notTaken: 1 } as const;

export interface FunctionShare {
  readonly instructions: number;
  readonly cycles: number;
}

export interface SegmentEstimate {
  readonly run: number;
  readonly seg: number;
  /** Executed instructions (exact, from the block counts). */
  readonly instructions: number;
  readonly cycles: number;
  /** Per function of the ELF (where the blocks start). */
  readonly byFunction: Record<string, FunctionShare>;
}

function branchCycles(c: BlockCost, count: number, taken: number): number {
  switch (c.exit) {
    case 'loop':
      return BRANCH_CYCLES.loop * count;
    case 'branch':
      return BRANCH_CYCLES.taken * count;
    case 'conditional':
      return BRANCH_CYCLES.taken * taken + BRANCH_CYCLES.notTaken * (count - taken);
    case 'fallthrough':
      return 0;
  }
}

/** Estimates of counted segments of `elf`. */
export function estimateSegments(elf: string, segments: readonly Segment[]): SegmentEstimate[] {
  const costs = blockCosts(disassemble(elf), segments.flatMap((s) => s.blocks));
  return segments.map((s) => {
    let instructions = 0;
    let cycles = 0;
    const byFunction: Record<string, { instructions: number; cycles: number }> = {};
    for (const b of s.blocks) {
      const c = costs.get(`${b.start}:${b.bytes}`)!;
      const cyc = c.cycles * b.count + branchCycles(c, b.count, b.taken);
      instructions += b.insns * b.count;
      cycles += cyc;
      const f = (byFunction[c.fn] ??= { instructions: 0, cycles: 0 });
      f.instructions += b.insns * b.count;
      f.cycles += cyc;
    }
    return { run: s.run, seg: s.seg, instructions, cycles, byFunction };
  });
}

export interface ProgramEstimate {
  readonly segments: SegmentEstimate[];
  readonly stdout: string;
  readonly exitCode: number | null;
}

/** Run `elf` in QEMU with the block counter and estimate every segment. */
export function estimateProgram(elf: string, markers: Markers, cwd: string, timeoutMs: number): ProgramEstimate {
  const r = runCountingBlocks(elf, markers, cwd, timeoutMs);
  return { segments: estimateSegments(elf, r.segments), stdout: r.stdout, exitCode: r.exitCode };
}
