// The C engine: emit a graph as C (targets/c), build it with the host compiler, run it on
// inputs, return its outputs. Several graphs can share one program (their symbols are
// prefixed), which keeps test suites to one compile. Objects and programs are cached under
// .hsq-cache/ by the hash of their sources and flags.
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fail } from '../diagnostics';
import { Graph } from '../ir/graph';
import { Tensor, numel } from '../ir/tensor';
import { allocArray } from '../ir/dtype';
import { EmitOptions, EmittedC, emitModel, runtimeInputs } from '../../targets/c/emit-model';
import { ctype, tensorBytes } from '../../targets/c/ctypes';
import { runtimeSources } from '../../targets/c/runtime-files';
import { WeightsFormat } from '../../targets/c/weights';
import { HOST_TARGET } from '../../targets/host/target';

export interface RunCOptions {
  readonly target: 'host' | 'stm32n6' | 'cortex-m55';
  /** --target cortex-m55: build without MVE (-mcpu=cortex-m55+nomve), the portable kernel paths. */
  readonly scalar?: boolean;
  /** --target cortex-m55: optimisation level (default -O2). */
  readonly opt?: '-O2' | '-Os';
  /** --target stm32n6: build the emulated program for the host instead of QEMU (`--host`). */
  readonly host?: boolean;
  /** Build with -fsanitize=address,undefined (any finding fails the run). */
  readonly sanitize?: boolean;
  /** Build cache (default: .hsq-cache in the current directory). */
  readonly cacheDir?: string;
  /** Layout of 4-D tensors at the model API used by the harness (default nchw). */
  readonly layout?: 'nchw' | 'nhwc';
  readonly weightsFormat?: WeightsFormat;
  /** Call NAME_run_float: every input and output is float32 (quantized ones converted by the model). */
  readonly runFloat?: boolean;
  /** Build with -DHSQ_PROFILE: the program times every layer (compiler/profile.ts reads it). */
  readonly profile?: boolean;
}

export interface EmitCOptions {
  readonly name: string;
  readonly weightsFormat?: WeightsFormat;
  readonly layout?: 'nchw' | 'nhwc';
}

/** The files of one compiled model (for `hsq compile --target host`). */
export function emitC(g: Graph, opts: EmitCOptions): { files: Record<string, string | Uint8Array>; arenaSize: number; arenaLowerBound: number; weightsSize: number } {
  const e = emitModel(g, { name: opts.name, weightsFormat: opts.weightsFormat ?? 'c', layout: opts.layout });
  return { files: e.files, arenaSize: e.arenaSize, arenaLowerBound: e.arenaLowerBound, weightsSize: e.weightsSize };
}

export async function runC(g: Graph, inputs: Record<string, Tensor>, opts: RunCOptions): Promise<Record<string, Tensor>> {
  if (opts.target === 'stm32n6') {
    // The whole stm32n6 program, NPU segments emulated (compiler/engines/stm32n6.ts).
    const { runStm32n6 } = await import('./stm32n6');
    return runStm32n6(g, inputs, { host: opts.host, cacheDir: opts.cacheDir });
  }
  if (opts.target === 'cortex-m55') {
    // The whole model on the Cortex-M55 in QEMU mps3-an547 (compiler/engines/m55.ts).
    const { runM55 } = await import('./m55');
    return runM55(g, inputs, { scalar: opts.scalar, opt: opts.opt, cacheDir: opts.cacheDir, runFloat: opts.runFloat });
  }
  const [r] = await runCBatch([{ graph: g, inputs: [inputs] }], opts);
  return r[0];
}

export interface BatchItem {
  readonly graph: Graph;
  /** One or more input sets; the program runs once per set. */
  readonly inputs: readonly Record<string, Tensor>[];
}

/** Builds all graphs into one program and runs every input set; results per item, per set. */
export async function runCBatch(items: readonly BatchItem[], opts: RunCOptions): Promise<Record<string, Tensor>[][]> {
  const prog = await buildProgram(items.map((it) => it.graph), opts);
  const out: Record<string, Tensor>[][] = [];
  for (let k = 0; k < items.length; k++) {
    const res: Record<string, Tensor>[] = [];
    for (const set of items[k].inputs) res.push(runProgram(prog, k, items[k].graph, set, opts));
    out.push(res);
  }
  return out;
}

// ------------------------------------------------------------------------------------ build

export interface Program {
  readonly exe: string;
  readonly models: readonly EmittedC[];
}

function sha(...parts: (string | Uint8Array)[]): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) { h.update(typeof p === 'string' ? p : Buffer.from(p)); h.update('\0'); }
  return h.digest('hex').slice(0, 32);
}

let ccVersion: string | undefined;
function compilerId(cc: string): string {
  if (ccVersion === undefined) {
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) fail('bad-input', `C compiler '${cc}' not found (set CC)`, cc);
    ccVersion = r.stdout.split('\n')[0];
  }
  return ccVersion;
}

