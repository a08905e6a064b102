// The error the Cortex-M55 kernel generators throw for a layer they cannot take (bad shapes,
// weights that no storage holds): the emitter falls back to the portable kernels on it.
export class KernelDescError extends Error {}

/** A per-tensor or per-channel parameter as n per-channel values. */
export function perChannel(v: number | ArrayLike<number>, n: number, layer: string, key: string): number[] {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (v.length !== n && v.length !== 1) throw new KernelDescError(`layer '${layer}': ${key} has ${v.length} values, expected 1 or ${n}`);
  return Array.from({ length: n }, (_, i) => v[v.length === 1 ? 0 : i]);
}
