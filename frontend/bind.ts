// `--bind NAME=VALUE|FILE.npy` (config `bind`): a graph input becomes a compile-time constant,
// so an `If` it drives folds (frontend/onnx/fold-if.ts) and everything computed from it is
// constant-folded. VALUE is a number or a comma list in the input's declared dtype and shape (a
// single number for a rank-0 input); FILE.npy must match the declared dtype and shape. The
// bound input leaves the graph's inputs (so the generated NAME_run and header no longer take it).
import * as fs from 'fs';
import * as path from 'path';
import { isFloat } from '../core/ir/dtype';
import { fail } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { decodeNpy } from './npy';

/** NAME → VALUE or file (relative paths against `baseDir`). */
export type BindSpec = Readonly<Record<string, string | number | readonly number[]>>;

/** `NAME=VALUE` strings (the CLI form) as a BindSpec; the key names the offending flag. */
export function parseBindFlags(flags: readonly string[] | undefined, key = '--bind'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0 || eq === f.length - 1) fail('bad-input', `${key} '${f}': expected NAME=VALUE or NAME=FILE.npy`, key);
    out[f.slice(0, eq)] = f.slice(eq + 1);
  }
  return out;
}

function valueOf(g: Graph, name: string, v: string | number | readonly number[], baseDir: string | undefined, key: string): Tensor {
  const info = g.tensors[name];
  const n = numel(info.shape);
  if (typeof v === 'string' && /\.npy$/i.test(v)) {
    const file = baseDir && !path.isAbsolute(v) ? path.join(baseDir, v) : v;
    let bytes: Buffer;
    try { bytes = fs.readFileSync(file); } catch { return fail('bad-input', `${key} ${name}: cannot read '${file}'`, key); }
    const t = decodeNpy(bytes, file);
    if (t.dtype !== info.dtype) fail('bad-input', `${key} ${name}: ${file} holds ${t.dtype}, the input is ${info.dtype}`, key);
    if (t.shape.join(',') !== info.shape.join(',')) fail('bad-input', `${key} ${name}: ${file} has shape [${t.shape}], the input [${info.shape}]`, key);
    return t;
  }
  const parts = typeof v === 'number' ? [String(v)] : Array.isArray(v) ? v.map(String) : String(v).split(',').map((s) => s.trim());
  const nums = parts.map((p) => Number(p));
  if (parts.some((p) => p === '') || nums.some((x) => Number.isNaN(x) && !/^nan$/i.test(parts[nums.indexOf(x)])))
    fail('bad-input', `${key} ${name}: '${parts.join(',')}' is not a number or a comma list of numbers`, key);
  if (nums.length !== n) fail('bad-input', `${key} ${name}: ${nums.length} value${nums.length === 1 ? '' : 's'} given, the input [${info.shape}] (${info.dtype}) takes ${n}`, key);
  if (!isFloat(info.dtype) && nums.some((x) => !Number.isInteger(x))) fail('bad-input', `${key} ${name}: the input is ${info.dtype}; '${parts.join(',')}' has a non-integer`, key);
  if (info.dtype === 'bool' && nums.some((x) => x !== 0 && x !== 1)) fail('bad-input', `${key} ${name}: a bool input takes 0 or 1`, key);
  return makeTensor(info.dtype, info.shape, nums);
}

/** The graph with the bound inputs as initializers, removed from its inputs. */
export function bindInputs(g: Graph, spec: BindSpec | undefined, o: { baseDir?: string; key?: string } = {}): Graph {
  const names = Object.keys(spec ?? {});
  if (names.length === 0) return g;
  const key = o.key ?? '--bind';
  const initializers = { ...g.initializers };
  for (const name of names) {
    if (!g.inputs.includes(name) || name in g.initializers)
      fail('bad-input', `${key} names '${name}', which is not a graph input (inputs: ${g.inputs.filter((i) => !(i in g.initializers)).join(', ') || 'none'})`, key);
    const info = g.tensors[name];
    if (info.shape.some((d) => d < 0)) fail('bad-input', `${key} ${name}: the input's shape [${info.shape}] is not fixed (give --input-shape ${name}=...)`, key);
    initializers[name] = valueOf(g, name, spec![name], o.baseDir, key);
  }
  return { ...g, initializers, inputs: g.inputs.filter((i) => !names.includes(i)) };
}
