// The stm32n6 engine: place a graph, emit it for the STM32N6 (targets/stm32n6/emit.ts), build the program
// with -DHSQ_NPU_EMULATION (NPU segments on hsq's own INT8 kernels) and run it, in QEMU's
// mps3-an547 Cortex-M55 (default) or on the host (`host: true`). Inputs and outputs travel as
// files (semihosting in QEMU). Programs are cached under .hsq-cache/stm32n6/ by the hash of
// their sources and flags. Only the emulation is bit-exact with the interpreter.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HsqError } from '../../core/diagnostics';
import { Graph } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { HOST_TARGET } from '../host/target';
import { PlacementOptions } from '../../placement/placement';
import { placeAndPartition } from '../../placement/stage';
import { stm32n6Placement } from './capabilities';
import type { StedgeaiVersion } from './stedgeai-version';
import { Stm32n6Emitted, emitStm32n6 } from './emit';
import { ARM_APT_PACKAGES, QEMU_DDR_WORK_BASE, armToolchainStatus, buildM55, runQemu } from '../../toolchain/qemu';
import { compileC, linkC, pool, sha, uniqueSuffix } from '../../toolchain/build-cache';
import { parseTrace, tensorFromTrace, traceName } from '../c/trace';
import { HOST_PROFILE_CLOCK, checkedInput, fromNhwc, readTensorFile, toNhwc, writeTensorFile } from '../c/harness-io';

export interface RunStm32n6Options {
  /** Build and run on the host instead of QEMU. */
  readonly host?: boolean;
  readonly placement?: PlacementOptions;
  readonly cpuKernels?: 'm55' | 'portable';
  /** Build cache (default: .hsq-cache in the current directory). */
  readonly cacheDir?: string;
  /** QEMU time limit per run (default 20 minutes). */
  readonly timeoutMs?: number;
  /** Build with -DHSQ_PROFILE: per-segment and per-layer times (QEMU runs with -icount shift=0). */
  readonly profile?: boolean;
  /** The ST Edge AI rule set placement and emission follow (default 4.0). */
  readonly stedgeaiVersion?: StedgeaiVersion;
  /** Layout of 4-D tensors at the program's API (default the model's own, NCHW); the runner converts. */
  readonly layout?: 'nchw' | 'nhwc';
  /** Call NAME_run_float (float32 in and out, quantized at the API) instead of NAME_run. */
  readonly float?: boolean;
  /** Build with -DHSQ_TRACE (full data): every tensor a CPU layer writes and every NPU segment's
   *  outputs come back beside the graph outputs, by tensor name. */
  readonly trace?: boolean;
}

export interface Stm32n6Program {
  readonly exe: string;
  readonly host: boolean;
  readonly emitted: Stm32n6Emitted;
  /** The API the harness calls: its 4-D layout and NAME_run_float or NAME_run. */
  readonly layout: 'nchw' | 'nhwc';
  readonly float: boolean;
  /** Built with -DHSQ_TRACE. */
  readonly trace: boolean;
}

/** Fails with exit code 2 naming the Debian packages when the ARM toolchain or QEMU is missing. */
export function requireArmToolchain(): void {
  const s = armToolchainStatus();
  if (!s.ok) throw new HsqError('bad-input', `--target stm32n6 runs in QEMU: ${s.reason} (or pass --host to build for this machine); packages: ${ARM_APT_PACKAGES.join(' ')}`, 'qemu');
}

/** main(): reads in<i>.bin from the working directory, runs the model, writes out<i>.bin. With
 * -DHSQ_PROFILE it defines the clock (host: CLOCK_MONOTONIC ns; QEMU: SysTick ticks), runs once
 * more on the host (warm-up), and prints HSQ_PROFILE_SEG <segment> <ticks> and
 * HSQ_PROFILE <segment> <layer> <ticks> <op> <name> (every segment is an hsq model in the emulation). */
