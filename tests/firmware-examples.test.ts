// The firmware examples as a user builds them: CMake + arm-none-eabi-gcc cross builds from
// examples/qemu-m55-firmware and examples/stm32n6570-dk (emulated NPU), run in QEMU mps3-an547 with
// the commands of their READMEs; what they print must be hsq's numbers on the host, bit for bit.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARM_APT_PACKAGES, armToolchainStatus } from '../toolchain/qemu';
import { decodeNpy, encodeNpy } from '../frontend/npy';
import { frontendForTarget } from '../driver/compile';
import { stm32n6Target } from '../targets/stm32n6';
import { loadConfig } from '../core/config';
import { setWarningSink } from '../core/diagnostics';
import { runGraph } from '../ops/engine/interpreter';
import { makeTensor } from '../core/ir/tensor';

const ROOT = path.resolve(__dirname, '..');
const HSQ = path.join(ROOT, 'bin/hsq.js');
const SIZE = 64;
/** A gcc warning or error (file:line:col: kind:), as opposed to hsq's own notes in the build log. */
const GCC_DIAGNOSTIC = /\.[chs]:\d+:(\d+:)? (warning|error):|\bld: warning:/;

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`firmware-examples: skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describe;

function requireToolchain(): void {
  if (!status.ok)
    throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
}

function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 * 2 ** 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout + r.stderr;
}

/** configure + build an example as its README says; returns the ELF and the build log. */
function cmakeBuild(example: string, build: string, defs: Record<string, string | number>): { elf: string; log: string } {
  const src = path.join(ROOT, 'examples', example);
  const log = sh('cmake', ['-S', src, '-B', build, ...Object.entries(defs).map(([k, v]) => `-D${k}=${v}`)], build)
    + sh('cmake', ['--build', build, '-j', String(Math.max(2, os.cpus().length))], build);
  return { elf: path.join(build, 'app.elf'), log };
}

/**
 * The README's QEMU command; semihosting prints on stdout, exit(status) is QEMU's status.
 * `-monitor none -serial null`: with plain -nographic, QEMU 7.2 sends the semihosting console
 * through the non-blocking stdio serial mux, which drops lines when stdout is a pipe.
 */
function qemu(elf: string, cwd: string): string {
  const r = spawnSync('qemu-system-arm', ['-M', 'mps3-an547', '-nographic', '-monitor', 'none', '-serial', 'null',
    '-semihosting-config', 'enable=on,target=native', '-kernel', elf],
    { cwd, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`QEMU exited with ${r.status}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** The examples' input: x[i] = ((i * 37 + 11) mod 256) / 256 over the NCHW flat index. */
function patternInput(shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => ((i * 37 + 11) % 256) / 256);
}

function fnv1a32(v: Float32Array): string {
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return `0x${h.toString(16).padStart(8, '0')}`;
}

