// Cross-compile for the Cortex-M55 (arm-none-eabi-gcc + newlib's librdimon) and run the ELF in
// QEMU's mps3-an547 machine with semihosting. The platform (startup, linker script, counter)
// lives in runtime-c/m55/; see runtime-c/m55/README.md.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runtimeDir } from '../core/package-files';

export const ARM_GCC = 'arm-none-eabi-gcc';
export const QEMU_ARM = 'qemu-system-arm';
/** Debian packages that provide the toolchain and the emulator. */
/** Work memory in mps3-an547's DDR above the 256 MiB the linker script (m55.ld) gives
 *  .hsq_weights: for buffers larger than the 4 MiB SRAM2 heap. QEMU models 2 GiB of DDR. */
export const QEMU_DDR_WORK_BASE = 0x70000000;

export const ARM_APT_PACKAGES = ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi', 'qemu-system-arm'];

/** Flags of every M55 build (DEVELOPERS.md: no fast-math, no FP contraction). */
export const M55_CFLAGS = ['-mcpu=cortex-m55', '-mfloat-abi=hard', '-mthumb', '-ffp-contract=off', '-std=c11', '-Wall', '-Wextra', '-Wno-unused-parameter'];
/** The "scalar" build: the same core without Helium, so __ARM_FEATURE_MVE is undefined. */
export const M55_SCALAR_CPU = '-mcpu=cortex-m55+nomve';

export function m55RuntimeDir(): string {
  return path.join(runtimeDir(), 'm55');
}

