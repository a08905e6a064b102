// The ONNX conformance tests that the host C backend passes, through the cortex-m55 target:
// every model in ONE ELF and ONE QEMU mps3-an547 run per path (MVE, and the portable path of a
// -mcpu=cortex-m55+nomve build), outputs bit-identical to the interpreter on the same lowered
// graph. Quantized convolutions and matrix products the generators accept run as generated
// per-layer kernels, the others (here all: the tests' weights leave int8 after the zero point)
// as the portable kernels.
import { armToolchainStatus, ARM_APT_PACKAGES } from '../toolchain/qemu';
import { M55BatchResult, runM55Batch } from '../targets/cortex-m55/run';
import { Tensor } from '../core/ir/tensor';
import { expectedFailures } from './support/conformance';
import { describeShared } from './support/shared';
import { PreparedCase, compareExact, prepareConformance } from './support/host-c-conformance';

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`m55-conformance: skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describeShared;

/** Families the issue names: quantized ops, convolutions, pools, activations. */
const REQUIRED = /^test_(qlinear|convinteger|matmulinteger|quantizelinear|dequantizelinear|conv|basic_conv|averagepool|maxpool|globalaveragepool|globalmaxpool|relu|leakyrelu|clip|sigmoid|hardsigmoid|prelu|softmax)/;

maybe('ONNX conformance through the cortex-m55 target (QEMU)', () => {
  const cXfail = expectedFailures('c');
  let cases: PreparedCase[] = [];
  const runs: Record<'mve' | 'scalar', M55BatchResult | undefined> = { mve: undefined, scalar: undefined };

  beforeAll(async () => {
    if (!status.ok)
      throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
    cases = prepareConformance().filter((c) => !c.error && !(c.name in cXfail));
    const items = cases.map((c) => ({ graph: c.graph!, inputs: [c.inputs!] }));
    // Both paths at once: two ELFs, two QEMU processes.
    const [mve, scalar] = await Promise.all([runM55Batch(items, {}), runM55Batch(items, { scalar: true })]);
    runs.mve = mve;
    runs.scalar = scalar;
    console.log(`m55-conformance: ${cases.length} models; MVE build ${mve.stats.buildMs} ms, QEMU ${mve.stats.qemuMs} ms; scalar build ${scalar.stats.buildMs} ms, QEMU ${scalar.stats.qemuMs} ms`);
  }, 900000);

  test('covers the quantized, conv, pool and activation tests', () => {
    const names = cases.map((c) => c.name);
    for (const n of ['test_qlinearconv', 'test_qlinearmatmul_2D_int8_float32', 'test_qlinearmatmul_3D_uint8_float32', 'test_convinteger_with_padding',
      'test_matmulinteger', 'test_quantizelinear', 'test_dequantizelinear', 'test_basic_conv_with_padding', 'test_maxpool_2d_uint8', 'test_averagepool_2d_pads', 'test_leakyrelu'])
      expect(names).toContain(n);
    expect(names.filter((n) => REQUIRED.test(n)).length).toBeGreaterThan(60);
  });

  test('quantized layers the generators reject fall back to the portable kernels, with the reason', () => {
    // The ONNX tests use uint8 weights whose w - zw leaves int8; the generators store int8 or
    // int4, so these run hsq_qconv/hsq_qgemm (tests/m55-model-kernels.test.ts covers the
    // generated kernels on layers they accept).
    const layers = runs.mve!.stats.program.models.flatMap((m, k) => m.layers.map((l) => ({ test: cases[k].name, ...l })));
    const conv = layers.find((l) => l.test === 'test_qlinearconv');
    expect(conv).toMatchObject({ kernel: 'portable' });
    expect(conv!.reason).toMatch(/int8 storage cannot hold/);
    expect(layers.filter((l) => l.test.startsWith('test_qlinearmatmul_2D')).every((l) => l.kernel === 'portable' && /int8 storage/.test(l.reason!))).toBe(true);
  });

  function problems(path: 'mve' | 'scalar'): { name: string; problem: string }[] {
    const r = runs[path]!;
    const out: { name: string; problem: string }[] = [];
    cases.forEach((c, k) => {
      const got: Record<string, Tensor> = r.outputs[k][0];
      c.graph!.outputs.forEach((name, i) => {
        const p = compareExact(got[name], c.interp![name]);
        if (p) out.push({ name: c.name, problem: `output ${i} differs from the interpreter: ${p}` });
      });
    });
    return out;
  }

  test('MVE build: every model equals the interpreter bit for bit', () => {
    expect(problems('mve')).toEqual([]);
  });

  test('scalar build (-mcpu=cortex-m55+nomve): every model equals the interpreter bit for bit', () => {
    expect(problems('scalar')).toEqual([]);
  });
});
