// Reading user-given input tensors and writing outputs (ONNX test-data `.pb` or `.npy`).
import * as fs from 'fs';
import * as path from 'path';
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { fail } from '../core/diagnostics';
import { encodeTensorProto, readTensorFile } from './onnx/tensor-proto';
import { decodeNpy, encodeNpy } from './npy';

export function readTensorAny(file: string): Tensor {
  if (file.endsWith('.npy')) {
    let bytes: Buffer;
    try { bytes = fs.readFileSync(file); } catch { fail('bad-input', `cannot read input file '${file}'`, file); }
    return decodeNpy(bytes, file);
  }
  const { name: _n, ...t } = readTensorFile(file);
  return t;
}

/** `NAME=1,3,224,224` (repeatable) → map. */
export function parseInputShapes(specs: readonly string[] | undefined): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of specs ?? []) {
    const m = /^(.+)=([0-9]+(?:,[0-9]+)*)$/.exec(s);
    if (!m) fail('bad-input', `--input-shape '${s}': expected NAME=1,3,224,224`, '--input-shape');
    out[m[1]] = m[2].split(',').map(Number);
  }
  return out;
}

export interface InputSources {
  /** Folder with input_K.pb (or input_K.npy) for the graph inputs, in order. */
  dir?: string;
  /** NAME=FILE pairs (.pb or .npy). */
  files?: readonly string[];
}

/**
 * Input tensors for a model's runtime inputs, by name. `inputNames` are the graph's inputs in
 * order (initializer inputs already excluded by the importer).
 */
export function readInputs(inputNames: readonly string[], src: InputSources): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  if (src.dir) {
    if (!fs.existsSync(src.dir) || !fs.statSync(src.dir).isDirectory()) fail('bad-input', `--inputs '${src.dir}' is not a folder`, src.dir);
    inputNames.forEach((name, k) => {
      const pb = path.join(src.dir!, `input_${k}.pb`);
      const npy = path.join(src.dir!, `input_${k}.npy`);
      if (fs.existsSync(pb)) out[name] = readTensorAny(pb);
      else if (fs.existsSync(npy)) out[name] = readTensorAny(npy);
    });
  }
  for (const spec of src.files ?? []) {
    const i = spec.indexOf('=');
    if (i <= 0) fail('bad-input', `--input '${spec}': expected NAME=FILE`, '--input');
    const name = spec.slice(0, i);
    if (!inputNames.includes(name)) fail('bad-input', `--input names '${name}', which is not a graph input (inputs: ${inputNames.join(', ')})`, name);
    out[name] = readTensorAny(spec.slice(i + 1));
  }
  const missing = inputNames.filter((n) => !(n in out));
  if (missing.length > 0)
    fail('bad-input', `no data for input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (give --inputs DIR with input_K.pb, or --input NAME=FILE)`, missing[0]);
  return out;
}

/** Check given tensors against the graph's input infos; names the input on mismatch. */
export function checkInputs(g: Graph, inputs: Record<string, Tensor>): void {
  for (const name of g.inputs) {
    const info = g.tensors[name];
    const t = inputs[name];
    if (!t) fail('bad-input', `no data for input '${name}'`, name);
    if (t.dtype !== info.dtype) fail('bad-input', `input '${name}' is ${t.dtype}, the model expects ${info.dtype}`, name);
    const ok = t.shape.length === info.shape.length && t.shape.every((d, i) => info.shape[i] < 0 || info.shape[i] === d);
    if (!ok) fail('bad-input', `input '${name}' has shape [${t.shape.join(',')}], the model expects [${info.shape.map((d) => (d < 0 ? '?' : d)).join(',')}]`, name);
  }
}

/** Shapes of dynamic inputs taken from the given data, so `hsq run` needs no --input-shape. */
export function shapesFromData(g: Graph, inputs: Record<string, Tensor>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of g.inputs) if (g.tensors[name].shape.some((d) => d < 0) && inputs[name]) out[name] = [...inputs[name].shape];
  return out;
}

export type OutputFormat = 'pb' | 'npy';

export function encodeOutputs(outputNames: readonly string[], outputs: Record<string, Tensor>, format: OutputFormat): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  outputNames.forEach((name, k) => {
    const t = outputs[name];
    files[`output_${k}.${format}`] = format === 'npy' ? encodeNpy(t) : encodeTensorProto(t, name);
  });
  return files;
}
