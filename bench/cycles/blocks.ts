// Executed blocks of a guest program, counted by the QEMU plugin in plugin.c: the plugin is
// built here with the host C compiler (once per process), QEMU runs the ELF with it, and the
// plugin's file is read back as segments (one per marked region or profile interval).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { QEMU_ARM, qemuArgs } from '../../toolchain/qemu';

/** One block (QEMU translation block) as executed inside one segment. */
export interface BlockCount {
  readonly start: number;
  readonly bytes: number;
  readonly insns: number;
  readonly count: number;
  /** Executions that left the block through a taken branch (or an exception). */
  readonly taken: number;
}

export interface Segment {
  /** Which begin marker call (0, 1, …) and which split interval inside it (0, 1, …). */
  readonly run: number;
  readonly seg: number;
  readonly blocks: readonly BlockCount[];
}

/** Guest addresses where the plugin starts, splits and stops counting. */
export interface Markers {
  readonly begin: number;
  readonly end?: number;
  readonly split?: number;
}

const HOST_CC = process.env.CC || 'cc';

function pluginSource(): string {
  // From bench/cycles (ts-jest) or dist/bench/cycles (compiled): the .c stays in the sources.
  for (const d of [__dirname, path.resolve(__dirname, '..', '..', '..', 'bench', 'cycles')]) {
    const f = path.join(d, 'plugin.c');
    if (fs.existsSync(f)) return f;
  }
  throw new Error('bench/cycles/plugin.c not found');
}

let built: string | undefined;

/** Compile plugin.c into a shared object (cached for the process). */
export function buildPlugin(): string {
  if (built && fs.existsSync(built)) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-blocks-'));
  const so = path.join(dir, 'libhsqblocks.so');
  const r = spawnSync(HOST_CC, ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', '-o', so, pluginSource()], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`building the QEMU block-counting plugin with ${HOST_CC} failed: ${r.error?.message ?? ''}${r.stderr}`);
  built = so;
  return so;
}

/** Addresses of global functions in `elf` (arm-none-eabi-nm; Thumb bit cleared). */
export function symbolAddresses(elf: string, names: readonly string[]): Record<string, number> {
  const r = spawnSync('arm-none-eabi-nm', [elf], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`arm-none-eabi-nm ${elf} failed: ${r.stderr}`);
  const out: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]+) [Tt] (\S+)$/.exec(line);
    if (m && names.includes(m[2])) out[m[2]] = parseInt(m[1], 16) & ~1;
  }
  for (const n of names) if (out[n] === undefined) throw new Error(`${elf} has no function ${n}`);
  return out;
}

/** Parse the plugin's output file. */
export function parseBlockFile(text: string): Segment[] {
  const segs: { run: number; seg: number; blocks: BlockCount[] }[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const h = /^seg (\d+) (\d+)$/.exec(line);
    if (h) {
      segs.push({ run: Number(h[1]), seg: Number(h[2]), blocks: [] });
      continue;
    }
    const f = line.split(' ');
    if (f.length !== 5 || !segs.length) throw new Error(`block counter output: bad line "${line}"`);
    segs[segs.length - 1].blocks.push({ start: parseInt(f[0], 16), bytes: Number(f[1]), insns: Number(f[2]), count: Number(f[3]), taken: Number(f[4]) });
  }
  return segs;
}

export interface CountedRun {
  readonly segments: Segment[];
  readonly stdout: string;
  readonly exitCode: number | null;
}

/** Run `elf` in QEMU mps3-an547 (-icount shift=0, semihosting in `cwd`) with the plugin. */
export function runCountingBlocks(elf: string, markers: Markers, cwd: string, timeoutMs: number): CountedRun {
  const so = buildPlugin();
  const file = path.join(cwd, 'hsq-blocks.txt');
  fs.rmSync(file, { force: true });
  const opts = [`begin=0x${markers.begin.toString(16)}`, `out=${file}`];
  if (markers.end !== undefined) opts.push(`end=0x${markers.end.toString(16)}`);
  if (markers.split !== undefined) opts.push(`split=0x${markers.split.toString(16)}`);
  const r = spawnSync(QEMU_ARM, [...qemuArgs(path.resolve(elf), true), '-plugin', `${so},${opts.join(',')}`], {
    cwd, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20,
  });
  if (r.error) throw new Error(`QEMU with the block counter: ${r.error.message}`);
  if (!fs.existsSync(file)) throw new Error(`QEMU wrote no block counts (exit ${r.status}):\n${r.stderr}`);
  return { segments: parseBlockFile(fs.readFileSync(file, 'utf8')), stdout: r.stdout, exitCode: r.status };
}
