// Signal-to-quantization-noise ratio accumulated over several tensors (outputs and samples):
// 10·log10(Σ ref² / Σ (ref - test)²).
import { Tensor } from '../core/ir/tensor';

export class Sqnr {
  sig = 0;
  noise = 0;
  add(ref: Tensor, test: Tensor): void {
    const a = ref.data as Float32Array, b = test.data as Float32Array;
    for (let i = 0; i < a.length; i++) { this.sig += a[i] * a[i]; const d = a[i] - b[i]; this.noise += d * d; }
  }
  db(): number {
    return this.noise === 0 ? Infinity : this.sig === 0 ? -Infinity : 10 * Math.log10(this.sig / this.noise);
  }
}
