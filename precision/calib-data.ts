// Calibration samples: `random` (uniform [0, 1), seeded, with a loud warning) or a folder.
//
// Folder layouts:
// - one input: every .npy / .pb / .png / .jpg / .jpeg file at the top level is one sample;
// - any number of inputs: every sub-folder is one sample (e.g. ONNX's test_data_set_N), holding
//   one file per input named after the input (`NAME.npy`, `NAME.pb`, `NAME.png`) or, in ONNX's
//   convention, `input_K.pb` in input order.
// A tensor may omit the batch dimension of 1. Files are taken in sorted order.
import * as fs from 'fs';
import * as path from 'path';
import { fail, warn } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { Tensor, numel } from '../core/ir/tensor';
import { isFloat } from '../core/ir/dtype';
import { decodeNpy } from '../frontend/npy';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { mulberry32 } from '../core/random-inputs';
import { decodeImage, imageToTensor, isImageFile } from '../frontend/image-decode';

export type Sample = Record<string, Tensor>;

export interface CalibDataOptions {
  /** --calib-seed (default 0) for `random`. */
  readonly seed?: number;
  /** Samples drawn for `random` (default 1). */
  readonly randomSamples?: number;
  readonly resize?: readonly [number, number];
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** Image layout; default from the input shape (channels of 1/3/4 at dim 1 → nchw, else nhwc). */
  readonly layout?: 'nchw' | 'nhwc';
  /** At most this many samples from a folder (default all). */
  readonly limit?: number;
}

function runtimeInputs(g: Graph): string[] {
  return g.inputs.filter((i) => !(i in g.initializers));
}

/** Seeded uniform [0, 1) samples for float inputs (integers uniform over their range). */
export function randomCalibration(g: Graph, seed = 0, count = 1): Sample[] {
  warn(`--calib random: calibrating on ${count} random input${count > 1 ? 's' : ''} (uniform [0, 1), seed ${seed}). `
    + 'Activation ranges will not match real data: use this for shape and size trials only, never to measure accuracy.');
  const r = mulberry32(seed);
  const out: Sample[] = [];
  for (let k = 0; k < count; k++) {
    const s: Sample = {};
    for (const name of runtimeInputs(g)) {
      const info = g.tensors[name];
      if (info.shape.some((d) => d < 0)) fail('bad-shape', `input '${name}' has a dynamic shape; fix it with --input-shape`, name);
      if (!isFloat(info.dtype)) fail('bad-input', `--calib random: input '${name}' is ${info.dtype}; random calibration draws float inputs only`, name);
      const d = new Float32Array(numel(info.shape));
      for (let i = 0; i < d.length; i++) d[i] = Math.fround(r());
      s[name] = { dtype: 'float32', shape: [...info.shape], data: d };
    }
    out.push(s);
  }
  return out;
}

const TENSOR_EXT = /\.(npy|pb)$/i;

function imageLayout(shape: readonly number[], given?: 'nchw' | 'nhwc'): 'nchw' | 'nhwc' {
  if (given) return given;
  return shape.length === 4 && [1, 3, 4].includes(shape[1]) ? 'nchw' : 'nhwc';
}

function readSampleFile(g: Graph, input: string, file: string, opts: CalibDataOptions): Tensor {
  const info = g.tensors[input];
  let t: Tensor;
  if (isImageFile(file)) {
    if (info.shape.length !== 4) fail('bad-input', `${file}: an image needs a 4-D input, '${input}' has shape [${info.shape}]`, file);
    const layout = imageLayout(info.shape, opts.layout);
    const [c, h, w] = layout === 'nchw' ? [info.shape[1], info.shape[2], info.shape[3]] : [info.shape[3], info.shape[1], info.shape[2]];
    const img = decodeImage(fs.readFileSync(file), file);
    const resize = opts.resize ?? ([h, w] as [number, number]);
    t = imageToTensor(img, { resize, mean: opts.mean, std: opts.std, layout, channels: c }, file);
  } else if (/\.npy$/i.test(file)) t = decodeNpy(fs.readFileSync(file), file);
  else t = readTensorFile(file);
  if (t.dtype !== info.dtype) {
    if (isFloat(info.dtype) && t.dtype === 'float64') t = { dtype: 'float32', shape: t.shape, data: Float32Array.from(t.data as Float64Array) };
    else fail('bad-input', `${file}: ${t.dtype} tensor for input '${input}' of type ${info.dtype}`, file);
  }
  const want = info.shape;
  const ok = (s: readonly number[]) => s.length === want.length && s.every((d, i) => want[i] < 0 || d === want[i]);
  if (!ok(t.shape)) {
    if (want[0] === 1 && ok([1, ...t.shape])) t = { ...t, shape: [1, ...t.shape] };
    else fail('bad-input', `${file}: shape [${t.shape}] does not fit input '${input}' [${want}]`, file);
  }
  return t;
}

/** Samples from a folder (see the layouts above). */
export function loadCalibrationDir(g: Graph, dir: string, opts: CalibDataOptions = {}): Sample[] {
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch {
    fail('bad-input', `--calib: cannot read folder '${dir}'`, dir);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inputs = runtimeInputs(g);
  const usable = (n: string) => TENSOR_EXT.test(n) || isImageFile(n);
  const samples: Sample[] = [];
  const subdirs = entries.filter((e) => e.isDirectory());
  if (subdirs.length > 0) {
    for (const d of subdirs) {
      const sub = path.join(dir, d.name);
      const files = fs.readdirSync(sub).filter(usable).sort();
      const s: Sample = {};
      inputs.forEach((name, k) => {
        const stem = (f: string) => f.replace(/\.[^.]+$/, '');
        const f = files.find((x) => stem(x) === name) ?? files.find((x) => stem(x) === `input_${k}`) ?? (inputs.length === 1 && files.length === 1 ? files[0] : undefined);
        if (!f) fail('bad-input', `--calib: sample folder '${sub}' has no file for input '${name}' (${name}.npy, ${name}.pb or input_${k}.pb)`, sub);
        s[name] = readSampleFile(g, name, path.join(sub, f), opts);
      });
      samples.push(s);
      if (opts.limit && samples.length >= opts.limit) break;
    }
  } else {
    if (inputs.length !== 1) fail('bad-input', `--calib: the model has ${inputs.length} inputs; put each sample in its own sub-folder of '${dir}' with one file per input`, dir);
    for (const e of entries) {
      if (!e.isFile() || !usable(e.name)) continue;
      samples.push({ [inputs[0]]: readSampleFile(g, inputs[0], path.join(dir, e.name), opts) });
      if (opts.limit && samples.length >= opts.limit) break;
    }
  }
  if (samples.length === 0) fail('bad-input', `--calib: folder '${dir}' holds no .npy, .pb, .png or .jpg samples`, dir);
  return samples;
}

/** `--calib random` or `--calib DIR`. */
export function loadCalibration(g: Graph, spec: string, opts: CalibDataOptions = {}): Sample[] {
  if (spec === 'random') return randomCalibration(g, opts.seed ?? 0, opts.randomSamples ?? 1);
  return loadCalibrationDir(g, spec, opts);
}
