// Seeded random inputs for `hsq verify --random N --seed S`: floats uniform in [0, 1) (the range
// of a normalised image), integers uniform over their dtype's range.
import { Graph } from './ir/graph';
import { Tensor, makeTensor, numel } from './ir/tensor';
import { intRange, isFloat } from './ir/dtype';

/** mulberry32: a small, well-known 32-bit PRNG; the same seed gives the same inputs everywhere. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInputs(g: Graph, seed: number): Record<string, Tensor> {
  const r = mulberry32(seed);
  const out: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const info = g.tensors[name];
    const n = numel(info.shape);
    const t = makeTensor(info.dtype, info.shape);
    if (isFloat(info.dtype)) for (let i = 0; i < n; i++) (t.data as Float32Array)[i] = Math.fround(r());
    else if (info.dtype === 'int64') for (let i = 0; i < n; i++) (t.data as BigInt64Array)[i] = BigInt(Math.floor(r() * 256) - 128);
    else {
      const [lo, hi] = intRange(info.dtype);
      for (let i = 0; i < n; i++) (t.data as Int32Array)[i] = lo + Math.floor(r() * (hi - lo + 1));
    }
    out[name] = t;
  }
  return out;
}
