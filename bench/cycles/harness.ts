// The kernel harness (targets/cortex-m55/harness.ts) run once under the block counter: each
// kernel call is one region, so one QEMU run gives every kernel's outputs, its SysTick
// instruction count and its estimated cycles.
import { buildKernelHarness, readHarnessResult, REGION_MARKERS, type HarnessCase, type HarnessOptions, type HarnessResult } from '../../targets/cortex-m55/harness';
import { symbolAddresses } from './blocks';
import { estimateProgram, type SegmentEstimate } from './estimate';

export interface EstimatedHarnessResult extends HarnessResult {
  /** One estimate per case, in order. */
  readonly estimates: SegmentEstimate[];
}

export function runKernelsWithEstimate(cases: HarnessCase[], o: HarnessOptions): EstimatedHarnessResult {
  const elf = buildKernelHarness(cases, o);
  const m = symbolAddresses(elf, [REGION_MARKERS.begin, REGION_MARKERS.end]);
  const r = estimateProgram(elf, { begin: m[REGION_MARKERS.begin], end: m[REGION_MARKERS.end] }, o.dir, o.timeoutMs ?? 300000);
  const res = readHarnessResult(cases, o.dir, elf, r.stdout, r.exitCode);
  const estimates = cases.map((_, i) => {
    const e = r.segments.find((s) => s.run === i && s.seg === 0);
    if (!e) throw new Error(`block counter: no region for case ${i}`);
    return e;
  });
  return { ...res, estimates };
}
