// The ONNX Runtime oracle harness: tensor conversion, running models, comparison helpers.
import { maxAbsDiff, quantSteps, runOrt, sqnrDb, toOrtTensor, fromOrtTensor, openOrt } from '../verify/ort';
import { ModelBuilder, DT, attr, floatTensor, int4Tensor, packInt4, unpackInt4 } from '../examples/lib/onnx-builder';
import { Rng, heNormal, mulberry32, subSeed } from '../examples/lib/prng';
import { randomInput } from '../examples/lib/random-input';
import { Tensor } from '../core/ir/tensor';

const f32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'float32', shape, data: Float32Array.from(data) });

describe('comparison helpers', () => {
  test('maxAbsDiff', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 1])).toBe(2);
    expect(maxAbsDiff(f32([2], [1, -1]), f32([2], [1, -1]))).toBe(0);
    expect(maxAbsDiff([NaN, 1], [NaN, 1])).toBe(0);
    expect(maxAbsDiff([NaN], [0])).toBe(Infinity);
    expect(maxAbsDiff([Infinity], [Infinity])).toBe(0);
    expect(() => maxAbsDiff([1, 2], [1])).toThrow(/differ in size/);
    expect(() => maxAbsDiff(f32([2, 1], [1, 2]), f32([1, 2], [1, 2]))).toThrow(/differ in shape/);
  });

  test('quantSteps counts differences in steps of the scale', () => {
    const s = 0.05;
    const ref = [0, 0.1, 0.2, -0.3, 0.4, 0.5];
    const test = [0, 0.15, 0.2, -0.45, 0.4, 0.5]; // 0, 1, 0, 3, 0, 0 steps
    const st = quantSteps(ref, test, s);
    expect(st.max).toBe(3);
    expect(st.histogram).toEqual([4, 1, 0, 1]);
    expect(st.count).toBe(6);
    expect(st.within(0)).toBeCloseTo(4 / 6);
    expect(st.within(1)).toBeCloseTo(5 / 6);
    expect(st.within(3)).toBe(1);
    expect(() => quantSteps([1], [1], 0)).toThrow(/scale/);
    // Integer-coded tensors with scale 1.
    const a: Tensor = { dtype: 'int8', shape: [3], data: Int8Array.from([-128, 0, 127]) };
    const b: Tensor = { dtype: 'int8', shape: [3], data: Int8Array.from([-127, 0, 125]) };
    expect(quantSteps(a, b, 1).max).toBe(2);
  });

  test('sqnrDb', () => {
    expect(sqnrDb([1, 2, 3], [1, 2, 3])).toBe(Infinity);
    // signal 1+1 = 2, noise 0.01+0.01 = 0.02 → 20 dB
    expect(sqnrDb([1, -1], [1.1, -0.9])).toBeCloseTo(20, 10);
    expect(sqnrDb([0, 0], [0, 1])).toBe(-Infinity);
  });
});

