// The generated Cortex-M55 kernels inside whole models (targets/cortex-m55/emit.ts): small seeded
// graphs of hsq QConv / QGemm covering what the generators accept (8/4/2/1-bit weights,
// per-channel quantization, uint8 activations, uint8 outputs, strides, asymmetric padding,
// clamps, 1x1, depthwise, fully connected with several rows) and what falls back to the portable
// kernels (groups, dilation). All graphs in ONE ELF and ONE QEMU run per path (MVE, and the
// portable path of a -mcpu=cortex-m55+nomve build); outputs equal the interpreter bit for bit.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { armToolchainStatus, ARM_APT_PACKAGES } from '../toolchain/qemu';
import { M55BatchResult, runM55Batch } from '../targets/cortex-m55/run';
import { cortexM55Target } from '../targets/cortex-m55';
import { compileGraph } from '../driver/compile';
import { ReportLayer, validateReport } from '../report';
import { runGraph } from '../ops/engine/interpreter';
import { DType } from '../core/ir/dtype';
import { AttrValue, Graph, Node, QuantParams, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor, numel } from '../core/ir/tensor';
import { inferShapes } from '../passes/shape-inference';
import { runtimeSources } from '../targets/c/runtime-files';
import { m55KernelHeader } from '../targets/cortex-m55/runtime-files';
import { compareExact } from './support/host-c-conformance';

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`m55-model-kernels: skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describe;

let seed = 4242;
function rnd(): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
}
const randInt = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const tensorOf = (dtype: DType, shape: number[], gen: () => number): Tensor => makeTensor(dtype, shape, Array.from({ length: numel(shape) }, gen));

function q(scale: number | number[], zp: number | number[], bits = 8, signed = true, extra: Partial<QuantParams> = {}): QuantParams {
  const s = Array.isArray(scale) ? scale : [scale];
  const z = Array.isArray(zp) ? zp : [zp];
  return { scale: s.map(Math.fround), zeroPoint: z, bits, signed, narrow: false, ...extra };
}

interface Case { name: string; graph: Graph; inputs: Record<string, Tensor>; kernel: 'generated' | 'portable'; kind?: string }

function mk(name: string, x: [DType, number[], QuantParams], node: Node, inits: Record<string, Tensor>, quant: Record<string, QuantParams>): Graph {
  const tensors: Record<string, TensorInfo> = { x: { name: 'x', dtype: x[0], shape: x[1], quant: x[2] } };
  for (const [n, t] of Object.entries(inits)) tensors[n] = { name: n, dtype: t.dtype, shape: t.shape };
  for (const [n, qp] of Object.entries(quant)) tensors[n] = { ...(tensors[n] ?? { name: n, dtype: 'int8', shape: [] }), quant: qp };
  let g: Graph = {
    name, inputs: ['x'], outputs: ['y'], tensors, initializers: inits, nodes: [{ ...node, opset: 17 }],
    opsets: { '': 17, hsq: 1 }, annotations: {}, metadata: {}, irVersion: 8,
  };
  g = inferShapes(g);
  const t2 = { ...g.tensors };
  for (const [n, qp] of Object.entries(quant)) t2[n] = { ...t2[n], quant: qp };
  return { ...g, tensors: t2 };
}

function weights(bits: number, bipolar: boolean, n: number): number[] {
  if (bipolar) return Array.from({ length: n }, () => (rnd() < 0.5 ? -1 : 1));
  return Array.from({ length: n }, () => randInt(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1));
}

interface ConvSpec {
  bits: number; bipolar?: boolean; xUnsigned?: boolean; yUnsigned?: boolean; perChannel?: boolean; group?: number; batch?: number;
  C: number; M: number; H: number; W: number; k: number | [number, number]; stride?: number | [number, number]; dil?: number;
  pad?: number[]; bias?: boolean; qmin?: number; qmax?: number; zw?: number;
}

function conv(name: string, s: ConvSpec, kernel: Case['kernel'], kind?: string): Case {
  const group = s.group ?? 1;
  const [kh, kw] = Array.isArray(s.k) ? s.k : [s.k, s.k];
  const [sh, sw] = Array.isArray(s.stride) ? s.stride : [s.stride ?? 1, s.stride ?? 1];
  const xdt: DType = s.xUnsigned ? 'uint8' : 'int8';
  const ydt: DType = s.yUnsigned ? 'uint8' : 'int8';
  const wShape = [s.M, s.C / group, kh, kw];
  const w = makeTensor(s.bits === 4 && !s.bipolar ? 'int4' : 'int8', wShape, (s.zw ? Array.from({ length: numel(wShape) }, () => randInt(-100, 100) + s.zw!) : weights(s.bits, !!s.bipolar, numel(wShape))));
  const scale = s.perChannel ? Array.from({ length: s.M }, () => 0.004 + rnd() * 0.02) : 0.01;
  const inits: Record<string, Tensor> = { w };
  const inputs = ['x', 'w'];
  if (s.bias) { inits.b = tensorOf('int32', [s.M], () => randInt(-3000, 3000)); inputs.push('b'); }
  const attrs: Record<string, AttrValue> = { group, strides: [sh, sw], dilations: [s.dil ?? 1, s.dil ?? 1], pads: s.pad ?? [1, 1, 1, 1], kernel_shape: [kh, kw] };
  if (s.qmin !== undefined) attrs.qmin = s.qmin;
  if (s.qmax !== undefined) attrs.qmax = s.qmax;
  const N = s.batch ?? 1;
  const xShape = [N, s.C, s.H, s.W];
  const x = tensorOf(xdt, xShape, () => (s.xUnsigned ? randInt(0, 255) : randInt(-128, 127)));
  const graph = mk(name, [xdt, xShape, q(0.05, s.xUnsigned ? 131 : 3, 8, !s.xUnsigned)],
    { name: `conv_${name}`, op: 'QConv', domain: 'hsq', inputs, outputs: ['y'], attrs }, inits, {
      w: q(scale, s.perChannel ? Array(s.M).fill(s.zw ?? 0) : s.zw ?? 0, s.bipolar ? 1 : s.bits, true, { ...(s.bipolar ? { bipolar: true } : {}), ...(s.perChannel ? { axis: 0 } : {}) }),
      y: q(0.25, s.yUnsigned ? 100 : -4, 8, !s.yUnsigned),
    });
  return { name, graph: { ...graph, tensors: { ...graph.tensors, y: { ...graph.tensors.y, dtype: ydt } } }, inputs: { x }, kernel, kind };
}

function gemm(name: string, xShape: number[], N: number, bits: number, perColumn: boolean, xUnsigned: boolean, kernel: Case['kernel']): Case {
  const K = xShape[xShape.length - 1];
  const xdt: DType = xUnsigned ? 'uint8' : 'int8';
  const w = makeTensor(bits === 4 ? 'int4' : 'int8', [K, N], weights(bits, bits === 1, K * N));
  const scale = perColumn ? Array.from({ length: N }, () => 0.005 + rnd() * 0.02) : 0.01;
  const x = tensorOf(xdt, xShape, () => (xUnsigned ? randInt(0, 255) : randInt(-128, 127)));
  const graph = mk(name, [xdt, xShape, q(0.1, xUnsigned ? 120 : -2, 8, !xUnsigned)],
    { name: `gemm_${name}`, op: 'QGemm', domain: 'hsq', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: {} },
    { w, b: tensorOf('int32', [N], () => randInt(-800, 800)) },
    { w: q(scale, perColumn ? Array(N).fill(0) : 0, bits, true, { ...(bits === 1 ? { bipolar: true } : {}), ...(perColumn ? { axis: 1 } : {}) }), y: q(0.4, 3, 8, true) });
  return { name, graph, inputs: { x }, kernel, kind: kernel === 'generated' ? 'fc' : undefined };
}

function cases(): Case[] {
  const c: Case[] = [];
  for (const bits of [8, 4, 2]) {
    c.push(conv(`w${bits}_3x3`, { bits, C: 5, M: 7, H: 9, W: 8, k: 3, bias: true }, 'generated', 'conv'));
    c.push(conv(`w${bits}_pc_u8_stride2_asym`, { bits, xUnsigned: true, perChannel: true, C: 6, M: 9, H: 11, W: 7, k: 3, stride: 2, pad: [0, 1, 2, 1] }, 'generated', 'conv'));
    c.push(conv(`w${bits}_wide_rows`, { bits, perChannel: true, C: 40, M: 13, H: 6, W: 7, k: 3, bias: true, qmin: -30, qmax: 100 }, 'generated', 'conv'));
  }
  c.push(conv('w1_bipolar', { bits: 1, bipolar: true, perChannel: true, C: 16, M: 5, H: 6, W: 6, k: 3, bias: true }, 'generated', 'conv'));
  c.push(conv('w8_1x1_linear', { bits: 8, C: 33, M: 20, H: 5, W: 7, k: 1, pad: [0, 0, 0, 0], bias: true }, 'generated', 'conv'));
  c.push(conv('w4_1x1_u8out_relu', { bits: 4, yUnsigned: true, C: 48, M: 17, H: 4, W: 4, k: 1, pad: [0, 0, 0, 0], qmin: 100, qmax: 255 }, 'generated', 'conv'));
  c.push(conv('w8_5x3_stride_2x1', { bits: 8, perChannel: true, C: 3, M: 8, H: 12, W: 9, k: [5, 3], stride: [2, 1], pad: [2, 1, 2, 1] }, 'generated', 'conv'));
  c.push(conv('w8_zw_batch2', { bits: 8, zw: 5, batch: 2, C: 4, M: 6, H: 6, W: 5, k: 3 }, 'generated', 'conv'));
  c.push(conv('w4_big_pad', { bits: 4, C: 4, M: 3, H: 3, W: 4, k: 3, pad: [2, 2, 2, 2], bias: true }, 'generated', 'conv'));
  c.push(conv('dw_3x3', { bits: 8, perChannel: true, group: 8, C: 8, M: 8, H: 10, W: 10, k: 3, bias: true }, 'generated', 'depthwise'));
  c.push(conv('dw_3x3_s2_u8_tail', { bits: 8, xUnsigned: true, group: 19, C: 19, M: 19, H: 9, W: 11, k: 3, stride: 2, pad: [1, 0, 1, 1], bias: true }, 'generated', 'depthwise'));
  c.push(conv('dw_5x5_w4_u8out', { bits: 4, yUnsigned: true, perChannel: true, group: 16, C: 16, M: 16, H: 7, W: 6, k: 5, pad: [2, 2, 2, 2] }, 'generated', 'depthwise'));
  c.push(conv('group2_portable', { bits: 8, perChannel: true, group: 2, C: 6, M: 4, H: 8, W: 8, k: 3, bias: true }, 'portable'));
  c.push(conv('dilation2_portable', { bits: 4, C: 4, M: 4, H: 9, W: 9, k: 3, dil: 2, pad: [2, 2, 2, 2] }, 'portable'));
  c.push(gemm('fc_w8_rows3', [3, 20], 11, 8, false, false, 'generated'));
  c.push(gemm('fc_w4_pc_u8', [5, 33], 17, 4, true, true, 'generated'));
  c.push(gemm('fc_w2_rank3', [2, 3, 10], 6, 2, true, false, 'generated'));
  c.push(gemm('fc_w1_bipolar', [2, 64], 9, 1, false, false, 'generated'));
  c.push(gemm('fc_w8_rank4_portable', [1, 2, 3, 10], 6, 8, true, false, 'portable'));
  return c;
}

maybe('generated Cortex-M55 kernels in models (QEMU)', () => {
  const all = cases();
  const runs: Partial<Record<'mve' | 'scalar', M55BatchResult>> = {};

  beforeAll(async () => {
    if (!status.ok)
      throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
    const items = all.map((c) => ({ graph: c.graph, inputs: [c.inputs] }));
    const [mve, scalar] = await Promise.all([runM55Batch(items, {}), runM55Batch(items, { scalar: true, opt: '-Os' })]);
    runs.mve = mve;
    runs.scalar = scalar;
  }, 600000);

  test('each layer runs the kernel it should', () => {
    const got = runs.mve!.stats.program.models.map((m, k) => ({ name: all[k].name, kernel: m.layers[0]?.kernel, kind: m.layers[0]?.kind }));
    expect(got).toEqual(all.map((c) => ({ name: c.name, kernel: c.kernel, kind: c.kind })));
  });

  test.each(['mve', 'scalar'] as const)('%s: every model equals the interpreter bit for bit', (path) => {
    const bad: string[] = [];
    all.forEach((c, k) => {
      const ref = runGraph(c.graph, c.inputs);
      const p = compareExact(runs[path]!.outputs[k][0].y, ref.y);
      if (p) bad.push(`${c.name}: ${p}`);
    });
    expect(bad).toEqual([]);
  });

  test('stack use of every generated kernel is reported', () => {
    const ks = runs.mve!.stats.program.kernelStacks.flat();
    expect(ks.length).toBe(all.filter((c) => c.kernel === 'generated').length);
    for (const k of ks) expect(k.bytes).toBeGreaterThan(0);
  });

  test('the emitted C (generated kernels included) compiles with host gcc -Wall -Wextra -Werror', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-m55-hostcc-'));
    try {
      const models = runs.mve!.stats.program.models;
      for (const m of models) for (const [f, text] of Object.entries(m.files)) fs.writeFileSync(path.join(dir, f), text);
      for (const [f, text] of Object.entries({ ...runtimeSources(), ...m55KernelHeader() })) fs.writeFileSync(path.join(dir, f), text);
      const cfiles = models.flatMap((m) => [`${m.name}.c`, ...(`${m.name}_m55.c` in m.files ? [`${m.name}_m55.c`] : [])]);
      expect(cfiles.filter((f) => f.endsWith('_m55.c')).length).toBe(all.filter((c) => c.kernel === 'generated').length);
      const r = spawnSync(process.env.CC || 'cc', ['-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-ffp-contract=off', '-I', dir, '-c', ...cfiles], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hsq compile --target cortex-m55 files: kernel header, report of each layer, stack use per kernel', async () => {
    const c = all.find((x) => x.name === 'dw_3x3')!;
    const e = await compileGraph(c.graph, cortexM55Target, { name: 'dw', model: 'dw.onnx', weightsFormat: 'c' });
    expect(Object.keys(e.files).sort()).toEqual(['dw.c', 'dw.h', 'dw_m55.c', 'dw_m55_weights.c', 'dw_weights.c', 'hsq_expf.h', 'hsq_kernels.c',
      'hsq_m55_kernels.h', 'hsq_runtime.h', 'report.html', 'report.json', 'stack-usage.json']);
    const report = JSON.parse(e.files['report.json'] as string);
    expect(validateReport(report)).toEqual([]);
    const conv = report.layers.filter((l: ReportLayer) => l.cpuKernels);
    expect(conv.map((l: ReportLayer) => [l.nodes, l.cpuKernels])).toEqual([[['conv_dw_3x3'], [expect.objectContaining({ op: 'QConv', kernel: 'generated', kind: 'depthwise', fn: 'dw_L1' })]]]);
    expect(report.stackUsage).toBe('stack-usage.json');
    const su = JSON.parse(e.files['stack-usage.json'] as string);
    expect(su.kernels).toEqual([expect.objectContaining({ fn: 'dw_L1' })]);
    expect(su.kernels[0].bytes).toBeGreaterThan(0);
    expect(su.functions.some((f: { fn: string }) => f.fn === 'hsq_qconv')).toBe(true);
    expect(e.files['dw.c']).toContain('dw_L1(x, y, ');
    // Deterministic: the same graph gives the same files.
    const again = await compileGraph(c.graph, cortexM55Target, { name: 'dw', model: 'dw.onnx', weightsFormat: 'c' });
    expect(again.files).toEqual(e.files);
  });
});
