// Per-layer profiling (-DHSQ_PROFILE, `hsq run --profile`): the host profile of mnist, a QEMU
// Cortex-M55 profile of Tiny YOLOv2 QDQ at 64 (instruction counts), the stm32n6 emulation's
// segment and layer profile, and that without -DHSQ_PROFILE nothing changes (bit-identical
// outputs, no profile symbol in the objects).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runC } from '../targets/host/run';
import { ARM_APT_PACKAGES, ARM_GCC, armToolchainStatus } from '../toolchain/qemu';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { formatProfile, profileModel } from '../verify/profile';
import { emitModel } from '../targets/c/emit-model';
import { HOST_TARGET } from '../targets/host/target';
import { emitStm32n6 } from '../targets/stm32n6/emit';
import { placeAndPartition } from '../placement/stage';
import { STM32N6_PLACEMENT } from '../targets/stm32n6/capabilities';
import { n6RuntimeDir } from '../targets/stm32n6/glue';
import { runtimeDir } from '../targets/c/runtime-files';
import { buildTinyYoloV2 } from '../examples/tiny-yolov2/build';
import { randomInputs } from '../core/random-inputs';
import { SHARED } from './support/conformance';
import { describeShared } from './support/shared';

const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv');
const BIN = path.resolve(__dirname, '../bin/hsq.js');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-profile-'));

const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
function expectSameBytes(a: Record<string, Tensor>, b: Record<string, Tensor>): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) expect(bytes(a[k]).equals(bytes(b[k]))).toBe(true);
}

function nmOf(cc: string, nm: string, flags: string[], dir: string, file: string): string {
  const obj = path.join(dir, `${file}.${flags.includes('-DHSQ_PROFILE') ? 'p' : 'r'}.o`);
  const r = spawnSync(cc, [...flags, `-I${dir}`, `-I${runtimeDir()}`, '-c', path.join(dir, file), '-o', obj], { encoding: 'utf8' });
  expect({ file, status: r.status, err: r.stderr }).toEqual({ file, status: 0, err: '' });
  return spawnSync(nm, [obj], { encoding: 'utf8' }).stdout;
}