describe('tensor conversion', () => {
  test('int64 round trip keeps values beyond 2^53', () => {
    const big = 2n ** 62n + 1n;
    const t: Tensor = { dtype: 'int64', shape: [2], data: BigInt64Array.from([big, -5n]) };
    const o = toOrtTensor(t);
    expect(o.type).toBe('int64');
    const back = fromOrtTensor(o);
    expect(back.dtype).toBe('int64');
    expect(Array.from(back.data as BigInt64Array)).toEqual([big, -5n]);
  });

  test('int4 packs low nibble first and unpacks signed', () => {
    const t: Tensor = { dtype: 'int4', shape: [3], data: Int8Array.from([-8, 7, -1]) };
    const o = toOrtTensor(t);
    expect(Array.from(o.data as Uint8Array)).toEqual([0x78, 0x0f]);
    expect(Array.from(fromOrtTensor(o).data as Int8Array)).toEqual([-8, 7, -1]);
    expect(Array.from(packInt4([-8, 7, -1]))).toEqual([0x78, 0x0f]);
    expect(Array.from(unpackInt4(Uint8Array.from([0x78, 0x0f]), 3))).toEqual([-8, 7, -1]);
  });

  test('float16 converts through bits with round half to even', () => {
    const vals = [0, -0, 1, -2.5, 65504, 1e-7, 6.1e-5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000];
    const o = toOrtTensor({ dtype: 'float16', shape: [vals.length], data: Float32Array.from(vals) });
    const back = Array.from(fromOrtTensor(o).data as Float32Array);
    expect(back[2]).toBe(1);
    expect(back[3]).toBe(-2.5);
    expect(back[4]).toBe(65504);
    expect(back[5]).toBeCloseTo(1.1920928955078125e-7, 12); // subnormal 2 × 2^-24
    expect(back[6]).toBeCloseTo(6.1e-5, 7);
    expect(back[7]).toBe(1); // tie → even
    expect(back[8]).toBe(1 + 2 * 2 ** -10); // tie → even (up)
    expect(back[9]).toBe(Infinity);
  });
});

