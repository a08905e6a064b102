// stm32n6 target data (memories, clocks, NPU capabilities) and the Neural-ART constraints.
import { loadStm32n6Target, poolsFor } from '../targets/stm32n6/target';
import { cpuPools, npuPools, segmentMpool } from '../targets/stm32n6/mpool';
import { memoryConfig } from '../targets/stm32n6/memory-config';
import { NPU_CONSTRAINTS, NPU_KIND_RULES, NPU_SOFTWARE_OPS, NPU_SUPPORTED_OPS, checkNpu, neuralArt } from '../targets/stm32n6/npu-constraints';
import { STEDGEAI_VERSIONS, resolveStedgeaiVersion, stedgeaiRules } from '../targets/stm32n6/stedgeai-version';
import { HsqError } from '../core/diagnostics';
import { NpuLayerDesc } from '../placement/layer-desc';

const KiB = 1024;

describe('target data', () => {
  const t = loadStm32n6Target();

  test('STM32N6570-DK memories at ST mpool addresses', () => {
    const m = Object.fromEntries(t.memories.map((x) => [x.name, x]));
    // AXISRAM1 is the application's (ST's projects): listed, not hsq's.
    expect([m.cpuRAM1.base, m.cpuRAM1.size, m.cpuRAM1.use]).toEqual([0x34000000, 1024 * KiB, 'app']);
    expect(m.cpuRAM2.base).toBe(0x34100000);
    expect(m.cpuRAM2.size).toBe(1024 * KiB);
    expect(['npuRAM3', 'npuRAM4', 'npuRAM5', 'npuRAM6'].map((n) => m[n].base)).toEqual([0x34200000, 0x34270000, 0x342e0000, 0x34350000]);
    for (const n of ['npuRAM3', 'npuRAM4', 'npuRAM5', 'npuRAM6']) { expect(m[n].size).toBe(448 * KiB); expect(m[n].use).toBe('npu'); }
    expect(m.hyperRAM.base).toBe(0x90000000);
    expect(m.hyperRAM.size).toBe(32 * 1024 * KiB);
    expect(m.octoFlash.base).toBe(0x70000000);
    expect(m.octoFlash.access).toBe('ro');
    expect(m.octoFlash.use).toBe('weights');
  });

  test('memories do not overlap', () => {
    const s = [...t.memories].sort((a, b) => a.base - b.base);
    for (let i = 1; i < s.length; i++) expect(s[i - 1].base + s[i - 1].size).toBeLessThanOrEqual(s[i].base);
  });

  test('clocks, INT8-only NPU, sources', () => {
    expect(t.cpu.clockHz).toBe(800e6);
    expect(t.npu.clockHz).toBe(1e9);
    expect(t.npu.weights).toEqual({ bits: 8, signed: true, symmetric: true, perChannel: true });
    expect(t.npu.activations).toEqual({ bits: 8, signed: true, symmetric: false });
    expect(Object.keys(t.sources).length).toBeGreaterThan(3);
    for (const l of Object.values(t.npu.limits)) expect(l.note.length).toBeGreaterThan(0);
  });

  test('planner pools by default: CPU gets cpuRAM2 then hyperRAM\'s upper 16 MiB; NPU the npuRAMs and hyperRAM\'s lower 16 MiB; nothing in AXISRAM1', () => {
    expect(cpuPools().map((p) => p.name)).toEqual(['cpuRAM2', 'hyperRAM_cpu']);
    expect(npuPools().map((p) => p.name)).toEqual(['npuRAM3', 'npuRAM4', 'npuRAM5', 'npuRAM6', 'hyperRAM']);
    expect(cpuPools()[0]).toEqual({ name: 'cpuRAM2', size: 1024 * KiB, base: 0x34100000 });
    expect(cpuPools()[1]).toEqual({ name: 'hyperRAM_cpu', size: 16 * 1024 * KiB, base: 0x91000000 });
    expect(npuPools()[4]).toEqual({ name: 'hyperRAM', size: 16 * 1024 * KiB, base: 0x90000000 });
    const axisram1 = [0x34000000, 0x34100000];
    for (const p of [...cpuPools(), ...npuPools()]) expect(p.base! + p.size! <= axisram1[0] || p.base! >= axisram1[1]).toBe(true);
    void poolsFor;
  });

  test('config memory: AXISRAM1 only when named; unknown regions, unknown keys and a region on both sides are errors naming the key', () => {
    const m = memoryConfig({ cpu: ['cpuRAM2', 'cpuRAM1', 'hyperRAM_cpu'] });
    expect(cpuPools(m).map((p) => p.name)).toEqual(['cpuRAM2', 'cpuRAM1', 'hyperRAM_cpu']);
    const g = memoryConfig({ cpu: ['hyperRAM_cpu'], npu: ['cpuRAM2', 'npuRAM3', 'npuRAM4', 'npuRAM5', 'npuRAM6', 'hyperRAM'] });
    const mp = segmentMpool(0x70380000, 0x10000, g) as { memory: { mempools: { name: string; size: { value: string } }[] } };
    expect(mp.memory.mempools.find((p) => p.name === 'cpuRAM2')!.size.value).toBe('1024');
    const err = (f: () => unknown): HsqError => { try { f(); } catch (e) { return e as HsqError; } throw new Error('no error'); };
    expect(err(() => memoryConfig({ cpu: ['cpuRAM9'] })).subject).toBe('memory.cpu[0]');
    expect(err(() => memoryConfig({ gpu: [] })).subject).toBe('memory.gpu');
    expect(err(() => memoryConfig({ cpu: ['cpuRAM2'], npu: ['cpuRAM2'] })).message).toMatch(/'cpuRAM2' is given to both cpu and npu/);
  });

  test('.mpool follows ST\'s stm32n6-app2.mpool field by field, minus hsq\'s regions', () => {
    const mp = segmentMpool(0x70380000, 0x20000) as {
      params: { param: { paramname: string; value: string }[] };
      memory: { mempools: { name: string; fname: string; prop: Record<string, unknown>; offset: { value: string }; size: { value: string; magnitude: string } }[] };
    };
    expect(mp.params.param).toEqual([{ paramname: 'max_onchip_sram_size', value: '1024', magnitude: 'KBYTES' }]);
    const pools = mp.memory.mempools;
    expect(pools.map((p) => `${p.fname}:${p.name}`)).toEqual(['AXIFLEXMEM:flexMEM', 'AXISRAM1:cpuRAM1', 'AXISRAM2:cpuRAM2', 'AXISRAM3:npuRAM3', 'AXISRAM4:npuRAM4', 'AXISRAM5:npuRAM5', 'AXISRAM6:npuRAM6', 'xSPI1:hyperRAM', 'xSPI2:octoFlash']);
    const by = Object.fromEntries(pools.map((p) => [p.name, p]));
    // ST: flexMEM and cpuRAM1 size 0 at 0x34000000; hsq also withholds cpuRAM2 (ST gives the NPU 1 MB).
    for (const n of ['flexMEM', 'cpuRAM1', 'cpuRAM2']) expect(by[n].size.value).toBe('0');
    expect([by.cpuRAM1.offset.value, by.cpuRAM2.offset.value]).toEqual(['0x34000000', '0x34100000']);
    expect(by.hyperRAM.prop).toMatchObject({ constants_preferred: 'true', read_power: 380, write_power: 340 });
    expect(by.hyperRAM.size).toEqual({ value: '16384', magnitude: 'KBYTES' });
    expect(by.npuRAM6.prop).toMatchObject({ read_power: 19.006, write_power: 15.79 });
    for (const p of pools) expect(typeof p.prop.read_power).toBe('number');
  });

  test('frozen', () => {
    expect(Object.isFrozen(t.memories[0])).toBe(true);
    expect(loadStm32n6Target()).toBe(t);
  });
});

