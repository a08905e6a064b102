// Seeded synthetic images with natural-image statistics, for calibrating and evaluating image
// models when no real images of their domain are at hand (shared/ has no faces or text
// scenes): each channel is a sum of bilinearly upsampled uniform noise octaves with amplitude
// halving per octave (a roughly 1/f spectrum, as natural images have), a shared luminance
// component plus per-channel colour, and a few hard-edged rectangles; values in [0, 1].
import { mulberry32 } from '../core/random-inputs';

function octave(r: () => number, size: number, h: number, w: number): Float32Array {
  const g = Float32Array.from({ length: (size + 1) * (size + 1) }, () => r());
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const fy = (y / h) * size, y0 = Math.floor(fy), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = (x / w) * size, x0 = Math.floor(fx), tx = fx - x0;
      const a = g[y0 * (size + 1) + x0], b = g[y0 * (size + 1) + x0 + 1];
      const c = g[(y0 + 1) * (size + 1) + x0], d = g[(y0 + 1) * (size + 1) + x0 + 1];
      out[y * w + x] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return out;
}

function noise(r: () => number, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w);
  let amp = 1, total = 0;
  for (let size = 2; size <= Math.max(h, w) / 2; size *= 2, amp /= 2) {
    const o = octave(r, size, h, w);
    for (let i = 0; i < out.length; i++) out[i] += amp * o[i];
    total += amp;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/** `count` images, channels-first [c, h, w] each, values in [0, 1]. */
export function naturalImages(count: number, c: number, h: number, w: number, seed: number): Float32Array[] {
  const r = mulberry32(seed);
  const out: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const lum = noise(r, h, w);
    const img = new Float32Array(c * h * w);
    for (let ch = 0; ch < c; ch++) {
      const col = noise(r, h, w);
      for (let i = 0; i < h * w; i++) img[ch * h * w + i] = 0.75 * lum[i] + 0.25 * col[i];
    }
    for (let q = 0; q < 4; q++) {
      const y0 = Math.floor(r() * h), x0 = Math.floor(r() * w);
      const y1 = Math.min(h, y0 + 4 + Math.floor(r() * h / 3)), x1 = Math.min(w, x0 + 4 + Math.floor(r() * w / 3));
      const v = Array.from({ length: c }, () => r());
      for (let ch = 0; ch < c; ch++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img[ch * h * w + y * w + x] = v[ch];
    }
    // Stretch each image's contrast to [0, 1].
    let lo = Infinity, hi = -Infinity;
    for (const v of img) { if (v < lo) lo = v; if (v > hi) hi = v; }
    for (let i = 0; i < img.length; i++) img[i] = Math.fround((img[i] - lo) / (hi - lo || 1));
    out.push(img);
  }
  return out;
}
