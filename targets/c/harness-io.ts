// How the engines' test harnesses take inputs and give outputs: the harness C's table of models
// (run functions, I/O bytes and element counts), the host profiling clock, and on the
// TypeScript side the checked input files, the decoded output files and the NCHW/NHWC relayout.
import * as fs from 'fs';
import { fail } from '../../core/diagnostics';
import { Graph } from '../../core/ir/graph';
import { DType, allocArray } from '../../core/ir/dtype';
import { Tensor, numel } from '../../core/ir/tensor';
import { ctype, tensorBytes } from './ctypes';
import { EmittedC } from './emit-model';

// ------------------------------------------------------------------------------ harness C

/** hsq_profile_now() of a host program: CLOCK_MONOTONIC in ns (needs _POSIX_C_SOURCE). */
export const HOST_PROFILE_CLOCK: readonly string[] = [
  '#include <time.h>',
  'uint64_t hsq_profile_now(void) {',
  '  struct timespec t;',
  '  clock_gettime(CLOCK_MONOTONIC, &t);',
  '  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;',
  '}',
];

/** profiles[k] and num_layers[k]: model k's NAME_profile table (built with -DHSQ_PROFILE). */
export function profileTables(models: readonly EmittedC[]): string[] {
  return [
    `static const uint64_t* const profiles[] = { ${models.map((m) => `${m.name}_profile`).join(', ')} };`,
    `static const int num_layers[] = { ${models.map((m) => `${m.name.toUpperCase()}_NUM_LAYERS`).join(', ')} };`,
  ];
}

/**
 * `static const model_t models[NUM_MODELS]`: per model its run and run_float functions, input
 * and output counts, bytes and elements (`size` the C type of the counts), and with `arena`
 * its arena size.
 */
export function modelTable(models: readonly EmittedC[], size: 'size_t' | 'uint32_t', arena: boolean): string[] {
  const l: string[] = [
    'typedef int (*run_fn)(const void* const*, void* const*, void*);',
    'typedef int (*runf_fn)(const float* const*, float* const*, void*);',
    `typedef struct { run_fn run; runf_fn run_float;${arena ? ' size_t arena;' : ''} int nin, nout; const ${size}* in_bytes; const ${size}* out_bytes; const ${size}* in_size; const ${size}* out_size; } model_t;`,
  ];
  models.forEach((m, k) => {
    const U = m.name.toUpperCase();
    l.push(`static const ${size} in_bytes_${k}[] = { 0${ioList(m, U, 'INPUT', 'BYTES')} };`);
    l.push(`static const ${size} out_bytes_${k}[] = { 0${ioList(m, U, 'OUTPUT', 'BYTES')} };`);
    l.push(`static const ${size} in_size_${k}[] = { 0${ioList(m, U, 'INPUT', 'SIZE')} };`);
    l.push(`static const ${size} out_size_${k}[] = { 0${ioList(m, U, 'OUTPUT', 'SIZE')} };`);
  });
  l.push(`#define NUM_MODELS ${models.length}`);
  l.push('static const model_t models[NUM_MODELS] = {');
  models.forEach((m, k) => {
    const U = m.name.toUpperCase();
    l.push(`  { ${m.name}_run, ${m.name}_run_float,${arena ? ` ${U}_ARENA_SIZE,` : ''} ${U}_NUM_INPUTS, ${U}_NUM_OUTPUTS, in_bytes_${k} + 1, out_bytes_${k} + 1, in_size_${k} + 1, out_size_${k} + 1 },`);
  });
  l.push('};');
  return l;
}

/** ", U_INPUT0_BYTES, U_INPUT1_BYTES, …" for the inputs (outputs) the model's header declares. */
function ioList(m: EmittedC, U: string, kind: 'INPUT' | 'OUTPUT', what: 'BYTES' | 'SIZE'): string {
  const h = m.files[`${m.name}.h`] as string;
  const n = Number(new RegExp(`#define ${U}_NUM_${kind}S (\\d+)`).exec(h)![1]);
  let s = '';
  for (let i = 0; i < n; i++) s += `, ${U}_${kind}${i}_${what}`;
  return s;
}

// ------------------------------------------------------------------------------ files

/** Input `name` of `g`, or exit code 2 naming it when missing or not `dtype` with the model's element count. */
export function checkedInput(g: Graph, inputs: Record<string, Tensor>, name: string, dtype: DType = g.tensors[name].dtype): Tensor {
  const t = inputs[name];
  if (!t) fail('bad-input', `input '${name}' is missing`, name);
  const info = g.tensors[name];
  if (t.dtype !== dtype || numel(t.shape) !== numel(info.shape))
    fail('bad-input', `input '${name}' is ${t.dtype}[${t.shape}], the model expects ${dtype}[${info.shape}]`, name);
  return t;
}

/** Writes the tensor's elements as the C program stores them. */
export function writeTensorFile(file: string, t: Tensor): void {
  fs.writeFileSync(file, tensorBytes(t));
}

/** Output `name` read from `file`: exactly the bytes of `info`'s dtype and shape. */
export function readTensorFile(file: string, name: string, info: { readonly dtype: DType; readonly shape: readonly number[] }): Tensor {
  const bytes = fs.readFileSync(file);
  const n = numel(info.shape);
  const size = ctype(info.dtype, name).size;
  if (bytes.length !== n * size) throw new Error(`output '${name}': ${bytes.length} bytes, expected ${n * size}`);
  const data = allocArray(info.dtype, n);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return { dtype: info.dtype, shape: [...info.shape], data };
}

// ------------------------------------------------------------------------------ layout

function permute(t: Tensor, toNhwc: boolean): Tensor {
  if (t.shape.length !== 4) return t;
  const [N, C, H, W] = t.shape;
  const C_ = t.data.constructor as { new (n: number): typeof t.data };
  const d = new C_(t.data.length) as Float32Array;
  const s = t.data as Float32Array;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    const nchw = ((n * C + c) * H + h) * W + w, nhwc = ((n * H + h) * W + w) * C + c;
    if (toNhwc) d[nhwc] = s[nchw]; else d[nchw] = s[nhwc];
  }
  return { ...t, data: d };
}

/** A 4-D tensor's elements in NHWC order (shape kept NCHW); other ranks unchanged. */
export const toNhwc = (t: Tensor): Tensor => permute(t, true);
/** The inverse of toNhwc. */
export const fromNhwc = (t: Tensor): Tensor => permute(t, false);