const int8 = { actBits: 8, actSigned: true, weightBits: 8, weightSigned: true, weightSymmetric: true, perChannel: true };
const conv = (extra: Partial<NpuLayerDesc> = {}): NpuLayerDesc => ({
  ...int8, name: 'conv1', op: 'Conv', kernel: [3, 3], stride: [1, 1], dilation: [1, 1], pads: [1, 1, 1, 1], group: 1,
  inputShapes: [[1, 16, 32, 32]], outputShapes: [[1, 32, 32, 32]], ...extra,
});

describe('Neural-ART constraints', () => {
  test('an int8 3×3 conv is accepted', () => {
    expect(checkNpu(conv())).toEqual({ ok: true, reasons: [], failed: [], details: [] });
  });

  test('int4 weights: refused under ST Edge AI 2.2 naming the release, native on Conv/Dense under 3.0 and 4.0', () => {
    const r = checkNpu(conv({ weightBits: 4 }), '2.2');
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual(['int4 weights: weights must be int8 (signed, symmetric per channel; ST Edge AI Core 2.0–2.2 runs no 4-bit weights)']);
    expect(r.failed).toEqual(['weight-bits']);
    for (const v of ['3.0', '4.0'] as const) {
      expect(checkNpu(conv({ weightBits: 4 }), v).ok).toBe(true);
      expect(checkNpu(conv({ weightBits: 4, group: 16, outputShapes: [[1, 16, 32, 32]], op: 'DepthwiseConv' }), v).ok).toBe(true);
      expect(checkNpu({ ...int8, weightBits: 4, op: 'Gemm', inputShapes: [[1, 256]], outputShapes: [[1, 10]] }, v).ok).toBe(true);
      // Below 4 bits, asymmetric 4-bit, or 4-bit activations stay refused.
      expect(checkNpu(conv({ weightBits: 2 }), v).failed).toEqual(['weight-bits']);
      expect(checkNpu(conv({ weightBits: 1 }), v).failed).toEqual(['weight-bits']);
      expect(checkNpu(conv({ weightBits: 4, weightSymmetric: false }), v).failed).toEqual(['weight-bits']);
      expect(checkNpu(conv({ weightBits: 4, actBits: 4 }), v).failed).toEqual(['int8-activations']);
      // 4-bit weights on ops other than Conv/Dense: not in the release note.
      expect(checkNpu({ ...int8, weightBits: 4, op: 'MatMul', inputShapes: [[1, 256]], outputShapes: [[1, 10]] }, v).reasons[0]).toMatch(/^int4 weights on MatMul: weights must be int8, or int4 on Conv and Dense/);
      // ConvTranspose: no documented Neural-ART mapping, whatever its precision.
      for (const weightBits of [8, 4]) expect(checkNpu(conv({ weightBits, op: 'ConvTranspose' }), v)).toMatchObject({ ok: false, failed: ['op-unsupported'], reasons: [expect.stringMatching(/^ConvTranspose: no Neural-ART mapping documented/)] });
    }
  });

  test('asymmetric weights, 4-bit and float activations are refused', () => {
    expect(checkNpu(conv({ weightSymmetric: false })).failed).toEqual(['weight-bits']);
    expect(checkNpu(conv({ actBits: 4 })).failed).toEqual(['int8-activations']);
    expect(checkNpu(conv({ actFloat: true })).failed).toEqual(['int8-activations']);
    expect(checkNpu(conv({ actSigned: false })).reasons).toEqual(['uint8 activations: activations must be int8 (signed, asymmetric 8-bit)']);
  });

  test('every failing constraint is reported, in order', () => {
    const r = checkNpu(conv({ weightBits: 2, kernel: [17, 17], stride: [9, 9], pads: [1, 1, 1, 1] }));
    expect(r.failed).toEqual(['weight-bits', 'kernel-size', 'stride-range']);
    expect(r.reasons[1]).toBe('kernel 17×17: kernel height and width must be 1..16');
    expect(r.reasons[2]).toBe('stride 9×9: strides must be 1..8');
  });

  test('geometry: dilation, pads, batch, grouped conv, dynamic shapes', () => {
    expect(checkNpu(conv({ dilation: [16, 16] })).failed).toEqual(['dilation-range']);
    expect(checkNpu(conv({ pads: [3, 1, 1, 1] })).failed).toEqual(['pads-below-kernel']);
    expect(checkNpu(conv({ inputShapes: [[2, 16, 32, 32]], outputShapes: [[2, 32, 32, 32]] })).failed).toEqual(['batch-one']);
    expect(checkNpu(conv({ group: 4 })).failed).toEqual(['group-valid']);
    expect(checkNpu(conv({ group: 16, outputShapes: [[1, 16, 32, 32]] })).ok).toBe(true);
    expect(checkNpu(conv({ inputShapes: [[1, 16, -1, 32]] })).failed).toEqual(['static-shapes']);
  });

  test('gemm needs constant int8 weights', () => {
    const g: NpuLayerDesc = { ...int8, op: 'Gemm', inputShapes: [[1, 256]], outputShapes: [[1, 10]] };
    expect(checkNpu(g).ok).toBe(true);
    expect(checkNpu({ ...g, weightsConstant: false }).failed).toEqual(['const-weights']);
  });

  test('pools, element-wise, resize', () => {
    const pool: NpuLayerDesc = { ...int8, op: 'MaxPool', kernel: [2, 2], stride: [2, 2], pads: [0, 0, 0, 0], inputShapes: [[1, 8, 16, 16]], outputShapes: [[1, 8, 8, 8]] };
    expect(checkNpu(pool).ok).toBe(true);
    expect(checkNpu({ ...pool, kernel: [32, 32] }).failed).toEqual(['pool-kernel']);
    const add: NpuLayerDesc = { ...int8, op: 'Add', inputShapes: [[1, 8, 4, 4], [1, 8, 1, 1]], outputShapes: [[1, 8, 4, 4]] };
    expect(checkNpu(add).ok).toBe(true);
    expect(checkNpu({ ...add, inputShapes: [[1, 8, 4, 4], [1, 1, 4, 4]] }).failed).toEqual(['eltwise-broadcast']);
    const rs: NpuLayerDesc = { ...int8, op: 'Resize', resizeMode: 'nearest', inputShapes: [[1, 8, 4, 4]], outputShapes: [[1, 8, 8, 8]] };
    expect(checkNpu(rs).ok).toBe(true);
    expect(checkNpu({ ...rs, resizeMode: 'cubic' }).failed).toEqual(['resize-mode']);
    expect(checkNpu({ ...rs, outputShapes: [[1, 8, 6, 6]] }).failed).toEqual(['resize-integer-scale']);
  });

  test('softmax and unknown ops stay on the CPU with a reason', () => {
    const sm: NpuLayerDesc = { ...int8, op: 'Softmax', inputShapes: [[1, 10]], outputShapes: [[1, 10]] };
    expect(checkNpu(sm)).toEqual({ ok: false, reasons: ['softmax runs in software on Neural-ART (no exponential unit)'], failed: ['op-unsupported'], details: [''] });
    expect(checkNpu({ ...sm, op: 'Foo' as never }).reasons).toEqual(['op Foo is not supported on the NPU']);
  });

  test('every constraint fails on a layer made to break it, and its detail names the offending value', () => {
    const gemm: NpuLayerDesc = { ...int8, op: 'Gemm', inputShapes: [[1, 256]], outputShapes: [[1, 10]] };
    const pool: NpuLayerDesc = { ...int8, op: 'MaxPool', kernel: [2, 2], stride: [2, 2], pads: [0, 0, 0, 0], inputShapes: [[1, 8, 16, 16]], outputShapes: [[1, 8, 8, 8]] };
    const add: NpuLayerDesc = { ...int8, op: 'Add', inputShapes: [[1, 8, 4, 4], [1, 8, 4, 4]], outputShapes: [[1, 8, 4, 4]] };
    const rs: NpuLayerDesc = { ...int8, op: 'Resize', resizeMode: 'nearest', inputShapes: [[1, 8, 4, 4]], outputShapes: [[1, 8, 8, 8]] };
    const pad: NpuLayerDesc = { ...int8, op: 'Pad', padMode: 'constant', inputShapes: [[1, 8, 4, 4]], outputShapes: [[1, 8, 6, 6]] };
    const cases: [string, NpuLayerDesc, string][] = [
      ['int8-activations', conv({ actBits: 4 }), 'int4 activations'],
      ['int8-activations', conv({ actSigned: false }), 'uint8 activations'],
      ['int8-activations', conv({ actFloat: true, actBits: 32 }), 'float activations'],
      ['int8-activations', conv({ actFloat: true, actBits: 32, floatSide: 'outputs' }), 'float output (integer inputs, no quantizer after the layer)'],
      ['int8-activations', conv({ actFloat: true, actBits: 32, floatSide: 'inputs' }), 'float input (no quantizer before the layer)'],
      ['static-shapes', conv({ inputShapes: [[1, 16, -1, 32]] }), 'input 0 [1×16×?×32]'],
      ['tensor-size', conv({ inputShapes: [[1, 16, 1024, 1025]] }), 'input 0 [1×16×1024×1025] is 16793600 bytes'],
      ['nchw-4d', { ...pool, inputShapes: [[1, 8, 16]], outputShapes: [[1, 8, 8]] }, 'input 0 is 3-D [1×8×16]'],
      ['batch-one', conv({ inputShapes: [[2, 16, 32, 32]], outputShapes: [[2, 32, 32, 32]] }), 'batch 2 (input 0 [2×16×32×32])'],
      ['weight-bits', conv({ weightBits: 2 }), 'int2 weights'],
      ['weight-bits', conv({ weightSymmetric: false }), 'int8 weights, asymmetric'],
      ['weight-bits', conv({ weightFloat: true, weightBits: 32, weightSymmetric: false }), 'float weights'],
      ['const-weights', { ...gemm, weightsConstant: false }, 'the weight operand is an activation'],
      ['int32-bias', { ...gemm, floatBias: true }, 'float bias term or float output'],
      ['channel-range', { ...gemm, inChannels: 70000 }, '70000→10 channels'],
      ['channel-range', conv({ outChannels: 0 }), '16→0 channels'],
      ['kernel-size', conv({ kernel: [17, 17], pads: [1, 1, 1, 1] }), 'kernel 17×17'],
      ['stride-range', conv({ stride: [9, 1] }), 'stride 9×1'],
      ['dilation-range', conv({ dilation: [16, 16] }), 'dilation 16×16'],
      ['pads-below-kernel', conv({ pads: [3, 1, 1, 1] }), 'pads 3, 1, 1, 1 (top, left, bottom, right) with kernel extent 3×3'],
      ['group-valid', conv({ group: 4 }), 'group 4 of 16 input channels'],
      ['pool-kernel', { ...pool, kernel: [32, 32] }, 'pool kernel 32×32'],
      ['eltwise-broadcast', { ...add, inputShapes: [[1, 8, 4, 4], [1, 1, 4, 4]] }, 'inputs [1×8×4×4] and [1×1×4×4]'],
      ['resize-mode', { ...rs, resizeMode: 'cubic' }, 'mode cubic'],
      ['resize-integer-scale', { ...rs, outputShapes: [[1, 8, 6, 6]] }, '[1×8×4×4] to [1×8×6×6]'],
      ['resize-integer-scale', { ...rs, resizeScales: [1, 1, 1.5, 1.5] }, 'scales 1, 1, 1.5, 1.5'],
      ['pad-constant', { ...pad, padMode: 'reflect' }, 'mode reflect'],
    ];
    for (const [id, layer, detail] of cases) {
      const r = checkNpu(layer);
      expect({ id, failed: r.failed, detail: r.details![r.failed.indexOf(id)] }).toEqual({ id, failed: [id], detail });
      // Each case breaks exactly its constraint: the direct check agrees.
      expect(NPU_CONSTRAINTS[id].check(layer)).toEqual({ ok: false, detail });
      // The reason shown is the value, then the rule.
      expect(r.reasons).toEqual([`${detail}: ${NPU_CONSTRAINTS[id].text}`]);
    }
    // Every constraint is broken by some case.
    expect(new Set(cases.map(([id]) => id))).toEqual(new Set(Object.keys(NPU_CONSTRAINTS)));
    // And passes where the rest of the layer is fine.
    for (const l of [conv(), gemm, pool, add, rs, pad]) expect(checkNpu(l).ok).toBe(true);
  });

  test('the ops table names only existing constraints; texts are one line', () => {
    for (const ids of Object.values(NPU_SUPPORTED_OPS)) for (const id of ids!) expect(NPU_CONSTRAINTS[id]).toBeDefined();
    for (const c of Object.values(NPU_CONSTRAINTS)) {
      expect(c.text).not.toMatch(/\n/);
      expect(c.id).toMatch(/^[a-z0-9-]+$/);
    }
  });
});