/** "out[i] = v" lines, as float32. */
function printedOutputs(stdout: string): Float32Array {
  const vals: number[] = [];
  for (const m of stdout.matchAll(/^out\[(\d+)\] = (\S+)$/gm)) {
    expect(Number(m[1])).toBe(vals.length);
    vals.push(Number(m[2]));
  }
  return Float32Array.from(vals);
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-firmware-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

maybe('firmware examples (CMake, arm-none-eabi-gcc, QEMU mps3-an547)', () => {
  test('qemu-m55-firmware prints the outputs and checksum of `hsq run` on the host', () => {
    requireToolchain();
    const build = path.join(work, 'm55');
    fs.mkdirSync(build);
    const { elf, log } = cmakeBuild('qemu-m55-firmware', build, { TINY_YOLOV2_SIZE: SIZE });
    expect(log).not.toMatch(GCC_DIAGNOSTIC);
    expect(log).toMatch(/hsq: compiling .* for cortex-m55/);
    const stdout = qemu(elf, work);
    const got = printedOutputs(stdout);
    const sum = /^checksum fnv1a32 = (0x[0-9a-f]{8})$/m.exec(stdout);
    expect(sum).not.toBeNull();

    // The same model (built by the example's configure step) and input through `hsq run` on the host.
    const model = path.join(build, `tiny_yolov2_qdq_${SIZE}.onnx`);
    const shape = [1, 3, SIZE, SIZE];
    fs.writeFileSync(path.join(work, 'x.npy'), encodeNpy(makeTensor('float32', shape, patternInput(shape))));
    const out = path.join(work, 'host-out');
    sh(process.execPath, [HSQ, 'run', model, '--engine', 'interpreter', '--input', `input=${path.join(work, 'x.npy')}`, '-o', out, '--format', 'npy'], work);
    const npy = fs.readdirSync(out).filter((f) => f.endsWith('.npy'));
    expect(npy).toHaveLength(1);
    const want = decodeNpy(fs.readFileSync(path.join(out, npy[0])), npy[0]);
    expect(want.shape).toEqual([1, 125, SIZE / 32, SIZE / 32]);
    const w = want.data as Float32Array;
    expect(got.length).toBe(w.length);
    expect(Array.from(got)).toEqual(Array.from(w));
    expect(sum![1]).toBe(fnv1a32(w));

    // The README's check script says the same, and catches a changed value.
    const qemuLog = path.join(work, 'qemu.txt');
    fs.writeFileSync(qemuLog, stdout);
    const check = path.join(ROOT, 'examples/qemu-m55-firmware/check-output.js');
    expect(sh(process.execPath, [check, model, qemuLog], work)).toMatch(/^OK: 500 values of 'output'/);
    fs.writeFileSync(qemuLog, stdout.replace(/^out\[7\] = .*$/m, `out[7] = ${w[7] + 1}`));
    const bad = spawnSync(process.execPath, [check, model, qemuLog], { cwd: work, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/1 of 500 values differ, first out\[7\]/);
  });

  test('stm32n6570-dk (emulated NPU) runs Tiny YOLOv2 in a loop, timed, with the interpreter\'s numbers', () => {
    requireToolchain();
    const build = path.join(work, 'n6');
    fs.mkdirSync(build);
    const iterations = 2;
    const { elf, log } = cmakeBuild('stm32n6570-dk', build, { TINY_YOLOV2_SIZE: SIZE, N6_ITERATIONS: iterations, N6_PRINT_OUTPUTS: 100000 });
    expect(log).not.toMatch(GCC_DIAGNOSTIC);
    expect(log).toMatch(/hsq: compiling .* for stm32n6/);
    const stdout = qemu(elf, work);
    expect(stdout).toMatch(/emulated NPU/);
    expect(stdout).toMatch(/^timer: SysTick \(QEMU\) at 32000000 Hz/m);
    const runs = [...stdout.matchAll(/^inference (\d+): (\d+) us \((\d+) counts\), checksum fnv1a32 = (0x[0-9a-f]{8})$/gm)];
    expect(runs.map((m) => Number(m[1]))).toEqual([1, 2]);
    for (const m of runs) expect(Number(m[3])).toBeGreaterThan(0);
    expect(new Set(runs.map((m) => m[4])).size).toBe(1);
    expect(stdout).toMatch(/^mean: \d+ us per inference over 2$/m);

    // hsq's numbers: the graph `hsq compile --config` quantizes (same model, same config), interpreted.
    const config = path.join(ROOT, 'examples/tiny-yolov2/hsq.config.json');
    const warnings: string[] = [];
    const prev = setWarningSink((m) => warnings.push(m));
    let graph;
    try {
      ({ graph } = frontendForTarget({ model: path.join(build, `tiny_yolov2_${SIZE}.onnx`), out: '', config }, loadConfig(config), stm32n6Target));
    } finally {
      setWarningSink(prev);
    }
    expect(warnings.join('\n')).toMatch(/--calib random/); // the config's calibration, as in the firmware build
    const shape = [1, 3, SIZE, SIZE];
    const y = runGraph(graph, { input: makeTensor('float32', shape, patternInput(shape)) })[graph.outputs[0]];
    const w = y.data as Float32Array;
    expect(Array.from(printedOutputs(stdout))).toEqual(Array.from(w));
    expect(runs[0][4]).toBe(fnv1a32(w));
  });

  test('stm32n6570-dk board configuration: stedgeai runs per NPU segment and the real-NPU glue and main.c compile', () => {
    requireToolchain();
    // A stand-in for ST's stedgeai (not available here): writes the files `generate` writes and
    // records its arguments. What is under test is the CMake wiring, not stedgeai.
    const bin = path.join(work, 'fake-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'stedgeai'), [
      '#!/bin/sh',
      'echo "$@" >> "$HSQ_FAKE_STEDGEAI_LOG"',
      'name=""; out=""',
      'while [ $# -gt 0 ]; do case "$1" in --name) name="$2"; shift;; --output) out="$2"; shift;; esac; shift; done',
      'mkdir -p "$out"',
      'echo "int ${name}_placeholder_network;" > "$out/$name.c"',
      'echo "/* placeholder */" > "$out/${name}_ecblobs.h"',
      'printf x > "$out/${name}_atonbuf.xSPI2.raw"',
      '',
    ].join('\n'), { mode: 0o755 });
    const calls = path.join(work, 'stedgeai-calls.txt');
    fs.writeFileSync(path.join(work, 'st.c'), 'void st_placeholder(void) {}\n');
    fs.writeFileSync(path.join(work, 'app.ld'), '');
    const build = path.join(work, 'n6-board');
    fs.mkdirSync(build);
    // The float model of the previous test, when there is one (configure builds it otherwise).
    const model = path.join(work, 'n6', `tiny_yolov2_${SIZE}.onnx`);
    if (fs.existsSync(model)) fs.copyFileSync(model, path.join(build, path.basename(model)));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HSQ_FAKE_STEDGEAI_LOG: calls };
    const src = path.join(ROOT, 'examples/stm32n6570-dk');
    const run = (args: string[]) => {
      const r = spawnSync(args[0], args.slice(1), { cwd: build, env, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
      return r.stdout + r.stderr;
    };
    const conf = run(['cmake', '-S', src, '-B', build, '-G', 'Unix Makefiles',
      `-DTINY_YOLOV2_SIZE=${SIZE}`, '-DN6_PLATFORM=board', `-DN6_BOARD_SOURCES=${path.join(work, 'st.c')}`,
      `-DN6_LINKER_SCRIPT=${path.join(work, 'app.ld')}`, `-DN6_BOARD_INCLUDE_DIRS=${path.join(ROOT, 'runtime-c/stm32n6')}`,
      '-DN6_BOARD_DEFINES=HSQ_LL_ATON_HEADER="ll_aton_decl.h";HSQ_N6_CMSIS_HEADER="cmsis_decl.h"']);
    expect(conf).not.toMatch(/stedgeai.*was not found/);
    const segs = fs.readdirSync(path.join(build, 'hsq/tiny_yolov2/npu')).filter((f) => f.endsWith('.onnx')).map((f) => f.replace(/\.onnx$/, '')).sort();
    expect(segs.length).toBeGreaterThan(0);
    // Every NPU segment's stedgeai output, the glue without HSQ_NPU_EMULATION, main.c and timer.c.
    const objs = [...segs.map((s) => `st_ai_output/${s}/${s}.obj`), 'hsq/tiny_yolov2/tiny_yolov2.obj', 'main.obj', 'timer.obj'];
    const log = run(['make', ...objs]);
    expect(log).not.toMatch(GCC_DIAGNOSTIC);
    const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines.map((l) => /--name (\S+)/.exec(l)![1]).sort()).toEqual(segs);
    for (const l of lines) expect(l).toMatch(/^generate -m \S+\.onnx --target stm32n6 --st-neural-art \S+@\S+neural_art\.json .*--no-inputs-allocation --no-outputs-allocation/);
    const flags = fs.readFileSync(path.join(build, 'CMakeFiles/app.dir/flags.make'), 'utf8');
    expect(flags).not.toMatch(/HSQ_NPU_EMULATION/);
  });
});
