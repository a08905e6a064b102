// The kernel bench (bench/kernels.ts) on small shapes of the same kinds (3x3 conv with borders,
// 1x1, FC), every precision, MVE and scalar paths: one ELF and one QEMU run a path, each kernel
// checked bit for bit against the reference (measure() throws on any difference), with SysTick
// instructions and the cycle estimate. Fails, not skips, in CI without QEMU or llvm-19.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchCases, measure, withGoals, SMALL_LAYERS, type KernelBenchRow } from '../bench/kernels';
import { PRECISIONS } from '../bench/kernel-cases';
import { coefficients, kindOf } from '../bench/kernel-coefficients';
import { goalOf } from '../bench/kernel-goals';
import { m55Suite } from './support/m55-tools';

const { maybe, require: requireTools } = m55Suite('kernel-bench', true);

maybe('kernel bench on small shapes (QEMU + llvm-mca-19)', () => {
  let work: string;
  let rows: KernelBenchRow[] = [];

  beforeAll(() => {
    requireTools();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-kbench-'));
    const cases = benchCases(SMALL_LAYERS, PRECISIONS);
    rows = withGoals([...measure(cases, 'mve', path.join(work, 'mve'), () => {}), ...measure(cases, 'scalar', path.join(work, 'scalar'), () => {})]);
  }, 600000);
  afterAll(() => work && fs.rmSync(work, { recursive: true, force: true }));

  test('one bit-exact row per shape, precision and path, with instructions and estimated cycles', () => {
    expect(rows).toHaveLength(SMALL_LAYERS.length * PRECISIONS.length * 2);
    for (const r of rows) {
      expect(r.instructions).toBeGreaterThan(0);
      expect(r.estCycles).toBeGreaterThan(0);
      // The estimate covers at least one cycle an instruction on this in-order core, minus dual issue.
      expect(r.estCycles).toBeGreaterThan(0.5 * r.instructions);
    }
  });

  test('the MVE path is several times faster than the scalar path, and no MAC kernel beats the MAC floor', () => {
    for (const r of rows.filter((x) => x.path === 'mve')) {
      const s = rows.find((x) => x.path === 'scalar' && x.layer === r.layer && x.precision === r.precision)!;
      expect(r.estCycles * 4).toBeLessThan(s.estCycles);
      // VMLADAVA: 16 int8 MACs per 2 cycles; w1a1 counts 128 MACs per XOR, its floor is lower.
      if (r.precision !== 'w1a1') expect(r.estCyclesPerMac).toBeGreaterThanOrEqual(0.125);
    }
  });

  test('packed weights take 8, 4, 2 and 1 bits a weight (FC 2/1-bit words leave fields free: 1 of 8 in a 7-channel block, more in the last block)', () => {
    for (const layer of SMALL_LAYERS.map((l) => l.layer)) {
      const b = (p: string) => rows.find((r) => r.layer === layer && r.precision === p && r.path === 'mve')!.weightBytes;
      expect(b('w4a8')).toBe(b('w8a8') / 2);
      expect(b('w2a8')).toBeLessThanOrEqual((b('w8a8') / 4) * 1.25);
      expect(b('w1a8')).toBeLessThanOrEqual((b('w8a8') / 8) * 1.25);
      expect(b('w1a8')).toBeLessThan(b('w2a8'));
    }
  });

  test('goals are attached to the MVE rows of the issue shapes only, and coefficients cover every kind', () => {
    expect(rows.every((r) => r.goal === undefined || r.path === 'mve')).toBe(true);
    expect(goalOf('fc_1024_1000', 'w8a8')?.estCyclesPerMac).toBe(0.153);
    expect(goalOf('conv3x3_13x13_256_512', 'w4a8')?.estCyclesPerMac).toBeCloseTo(0.1505, 4);
    expect(goalOf('fc_1024_1000', 'w2a8', 0.2)?.estCyclesPerMac).toBe(0.2);
    const co = coefficients(rows) as unknown as Record<string, Record<string, Record<string, { cyclesPerMac: number }>>>;
    for (const p of ['mve', 'scalar'])
      for (const prec of PRECISIONS)
        for (const kind of new Set(SMALL_LAYERS.map((l) => kindOf(l.layer)))) expect(co[p][prec][kind].cyclesPerMac).toBeGreaterThan(0);
  });
});
