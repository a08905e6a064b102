// npm run bench:kernels: instructions and estimated cycles per MAC of the generated Cortex-M55
// conv/FC kernels (w8a8, w4a8, w2a8, w1a8, w1a1; MVE and scalar paths) on five layer shapes.
// Instructions: QEMU mps3-an547 with -icount shift=0 (SysTick, 31.25 instructions a tick).
// Cycles: bench/cycles (every block executed inside the kernel call, llvm-mca-19 -mcpu=cortex-m55,
// weighted by its count). Every run checks each kernel's output against the TypeScript
// reference, bit for bit, so the numbers cannot come from wrong code. Writes
// bench/results/kernels.json; `--small` runs small shapes (what tests/kernel-bench.test.ts uses).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { armToolchainStatus } from '../toolchain/qemu';
import { generateConv } from '../targets/cortex-m55/kernels/conv';
import { generateBinaryConv } from '../targets/cortex-m55/kernels/binary';
import { referenceConv } from '../targets/cortex-m55/kernels/reference';
import type { GeneratedKernel } from '../targets/cortex-m55/kernels/types';
import { runKernelsWithEstimate } from './cycles/harness';
import { llvmStatus } from './cycles/mca';
import { benchCase, PRECISIONS, type LayerSpec, type Precision } from './kernel-cases';
import { CMSIS_NN, CMSIS_NN_SOURCE, goalOf, methodCheck, type Goal } from './kernel-goals';
import { coefficients } from './kernel-coefficients';

export const LAYERS: LayerSpec[] = [
  { layer: 'conv3x3_28x28_64_64', H: 28, W: 28, C: 64, M: 64, k: 3, pad: 1 },
  { layer: 'conv1x1_14x14_256_256', H: 14, W: 14, C: 256, M: 256, k: 1, pad: 0 },
  { layer: 'conv3x3_13x13_256_512', H: 13, W: 13, C: 256, M: 512, k: 3, pad: 1 },
  { layer: 'conv3x3_56x56_16_32', H: 56, W: 56, C: 16, M: 32, k: 3, pad: 1 },
  { layer: 'fc_1024_1000', H: 1, W: 1, C: 1024, M: 1000, k: 1, pad: 0, fc: true },
];

/** Small shapes of the same kinds (conv 3x3 with borders, 1x1, FC) for the test suite. */
export const SMALL_LAYERS: LayerSpec[] = [
  { layer: 'conv3x3_10x10_32_16', H: 10, W: 10, C: 32, M: 16, k: 3, pad: 1 },
  { layer: 'conv1x1_6x6_64_32', H: 6, W: 6, C: 64, M: 32, k: 1, pad: 0 },
  { layer: 'fc_256_40', H: 1, W: 1, C: 256, M: 40, k: 1, pad: 0, fc: true },
];

export interface KernelBenchRow {
  layer: string;
  precision: Precision;
  path: 'mve' | 'scalar';
  macs: number;
  /** SysTick count x 31.25 (resolution 31.25 instructions). */
  instructions: number;
  instrPerMac: number;
  estCycles: number;
  estCyclesPerMac: number;
  storageBits: number;
  weightBytes: number;
  /** CMSIS-NN with clang (MVE rows; w8a8: s8 kernels, w4a8: s4 kernels; see cmsisNn.source),
   *  and the earlier gcc 12 build's instructions per MAC. */
  cmsisNnInstrPerMac?: number;
  cmsisNnEstCyclesPerMac?: number;
  cmsisNnGccInstrPerMac?: number;
  /** The goal for this row (MVE rows), and whether it holds. */
  goal?: Goal & { met: boolean };
}

interface Measured {
  spec: LayerSpec;
  precision: Precision;
  kernel: GeneratedKernel;
  x: Int8Array;
  ref: Uint8Array;
}

const r4 = (v: number) => Number(v.toFixed(4));

/** Build and run every case on one path; bit-exact check; one row per case. */
export function measure(cases: Measured[], p: 'mve' | 'scalar', dir: string, log: (m: string) => void): KernelBenchRow[] {
  const t0 = Date.now();
  const res = runKernelsWithEstimate(cases.map((c) => ({ kernel: c.kernel, input: c.x })), { dir, scalar: p === 'scalar', timeoutMs: 1800000 });
  const rows = cases.map((c, i) => {
    const out = res.outputs[i];
    let bad = 0;
    for (let j = 0; j < c.ref.length; j++) if (out[j] !== c.ref[j]) bad++;
    if (bad || out.length !== c.ref.length) throw new Error(`${c.spec.layer} ${c.precision} ${p}: ${bad} of ${c.ref.length} outputs differ from the reference`);
    const k = c.kernel;
    const e = res.estimates[i];
    const row: KernelBenchRow = {
      layer: c.spec.layer, precision: c.precision, path: p, macs: k.macs, instructions: res.instructions[i],
      instrPerMac: r4(res.instructions[i] / k.macs), estCycles: Math.round(e.cycles), estCyclesPerMac: r4(e.cycles / k.macs),
      storageBits: k.storageBits, weightBytes: k.arrays.find((a) => a.kind === 'weights')!.bytes.length,
    };
    const cm = p === 'mve' ? CMSIS_NN[c.spec.layer]?.[c.precision] : undefined;
    if (cm) Object.assign(row, { cmsisNnInstrPerMac: cm.instrPerMac, cmsisNnEstCyclesPerMac: cm.estCyclesPerMac, cmsisNnGccInstrPerMac: cm.gccInstrPerMac });
    return row;
  });
  log(`${p}: built and ran ${cases.length} kernels in ${((Date.now() - t0) / 1000).toFixed(1)} s, all bit-exact`);
  return rows;
}

