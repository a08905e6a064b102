// The report fields of a whole model emitted as one C model (host, cortex-m55): one arena the
// caller passes, one weights section, every layer on the CPU.
import type { CpuKernelReport, PlacedGraph, ReportFields } from '../target';
import type { EmittedC } from './emit-model';

/** `extra`: bytes outside the blob (generated kernels' arrays) by node, and what computes which node. */
export function wholeModelFields(placed: PlacedGraph, e: EmittedC, section: string, extra: {
  readonly arrayBytesByNode?: Readonly<Record<string, number>>;
  readonly kernels?: readonly CpuKernelReport[];
  readonly stackUsage?: string;
} = {}): ReportFields {
  const arrays = Object.values(extra.arrayBytesByNode ?? {}).reduce((a, b) => a + b, 0);
  const total = e.weightsSize + arrays;
  const byNode: Record<string, number> = { ...e.weightBytesByNode };
  for (const [n, b] of Object.entries(extra.arrayBytesByNode ?? {})) byNode[n] = (byNode[n] ?? 0) + b;
  return {
    segments: placed.segments,
    arena: { bytes: e.arenaSize, lowerBound: e.arenaLowerBound },
    flash: { total, byDevice: { npu: 0, cpu: total }, byMemory: { [section]: total }, byNode },
    pools: [
      { name: 'arena', base: null, size: e.arenaSize, used: e.arenaSize, kind: 'ram', device: 'cpu' },
      { name: section, base: null, size: total, used: total, kind: 'flash', device: 'cpu' },
    ],
    ...(extra.kernels ? { kernels: extra.kernels } : {}),
    ...(extra.stackUsage !== undefined ? { stackUsage: extra.stackUsage } : {}),
  };
}
