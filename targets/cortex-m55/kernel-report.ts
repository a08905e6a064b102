// What computes each node of an emitted Cortex-M55 model, for the report: the QConv/QGemm
// layers (generated kernel or portable, and why) and the non-MAC layers generated kernels took.
import type { CpuKernelReport } from '../target';
import type { M55Emitted } from './emit';

export function m55Kernels(e: Pick<M55Emitted, 'layers' | 'ops'>): CpuKernelReport[] {
  return [
    ...e.layers.map((l): CpuKernelReport => ({
      node: l.node, op: l.op, kernel: l.kernel,
      ...(l.fn ? { fn: l.fn } : {}), ...(l.kind ? { kind: l.kind } : {}), ...(l.precision ? { precision: l.precision } : {}),
      ...(l.macs !== undefined ? { macs: l.macs } : {}), ...(l.reason ? { reason: l.reason } : {}),
    })),
    ...e.ops.map((o): CpuKernelReport => ({ node: o.node, op: o.op, kernel: 'generated', fn: o.fn, kind: o.kind, path: o.path, ...(o.reason ? { reason: o.reason } : {}) })),
  ];
}