function harness(e: Stm32n6Emitted, host: boolean, float: boolean): string {
  const P = e.name, U = P.toUpperCase();
  const nin = e.schedule.length ? e.graph.inputs.filter((t) => !(t in e.graph.initializers)).length : 0;
  const nout = e.graph.outputs.length;
  const runCall = float ? `${P}_run_float((const float* const*)in, (float* const*)out, arena)` : `${P}_run((const void* const*)in, out, arena)`;
  const bytes = float ? 'SIZE' : 'BYTES', el = float ? ' * 4u' : '';
  const profile = [
    '#ifdef HSQ_PROFILE',
    ...(host ? HOST_PROFILE_CLOCK : ['#include "hsq_m55.h"', 'HSQ_M55_DEFINE_PROFILE_CLOCK()']),
    ...e.schedule.map((g) => `#include "${g.name}.h"`),
    `static const uint64_t* const seg_profiles[] = { ${e.schedule.map((g) => `${g.name}_profile`).join(', ') || 'NULL'} };`,
    `static const int seg_layers[] = { ${e.schedule.map((g) => `${g.name.toUpperCase()}_NUM_LAYERS`).join(', ') || '0'} };`,
    `static const char* const* const seg_names[] = { ${e.schedule.map((g) => `${g.name}_profile_names`).join(', ') || 'NULL'} };`,
    `static const char* const* const seg_ops[] = { ${e.schedule.map((g) => `${g.name}_profile_ops`).join(', ') || 'NULL'} };`,
    '#endif',
  ];
  // -DHSQ_TRACE: the full trace lines on stdout (semihosting in QEMU).
  const trace = ['#ifdef HSQ_TRACE', ...(host ? [
    'static void trace_put(const char* s, uint32_t n, void* ctx) { (void)ctx; fwrite(s, 1, n, stdout); }',
    'void hsq_trace_layer(uint32_t index, const char* name, const void* data, uint32_t bytes) {',
    '  hsq_trace_write(trace_put, NULL, index, name, data, bytes, 1);',
    '}',
  ] : ['#include "hsq_m55.h"', 'HSQ_M55_DEFINE_SEMIHOSTING_TRACE(1)']), '#endif'];
  const l = [
    '/* stm32n6 test harness generated by hsq: reads in<i>.bin, runs the model, writes out<i>.bin (cwd). */',
    ...(host ? ['#define _POSIX_C_SOURCE 200112L'] : []),
    '#include <stdio.h>',
    '#include <stdlib.h>',
    '#include <string.h>',
    `#include "${P}.h"`,
    ...profile,
    ...trace,
    `static const size_t in_bytes[] = { 0${Array.from({ length: nin }, (_, i) => `, ${U}_INPUT${i}_${bytes}${el}`).join('')} };`,
    `static const size_t out_bytes[] = { 0${Array.from({ length: nout }, (_, i) => `, ${U}_OUTPUT${i}_${bytes}${el}`).join('')} };`,
    ...(host ? [
      'static void* xalloc(size_t n) {',
      '  void* p = malloc(n + 32);',
      '  if (!p) { printf("HSQ_ERROR out of memory (%lu bytes)\\n", (unsigned long)n); exit(3); }',
      '  return p;',
      '}',
    ] : [
      // The SRAM2 heap holds 4 MiB; arenas of large models (hyperRAM pools) need more: the
      // buffers come from QEMU's DDR above the weights, as in the cortex-m55 harness.
      `static uint8_t* work = (uint8_t*)0x${QEMU_DDR_WORK_BASE.toString(16)}u;`,
      'static void* xalloc(size_t n) {',
      '  void* p = work;',
      '  work += (n + 32 + 31u) & ~(size_t)31u;',
      '  return p;',
      '}',
    ]),
    'int main(void) {',
    '  char name[32];',
    `  void* in[${Math.max(1, nin)}];`,
    `  void* out[${Math.max(1, nout)}];`,
    '  uint8_t* raw;',
    '  uint8_t* arena;',
    '  int i, rc;',
    `  for (i = 0; i < ${nin}; i++) {`,
    '    FILE* f;',
    '    in[i] = xalloc(in_bytes[i + 1]);',
    '    snprintf(name, sizeof name, "in%d.bin", i);',
    '    f = fopen(name, "rb");',
    '    if (!f || fread(in[i], 1, in_bytes[i + 1], f) != in_bytes[i + 1]) { printf("HSQ_ERROR cannot read %s\\n", name); return 2; }',
    '    fclose(f);',
    '  }',
    `  for (i = 0; i < ${nout}; i++) out[i] = xalloc(out_bytes[i + 1]);`,
    `  raw = (uint8_t*)xalloc(${U}_ARENA_SIZE + 32);`,
    '  arena = (uint8_t*)(((uintptr_t)raw + 31u) & ~(uintptr_t)31u);',
    '#ifdef HSQ_PROFILE',
    ...(host ? [`  rc = ${runCall}; /* warm-up */`, '  if (rc != 0) { printf("HSQ_ERROR run returned %d\\n", rc); return 4; }'] : ['  hsq_m55_counter_start();']),
    '#endif',
    `  rc = ${runCall};`,
    '  if (rc != 0) { printf("HSQ_ERROR run returned %d\\n", rc); return 4; }',
    '#ifdef HSQ_PROFILE',
    `  for (i = 0; i < ${U}_NUM_SEGMENTS; i++) {`,
    '    int j;',
    `    printf("HSQ_PROFILE_SEG %d %llu\\n", i, (unsigned long long)${P}_profile[i]);`,
    '    for (j = 0; j < seg_layers[i]; j++) printf("HSQ_PROFILE %d %d %llu %s %s\\n", i, j, (unsigned long long)seg_profiles[i][j], seg_ops[i][j], seg_names[i][j]);',
    '  }',
    '#endif',
    `  for (i = 0; i < ${nout}; i++) {`,
    '    FILE* f;',
    '    snprintf(name, sizeof name, "out%d.bin", i);',
    '    f = fopen(name, "wb");',
    '    if (!f || fwrite(out[i], 1, out_bytes[i + 1], f) != out_bytes[i + 1]) { printf("HSQ_ERROR cannot write %s\\n", name); return 2; }',
    '    fclose(f);',
    '  }',
    '  printf("HSQ_DONE\\n");',
    '  return 0;',
    '}',
    '',
  ];
  return l.join('\n');
}

