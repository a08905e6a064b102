// Calibration samples: `random` (uniform [0, 1), seeded, with a loud warning), one .npy file
// holding many samples along its first dimension, or a folder.
//
// One .npy (models with one input): shape [S, ...] where [1, ...] (or [...]) is the input's
// shape gives S samples; a tensor of exactly the input's shape is one sample.
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
import { parseSampleSelection, selectSamples } from './calib-select';

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
  /** Which samples (calib-select.ts); for `random` N or random:N is the count drawn. */
  readonly samples?: string;
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
  t = toInputType(t, info.dtype, input, file);
  const want = info.shape;
  const ok = (s: readonly number[]) => s.length === want.length && s.every((d, i) => want[i] < 0 || d === want[i]);
  if (!ok(t.shape)) {
    if (want[0] === 1 && ok([1, ...t.shape])) t = { ...t, shape: [1, ...t.shape] };
    else fail('bad-input', `${file}: shape [${t.shape}] does not fit input '${input}' [${want}]`, file);
  }
  return t;
}

function toInputType(t: Tensor, dtype: Tensor['dtype'], input: string, file: string): Tensor {
  if (t.dtype === dtype) return t;
  if (isFloat(dtype) && t.dtype === 'float64') return { dtype: 'float32', shape: t.shape, data: Float32Array.from(t.data as Float64Array) };
  return fail('bad-input', `${file}: ${t.dtype} tensor for input '${input}' of type ${dtype}`, file);
}

/** Samples stacked along the first dimension of one .npy (see the file comment). */
export function loadCalibrationNpy(g: Graph, file: string, opts: CalibDataOptions = {}): Sample[] {
  const inputs = runtimeInputs(g);
  if (inputs.length !== 1) fail('bad-input', `--calib ${file}: the model has ${inputs.length} inputs; one .npy calibrates a single-input model (use a folder with a sub-folder per sample)`, file);
  const name = inputs[0];
  const want = g.tensors[name].shape;
  let bytes: Buffer;
  try { bytes = fs.readFileSync(file); } catch { fail('bad-input', `--calib: cannot read '${file}'`, file); }
  const t = toInputType(decodeNpy(bytes, file), g.tensors[name].dtype, name, file);
  const fits = (s: readonly number[]) => s.length === want.length && s.every((d, i) => want[i] < 0 || d === want[i]);
  let rows: number, sampleShape: number[];
  if (want[0] === 1 && t.shape.length === want.length && fits([1, ...t.shape.slice(1)])) { rows = t.shape[0]; sampleShape = [1, ...t.shape.slice(1)]; }
  else if (want[0] === 1 && fits([1, ...t.shape])) { rows = 1; sampleShape = [1, ...t.shape]; }
  else if (fits(t.shape)) { rows = 1; sampleShape = [...t.shape]; }
  else return fail('bad-input', `--calib ${file}: shape [${t.shape}] is neither samples of input '${name}' [${want}] along the first dimension nor one sample`, file);
  const per = numel(sampleShape);
  return selectSamples(rows, opts.samples, opts.seed ?? 0, file).map((k) => ({
    [name]: { dtype: t.dtype, shape: sampleShape, data: t.data.slice(k * per, (k + 1) * per) } as Tensor,
  }));
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
  const pick = <T>(xs: T[]): T[] => (opts.samples === undefined ? xs : selectSamples(xs.length, opts.samples, opts.seed ?? 0, `'${dir}'`).map((k) => xs[k]));
  const subdirs = entries.filter((e) => e.isDirectory());
  if (subdirs.length > 0) {
    for (const d of pick(subdirs)) {
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
    for (const e of pick(entries.filter((x) => x.isFile() && usable(x.name)))) {
      samples.push({ [inputs[0]]: readSampleFile(g, inputs[0], path.join(dir, e.name), opts) });
      if (opts.limit && samples.length >= opts.limit) break;
    }
  }
  if (samples.length === 0) fail('bad-input', `--calib: folder '${dir}' holds no .npy, .pb, .png or .jpg samples`, dir);
  return samples;
}

/** How many samples `--calib random` draws: --calib-samples N or random:N, else randomSamples, else 1. */
function randomCount(opts: CalibDataOptions): number {
  if (opts.samples === undefined) return opts.randomSamples ?? 1;
  const sel = parseSampleSelection(opts.samples);
  if (sel.kind === 'slice') fail('bad-input', `--calib-samples ${opts.samples}: --calib random takes a count (N or random:N), not a slice`, '--calib-samples');
  return sel.count!;
}

/** `--calib random`, `--calib FILE.npy` or `--calib DIR`. */
export function loadCalibration(g: Graph, spec: string, opts: CalibDataOptions = {}): Sample[] {
  if (spec === 'random') return randomCalibration(g, opts.seed ?? 0, randomCount(opts));
  if (/\.npy$/i.test(spec) && !isDirectory(spec)) return loadCalibrationNpy(g, spec, opts);
  return loadCalibrationDir(g, spec, opts);
}

function isDirectory(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}