describe('the NPU op table is derived from the op descriptors\' neutral npu kind', () => {
  test('every standard op with an NPU kind is in the table or has a software reason; kind none never runs on the NPU', () => {
    const { allOps } = jest.requireActual('../ops/engine/registry') as typeof import('../ops/engine/registry');
    const { npuKindOf } = jest.requireActual('../ops/engine/traits') as typeof import('../ops/engine/traits');
    const std = allOps().filter((d) => d.domains.includes('')).map((d) => d.op);
    expect(std.length).toBeGreaterThan(40);
    for (const op of std) {
      const kind = npuKindOf(op, '');
      const inTable = op in NPU_SUPPORTED_OPS;
      if (kind === 'none') expect({ op, inTable }).toEqual({ op, inTable: false });
      else expect({ op, covered: inTable || op in NPU_SOFTWARE_OPS }).toEqual({ op, covered: true });
    }
    // Each kind's constraints come from the kind table (with per-op refinements).
    expect(NPU_SUPPORTED_OPS.Relu).toEqual(NPU_KIND_RULES['lookup-activation'].constraints);
    expect(NPU_SUPPORTED_OPS.Add).toEqual(NPU_KIND_RULES.elementwise.constraints);
    expect(NPU_SUPPORTED_OPS.MaxPool).toEqual(NPU_KIND_RULES.pool.constraints);
    expect(NPU_SUPPORTED_OPS.Conv).toContain('weight-bits');
    expect(NPU_SOFTWARE_OPS.Softmax).toMatch(/software/);
    expect(NPU_SOFTWARE_OPS.Transpose).toMatch(/no known Neural-ART hardware mapping/);
  });

  test('the weight rule is per release; the op set is the same data for each', () => {
    expect(neuralArt('2.2').ops).toEqual(neuralArt('4.0').ops);
    expect(neuralArt('2.2').constraints['weight-bits']).toMatch(/2\.0–2\.2 runs no 4-bit weights/);
    expect(neuralArt('3.0').constraints['weight-bits']).toMatch(/int4 on Conv and Dense \(ST Edge AI Core 3\.0\)/);
    expect(neuralArt('4.0').rules.onnx).toMatchObject({ maxOpset: 21, maxIrVersion: 10 });
    expect(neuralArt('2.2').rules.onnx).toMatchObject({ maxOpset: 20, maxIrVersion: 9 });
  });
});

