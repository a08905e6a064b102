// Per-kernel cycle coefficients for a cost model: estimated Cortex-M55 cycles per MAC of each
// (path, precision, layer kind), from the bench rows (MAC-weighted over the shapes of a kind).
// A cost model reads coefficients[path][precision][kind] and multiplies by the layer's MACs.
import type { KernelBenchRow } from './kernels';

export type LayerKind = 'conv' | 'pointwise' | 'fc';

export function kindOf(layer: string): LayerKind {
  if (layer.startsWith('fc_')) return 'fc';
  return /^conv1x1_/.test(layer) ? 'pointwise' : 'conv';
}

export function coefficients(rows: readonly KernelBenchRow[]) {
  const out: Record<string, Record<string, Record<string, { cyclesPerMac: number; instrPerMac: number; shapes: string[] }>>> = {};
  const acc = new Map<string, { cyc: number; ins: number; macs: number; shapes: string[] }>();
  for (const r of rows) {
    const key = `${r.path}|${r.precision}|${kindOf(r.layer)}`;
    const a = acc.get(key) ?? { cyc: 0, ins: 0, macs: 0, shapes: [] };
    a.cyc += r.estCycles;
    a.ins += r.instructions;
    a.macs += r.macs;
    a.shapes.push(r.layer);
    acc.set(key, a);
  }
  for (const [key, a] of acc) {
    const [p, prec, kind] = key.split('|');
    ((out[p] ??= {})[prec] ??= {})[kind] = { cyclesPerMac: Number((a.cyc / a.macs).toFixed(4)), instrPerMac: Number((a.ins / a.macs).toFixed(4)), shapes: a.shapes };
  }
  return {
    unit: 'estimated Cortex-M55 cycles per MAC (and executed instructions per MAC), MAC-weighted over the bench shapes of each kind',
    kinds: { conv: 'k x k convolution, k > 1 (NHWC, stride 1 in the bench)', pointwise: '1 x 1 convolution', fc: 'fully connected (one pixel)' },
    use: 'cycles = coefficients[path][precision][kind].cyclesPerMac x MACs; path mve (Helium build) or scalar (-mcpu=cortex-m55+nomve)',
    ...out,
  };
}