/** The flags of the emulated build on the host (HOST_TARGET's, C11 for the M55 kernels' header). */
export function hostEmulationFlags(): string[] {
  return [...HOST_TARGET.cflags.map((f) => (f === '-std=c99' ? '-std=c11' : f)), '-DHSQ_NPU_EMULATION'];
}

/** Emit and build the emulated stm32n6 program of `g` (cached). */
export async function buildStm32n6(g: Graph, opts: RunStm32n6Options = {}): Promise<Stm32n6Program> {
  const host = !!opts.host;
  if (!host) requireArmToolchain();
  const emitted = emitStm32n6(placeAndPartition(g, stm32n6Placement(opts.stedgeaiVersion), opts.placement), { name: 'model', cpuKernels: opts.cpuKernels, stedgeaiVersion: opts.stedgeaiVersion, layout: opts.layout });
  const files: Record<string, string | Uint8Array> = {};
  for (const [f, b] of Object.entries(emitted.files)) if (!f.includes('/') && (f.endsWith('.c') || f.endsWith('.h') || f.endsWith('.bin'))) files[f] = b;
  files['main.c'] = harness(emitted, host, !!opts.float);
  const names = Object.keys(files).sort();
  const cache = path.resolve(opts.cacheDir ?? '.hsq-cache', 'stm32n6');
  const flags = [...(host ? hostEmulationFlags() : ['-DHSQ_NPU_EMULATION']), ...(opts.profile ? ['-DHSQ_PROFILE'] : []), ...(opts.trace ? ['-DHSQ_TRACE'] : [])];
  const key = sha(host ? 'host' : 'qemu', flags.join(' '), ...names.flatMap((n) => [n, files[n]]));
  const dir = path.join(cache, key);
  const exe = path.join(dir, host ? 'model' : 'model.elf');
  if (fs.existsSync(exe)) return { exe, host, emitted, layout: opts.layout ?? 'nchw', float: !!opts.float, trace: !!opts.trace };
  const tmp = `${dir}.${uniqueSuffix()}.tmp`;
  fs.mkdirSync(tmp, { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(tmp, n), files[n]);
  const cfiles = names.filter((n) => n.endsWith('.c'));
  if (host) {
    const cc = process.env.CC || HOST_TARGET.cc;
    const objs = await pool(cfiles.map((n) => async () => {
      const obj = path.join(tmp, n.replace(/\.c$/, '.o'));
      await compileC(cc, flags, tmp, n, obj);
      return obj;
    }));
    await linkC(cc, [...flags, ...objs, '-o', path.join(tmp, 'model'), '-lm'], tmp);
  } else {
    buildM55(cfiles.map((n) => path.join(tmp, n)), [tmp], {
      opt: '-O2', out: path.join(tmp, 'model.elf'), defines: { HSQ_NPU_EMULATION: 1, ...(opts.profile ? { HSQ_PROFILE: 1 } : {}), ...(opts.trace ? { HSQ_TRACE: 1 } : {}) }, extraFlags: [`-Wa,-I${tmp}`],
    });
  }
  try { fs.renameSync(tmp, dir); } catch { fs.rmSync(tmp, { recursive: true, force: true }); }
  return { exe, host, emitted, layout: opts.layout ?? 'nchw', float: !!opts.float, trace: !!opts.trace };
}

/** Run a built program on one input set (tensors in the graph's NCHW; converted to the program's API layout). */
export function runStm32n6Program(prog: Stm32n6Program, inputs: Record<string, Tensor>, opts: RunStm32n6Options = {}): Record<string, Tensor> {
  return execStm32n6(prog, inputs, opts).outputs;
}

/** Per-segment and per-layer times of a profiled run (ns on the host, SysTick ticks in QEMU). */
export interface Stm32n6ProfileRun {
  readonly outputs: Record<string, Tensor>;
  readonly program: Stm32n6Program;
  /** Ticks per segment of the schedule (the glue's MODEL_profile). */
  readonly segmentTicks: number[];
  /** Per segment, that segment model's timed blocks (NAME_segK_profile_names/_ops) and their ticks. */
  readonly layers: { readonly name: string; readonly op: string; readonly ticks: number }[][];
}

/** Builds with -DHSQ_PROFILE and runs once (QEMU under -icount shift=0, or the host after a warm-up). */
export async function profileStm32n6(g: Graph, inputs: Record<string, Tensor>, opts: RunStm32n6Options = {}): Promise<Stm32n6ProfileRun> {
  const o = { ...opts, profile: true };
  const prog = await buildStm32n6(g, o);
  const r = execStm32n6(prog, inputs, o);
  const nSeg = prog.emitted.schedule.length;
  const segmentTicks = new Array<number>(nSeg).fill(NaN);
  const layers: { name: string; op: string; ticks: number }[][] = Array.from({ length: nSeg }, () => []);
  for (const m of r.stdout.matchAll(/^HSQ_PROFILE_SEG (\d+) (\d+)\s*$/gm)) segmentTicks[Number(m[1])] = Number(m[2]);
  for (const m of r.stdout.matchAll(/^HSQ_PROFILE (\d+) (\d+) (\d+) (\S+) (.*?)\r?$/gm)) layers[Number(m[1])][Number(m[2])] = { op: m[4], name: m[5], ticks: Number(m[3]) };
  if (segmentTicks.some((v) => Number.isNaN(v)) || layers.some((l) => l.some((x) => x === undefined))) throw new Error(`the profiled stm32n6 program printed no complete profile:\n${r.stdout.slice(0, 4000)}`);
  return { outputs: r.outputs, program: prog, segmentTicks, layers };
}

function execStm32n6(prog: Stm32n6Program, inputs: Record<string, Tensor>, opts: RunStm32n6Options): { outputs: Record<string, Tensor>; stdout: string } {
  const g = prog.emitted.graph;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-n6-'));
  try {
    g.inputs.filter((t) => !(t in g.initializers)).forEach((name, i) => {
      const t = { ...checkedInput(g, inputs, name, prog.float ? 'float32' : g.tensors[name].dtype), shape: [...g.tensors[name].shape] };
      writeTensorFile(path.join(dir, `in${i}.bin`), prog.layout === 'nhwc' ? toNhwc(t) : t);
    });
    let stdout: string;
    if (prog.host) {
      const r = spawnSync(prog.exe, [], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
      stdout = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      if (r.status !== 0) throw new Error(`stm32n6 program failed (exit ${r.status ?? r.signal}):\n${stdout.slice(0, 8000)}`);
    } else {
      const r = runQemu(prog.exe, { cwd: dir, timeoutMs: opts.timeoutMs ?? 20 * 60 * 1000, icount: !!opts.profile });
      stdout = r.stdout + r.stderr;
      if (r.timedOut) throw new Error('stm32n6 program timed out in QEMU');
      if (r.exitCode !== 0) throw new Error(`stm32n6 program failed in QEMU (exit ${r.exitCode}):\n${stdout.slice(0, 8000)}`);
    }
    if (!stdout.includes('HSQ_DONE')) throw new Error(`stm32n6 program did not finish:\n${stdout.slice(0, 8000)}`);
    const out: Record<string, Tensor> = {};
    g.outputs.forEach((name, i) => {
      const t = readTensorFile(path.join(dir, `out${i}.bin`), name, prog.float ? { dtype: 'float32', shape: g.tensors[name].shape } : g.tensors[name]);
      out[name] = prog.layout === 'nhwc' ? fromNhwc(t) : t;
    });
    // -DHSQ_TRACE: the traced tensors too, by name (every segment numbers its own trace points;
    // the graph outputs as the API gave them win).
    if (prog.trace) return { outputs: { ...tracedByName(g, stdout), ...out }, stdout };
    return { outputs: out, stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The tensors of a full trace, matched to `g`'s tensors by the name the trace prints. */
function tracedByName(g: Graph, stdout: string): Record<string, Tensor> {
  const byName = new Map<string, string>();
  for (const t of Object.keys(g.tensors)) if (!(t in g.initializers)) byName.set(traceName(t), t);
  const out: Record<string, Tensor> = {};
  for (const e of parseTrace(stdout, 'the traced stm32n6 program')) {
    const t = byName.get(e.name);
    if (t === undefined || !e.data) continue; // a segment-internal tensor the graph does not name
    out[t] = tensorFromTrace(e.data, t, g.tensors[t]);
  }
  return out;
}

/** Build (cached) and run: outputs of one input set. */
export async function runStm32n6(g: Graph, inputs: Record<string, Tensor>, opts: RunStm32n6Options = {}): Promise<Record<string, Tensor>> {
  const prog = await buildStm32n6(g, opts);
  return runStm32n6Program(prog, inputs, opts);
}