export function compileFlags(sanitize: boolean, profile = false): string[] {
  const f = [...HOST_TARGET.cflags];
  if (sanitize) f.push(...HOST_TARGET.sanitizeFlags);
  if (profile) f.push('-DHSQ_PROFILE');
  return f;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function harness(models: readonly EmittedC[], layout: string): string {
  const l: string[] = [];
  l.push('/* Test harness generated by hsq: main <model> <dir> reads dir/in<i>.bin, writes dir/out<i>.bin. */');
  l.push('#define _POSIX_C_SOURCE 200112L');
  l.push('#include <stdio.h>');
  l.push('#include <stdlib.h>');
  l.push('#include <string.h>');
  for (const m of models) l.push(`#include "${m.name}.h"`);
  l.push('');
  // -DHSQ_PROFILE: the clock of hsq_runtime.h (ns), each model's table, a warm-up run.
  l.push('#ifdef HSQ_PROFILE');
  l.push('#include <time.h>');
  l.push('uint64_t hsq_profile_now(void) {');
  l.push('  struct timespec t;');
  l.push('  clock_gettime(CLOCK_MONOTONIC, &t);');
  l.push('  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;');
  l.push('}');
  l.push(`static const uint64_t* const profiles[] = { ${models.map((m) => `${m.name}_profile`).join(', ')} };`);
  l.push(`static const int num_layers[] = { ${models.map((m) => `${m.name.toUpperCase()}_NUM_LAYERS`).join(', ')} };`);
  l.push('#endif');
  l.push('');
  l.push('typedef int (*run_fn)(const void* const*, void* const*, void*);');
  l.push('typedef int (*runf_fn)(const float* const*, float* const*, void*);');
  l.push('typedef struct { run_fn run; runf_fn run_float; size_t arena; int nin, nout; const size_t* in_bytes; const size_t* out_bytes; const size_t* in_size; const size_t* out_size; } model_t;');
  models.forEach((m, k) => {
    const U = m.name.toUpperCase();
    l.push(`static const size_t in_bytes_${k}[] = { 0${ioList(m, U, 'INPUT', 'BYTES')} };`);
    l.push(`static const size_t out_bytes_${k}[] = { 0${ioList(m, U, 'OUTPUT', 'BYTES')} };`);
    l.push(`static const size_t in_size_${k}[] = { 0${ioList(m, U, 'INPUT', 'SIZE')} };`);
    l.push(`static const size_t out_size_${k}[] = { 0${ioList(m, U, 'OUTPUT', 'SIZE')} };`);
  });
  l.push('static const model_t models[] = {');
  models.forEach((m, k) => {
    const U = m.name.toUpperCase();
    l.push(`  { ${m.name}_run, ${m.name}_run_float, ${U}_ARENA_SIZE, ${U}_NUM_INPUTS, ${U}_NUM_OUTPUTS, in_bytes_${k} + 1, out_bytes_${k} + 1, in_size_${k} + 1, out_size_${k} + 1 },`);
  });
  l.push('};');
  l.push(`
static void* xalloc(size_t n) {
  void* p = NULL;
  if (posix_memalign(&p, 16, n ? n : 1) != 0) { fprintf(stderr, "out of memory\\n"); exit(3); }
  return p;
}

int main(int argc, char** argv) {
  char path[4096];
  const model_t* m;
  void* in[64];
  void* out[64];
  void* arena;
  int i, rc, fl;
  size_t nb;
  if (argc != 3 && argc != 4) { fprintf(stderr, "usage: %s <model> <dir> [float]\\n", argv[0]); return 2; }
  m = &models[atoi(argv[1])];
  fl = argc == 4 && strcmp(argv[3], "float") == 0;
  for (i = 0; i < m->nin; i++) {
    FILE* f;
    nb = fl ? m->in_size[i] * sizeof(float) : m->in_bytes[i];
    in[i] = xalloc(nb);
    snprintf(path, sizeof path, "%s/in%d.bin", argv[2], i);
    f = fopen(path, "rb");
    if (!f || fread(in[i], 1, nb, f) != nb) { fprintf(stderr, "cannot read %s\\n", path); return 2; }
    fclose(f);
  }
  for (i = 0; i < m->nout; i++) out[i] = xalloc(fl ? m->out_size[i] * sizeof(float) : m->out_bytes[i]);
  arena = xalloc(m->arena);
#ifdef HSQ_PROFILE
  {
    /* One warm-up run (caches, page faults), then the timed one: HSQ_PROFILE <layer> <ns> lines. */
    uint64_t t0, t1;
    const int k = atoi(argv[1]);
    rc = fl ? m->run_float((const float* const*)in, (float* const*)out, arena) : m->run((const void* const*)in, out, arena);
    if (rc != 0) { fprintf(stderr, "run returned %d\\n", rc); return 4; }
    t0 = hsq_profile_now();
    rc = fl ? m->run_float((const float* const*)in, (float* const*)out, arena) : m->run((const void* const*)in, out, arena);
    t1 = hsq_profile_now();
    for (i = 0; i < num_layers[k]; i++) printf("HSQ_PROFILE %d %llu\\n", i, (unsigned long long)profiles[k][i]);
    printf("HSQ_PROFILE_TOTAL %llu\\n", (unsigned long long)(t1 - t0));
  }
#else
  rc = fl ? m->run_float((const float* const*)in, (float* const*)out, arena) : m->run((const void* const*)in, out, arena);
#endif
  if (rc != 0) { fprintf(stderr, "run returned %d\\n", rc); return 4; }
  for (i = 0; i < m->nout; i++) {
    FILE* f;
    snprintf(path, sizeof path, "%s/out%d.bin", argv[2], i);
    f = fopen(path, "wb");
    nb = fl ? m->out_size[i] * sizeof(float) : m->out_bytes[i];
    if (!f || fwrite(out[i], 1, nb, f) != nb) { fprintf(stderr, "cannot write %s\\n", path); return 2; }
    fclose(f);
    free(out[i]);
  }
  for (i = 0; i < m->nin; i++) free(in[i]);
  free(arena);
  return 0;
}
`);
  void layout;
  return l.join('\n');
}

function ioList(m: EmittedC, U: string, kind: 'INPUT' | 'OUTPUT', what: 'BYTES' | 'SIZE'): string {
  const h = m.files[`${m.name}.h`] as string;
  const n = Number(new RegExp(`#define ${U}_NUM_${kind}S (\\d+)`).exec(h)![1]);
  let s = '';
  for (let i = 0; i < n; i++) s += `, ${U}_${kind}${i}_${what}`;
  return s;
}

function runCmd(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const res: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => { while (next < tasks.length) { const i = next++; res[i] = await tasks[i](); } };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return res;
}

export async function buildProgram(graphs: readonly Graph[], opts: RunCOptions): Promise<Program> {
  const cc = process.env.CC || HOST_TARGET.cc;
  const flags = compileFlags(!!opts.sanitize, !!opts.profile);
  const cache = path.resolve(opts.cacheDir ?? '.hsq-cache');
  const models = graphs.map((g, k) => emitModel(g, { name: `m${k}`, weightsFormat: opts.weightsFormat ?? 'c', layout: opts.layout, omitRuntime: true }));
  const files: Record<string, string | Uint8Array> = { ...runtimeSources() };
  for (const m of models) Object.assign(files, m.files);
  files['main.c'] = harness(models, opts.layout ?? 'nchw');
  const names = Object.keys(files).sort();
  const headers = names.filter((n) => n.endsWith('.h')).map((n) => `${n}\n${files[n] as string}`).join('\n');
  const id = compilerId(cc);
  const progKey = sha(id, flags.join(' '), ...names.flatMap((n) => [n, files[n]]));
  const exe = path.join(cache, 'bin', progKey);
  if (fs.existsSync(exe)) return { exe, models };

  const src = path.join(cache, 'src', progKey);
  fs.mkdirSync(src, { recursive: true });
  fs.mkdirSync(path.join(cache, 'obj'), { recursive: true });
  fs.mkdirSync(path.join(cache, 'bin'), { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(src, n), files[n]);
  const cfiles = names.filter((n) => n.endsWith('.c'));
  const objs = await pool(cfiles.map((n) => async () => {
    const key = sha(id, flags.join(' '), n, files[n], headers, opts.weightsFormat === 'incbin' ? sha(...names.filter((b) => b.endsWith('.bin')).map((b) => files[b])) : '');
    const obj = path.join(cache, 'obj', `${key}.o`);
    if (fs.existsSync(obj)) return obj;
    const tmp = `${obj}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.o`;
    const r = await runCmd(cc, [...flags, '-I', src, `-Wa,-I${src}`, '-c', path.join(src, n), '-o', tmp], src);
    if (r.code !== 0) throw new Error(`C compile of ${n} failed (${cc} ${flags.join(' ')}), sources in ${src}:\n${r.out.slice(0, 8000)}`);
    fs.renameSync(tmp, obj);
    return obj;
  }), Math.max(1, os.cpus().length));
  const tmpExe = `${exe}.${process.pid}.tmp`;
  const r = await runCmd(cc, [...flags, ...objs, '-o', tmpExe, '-lm'], src);
  if (r.code !== 0) throw new Error(`link failed:\n${r.out.slice(0, 8000)}`);
  fs.renameSync(tmpExe, exe);
  return { exe, models };
}

// ------------------------------------------------------------------------------------ run

export function runProgram(prog: Program, k: number, g: Graph, inputs: Record<string, Tensor>, opts: RunCOptions): Record<string, Tensor> {
  return execProgram(prog, k, g, inputs, opts).outputs;
}

/** The host program's per-layer times (built with `profile: true`): ns per entry of models[k].profile. */
export interface HostProfileRun {
  readonly outputs: Record<string, Tensor>;
  /** ns per layer of the timed (second) run, in the order of EmittedC.profile. */
  readonly layerNs: number[];
  /** ns of the whole NAME_run (boundary copies included). */
  readonly totalNs: number;
  readonly program: Program;
}

/** Builds `g` with -DHSQ_PROFILE and runs it once (after a warm-up run) on the host. */
export async function profileHostC(g: Graph, inputs: Record<string, Tensor>, opts: Omit<RunCOptions, 'target' | 'profile'> = {}): Promise<HostProfileRun> {
  const o: RunCOptions = { ...opts, target: 'host', profile: true };
  const prog = await buildProgram([g], o);
  const r = execProgram(prog, 0, g, inputs, o);
  const layerNs = new Array<number>(prog.models[0].profile.length).fill(NaN);
  for (const m of r.stdout.matchAll(/^HSQ_PROFILE (\d+) (\d+)$/gm)) layerNs[Number(m[1])] = Number(m[2]);
  const total = /^HSQ_PROFILE_TOTAL (\d+)$/m.exec(r.stdout);
  if (!total || layerNs.some((v) => Number.isNaN(v))) throw new Error(`the profiled program printed no complete profile:\n${r.stdout.slice(0, 4000)}`);
  return { outputs: r.outputs, layerNs, totalNs: Number(total[1]), program: prog };
}

function execProgram(prog: Program, k: number, g: Graph, inputs: Record<string, Tensor>, opts: RunCOptions): { outputs: Record<string, Tensor>; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-c-'));
  try {
    const ins = runtimeInputs(g);
    ins.forEach((name, i) => {
      const t = inputs[name];
      if (!t) fail('bad-input', `input '${name}' is missing`, name);
      const info = g.tensors[name];
      const want = opts.runFloat ? 'float32' : info.dtype;
      if (t.dtype !== want || numel(t.shape) !== numel(info.shape))
        fail('bad-input', `input '${name}' is ${t.dtype}[${t.shape}], the model expects ${want}[${info.shape}]`, name);
      fs.writeFileSync(path.join(dir, `in${i}.bin`), tensorBytes(opts.layout === 'nhwc' ? toNhwc(t) : t));
    });
    const r = spawnSync(prog.exe, [String(k), dir, ...(opts.runFloat ? ['float'] : [])], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' } });
    if (r.status !== 0) throw new Error(`C program failed for model '${g.name}' (exit ${r.status ?? r.signal}):\n${(r.stderr || '').slice(0, 8000)}`);
    if (r.stderr && /runtime error|AddressSanitizer|LeakSanitizer/.test(r.stderr)) throw new Error(`sanitizer finding in model '${g.name}':\n${r.stderr.slice(0, 8000)}`);
    const out: Record<string, Tensor> = {};
    g.outputs.forEach((name, i) => {
      const info = opts.runFloat ? { ...g.tensors[name], dtype: 'float32' as const } : g.tensors[name];
      const bytes = fs.readFileSync(path.join(dir, `out${i}.bin`));
      const ct = ctype(info.dtype, name);
      const n = numel(info.shape);
      if (bytes.length !== n * ct.size) throw new Error(`output '${name}': ${bytes.length} bytes, expected ${n * ct.size}`);
      const data = allocArray(info.dtype, n);
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
      const t: Tensor = { dtype: info.dtype, shape: [...info.shape], data };
      out[name] = opts.layout === 'nhwc' ? fromNhwc(t) : t;
    });
    return { outputs: out, stdout: r.stdout ?? '' };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function toNhwc(t: Tensor): Tensor {
  if (t.shape.length !== 4) return t;
  const [N, C, H, W] = t.shape;
  const C_ = t.data.constructor as { new (n: number): typeof t.data };
  const d = new C_(t.data.length) as Float32Array;
  const s = t.data as Float32Array;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    d[((n * H + h) * W + w) * C + c] = s[((n * C + c) * H + h) * W + w];
  return { ...t, data: d };
}

function fromNhwc(t: Tensor): Tensor {
  if (t.shape.length !== 4) return t;
  const [N, C, H, W] = t.shape;
  const C_ = t.data.constructor as { new (n: number): typeof t.data };
  const d = new C_(t.data.length) as Float32Array;
  const s = t.data as Float32Array;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++)
    d[((n * C + c) * H + h) * W + w] = s[((n * H + h) * W + w) * C + c];
  return { ...t, data: d };
}

export type { EmitOptions };
