// Seeded test inputs as hsq Tensor values (the IR's value type; no importer involved).
import { Tensor } from '../../core/ir/tensor';
import { Rng } from './prng';

/** A float32 tensor of uniform values in [lo, hi) from a seeded stream (mulberry32). */
export function randomInput(shape: readonly number[], seed: number, lo = 0, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape: [...shape], data: new Rng(seed).fillUniform(new Float32Array(n), lo, hi) };
}