function onPath(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export interface ArmToolchainStatus {
  ok: boolean;
  /** Why not ok, naming the apt packages to install. */
  reason?: string;
}

let cachedStatus: ArmToolchainStatus | undefined;

/** Whether arm-none-eabi-gcc (with newlib's rdimon specs) and qemu-system-arm are usable. */
export function armToolchainStatus(): ArmToolchainStatus {
  if (cachedStatus) return cachedStatus;
  const missing: string[] = [];
  if (!onPath(ARM_GCC)) missing.push(`${ARM_GCC} (apt: gcc-arm-none-eabi)`);
  else {
    const r = spawnSync(ARM_GCC, ['-print-file-name=rdimon.specs'], { encoding: 'utf8' });
    if (r.status !== 0 || !path.isAbsolute(r.stdout.trim())) missing.push('newlib rdimon.specs (apt: libnewlib-arm-none-eabi)');
  }
  if (!onPath(QEMU_ARM)) missing.push(`${QEMU_ARM} (apt: qemu-system-arm)`);
  cachedStatus = missing.length
    ? { ok: false, reason: `missing ${missing.join(', ')}; install with: apt-get install ${ARM_APT_PACKAGES.join(' ')}` }
    : { ok: true };
  return cachedStatus;
}

export interface BuildM55Options {
  opt: '-O2' | '-Os' | '-O3' | '-Ofast' | '-O0';
  /** Build for a Cortex-M55 without MVE: exercises the portable scalar kernel paths. */
  scalar?: boolean;
  /** Output ELF path; the directory also receives the .su stack-usage files. */
  out: string;
  defines?: Record<string, string | number>;
  extraFlags?: string[];
  /** Stack size reserved by the linker script (bytes, default 64 KiB). */
  stackSize?: number;
}

/**
 * Compile and link `sources` (C or assembler) with the M55 startup and linker script.
 * Builds with -fstack-usage (objects and .su files next to `out`). Returns the ELF path.
 * Throws with the compiler's diagnostics on failure.
 */
/** A source file, optionally with flags of its own (e.g. `-U__ARM_FEATURE_MVE`). */
export type M55Source = string | { file: string; flags: string[] };

export function buildM55(sources: M55Source[], includeDirs: string[], options: BuildM55Options): string {
  const status = armToolchainStatus();
  if (!status.ok) throw new Error(`cannot build for the Cortex-M55: ${status.reason}`);
  const m55 = m55RuntimeDir();
  const outDir = path.dirname(path.resolve(options.out));
  fs.mkdirSync(outDir, { recursive: true });
  const cflags = [
    ...M55_CFLAGS.map((f) => (f === '-mcpu=cortex-m55' && options.scalar ? M55_SCALAR_CPU : f)),
    options.opt,
    '-ffunction-sections',
    '-fdata-sections',
    '-fstack-usage',
    `-I${m55}`,
    `-I${runtimeDir()}`,
    ...includeDirs.map((d) => `-I${d}`),
    ...Object.entries(options.defines ?? {}).map(([k, v]) => `-D${k}=${v}`),
    ...(options.extraFlags ?? []),
  ];
  const all: M55Source[] = [path.join(m55, 'startup.c'), ...sources];
  const objs: string[] = [];
  const seen = new Map<string, number>();
  for (const entry of all) {
    const src = typeof entry === 'string' ? entry : entry.file;
    const own = typeof entry === 'string' ? [] : entry.flags;
    const base = path.basename(src).replace(/\.[^.]+$/, '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const obj = path.join(outDir, `${base}${n ? `_${n}` : ''}.o`);
    const r = spawnSync(ARM_GCC, [...cflags, ...own, '-c', src, '-o', obj], { encoding: 'utf8', cwd: outDir });
    if (r.status !== 0) throw new Error(`${ARM_GCC} failed on ${src}:\n${r.stderr}${r.stdout}`);
    objs.push(obj);
  }
  const ldflags = [
    ...cflags.filter((f) => f.startsWith('-mcpu') || f.startsWith('-mfloat-abi') || f === '-mthumb'),
    '--specs=rdimon.specs',
    '-nostartfiles',
    `-T${path.join(m55, 'm55.ld')}`,
    '-Wl,--gc-sections',
    `-Wl,-Map=${path.resolve(options.out)}.map`,
    ...(options.stackSize ? [`-Wl,--defsym=__stack_size=${options.stackSize}`] : []),
  ];
  const r = spawnSync(ARM_GCC, [...ldflags, ...objs, '-lm', '-o', path.resolve(options.out)], { encoding: 'utf8', cwd: outDir });
  if (r.status !== 0) throw new Error(`linking ${options.out} failed:\n${r.stderr}${r.stdout}`);
  return path.resolve(options.out);
}

export interface RunQemuOptions {
  /** Deterministic time: one instruction = 1 ns (`-icount shift=0`), needed for counting. */
  icount?: boolean;
  timeoutMs: number;
  /** Working directory of QEMU: relative semihosting file names resolve against it. */
  cwd?: string;
}

export interface RunQemuResult {
  stdout: string;
  stderr: string;
  /** The program's exit status (exit(code) → code), or null when killed by the timeout. */
  exitCode: number | null;
  timedOut: boolean;
}

/** qemu-system-arm's arguments to run `elf` on mps3-an547 with semihosting, `icount`: one instruction = 1 ns. */
export function qemuArgs(elf: string, icount: boolean): string[] {
  const args = ['-M', 'mps3-an547', '-nographic', '-monitor', 'none', '-serial', 'null', '-semihosting-config', 'enable=on,target=native'];
  if (icount) args.push('-icount', 'shift=0');
  args.push('-kernel', elf);
  return args;
}

/** Run an ELF on QEMU mps3-an547 with semihosting (console, host files, exit status). */
export function runQemu(elfPath: string, options: RunQemuOptions): RunQemuResult {
  const status = armToolchainStatus();
  if (!status.ok) throw new Error(`cannot run the Cortex-M55 emulator: ${status.reason}`);
  const r = spawnSync(QEMU_ARM, qemuArgs(path.resolve(elfPath), !!options.icount), {
    encoding: 'utf8',
    cwd: options.cwd,
    timeout: options.timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: timedOut ? null : r.status, timedOut };
}

export interface StackUsage {
  fn: string;
  file: string;
  bytes: number;
  /** gcc's qualifier: static, dynamic, or dynamic,bounded. */
  kind: string;
}

/** The functions of one gcc -fstack-usage (.su) file's text, in its order. */
export function parseStackUsage(text: string): StackUsage[] {
  const out: StackUsage[] = [];
  for (const line of text.split('\n')) {
    // "file.c:12:6:fn_name\t48\tstatic"
    const m = /^(.*):(\d+):(\d+):(.+)\t(\d+)\t(\S+)\s*$/.exec(line);
    if (m) out.push({ file: m[1], fn: m[4], bytes: Number(m[5]), kind: m[6] });
  }
  return out;
}

/** Parse the gcc -fstack-usage files (*.su) in `dir`, largest first. */
export function readStackUsage(dir: string): StackUsage[] {
  const out: StackUsage[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.su')).sort()) out.push(...parseStackUsage(fs.readFileSync(path.join(dir, f), 'utf8')));
  return out.sort((a, b) => b.bytes - a.bytes || a.fn.localeCompare(b.fn));
}
