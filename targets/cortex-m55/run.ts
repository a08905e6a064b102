// The Cortex-M55 engine: emit graphs for the cortex-m55 target (targets/cortex-m55/emit.ts),
// cross-compile them into ONE ELF with arm-none-eabi-gcc (symbols prefixed per model, as the
// host engine does), run it ONCE in QEMU mps3-an547 for every (model, input set), inputs and
// outputs exchanged as host files through semihosting. Objects and ELFs are cached under
// .hsq-cache/m55 by the hash of their sources and flags; gcc's -fstack-usage files are kept
// beside the objects and reported per function.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fail } from '../../core/diagnostics';
import { Graph } from '../../core/ir/graph';
import { Tensor, numel } from '../../core/ir/tensor';
import { runtimeInputs } from '../c/emit-model';
import { ctype } from '../c/ctypes';
import { runtimeSources, runtimeDir } from '../c/runtime-files';
import { WeightsFormat } from '../c/weights';
import { M55Emitted, emitM55Model } from './emit';
import { m55KernelHeader } from './runtime-files';
import { ARM_APT_PACKAGES, ARM_GCC, M55_SCALAR_CPU, QEMU_ARM, QEMU_DDR_WORK_BASE, StackUsage, armToolchainStatus, parseStackUsage, qemuArgs } from '../../toolchain/qemu';
import { buildOnce, compileC, linkC, pool, runCmd, sha, toolVersion } from '../../toolchain/build-cache';
import { tracedTensors } from '../c/trace';
import { checkedInput, modelTable, profileTables, readTensorFile, writeTensorFile } from '../c/harness-io';

export type M55Opt = '-O2' | '-Os';

export interface M55Options {
  /** Build for a Cortex-M55 without Helium (-mcpu=cortex-m55+nomve): every kernel's portable path. */
  readonly scalar?: boolean;
  /** Optimisation level (default -O2). */
  readonly opt?: M55Opt;
  /** Build cache (default .hsq-cache in the current directory; ELFs under <cache>/m55). */
  readonly cacheDir?: string;
  /** Only portable kernels, no generated ones (comparisons). */
  readonly portableOnly?: boolean;
  /** Call NAME_run_float (float32 at the API) instead of NAME_run. */
  readonly runFloat?: boolean;
  /** QEMU with -icount shift=0: report instructions per run (slower). */
  readonly countInstructions?: boolean;
  /** QEMU wall-clock limit (default 20 minutes). */
  readonly timeoutMs?: number;
  readonly weightsFormat?: WeightsFormat;
  /** Build with -DHSQ_PROFILE and count instructions: per-layer SysTick ticks in the stats. */
  readonly profile?: boolean;
  /** Build with -DHSQ_TRACE: every traced tensor (full data, over semihosting) beside the outputs. */
  readonly trace?: boolean;
}

/** Flags of every M55 object: DEVELOPERS.md numerics (no contraction, no fast-math), warnings as errors. */
export function m55CFlags(o: Pick<M55Options, 'scalar' | 'opt' | 'profile' | 'trace'>): string[] {
  return [
    o.scalar ? M55_SCALAR_CPU : '-mcpu=cortex-m55', '-mfloat-abi=hard', '-mthumb', o.opt ?? '-O2',
    '-ffp-contract=off', '-fno-fast-math', '-std=c11', '-Wall', '-Wextra', '-Werror',
    '-ffunction-sections', '-fdata-sections', '-fstack-usage',
    ...(o.profile ? ['-DHSQ_PROFILE'] : []),
    ...(o.trace ? ['-DHSQ_TRACE'] : []),
  ];
}

/** HsqError('bad-input') naming the apt packages when the toolchain or QEMU is missing. */
export function requireArmToolchain(what = '--target cortex-m55'): void {
  const s = armToolchainStatus();
  if (!s.ok) fail('bad-input', `${what} needs the ARM toolchain and QEMU (apt packages ${ARM_APT_PACKAGES.join(', ')}): ${s.reason}`, 'cortex-m55');
}

// ------------------------------------------------------------------------------ emission

export interface EmitM55Options {
  readonly name: string;
  readonly weightsFormat?: WeightsFormat;
  readonly layout?: 'nchw' | 'nhwc';
  readonly portableOnly?: boolean;
}

export interface KernelStack {
  /** The ONNX node. */
  readonly node: string;
  readonly fn: string;
  /** Frame of the entry function plus the largest frame of its helpers (an upper bound). */
  readonly bytes: number;
}

export interface StackReport {
  readonly compiler: string;
  readonly flags: readonly string[];
  readonly kernels: readonly KernelStack[];
  /** Every function of the emitted C, largest frame first. */
  readonly functions: readonly StackUsage[];
}