describe('--stedgeai-version', () => {
  const err = (f: () => unknown): HsqError => { try { f(); } catch (e) { return e as HsqError; } throw new Error('no error'); };
  test('2.0/2.1/2.2 → 2.2, 3.0.x → 3.0, 4.0.x → 4.0; default 4.0; every version\'s facts name a source', () => {
    expect(resolveStedgeaiVersion(undefined)).toBe('4.0');
    expect(['2.0', '2.1', '2.2', '2.2.0'].map((v) => resolveStedgeaiVersion(v))).toEqual(['2.2', '2.2', '2.2', '2.2']);
    expect(['3.0', '3.0.0', '3.0.1'].map((v) => resolveStedgeaiVersion(v))).toEqual(['3.0', '3.0', '3.0']);
    expect(['4.0', '4.0.1'].map((v) => resolveStedgeaiVersion(v))).toEqual(['4.0', '4.0']);
    for (const v of STEDGEAI_VERSIONS) {
      const r = stedgeaiRules(v);
      for (const s of [r.npu.source, r.onnx.source, r.api.source]) expect(s.length).toBeGreaterThan(2);
      if (r.int4Weights) { expect(r.int4Weights.documented).toBe(false); expect(r.int4Weights.note).toMatch(/not yet checked with stedgeai/); }
    }
    expect(stedgeaiRules('3.0').api).toMatchObject({ default: 'stai', defaultCName: 'network' });
    expect(stedgeaiRules('2.2').api).toMatchObject({ default: 'll_aton', defaultCName: 'Default' });
    expect(stedgeaiRules('2.2').int4Weights).toBeNull();
  });

  test('auto reads stedgeai --version; unknown versions and a missing stedgeai are errors naming the option', () => {
    expect(resolveStedgeaiVersion('auto', '--stedgeai-version', () => 'ST Edge AI Core v3.0.1-20250912 (stedgeai)\n')).toBe('3.0');
    expect(resolveStedgeaiVersion('auto', '--stedgeai-version', () => 'stedgeai - ST Edge AI Core v4.0.1\n')).toBe('4.0');
    expect(resolveStedgeaiVersion('auto', '--stedgeai-version', () => 'ST Edge AI Core v2.1.0\n')).toBe('2.2');
    const e1 = err(() => resolveStedgeaiVersion('auto', '--stedgeai-version', () => 'ST Edge AI Core v5.1.0'));
    expect(e1.message).toMatch(/--stedgeai-version auto: stedgeai reports version 5\.1\.0, which hsq has no rules for/);
    const e2 = err(() => resolveStedgeaiVersion('auto', '--stedgeai-version', () => undefined));
    expect(e2.message).toMatch(/cannot run .*stedgeai --version/);
    const e3 = err(() => resolveStedgeaiVersion('1.9'));
    expect(e3.subject).toBe('--stedgeai-version');
    expect(e3.message).toMatch(/'1\.9': must be one of 2\.2, 3\.0, 4\.0 or auto/);
  });
});
