// Calibration images: PNG (pngjs) and JPEG (jpeg-js), pure JS. Pixels become float32 in [0, 1],
// are resized bilinearly (half-pixel centres, as ONNX Resize's default), normalised with
// (x - mean) / std per channel and laid out NCHW or NHWC with a batch dimension of 1.
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { fail } from '../core/diagnostics';
import { Tensor, makeTensor } from '../core/ir/tensor';

export interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, 8 bits a channel, row-major. */
  readonly rgba: Uint8Array;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47];

export function isImageFile(file: string): boolean {
  return /\.(png|jpe?g)$/i.test(file);
}

/** Decode PNG or JPEG bytes (by content, not name); `file` names it in errors. */
export function decodeImage(bytes: Uint8Array, file: string): Image {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (PNG_SIG.every((b, i) => buf[i] === b)) {
      const p = PNG.sync.read(buf);
      return { width: p.width, height: p.height, rgba: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength) };
    }
    if (buf[0] === 0xff && buf[1] === 0xd8) {
      const j = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: j.width, height: j.height, rgba: j.data as Uint8Array };
    }
  } catch (e) {
    fail('bad-input', `${file}: cannot decode image (${(e as Error).message})`, file);
  }
  return fail('bad-input', `${file}: not a PNG or JPEG image`, file);
}

/** Bilinear resize of `channels`-channel float planes (interleaved HWC), half-pixel centres. */
export function resizeBilinear(src: Float32Array, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow * c);
  const sy = h / oh, sx = w / ow;
  for (let y = 0; y < oh; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), dy = fy - y0;
    for (let x = 0; x < ow; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), dx = fx - x0;
      for (let k = 0; k < c; k++) {
        const a = src[(y0 * w + x0) * c + k], b = src[(y0 * w + x1) * c + k];
        const d = src[(y1 * w + x0) * c + k], e = src[(y1 * w + x1) * c + k];
        out[(y * ow + x) * c + k] = (a * (1 - dx) + b * dx) * (1 - dy) + (d * (1 - dx) + e * dx) * dy;
      }
    }
  }
  return out;
}

export interface ImageTensorOptions {
  /** Output [height, width]; default the image's own size. */
  readonly resize?: readonly [number, number];
  /** Per channel (or one value for all), in [0, 1] pixel units. Default 0. */
  readonly mean?: readonly number[];
  /** Per channel (or one value for all). Default 1. */
  readonly std?: readonly number[];
  readonly layout?: 'nchw' | 'nhwc';
  /** 1 (luma), 3 (RGB) or 4 (RGBA). Default 3. */
  readonly channels?: number;
}

/** An image as a float32 tensor [1, C, H, W] (nchw) or [1, H, W, C] (nhwc). */
export function imageToTensor(img: Image, opts: ImageTensorOptions = {}, file = 'image'): Tensor {
  const c = opts.channels ?? 3;
  if (![1, 3, 4].includes(c)) fail('bad-input', `${file}: the model wants ${c} channels; images give 1, 3 or 4`, file);
  const n = img.width * img.height;
  const planes = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const r = img.rgba[4 * i], g = img.rgba[4 * i + 1], b = img.rgba[4 * i + 2], a = img.rgba[4 * i + 3];
    if (c === 1) planes[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else {
      planes[i * c] = r / 255; planes[i * c + 1] = g / 255; planes[i * c + 2] = b / 255;
      if (c === 4) planes[i * c + 3] = a / 255;
    }
  }
  const [oh, ow] = opts.resize ?? [img.height, img.width];
  const px = oh === img.height && ow === img.width ? planes : resizeBilinear(planes, img.height, img.width, c, oh, ow);
  const per = (v: readonly number[] | undefined, def: number, what: string) => {
    if (!v || v.length === 0) return new Array(c).fill(def);
    if (v.length === 1) return new Array(c).fill(v[0]);
    if (v.length !== c) fail('bad-input', `--${what} has ${v.length} values, the model's input has ${c} channels`, `--${what}`);
    return [...v];
  };
  const mean = per(opts.mean, 0, 'mean'), std = per(opts.std, 1, 'std');
  if (std.some((s) => !(s > 0))) fail('bad-input', '--std values must be > 0', '--std');
  const nhwc = opts.layout === 'nhwc';
  const out = new Float32Array(oh * ow * c);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let k = 0; k < c; k++) {
    const v = Math.fround((px[(y * ow + x) * c + k] - mean[k]) / std[k]);
    out[nhwc ? (y * ow + x) * c + k : (k * oh + y) * ow + x] = v;
  }
  return makeTensor('float32', nhwc ? [1, oh, ow, c] : [1, c, oh, ow], out);
}