/** Every (shape, precision) case with its reference output. */
export function benchCases(layers: LayerSpec[], precisions: readonly Precision[]): Measured[] {
  return layers.flatMap((spec, li) => precisions.map((precision, pi) => {
    const { desc, x } = benchCase(spec, precision, 1000 + li * 10 + pi);
    const kernel = precision === 'w1a1' ? generateBinaryConv(desc) : generateConv(desc);
    return { spec, precision, kernel, x, ref: new Uint8Array(referenceConv(desc, x).buffer) };
  }));
}

/** The same layers with a per-channel float term after the multiplier (QONNX float biases):
 *  checked bit for bit like the others; reported beside the plain rows, not as rows. */
export function floatBiasCases(layers: LayerSpec[], precisions: readonly Precision[]): Measured[] {
  return layers.flatMap((spec, li) => precisions.map((precision, pi) => {
    const { desc: d0, x } = benchCase(spec, precision, 5000 + li * 10 + pi);
    const floatBias = Array.from({ length: d0.outC }, (_, c) => Math.fround(((c * 37) % 17) / 4 - 2));
    const desc = { ...d0, name: `${d0.name}_fb`, floatBias };
    return { spec, precision, kernel: generateConv(desc), x, ref: new Uint8Array(referenceConv(desc, x).buffer) };
  }));
}

/** Attach the goals (MVE rows; w2/w1 goals compare with the w4a8 row of the same shape). */
export function withGoals(rows: KernelBenchRow[]): KernelBenchRow[] {
  return rows.map((r) => {
    if (r.path !== 'mve') return r;
    const w4 = rows.find((o) => o.layer === r.layer && o.path === 'mve' && o.precision === 'w4a8');
    const g = goalOf(r.layer, r.precision, w4?.estCyclesPerMac);
    return g ? { ...r, goal: { ...g, met: r.estCyclesPerMac <= g.estCyclesPerMac } } : r;
  });
}

function main(): void {
  const st = armToolchainStatus();
  const ls = llvmStatus();
  if (!st.ok || !ls.ok) {
    console.error(`bench:kernels: ${[st.reason, ls.reason].filter(Boolean).join('; ')}`);
    process.exit(2);
  }
  const onlyMve = process.argv.includes('--mve-only');
  const small = process.argv.includes('--small');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-bench-kernels-'));
  const layers = small ? SMALL_LAYERS : LAYERS;
  const cases = benchCases(layers, PRECISIONS);
  const fbCases = floatBiasCases(layers.filter((l) => l.layer !== 'conv3x3_13x13_256_512'), ['w8a8', 'w4a8']);
  const rows: KernelBenchRow[] = [];
  const fbRows: KernelBenchRow[] = [];
  for (const p of onlyMve ? (['mve'] as const) : (['mve', 'scalar'] as const)) {
    const r = measure([...cases, ...fbCases], p, path.join(work, p), console.log);
    rows.push(...r.slice(0, cases.length));
    fbRows.push(...r.slice(cases.length));
  }
  const all = withGoals(rows);
  for (const r of all)
    console.log(`${r.layer.padEnd(24)} ${r.precision} ${r.path.padEnd(6)} ${r.instrPerMac.toFixed(3).padStart(7)} instr/MAC ${r.estCyclesPerMac.toFixed(3).padStart(7)} cycles/MAC` +
      (r.goal ? `  goal ${r.goal.estCyclesPerMac.toFixed(3)} (${r.goal.rule}) ${r.goal.met ? 'met' : 'MISSED'}` : ''));
  const outFile = path.join(__dirname, '..', '..', 'bench', 'results', small ? 'kernels-small.json' : 'kernels.json');
  const resolved = fs.existsSync(path.dirname(outFile)) ? outFile : path.join(process.cwd(), 'bench', 'results', path.basename(outFile));
  fs.mkdirSync(path.dirname(resolved), { recursive: true });
  const doc = {
    method: {
      instructions: 'qemu-system-arm 7.2 -M mps3-an547 -icount shift=0, SysTick ticks x 31.25, one call per kernel, arm-none-eabi-gcc -O2',
      estCycles: 'bench/cycles: QEMU TCG plugin counts every block executed inside the call; llvm-mca-19 -mcpu=cortex-m55 steady-state cycles per block (100 iterations) x executions; LE/LETP free, other taken branches 2 cycles, not taken 1; zero-wait TCM (bench/README.md)',
    },
    cmsisNn: CMSIS_NN_SOURCE,
    methodCheck: methodCheck(),
    floatBias: {
      note: 'the same layers with an optional per-channel float term after the multiplier, y = sat(rhe(float(float(acc) * m) + b) + zp): bit-exact with the reference in this run; cost beside the plain row',
      rows: fbRows.map((r) => ({
        layer: r.layer, precision: r.precision, path: r.path, bitExact: true, estCyclesPerMac: r.estCyclesPerMac,
        withoutFloatBias: all.find((o) => o.layer === r.layer && o.precision === r.precision && o.path === r.path)?.estCyclesPerMac,
      })),
    },
    coefficients: coefficients(all),
    layers: all,
  };
  fs.writeFileSync(resolved, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${resolved}`);
  fs.rmSync(work, { recursive: true, force: true });
}

if (require.main === module) main();