describeShared('host profile (mnist)', () => {
  let g: Graph;
  let inputs: Record<string, Tensor>;
  beforeAll(() => {
    g = lower(loadModel(path.join(MNIST, 'model.onnx')));
    inputs = { [g.inputs.filter((i) => !(i in g.initializers))[0]]: readTensorFile(path.join(MNIST, 'test_data_set_0/input_0.pb')) };
  });

  test('every layer present with a time > 0; the sum is at most the whole run; outputs as without profiling', async () => {
    const { outputs, report } = await profileModel(g, inputs, { target: 'host' });
    expect(report.unit).toBe('ns');
    // One row per ONNX node, in order (mnist has no fused nodes or lookup tables).
    expect(report.layers.map((l) => l.name)).toEqual(g.nodes.map((n) => n.origin?.[0] ?? n.name));
    expect(report.layers.map((l) => l.op)).toEqual(g.nodes.map((n) => n.op));
    for (const l of report.layers) {
      expect(l.measured).toBeGreaterThan(0);
      expect(l.estUs).toBeUndefined();
    }
    expect(report.totalMeasured).toBeLessThanOrEqual(report.runMeasured!);
    // Convolutions are most of the work.
    const conv = report.layers.filter((l) => l.op === 'Conv').reduce((s, l) => s + l.measured, 0);
    expect(conv).toBeGreaterThan(report.totalMeasured / 2);
    expectSameBytes(outputs, await runC(g, inputs));
    const text = formatProfile(report);
    expect(text).toMatch(/^\s*0\s+Convolution28\s+Conv\s+[\d,]+\s+[\d.]+\s+-\s+-$/m);
    expect(text).toMatch(/total \(sum of layers\)/);
  });

  test('without -DHSQ_PROFILE the schedule defines no profile symbol; with it, the table and its names', () => {
    const e = emitModel(g, { name: 'mn' });
    const dir = tmp();
    try {
      for (const [f, b] of Object.entries(e.files)) fs.writeFileSync(path.join(dir, f), b);
      const cc = process.env.CC || HOST_TARGET.cc;
      const plain = nmOf(cc, 'nm', [...HOST_TARGET.cflags], dir, 'mn.c');
      expect(plain).not.toMatch(/profile/);
      expect(plain).toMatch(/ T mn_run\b/);
      const prof = nmOf(cc, 'nm', [...HOST_TARGET.cflags, '-DHSQ_PROFILE'], dir, 'mn.c');
      for (const s of ['mn_profile', 'mn_profile_names', 'mn_profile_ops']) expect(prof).toMatch(new RegExp(` [BDRC] ${s}$`, 'm'));
      expect(prof).toMatch(/ U hsq_profile_now$/m);
      // The names in C are the ONNX nodes, one per timed block.
      const c = e.files['mn.c'] as string;
      expect(c).toContain(`const char* const mn_profile_names[${g.nodes.length}] = { ${g.nodes.map((n) => `"${n.name}"`).join(', ')} };`);
      expect((c.match(/HSQ_PROFILE_BEGIN\(/g) ?? []).length).toBe(g.nodes.length);
      expect(e.files['mn.h']).toContain(`#define MN_NUM_LAYERS ${g.nodes.length}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hsq run --profile [--json] prints the table / the same as JSON, and writes the outputs', () => {
    const out = tmp();
    try {
      const run = (...extra: string[]) => spawnSync(process.execPath, [BIN, 'run', path.join(MNIST, 'model.onnx'), '--inputs', path.join(MNIST, 'test_data_set_0'), '-o', out, '--profile', ...extra], { encoding: 'utf8', env: { ...process.env, HSQ_DEBUG: '' } });
      const t = run();
      expect(t.stderr).toBe('');
      expect(t.status).toBe(0);
      expect(t.stdout).toMatch(/^profile on host: /);
      for (const n of g.nodes) expect(t.stdout).toMatch(new RegExp(`^\\s*\\d+\\s+${n.name}\\s+${n.op}\\s+[\\d,]+ `, 'm'));
      expect(t.stdout).toMatch(/wrote 1 output/);
      const j = run('--json');
      expect(j.status).toBe(0);
      const r = JSON.parse(j.stdout);
      expect(r.outputs).toEqual([path.join(out, 'output_0.pb')]);
      expect(r.profile.unit).toBe('ns');
      expect(r.profile.layers.map((l: { name: string }) => l.name)).toEqual(g.nodes.map((n) => n.name));
      const bad = run('--engine', 'interpreter');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--profile/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`profile: QEMU parts skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describe;

maybe('QEMU profiles (Tiny YOLOv2 QDQ 64)', () => {
  let raw: Graph;
  let g: Graph;
  let inputs: Record<string, Tensor>;
  let ref: Record<string, Tensor>;
  beforeAll(async () => {
    if (!status.ok)
      throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
    raw = decodeModel(await buildTinyYoloV2({ variant: 'qdq', size: 64, seed: 5 }));
    g = lower(raw);
    inputs = randomInputs(raw, 11);
    ref = runGraph(g, inputs);
  });

  test('cortex-m55: every layer has instructions > 0, convolutions dominate, estimates beside; outputs as without profiling', async () => {
    const { outputs, report } = await profileModel(g, inputs, { target: 'cortex-m55' });
    expect(report.unit).toBe('instructions');
    expect(report.cpuClockHz).toBe(800e6);
    // Rows are placement layers: conv1..conv9 and their LeakyRelu / MaxPool layers, by ONNX name.
    const names = report.layers.map((l) => l.name);
    for (let i = 1; i <= 9; i++) expect(names).toContain(`conv${i}`);
    for (let i = 1; i <= 8; i++) expect(names).toContain(`leaky${i}`);
    for (let i = 1; i <= 6; i++) expect(names).toContain(`pool${i}`);
    // Every timed block of the schedule is in exactly one row.
    expect(report.layers.flatMap((l) => l.blocks).length).toBe(report.timedBlocks);
    for (const l of report.layers) {
      expect(l.measured).toBeGreaterThan(0);
      expect(Number.isInteger(l.measured * 4)).toBe(true); // SysTick ticks x 31.25
      expect(l.estUs).toBeGreaterThan(0);
      expect(l.measuredMs).toBeCloseTo(l.measured / (0.6 * 800e6) * 1e3, 9);
    }
    const conv = report.layers.filter((l) => l.op === 'Conv').reduce((s, l) => s + l.measured, 0);
    expect(conv).toBeGreaterThan(report.totalMeasured / 2);
    expect(report.layers.find((l) => l.name === 'conv8')!.measured).toBeGreaterThan(report.layers.find((l) => l.name === 'leaky8')!.measured * 10);
    expect(report.timedBlocks).toBeGreaterThanOrEqual(report.layers.length);
    expect(report.totalMeasured).toBeLessThanOrEqual(report.runMeasured!);
    expect(report.totalMeasured).toBeGreaterThan(report.runMeasured! * 0.9);
    // The profiled build computes the interpreter's numbers (as the plain build does: tests/m55-model).
    expectSameBytes(outputs, ref);
    expect(formatProfile(report)).toMatch(/^\s*\d+\s+conv1\s+Conv\s+[\d,]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
  }, 120000);

  test('stm32n6 (emulated NPU): per-segment and per-layer counts, estimates per device; the real glue times segments with DWT', async () => {
    const { outputs, report } = await profileModel(g, inputs, { target: 'stm32n6' });
    expectSameBytes(outputs, ref);
    expect(report.segments!.length).toBeGreaterThan(1);
    for (const s of report.segments!) {
      const mine = report.layers.filter((l) => l.segment === s.name);
      expect(mine.length).toBeGreaterThan(0);
      // The segment's time holds its layers' (each read to one SysTick tick, 31.25 instructions).
      const sumLayers = mine.reduce((a, l) => a + l.measured, 0);
      expect(s.measured + 31.25 * mine.reduce((a, l) => a + l.blocks.length, 0)).toBeGreaterThanOrEqual(sumLayers);
    }
    for (const l of report.layers) {
      expect(l.measured).toBeGreaterThan(0);
      expect(l.device === 'npu' || l.device === 'cpu').toBe(true);
      expect(l.estCpuUs).toBeGreaterThan(0);
      if (l.device === 'npu') expect(l.estUs).toBe(l.estNpuUs);
      else expect(l.estUs).toBe(l.estCpuUs);
    }
    expect(report.layers.some((l) => l.device === 'npu')).toBe(true);
    expect(formatProfile(report)).toMatch(/^segment\s+dev\s+instructions/m);

    // The real-NPU build: -DHSQ_PROFILE makes the glue define hsq_profile_now (DWT) and its
    // segment table; without it, no profile symbol.
    const e = emitStm32n6(placeAndPartition(lower(raw), STM32N6_PLACEMENT), { name: 'ty' });
    const dir = tmp();
    try {
      for (const [f, b] of Object.entries(e.files)) if (!f.includes('/')) fs.writeFileSync(path.join(dir, f), b);
      const flags = ['-mcpu=cortex-m55', '-mthumb', '-mfloat-abi=hard', '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
        `-I${n6RuntimeDir()}`, '-DHSQ_LL_ATON_HEADER="ll_aton_decl.h"', '-DHSQ_N6_CMSIS_HEADER="cmsis_decl.h"'];
      const armNm = ARM_GCC.replace(/gcc$/, 'nm');
      const prof = nmOf(ARM_GCC, armNm, [...flags, '-DHSQ_PROFILE'], dir, 'ty.c');
      expect(prof).toMatch(/ T hsq_profile_now$/m);
      expect(prof).toMatch(/ [BC] ty_profile$/m);
      expect(nmOf(ARM_GCC, armNm, flags, dir, 'ty.c')).not.toMatch(/profile/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