/** Files of one model for `hsq compile --target cortex-m55` (no build). */
export function emitM55(g: Graph, opts: EmitM55Options): M55Emitted {
  return emitM55Model(g, { name: opts.name, weightsFormat: opts.weightsFormat ?? 'c', layout: opts.layout, portableOnly: opts.portableOnly });
}

/**
 * Stack use of emitted files: compiles every .c (MVE, -O2, -fstack-usage) into a temporary
 * folder, no link. Undefined when the toolchain is missing.
 */
export async function stackUsageOf(e: M55Emitted, opts: Pick<M55Options, 'scalar' | 'opt'> = {}): Promise<StackReport | undefined> {
  if (!armToolchainStatus().ok) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-m55-su-'));
  try {
    const files: Record<string, string | Uint8Array> = { ...runtimeSources(), ...m55KernelHeader(), ...e.files };
    for (const [n, c] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), c);
    const flags = m55CFlags(opts);
    const cfiles = Object.keys(files).filter((n) => n.endsWith('.c')).sort();
    await pool(cfiles.map((n) => () => compileC(ARM_GCC, flags, dir, n, path.join(dir, n.replace(/\.c$/, '.o')))));
    const functions = cfiles.flatMap((n) => parseSu(path.join(dir, n.replace(/\.c$/, '.su'))));
    return { compiler: gccId(), flags, kernels: kernelStacks(e, functions), functions: sortSu(functions) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function kernelStacks(e: M55Emitted, su: readonly StackUsage[]): KernelStack[] {
  const out: KernelStack[] = [];
  for (const l of e.layers) {
    if (l.kernel !== 'generated' || !l.fn) continue;
    const entry = su.find((s) => s.fn === l.fn)?.bytes ?? 0;
    const helpers = su.filter((s) => s.fn.startsWith(`${l.fn}_`)).reduce((m, s) => Math.max(m, s.bytes), 0);
    out.push({ node: l.node, fn: l.fn, bytes: entry + helpers });
  }
  return out;
}

// ------------------------------------------------------------------------------ build

export interface M55Program {
  readonly elf: string;
  readonly models: readonly M55Emitted[];
  readonly flags: readonly string[];
  readonly stackUsage: readonly StackUsage[];
  /** Per model, per generated kernel. */
  readonly kernelStacks: readonly KernelStack[][];
  /** Milliseconds spent compiling and linking (0 when the ELF came from the cache). */
  readonly buildMs: number;
}

function gccId(): string {
  return toolVersion(ARM_GCC) ?? 'unknown';
}

/** The functions of one .su file (none when gcc wrote none), file names without their folder. */
function parseSu(file: string): StackUsage[] {
  if (!fs.existsSync(file)) return [];
  return parseStackUsage(fs.readFileSync(file, 'utf8')).map((s) => ({ ...s, file: path.basename(s.file) }));
}

function sortSu(s: StackUsage[]): StackUsage[] {
  return s.sort((a, b) => b.bytes - a.bytes || a.fn.localeCompare(b.fn) || a.file.localeCompare(b.file));
}

/** Room for the inputs, outputs and arena of the largest model, 16-byte aligned pieces. */
function poolBytes(models: readonly M55Emitted[], graphs: readonly Graph[]): number {
  const al = (n: number) => Math.ceil(n / 16) * 16;
  let most = 16;
  graphs.forEach((g, k) => {
    const io = [...runtimeInputs(g), ...g.outputs].reduce((s, t) => {
      const info = g.tensors[t];
      const n = numel(info.shape);
      return s + al(Math.max(n * ctype(info.dtype, t).size, n * 4, 1));
    }, 0);
    most = Math.max(most, io + al(models[k].arenaSize));
  });
  return most;
}

/** Up to this many bytes the arena and I/O buffers are a static buffer in SRAM2; above, DDR. */
const SRAM2_POOL_LIMIT = 3 * 2 ** 20;

function harness(models: readonly M55Emitted[], pool: number): string {
  const l: string[] = [];
  l.push('/* Cortex-M55 test harness generated by hsq: runs the (model, input set, float) triples of');
  l.push(' * plan.bin; inputs k<model>_s<set>_in<i>.bin, outputs ..._out<i>.bin (semihosting files). */');
  l.push('#include <stdio.h>');
  l.push('#include <stdint.h>');
  l.push('#include <string.h>');
  l.push('#include "hsq_m55.h"');
  for (const m of models) l.push(`#include "${m.name}.h"`);
  l.push('');
  // -DHSQ_PROFILE: SysTick ticks as the clock; HSQ_PROFILE <model> <set> <layer> <ticks> lines.
  l.push('#ifdef HSQ_PROFILE', 'HSQ_M55_DEFINE_PROFILE_CLOCK()', ...profileTables(models), '#endif', '');
  // -DHSQ_TRACE: full trace lines on the semihosting console, before the run's HSQ_RUN line.
  l.push('#ifdef HSQ_TRACE', 'HSQ_M55_DEFINE_SEMIHOSTING_TRACE(1)', '#endif', '');
  l.push(...modelTable(models, 'uint32_t', false));
  if (pool <= SRAM2_POOL_LIMIT) {
    l.push(`/* Inputs, outputs and arena: ${pool} bytes in SRAM2. */`);
    l.push(`static uint8_t pool_buf[${pool}] __attribute__((aligned(16), section(".hsq_big")));`);
    l.push('#define POOL pool_buf');
  } else {
    l.push(`/* Inputs, outputs and arena: ${pool} bytes, more than SRAM2 holds: DDR above the weights. */`);
    l.push(`#define POOL ((uint8_t*)0x${QEMU_DDR_WORK_BASE.toString(16)}u)`);
  }
  l.push(`
static int io(const char* name, void* buf, uint32_t n, int write) {
  FILE* f = fopen(name, write ? "wb" : "rb");
  size_t k;
  if (!f) { printf("HSQ_ERROR cannot open %s\\n", name); return 1; }
  k = write ? fwrite(buf, 1, n, f) : fread(buf, 1, n, f);
  fclose(f);
  if (k != n) { printf("HSQ_ERROR short %s on %s\\n", write ? "write" : "read", name); return 1; }
  return 0;
}

static uint32_t al16(uint32_t n) { return (n + 15u) & ~15u; }

int main(void) {
  FILE* plan = fopen("plan.bin", "rb");
  int32_t e[3];
  char name[64];
  if (!plan) { printf("HSQ_ERROR cannot open plan.bin\\n"); return 2; }
  while (fread(e, sizeof e, 1, plan) == 1) {
    const model_t* m;
    void* in[64];
    void* out[64];
    uint8_t* p = POOL;
    uint64_t t0, t1;
    int i, rc;
    const int fl = e[2] != 0;
    if (e[0] < 0 || e[0] >= NUM_MODELS) { printf("HSQ_ERROR bad model %d\\n", (int)e[0]); return 2; }
    m = &models[e[0]];
    for (i = 0; i < m->nin; i++) {
      const uint32_t nb = fl ? m->in_size[i] * 4u : m->in_bytes[i];
      in[i] = p;
      p += al16(nb ? nb : 1u);
      snprintf(name, sizeof name, "k%d_s%d_in%d.bin", (int)e[0], (int)e[1], i);
      if (io(name, in[i], nb, 0)) return 3;
    }
    for (i = 0; i < m->nout; i++) {
      const uint32_t nb = fl ? m->out_size[i] * 4u : m->out_bytes[i];
      out[i] = p;
      p += al16(nb ? nb : 1u);
    }
    hsq_m55_counter_start();
    t0 = hsq_m55_counter_read();
    rc = fl ? m->run_float((const float* const*)in, (float* const*)out, p) : m->run((const void* const*)in, out, p);
    t1 = hsq_m55_counter_read();
    printf("HSQ_RUN %d %d %d %llu\\n", (int)e[0], (int)e[1], rc, (unsigned long long)(t1 - t0));
#ifdef HSQ_PROFILE
    for (i = 0; i < num_layers[e[0]]; i++) printf("HSQ_PROFILE %d %d %d %llu\\n", (int)e[0], (int)e[1], i, (unsigned long long)profiles[e[0]][i]);
#endif
    if (rc != 0) return 4;
    for (i = 0; i < m->nout; i++) {
      snprintf(name, sizeof name, "k%d_s%d_out%d.bin", (int)e[0], (int)e[1], i);
      if (io(name, out[i], fl ? m->out_size[i] * 4u : m->out_bytes[i], 1)) return 5;
    }
  }
  fclose(plan);
  printf("HSQ_DONE\\n");
  return 0;
}
`);
  return l.join('\n');
}

/** Emits every graph (m0, m1, …), compiles and links one ELF (cached). */
export async function buildM55Program(graphs: readonly Graph[], opts: M55Options = {}): Promise<M55Program> {
  requireArmToolchain();
  const t0 = Date.now();
  const flags = m55CFlags(opts);
  const cache = path.join(path.resolve(opts.cacheDir ?? '.hsq-cache'), 'm55');
  const models = graphs.map((g, k) => emitM55Model(g, { name: `m${k}`, weightsFormat: opts.weightsFormat ?? 'c', omitRuntime: true, portableOnly: opts.portableOnly }));
  const m55 = path.join(runtimeDir(), 'm55');
  const files: Record<string, string | Uint8Array> = { ...runtimeSources(), ...m55KernelHeader() };
  for (const f of ['hsq_m55.h', 'startup.c']) files[f] = fs.readFileSync(path.join(m55, f), 'utf8');
  for (const m of models) Object.assign(files, m.files);
  files['main.c'] = harness(models, poolBytes(models, graphs));
  const ld = fs.readFileSync(path.join(m55, 'm55.ld'), 'utf8');
  const names = Object.keys(files).sort();
  const headers = names.filter((n) => n.endsWith('.h')).map((n) => `${n}\n${files[n] as string}`).join('\n');
  const id = gccId();
  const cfiles = names.filter((n) => n.endsWith('.c'));
  const binKey = opts.weightsFormat === 'incbin' ? sha(...names.filter((b) => b.endsWith('.bin')).map((b) => files[b])) : '';
  const objKeys = cfiles.map((n) => sha(id, flags.join(' '), n, files[n], headers, binKey));
  const ldflags = [flags[0], '-mfloat-abi=hard', '-mthumb', '--specs=rdimon.specs', '-nostartfiles', '-Wl,--gc-sections'];
  const progKey = sha(id, ldflags.join(' '), ld, ...objKeys);
  const elf = path.join(cache, 'elf', `${progKey}.elf`);
  const objDir = path.join(cache, 'obj');
  const suOf = (k: string) => path.join(objDir, `${k}.su`);
  const kernelStacksOf = (su: StackUsage[]) => models.map((m) => kernelStacks(m, su.filter((s) => s.file.startsWith(`${m.name}_`) || s.file.startsWith(`${m.name}.`))));
  const collect = () => sortSu(cfiles.flatMap((n, i) => parseSu(suOf(objKeys[i])).map((s) => ({ ...s, file: n }))));
  if (fs.existsSync(elf)) {
    const su = collect();
    return { elf, models, flags, stackUsage: su, kernelStacks: kernelStacksOf(su), buildMs: 0 };
  }
  const src = path.join(cache, 'src', progKey);
  fs.mkdirSync(src, { recursive: true });
  fs.mkdirSync(objDir, { recursive: true });
  fs.mkdirSync(path.dirname(elf), { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(src, n), files[n]);
  fs.writeFileSync(path.join(src, 'm55.ld'), ld);
  // Big files first: the weights of a large model take longest.
  const order = cfiles.map((_, i) => i).sort((a, b) => fileSize(files[cfiles[b]]) - fileSize(files[cfiles[a]]));
  const objs: string[] = new Array(cfiles.length);
  await pool(order.map((i) => async () => {
    const n = cfiles[i], key = objKeys[i];
    objs[i] = await buildOnce(path.join(objDir, `${key}.o`), async (tmp) => {
      await compileC(ARM_GCC, flags, src, n, tmp);
      const su = tmp.replace(/\.o$/, '.su');
      if (fs.existsSync(su)) fs.renameSync(su, suOf(key));
    });
  }));
  await buildOnce(elf, (tmp) => linkC(ARM_GCC, [...ldflags, `-T${path.join(src, 'm55.ld')}`, ...objs, '-lm', '-o', tmp], src, `linking the Cortex-M55 program (sources in ${src})`));
  const su = collect();
  return { elf, models, flags, stackUsage: su, kernelStacks: kernelStacksOf(su), buildMs: Date.now() - t0 };
}

function fileSize(f: string | Uint8Array): number {
  return typeof f === 'string' ? f.length : f.byteLength;
}

// ------------------------------------------------------------------------------ run

export interface M55BatchItem {
  readonly graph: Graph;
  readonly inputs: readonly Record<string, Tensor>[];
}

export interface M55RunStats {
  readonly elf: string;
  readonly buildMs: number;
  /** Wall-clock time of the one QEMU run. */
  readonly qemuMs: number;
  /** Executed instructions per item, per input set (countInstructions only). */
  readonly instructions?: number[][];
  /** SysTick ticks per item, per input set, per entry of the model's profile (profile only; x31.25 = instructions). */
  readonly profileTicks?: number[][][];
  /** The HSQTRACE lines per item, per input set (trace only). */
  readonly traces?: string[][];
  readonly program: M55Program;
}

export interface M55BatchResult {
  readonly outputs: Record<string, Tensor>[][];
  readonly stats: M55RunStats;
}

/** Builds all graphs into one ELF and runs every input set in one QEMU run. */
export async function runM55Batch(items: readonly M55BatchItem[], opts: M55Options = {}): Promise<M55BatchResult> {
  const prog = await buildM55Program(items.map((it) => it.graph), opts);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-m55-'));
  try {
    const plan: number[] = [];
    items.forEach((it, k) => it.inputs.forEach((set, s) => {
      writeInputs(dir, k, s, it.graph, set, !!opts.runFloat);
      plan.push(k, s, opts.runFloat ? 1 : 0);
    }));
    fs.writeFileSync(path.join(dir, 'plan.bin'), new Uint8Array(Int32Array.from(plan).buffer));
    const args = qemuArgs(prog.elf, !!(opts.countInstructions || opts.profile));
    const timeoutMs = opts.timeoutMs ?? 20 * 60 * 1000;
    const q0 = Date.now();
    const r = await runCmd(QEMU_ARM, args, dir, timeoutMs);
    const qemuMs = Date.now() - q0;
    if (r.timedOut) throw new Error(`QEMU timed out after ${timeoutMs} ms; output so far:\n${r.out.slice(-4000)}`);
    if (r.code !== 0 || !r.stdout.includes('HSQ_DONE')) throw new Error(`the Cortex-M55 program exited with ${r.code}:\n${r.out.slice(-8000)}`);
    const ticks = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^HSQ_RUN (\d+) (\d+) (-?\d+) (\d+)$/gm)) ticks.set(`${m[1]}:${m[2]}`, Number(m[4]));
    const outputs = items.map((it, k) => it.inputs.map((_, s) => readOutputs(dir, k, s, it.graph, !!opts.runFloat)));
    const traces: string[][] | undefined = opts.trace ? items.map((it) => it.inputs.map(() => '')) : undefined;
    if (opts.trace) {
      // Each run's trace lines come before its HSQ_RUN line.
      let from = 0;
      for (const m of r.stdout.matchAll(/^HSQ_RUN (\d+) (\d+) (-?\d+) (\d+)$/gm)) {
        const k = Number(m[1]), s = Number(m[2]);
        const text = r.stdout.slice(from, m.index);
        from = m.index! + m[0].length;
        outputs[k][s] = { ...tracedTensors(items[k].graph, prog.models[k], text), ...outputs[k][s] };
        traces![k][s] = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('HSQTRACE ')).map((l) => `${l}\n`).join('');
      }
    }
    const counting = opts.countInstructions || opts.profile;
    const instructions = counting ? items.map((it, k) => it.inputs.map((_, s) => (ticks.get(`${k}:${s}`) ?? NaN) * 31.25)) : undefined;
    let profileTicks: number[][][] | undefined;
    if (opts.profile) {
      profileTicks = items.map((it, k) => it.inputs.map(() => new Array<number>(prog.models[k].profile.length).fill(NaN)));
      for (const m of r.stdout.matchAll(/^HSQ_PROFILE (\d+) (\d+) (\d+) (\d+)$/gm)) profileTicks[Number(m[1])][Number(m[2])][Number(m[3])] = Number(m[4]);
      if (profileTicks.some((a) => a.some((b) => b.some((v) => Number.isNaN(v))))) throw new Error(`the profiled Cortex-M55 program printed no complete profile:\n${r.stdout.slice(-4000)}`);
    }
    return { outputs, stats: { elf: prog.elf, buildMs: prog.buildMs, qemuMs, instructions, profileTicks, traces, program: prog } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One graph, one input set (what `hsq run/verify --target cortex-m55` use). */
export async function runM55(g: Graph, inputs: Record<string, Tensor>, opts: M55Options = {}): Promise<Record<string, Tensor>> {
  const r = await runM55Batch([{ graph: g, inputs: [inputs] }], opts);
  return r.outputs[0][0];
}

function writeInputs(dir: string, k: number, s: number, g: Graph, inputs: Record<string, Tensor>, runFloat: boolean): void {
  runtimeInputs(g).forEach((name, i) => {
    const t = checkedInput(g, inputs, name, runFloat ? 'float32' : undefined);
    writeTensorFile(path.join(dir, `k${k}_s${s}_in${i}.bin`), t);
  });
}

function readOutputs(dir: string, k: number, s: number, g: Graph, runFloat: boolean): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  g.outputs.forEach((name, i) => {
    const info = runFloat ? { ...g.tensors[name], dtype: 'float32' as const } : g.tensors[name];
    out[name] = readTensorFile(path.join(dir, `k${k}_s${s}_out${i}.bin`), name, info);
  });
  return out;
}