describe('runOrt', () => {
  const addModel = () => {
    const b = new ModelBuilder('add', 8, 17);
    b.input('a', DT.FLOAT, [2, 3]);
    b.initializer(floatTensor('c', [3], [10, 20, 30]));
    b.node({ op: 'Add', name: 'add', inputs: ['a', 'c'], outputs: ['y'] });
    b.node({ op: 'Shape', name: 'shape', inputs: ['y'], outputs: ['s'] });
    b.output('y', DT.FLOAT, [2, 3]);
    b.output('s', DT.INT64, [2]);
    return b.encode();
  };

  test('runs a built model and returns hsq tensors (float32 and int64)', async () => {
    const out = await runOrt(addModel(), { a: f32([2, 3], [1, 2, 3, 4, 5, 6]) });
    expect(out.y.dtype).toBe('float32');
    expect(out.y.shape).toEqual([2, 3]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([11, 22, 33, 14, 25, 36]);
    expect(out.s.dtype).toBe('int64');
    expect(Array.from(out.s.data as BigInt64Array)).toEqual([2n, 3n]);
  });

  test('names a missing or unknown input', async () => {
    await expect(runOrt(addModel(), {})).rejects.toThrow(/'a' not given/);
    await expect(runOrt(addModel(), { a: f32([2, 3], [0, 0, 0, 0, 0, 0]), b: f32([1], [0]) })).rejects.toThrow(/'b' is not a model input/);
  });

  test('open session runs repeatedly and fetches chosen outputs', async () => {
    const s = await openOrt(addModel(), { threads: 2 });
    try {
      expect(s.inputNames).toEqual(['a']);
      const o1 = await s.run({ a: f32([2, 3], [0, 0, 0, 0, 0, 0]) }, ['y']);
      expect(Object.keys(o1)).toEqual(['y']);
      expect(Array.from(o1.y.data as Float32Array)).toEqual([10, 20, 30, 10, 20, 30]);
    } finally {
      await s.release();
    }
  });

  test('outputs are arrays of the caller\'s realm (jest sandbox safe)', async () => {
    const out = await runOrt(addModel(), { a: f32([2, 3], [1, 2, 3, 4, 5, 6]) });
    expect(out.y.data).toBeInstanceOf(Float32Array);
    expect(out.s.data).toBeInstanceOf(BigInt64Array);
  });

  test('int4 initializers (packed, data_type 22) through DequantizeLinear (opset 21)', async () => {
    const b = new ModelBuilder('dq4', 10, 21);
    b.input('x', DT.FLOAT, [5]);
    b.initializer(int4Tensor('q', [5], [-8, -1, 0, 7, 3]));
    b.initializer(floatTensor('s', [], [0.5]));
    b.initializer(int4Tensor('z', [], [1]));
    b.node({ op: 'DequantizeLinear', name: 'dq', inputs: ['q', 's', 'z'], outputs: ['w'] });
    b.node({ op: 'Add', name: 'add', inputs: ['x', 'w'], outputs: ['y'] });
    b.output('y', DT.FLOAT, [5]);
    const out = await runOrt(b.encode(), { x: f32([5], [0, 0, 0, 0, 100]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([-4.5, -1, -0.5, 3, 101]);
  });

  test('int4 graph inputs: onnxruntime-node 1.30 refuses them, and the error says so', async () => {
    const b = new ModelBuilder('in4', 10, 21);
    b.input('q', DT.INT4, [2]);
    b.initializer(floatTensor('s', [], [1]));
    b.node({ op: 'DequantizeLinear', name: 'dq', inputs: ['q', 's'], outputs: ['y'] });
    b.output('y', DT.FLOAT, [2]);
    await expect(runOrt(b.encode(), { q: { dtype: 'int4', shape: [2], data: Int8Array.from([1, -1]) } }))
      .rejects.toThrow(/ONNX Runtime run failed: .*int4/);
  });

  test('int8 and float16 graph inputs and outputs', async () => {
    const b = new ModelBuilder('id', 8, 17);
    b.input('a', DT.INT8, [3]);
    b.input('h', DT.FLOAT16, [2]);
    b.node({ op: 'Identity', name: 'ia', inputs: ['a'], outputs: ['a2'] });
    b.node({ op: 'Identity', name: 'ih', inputs: ['h'], outputs: ['h2'] });
    b.output('a2', DT.INT8, [3]);
    b.output('h2', DT.FLOAT16, [2]);
    const out = await runOrt(b.encode(), {
      a: { dtype: 'int8', shape: [3], data: Int8Array.from([-128, 0, 127]) },
      h: { dtype: 'float16', shape: [2], data: Float32Array.from([1.5, -0.25]) },
    });
    expect(out.a2.dtype).toBe('int8');
    expect(Array.from(out.a2.data as Int8Array)).toEqual([-128, 0, 127]);
    expect(out.h2.dtype).toBe('float16');
    expect(Array.from(out.h2.data as Float32Array)).toEqual([1.5, -0.25]);
  });
});

describe('seeded generators', () => {
  test('mulberry32 is deterministic and seed-dependent', () => {
    const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
    const xa = [a(), a(), a()], xb = [b(), b(), b()], xc = [c(), c(), c()];
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    for (const v of xa) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThan(1); }
    expect(subSeed(1, 'conv1.w')).not.toBe(subSeed(1, 'conv2.w'));
  });

  test('normal draws have mean ~0 and std ~1; He-normal std ~ sqrt(2/fanIn), truncated at 2σ', () => {
    const r = new Rng(7);
    const n = 200000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.01);
    const w = heNormal(100000, 50, 3);
    const std = Math.sqrt(2 / 50);
    let m2 = 0, amax = 0;
    for (const v of w) { m2 += v * v; amax = Math.max(amax, Math.abs(v)); }
    // Truncation at 2σ scales the variance by ~0.774.
    expect(Math.sqrt(m2 / w.length) / std).toBeCloseTo(Math.sqrt(0.774), 1);
    expect(amax).toBeLessThanOrEqual(2 * std + 1e-7);
  });

  test('randomInput is a seeded float32 tensor in [lo, hi)', () => {
    const a = randomInput([1, 3, 4, 4], 5), b = randomInput([1, 3, 4, 4], 5), c = randomInput([1, 3, 4, 4], 6, -1, 1);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([1, 3, 4, 4]);
    expect(Array.from(a.data as Float32Array)).toEqual(Array.from(b.data as Float32Array));
    expect(Math.min(...(c.data as Float32Array))).toBeLessThan(0);
    expect(Math.max(...(a.data as Float32Array))).toBeLessThan(1);
  });
});
