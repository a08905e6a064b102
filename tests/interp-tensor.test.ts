// The interpreter's elementwise, activation and tensor-manipulation operators on small
// hand-checked cases.
import { HsqError } from '../core/diagnostics';
import { DType } from '../core/ir/dtype';
import { AttrValue, Node, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { broadcastShapes, broadcastStrides } from '../ops/lib/broadcast';
import { lookupOp } from '../ops/engine/registry';
import { roundToHalf } from '../ops/cast';
import { erff } from '../ops/erf';
import { tanhf } from '../ops/tanh';
import { sigmoidf } from '../ops/sigmoid';
import { expf } from '../core/expf';

const f = Math.fround;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function mkNode(op: string, nInputs: number, attrs: Record<string, AttrValue> = {}, opset?: number, nOutputs = 1): Node {
  return {
    name: `n_${op}`, op, domain: '', opset,
    inputs: Array.from({ length: nInputs }, (_, i) => `i${i}`),
    outputs: Array.from({ length: nOutputs }, (_, i) => `o${i}`), attrs,
  };
}

function impl(op: string) {
  const o = lookupOp(op, '');
  if (!o) throw new Error(`no op ${op}`);
  return o;
}

/** Run op on inputs (undefined = omitted) and check infer agrees with run (dtype and shape). */
function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, opset?: number, nOutputs = 1): Tensor[] {
  const node = { ...mkNode(op, inputs.length, attrs, opset, nOutputs), inputs: inputs.map((t, i) => (t ? `i${i}` : '')) };
  const infos: (TensorInfo | undefined)[] = inputs.map((t, i) => (t ? { name: `i${i}`, dtype: t.dtype, shape: t.shape } : undefined));
  const inferred = impl(op).infer({ node, inputs: infos, values: inputs });
  const outs = impl(op).run({ node, inputs, inputInfos: infos, outputInfos: [] });
  expect(inferred.map((o) => [o.dtype, [...o.shape]])).toEqual(outs.map((o) => [o.dtype, [...o.shape]]));
  return outs;
}
const run1 = (op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, opset?: number) => run(op, inputs, attrs, opset)[0];

const T = (dtype: DType, shape: number[], data: ArrayLike<number>) => makeTensor(dtype, shape, data);
const F = (shape: number[], data: ArrayLike<number>) => T('float32', shape, data);
const I64 = (data: (number | bigint)[]) => makeTensor('int64', [data.length], BigInt64Array.from(data.map((v) => BigInt(v))));
const vals = (t: Tensor) => Array.from(t.data as ArrayLike<number>, Number);

describe('broadcasting', () => {
  test('shapes and strides', () => {
    expect(broadcastShapes([[2, 1, 3], [4, 1]])).toEqual([2, 4, 3]);
    expect(broadcastShapes([[], [5]])).toEqual([5]);
    expect(broadcastStrides([4, 1], [2, 4, 3])).toEqual([0, 1, 0]);
    expect(() => broadcastShapes([[2, 3], [4]], 'x')).toThrow(HsqError);
  });

  test('Add: same shape, scalar, row, column x row', () => {
    expect(vals(run1('Add', [F([2, 2], [1, 2, 3, 4]), F([2, 2], [10, 20, 30, 40])]))).toEqual([11, 22, 33, 44]);
    expect(vals(run1('Add', [F([], [100]), F([3], [1, 2, 3])]))).toEqual([101, 102, 103]);
    expect(vals(run1('Add', [F([2, 3], [0, 1, 2, 3, 4, 5]), F([3], [10, 20, 30])]))).toEqual([10, 21, 32, 13, 24, 35]);
    const y = run1('Sub', [F([2, 1], [10, 20]), F([1, 3], [1, 2, 3])]);
    expect(y.shape).toEqual([2, 3]);
    expect(vals(y)).toEqual([9, 8, 7, 19, 18, 17]);
  });

  test('3-D broadcast with a middle broadcast dim', () => {
    const a = F([2, 1, 2], [1, 2, 3, 4]);
    const b = F([3, 1], [10, 20, 30]);
    expect(vals(run1('Mul', [a, b]))).toEqual([10, 20, 20, 40, 30, 60, 30, 40, 60, 80, 90, 120]);
  });

  test('float32 rounding after each op', () => {
    const y = run1('Add', [F([1], [0.1]), F([1], [0.2])]);
    expect(y.data[0]).toBe(f(f(0.1) + f(0.2)));
    expect(y.data[0]).not.toBe(0.1 + 0.2);
    expect(run1('Div', [F([1], [1]), F([1], [3])]).data[0]).toBe(f(1 / 3));
  });

  test('Max/Min are variadic and broadcast', () => {
    const y = run1('Max', [F([3], [1, 5, 2]), F([], [3]), F([1, 3], [0, 0, 4])]);
    expect(y.shape).toEqual([1, 3]);
    expect(vals(y)).toEqual([3, 5, 4]);
    expect(vals(run1('Min', [F([3], [1, 5, 2]), F([], [3])]))).toEqual([1, 3, 2]);
  });

  test('PRelu slope broadcasts over channels', () => {
    const x = F([1, 2, 2], [-1, 2, -3, 4]);
    expect(vals(run1('PRelu', [x, F([2, 1], [0.5, 0.25])]))).toEqual([-0.5, 2, -0.75, 4]);
  });
});

describe('integer arithmetic', () => {
  test('Div truncates toward zero', () => {
    expect(vals(run1('Div', [T('int32', [4], [-7, 7, -7, 7]), T('int32', [4], [2, 2, -2, -2])]))).toEqual([-3, 3, 3, -3]);
    const y = run1('Div', [I64([-7, 9]), I64([2, -4])]);
    expect(Array.from(y.data as BigInt64Array)).toEqual([-3n, -2n]);
  });

  test('int8 and int32 wrap; int32 Mul exact low bits', () => {
    expect(vals(run1('Add', [T('int8', [2], [127, -128]), T('int8', [2], [1, -1])]))).toEqual([-128, 127]);
    expect(vals(run1('Mul', [T('int32', [1], [65537]), T('int32', [1], [65537])]))).toEqual([131073]);
    expect(vals(run1('Mul', [T('int32', [1], [123456789]), T('int32', [1], [987654321])]))).toEqual([Math.imul(123456789, 987654321)]);
  });

  test('int64 Add/Mul/Sub on BigInt64Array beyond 2^53, with wrap-around', () => {
    const y = run1('Mul', [I64([2 ** 40, 3]), I64([2 ** 20, -5])]);
    expect(y.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(y.data as BigInt64Array)).toEqual([2n ** 60n, -15n]);
    const z = run1('Add', [I64([INT64_MAX, 2n ** 53n]), I64([1, 1])]);
    expect(Array.from(z.data as BigInt64Array)).toEqual([INT64_MIN, 2n ** 53n + 1n]);
    expect(Array.from(run1('Sub', [I64([0]), I64([1])]).data as BigInt64Array)).toEqual([-1n]);
  });

  test('shape arithmetic chain: Shape -> Gather -> Mul -> Concat -> Reshape', () => {
    const x = F([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
    const s = run1('Shape', [x]);
    expect(Array.from(s.data as BigInt64Array)).toEqual([2n, 3n, 4n]);
    const d0 = run1('Gather', [s, makeTensor('int64', [], BigInt64Array.of(0n))]);
    expect(d0.shape).toEqual([]);
    const d12 = run1('Gather', [s, I64([1, -1])]);
    expect(Array.from(d12.data as BigInt64Array)).toEqual([3n, 4n]);
    const prod = run1('Mul', [run1('Unsqueeze', [d0, I64([0])]), run1('Slice', [d12, I64([0]), I64([1])])]);
    const target = run1('Concat', [prod, I64([-1])], { axis: 0 });
    expect(Array.from(target.data as BigInt64Array)).toEqual([6n, -1n]);
    expect(run1('Reshape', [x, target]).shape).toEqual([6, 4]);
  });
});

describe('Slice', () => {
  const x = F([10], Array.from({ length: 10 }, (_, i) => i));
  test('negative steps and clamping', () => {
    expect(vals(run1('Slice', [x, I64([8]), I64([1]), I64([0]), I64([-3])]))).toEqual([8, 5, 2]);
    expect(vals(run1('Slice', [x, I64([-1]), I64([INT64_MIN]), undefined, I64([-1])]))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(vals(run1('Slice', [x, I64([INT64_MAX]), I64([-8]), undefined, I64([-2])]))).toEqual([9, 7, 5, 3]);
    expect(vals(run1('Slice', [x, I64([7]), I64([INT64_MAX])]))).toEqual([7, 8, 9]);
    expect(vals(run1('Slice', [x, I64([-3]), I64([-1])]))).toEqual([7, 8]);
    expect(run1('Slice', [x, I64([5]), I64([2])]).shape).toEqual([0]);
    expect(vals(run1('Slice', [x, I64([-100]), I64([2])]))).toEqual([0, 1]);
  });

  test('2-D with axes, and the opset-1 attribute form', () => {
    const m = F([3, 4], Array.from({ length: 12 }, (_, i) => i));
    expect(vals(run1('Slice', [m, I64([1, -1]), I64([3, 0]), I64([0, -1]), I64([1, -2])]))).toEqual([7, 5, 11, 9]);
    expect(vals(run1('Slice', [m], { starts: [0, 1], ends: [1, 3], axes: [0, 1] }, 1))).toEqual([1, 2]);
  });

  test('int8 data moves unchanged', () => {
    const q = T('int8', [4], [-128, -1, 0, 127]);
    const y = run1('Slice', [q, I64([3]), I64([INT64_MIN]), undefined, I64([-1])]);
    expect(y.data).toBeInstanceOf(Int8Array);
    expect(vals(y)).toEqual([127, 0, -1, -128]);
  });

  test('unknown starts at compile time name the node and input', () => {
    const node = mkNode('Slice', 3);
    const info = (n: string, shape: number[], dtype: DType = 'float32') => ({ name: n, dtype, shape });
    const call = () => impl('Slice').infer({ node, inputs: [info('i0', [10]), info('i1', [1], 'int64'), info('i2', [1], 'int64')], values: [undefined, undefined, I64([1])] });
    expect(call).toThrow(HsqError);
    expect(call).toThrow(/n_Slice.*i1.*starts/);
    try { call(); } catch (e) { expect((e as HsqError).kind).toBe('unsupported'); }
  });
});

describe('Resize', () => {
  const row = F([1, 1, 1, 4], [1, 2, 3, 4]);
  const nearest = (x: Tensor, scales: number[] | undefined, sizes: number[] | undefined, attrs: Record<string, AttrValue>) =>
    vals(run1('Resize', [x, undefined, scales ? F([4], scales) : undefined, sizes ? I64(sizes) : undefined], { mode: 'nearest', ...attrs }));

  test('nearest modes on exact ties (asymmetric, scale 2: x/2)', () => {
    const s = [1, 1, 1, 2];
    const ct = { coordinate_transformation_mode: 'asymmetric' };
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'round_prefer_floor' })).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'round_prefer_ceil' })).toEqual([1, 2, 2, 3, 3, 4, 4, 4]);
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'floor' })).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'ceil' })).toEqual([1, 2, 2, 3, 3, 4, 4, 4]);
  });

  test('nearest modes off ties (asymmetric, scale 0.75: 0, 1.33, 2.67)', () => {
    const s = [1, 1, 1, 0.75];
    const ct = { coordinate_transformation_mode: 'asymmetric' };
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'round_prefer_floor' })).toEqual([1, 2, 4]);
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'floor' })).toEqual([1, 2, 3]);
    expect(nearest(row, s, undefined, { ...ct, nearest_mode: 'ceil' })).toEqual([1, 3, 4]);
  });

  test('coordinate transformations: half_pixel default, align_corners, pytorch_half_pixel', () => {
    expect(nearest(row, [1, 1, 1, 2], undefined, {})).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    // align_corners 4 -> 7: x * 3/6 = 0, .5, 1, ..., 3; ties prefer floor
    expect(nearest(row, undefined, [1, 1, 1, 7], { coordinate_transformation_mode: 'align_corners' })).toEqual([1, 1, 2, 2, 3, 3, 4]);
    // pytorch_half_pixel with output length 1 samples index 0; half_pixel samples the middle,
    // (0 + 0.5) / 0.25 - 0.5 = 1.5, a tie that round_prefer_floor takes down, ceil up
    expect(nearest(row, undefined, [1, 1, 1, 1], { coordinate_transformation_mode: 'pytorch_half_pixel' })).toEqual([1]);
    expect(nearest(row, undefined, [1, 1, 1, 1], {})).toEqual([2]);
    expect(nearest(row, undefined, [1, 1, 1, 1], { nearest_mode: 'round_prefer_ceil' })).toEqual([3]);
  });

  test('opset 10 Resize (X, scales) and Upsample use the legacy nearest rule', () => {
    const y = run1('Resize', [F([1, 1, 2, 2], [1, 2, 3, 4]), F([4], [1, 1, 2, 3])], { mode: 'nearest' }, 10);
    expect(y.shape).toEqual([1, 1, 4, 6]);
    expect(vals(y)).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
    expect(vals(run1('Upsample', [F([1, 1, 2, 2], [1, 2, 3, 4]), F([4], [1, 1, 2, 3])], { mode: 'nearest' }, 9))).toEqual(vals(y));
  });

  test('nearest on int8 keeps the dtype', () => {
    const q = T('int8', [1, 1, 1, 2], [-5, 7]);
    const y = run1('Resize', [q, undefined, F([4], [1, 1, 1, 2])], { mode: 'nearest' });
    expect(y.data).toBeInstanceOf(Int8Array);
    expect(vals(y)).toEqual([-5, -5, 7, 7]);
  });

  test('linear half_pixel (ORT bilinear weights, edges clamped)', () => {
    const y = run1('Resize', [row, undefined, F([4], [1, 1, 1, 2])], { mode: 'linear' });
    expect(vals(y)).toEqual([1, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4]);
  });

  test('linear on uint8 truncates (as ONNX Runtime); an unchanged shape is a copy', () => {
    const q = run1('Resize', [T('uint8', [1, 1, 1, 2], [0, 7]), undefined, F([4], [1, 1, 1, 2])], { mode: 'linear' });
    expect(q.data).toBeInstanceOf(Uint8Array);
    expect(vals(q)).toEqual([0, 1, 5, 7]); // 0, 1.75, 5.25, 7
    const x = F([1, 1, 3, 7], Array.from({ length: 21 }, (_, i) => i * i));
    const y = run1('Resize', [x, undefined, F([4], [1, 1, 1.1, 1.1])], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' });
    expect(y.shape).toEqual([1, 1, 3, 7]);
    expect(vals(y)).toEqual(vals(x));
  });

  test('linear align_corners 2x2 -> 3x3 is the exact midpoint grid', () => {
    const y = run1('Resize', [F([1, 1, 2, 2], [0, 4, 8, 12]), undefined, undefined, I64([1, 1, 3, 3])],
      { mode: 'linear', coordinate_transformation_mode: 'align_corners' });
    expect(vals(y)).toEqual([0, 2, 4, 4, 6, 8, 8, 10, 12]);
  });

  test('sizes with keep_aspect_ratio_policy and axes', () => {
    const x = F([1, 1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const y = run1('Resize', [x, undefined, undefined, I64([4, 4])], { mode: 'nearest', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' });
    expect(y.shape).toEqual([1, 1, 2, 4]);
    const z = run1('Resize', [x, undefined, undefined, I64([4, 4])], { mode: 'nearest', axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' });
    expect(z.shape).toEqual([1, 1, 4, 8]);
  });

  test('unknown sizes at compile time are unsupported', () => {
    const node = { ...mkNode('Resize', 4, { mode: 'nearest' }), inputs: ['i0', '', '', 'i3'] };
    const infos = [{ name: 'i0', dtype: 'float32' as DType, shape: [1, 1, 2, 2] }, undefined, undefined, { name: 'i3', dtype: 'int64' as DType, shape: [4] }];
    expect(() => impl('Resize').infer({ node, inputs: infos, values: [] })).toThrow(/i3.*sizes/);
  });
});

describe('DepthToSpace / SpaceToDepth', () => {
  const x = F([1, 8, 1, 1], [0, 1, 2, 3, 4, 5, 6, 7]);
  test('DCR vs CRD', () => {
    const dcr = run1('DepthToSpace', [x], { blocksize: 2 });
    expect(dcr.shape).toEqual([1, 2, 2, 2]);
    expect(vals(dcr)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(vals(run1('DepthToSpace', [x], { blocksize: 2, mode: 'CRD' }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('spatial interleave and SpaceToDepth inverts DCR', () => {
    const y = F([1, 4, 2, 1], [0, 1, 10, 11, 20, 21, 30, 31]);
    const d = run1('DepthToSpace', [y], { blocksize: 2 });
    expect(d.shape).toEqual([1, 1, 4, 2]);
    expect(vals(d)).toEqual([0, 10, 20, 30, 1, 11, 21, 31]);
    expect(vals(run1('SpaceToDepth', [d], { blocksize: 2 }))).toEqual(vals(y));
  });
});

describe('Softmax', () => {
  const z = F([2, 2, 2], new Array(8).fill(0));
  test('axis semantics before and from opset 13', () => {
    expect(vals(run1('Softmax', [z], { axis: 1 }, 11))).toEqual(new Array(8).fill(0.25));
    expect(vals(run1('Softmax', [z], { axis: 1 }, 13))).toEqual(new Array(8).fill(0.5));
    expect(vals(run1('Softmax', [z], {}, 11))).toEqual(new Array(8).fill(0.25)); // default axis 1
    expect(vals(run1('Softmax', [z], {}))).toEqual(new Array(8).fill(0.5)); // default -1, latest
  });

  test('along a middle axis; max-subtract; float32 steps', () => {
    const x = F([1, 3, 2], [1, 0, 2, 0, 3, 1000]);
    const y = vals(run1('Softmax', [x], { axis: 1 }, 13));
    const e = [expf(-2), expf(-1), expf(0)];
    const s = f(f(e[0] + e[1]) + e[2]);
    expect([y[0], y[2], y[4]]).toEqual(e.map((v) => f(v / s)));
    expect([y[1], y[3], y[5]]).toEqual([0, 0, 1]);
  });
});

describe('activations', () => {
  test('Relu, LeakyRelu, Clip (attrs and int8 inputs)', () => {
    expect(vals(run1('Relu', [F([3], [-1, 0, 2])]))).toEqual([0, 0, 2]);
    expect(vals(run1('Relu', [T('int8', [2], [-3, 3])]))).toEqual([0, 3]);
    expect(vals(run1('LeakyRelu', [F([2], [-1, 2])], { alpha: 0.1 }))).toEqual([f(f(0.1) * -1), 2]);
    expect(vals(run1('LeakyRelu', [F([1], [-3])]))).toEqual([f(f(0.01) * -3)]);
    expect(vals(run1('Clip', [F([3], [-5, 0, 5])], { min: -1, max: 1 }, 6))).toEqual([-1, 0, 1]);
    expect(vals(run1('Clip', [T('int8', [3], [-128, 0, 127]), T('int8', [], [-10]), T('int8', [], [10])]))).toEqual([-10, 0, 10]);
    expect(vals(run1('Clip', [F([3], [-5, 0, 5]), undefined, F([], [2])]))).toEqual([-5, 0, 2]);
    expect(vals(run1('Clip', [F([2], [-5, 5]), F([], [3]), F([], [1])]))).toEqual([1, 1]); // min > max: max
  });

  test('HardSigmoid, HardSwish, Sigmoid formulas', () => {
    expect(vals(run1('HardSigmoid', [F([3], [-10, 1, 10])]))).toEqual([0, f(f(f(0.2) * 1) + 0.5), 1]);
    const a = f(1 / 6);
    expect(vals(run1('HardSwish', [F([4], [-4, -1, 1, 4])]))).toEqual([
      -0, f(-1 * f(f(a * -1) + 0.5)), f(1 * f(f(a * 1) + 0.5)), 4]);
    expect(vals(run1('Sigmoid', [F([3], [0, 2, -100])]))).toEqual([0.5, f(1 / f(1 + expf(-2))), f(1 / f(1 + expf(100)))]);
    expect(sigmoidf(-200)).toBe(0);
  });

  test('Tanh: accurate, odd, saturates', () => {
    let worst = 0;
    for (let i = -4000; i <= 4000; i++) {
      const x = f(i / 400), t = Math.tanh(x);
      worst = Math.max(worst, Math.abs(tanhf(x) - t) / Math.max(2 ** -149, Math.abs(t) * 2 ** -23));
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(tanhf(-0.3)).toBe(-tanhf(0.3));
    expect(tanhf(1e-20)).toBe(f(1e-20));
    expect(tanhf(50)).toBe(1);
    expect(tanhf(-Infinity)).toBe(-1);
    expect(tanhf(NaN)).toBeNaN();
  });

  test('Erf against known values', () => {
    const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [0.1, 0.1124629160182849], [3, 0.9999779095030014]];
    for (const [x, e] of known) {
      expect(Math.abs(erff(x) - e)).toBeLessThan(3e-7);
      expect(Math.abs(erff(-x) + e)).toBeLessThan(3e-7);
    }
    expect(erff(0)).toBe(0);
  });

  test('Exp, Sqrt, Neg, Abs, Pow', () => {
    expect(vals(run1('Exp', [F([2], [0, 1])]))).toEqual([1, expf(1)]);
    expect(vals(run1('Sqrt', [F([2], [4, 2])]))).toEqual([2, f(Math.SQRT2)]);
    expect(vals(run1('Neg', [T('int8', [2], [-128, 5])]))).toEqual([-128, -5]);
    expect(vals(run1('Abs', [F([2], [-1.5, 2])]))).toEqual([1.5, 2]);
    expect(vals(run1('Pow', [F([3], [1.5, -2, 3]), F([], [2])]))).toEqual([2.25, 4, 9]);
    expect(vals(run1('Pow', [F([1], [2]), I64([10])]))).toEqual([1024]);
  });
});

describe('data movement', () => {
  const m = F([2, 3], [0, 1, 2, 3, 4, 5]);
  test('Concat any dtype and negative axis', () => {
    expect(vals(run1('Concat', [m, F([2, 1], [9, 9])], { axis: -1 }))).toEqual([0, 1, 2, 9, 3, 4, 5, 9]);
    const q = run1('Concat', [T('uint8', [1, 2], [1, 2]), T('uint8', [2, 2], [3, 4, 5, 255])], { axis: 0 });
    expect(q.data).toBeInstanceOf(Uint8Array);
    expect(vals(q)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  test('Split: input sizes, attribute sizes, num_outputs uneven, equal parts', () => {
    const x = F([5], [0, 1, 2, 3, 4]);
    expect(run('Split', [x, I64([2, 3])], {}, 13, 2).map(vals)).toEqual([[0, 1], [2, 3, 4]]);
    expect(run('Split', [x], { split: [4, 1] }, 11, 2).map(vals)).toEqual([[0, 1, 2, 3], [4]]);
    expect(run('Split', [x], { num_outputs: 3 }, 18, 3).map(vals)).toEqual([[0, 1], [2, 3], [4]]);
    expect(run('Split', [m], { axis: 1 }, 13, 3).map(vals)).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  test('Reshape 0, -1 and allowzero; Flatten; Squeeze/Unsqueeze', () => {
    const x = F([2, 3, 4], new Array(24).fill(0));
    expect(run1('Reshape', [x, I64([0, -1])]).shape).toEqual([2, 12]);
    expect(run1('Reshape', [x, I64([-1, 0, 2])]).shape).toEqual([4, 3, 2]);
    expect(run1('Reshape', [F([0, 3], []), I64([3, 0])], { allowzero: 1 }).shape).toEqual([3, 0]);
    expect(() => run1('Reshape', [x, I64([5, -1])])).toThrow(HsqError);
    expect(run1('Flatten', [x], { axis: 0 }).shape).toEqual([1, 24]);
    expect(run1('Flatten', [x], { axis: -1 }).shape).toEqual([6, 4]);
    const u = run1('Unsqueeze', [m, I64([0, -1])]);
    expect(u.shape).toEqual([1, 2, 3, 1]);
    expect(run1('Unsqueeze', [m], { axes: [1] }, 11).shape).toEqual([2, 1, 3]);
    expect(run1('Squeeze', [u, I64([-1])]).shape).toEqual([1, 2, 3]);
    expect(run1('Squeeze', [u]).shape).toEqual([2, 3]);
    expect(() => run1('Squeeze', [u, I64([1])])).toThrow(HsqError);
  });

  test('Transpose default and perm, int64 data', () => {
    expect(vals(run1('Transpose', [m]))).toEqual([0, 3, 1, 4, 2, 5]);
    const x = F([2, 2, 3], Array.from({ length: 12 }, (_, i) => i));
    const y = run1('Transpose', [x], { perm: [1, 2, 0] });
    expect(y.shape).toEqual([2, 3, 2]);
    expect(vals(y)).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
    const b = run1('Transpose', [makeTensor('int64', [2, 2], BigInt64Array.of(1n, 2n, 3n, INT64_MAX))]);
    expect(Array.from(b.data as BigInt64Array)).toEqual([1n, 3n, 2n, INT64_MAX]);
  });

  test('Gather with negative indices along axis 1', () => {
    const y = run1('Gather', [m, T('int32', [2, 1], [-1, 0])], { axis: 1 });
    expect(y.shape).toEqual([2, 2, 1]);
    expect(vals(y)).toEqual([2, 0, 5, 3]);
    expect(() => run1('Gather', [m, T('int32', [1], [3])], { axis: 1 })).toThrow(/out of range/);
  });

  test('Pad constant, reflect, edge, wrap, negative; pads and axes inputs', () => {
    const x = F([3], [1, 2, 3]);
    expect(vals(run1('Pad', [x, I64([2, 2]), F([], [9])]))).toEqual([9, 9, 1, 2, 3, 9, 9]);
    expect(vals(run1('Pad', [x, I64([2, 2])], { mode: 'reflect' }))).toEqual([3, 2, 1, 2, 3, 2, 1]);
    expect(vals(run1('Pad', [x, I64([2, 2])], { mode: 'edge' }))).toEqual([1, 1, 1, 2, 3, 3, 3]);
    expect(vals(run1('Pad', [x, I64([2, 1])], { mode: 'wrap' }))).toEqual([2, 3, 1, 2, 3, 1]);
    expect(vals(run1('Pad', [x, I64([-1, 1])]))).toEqual([2, 3, 0]);
    expect(vals(run1('Pad', [x], { pads: [1, 0], value: 7 }, 2))).toEqual([7, 1, 2, 3]);
    const y = run1('Pad', [m, I64([1, 0]), undefined, I64([-1])]);
    expect(y.shape).toEqual([2, 4]);
    expect(vals(y)).toEqual([0, 0, 1, 2, 0, 3, 4, 5]);
    const q = run1('Pad', [T('int8', [2], [-1, 1]), I64([1, 1]), T('int8', [], [-128])]);
    expect(vals(q)).toEqual([-128, -1, 1, -128]);
  });

  test('Identity, Dropout with mask, Expand', () => {
    expect(vals(run1('Identity', [m]))).toEqual(vals(m));
    const [y, mask] = run('Dropout', [m], { ratio: 0.5 }, 12, 2);
    expect(vals(y)).toEqual(vals(m));
    expect(mask.dtype).toBe('bool');
    expect(vals(mask)).toEqual([1, 1, 1, 1, 1, 1]);
    const e = run1('Expand', [F([3, 1], [1, 2, 3]), I64([2, 1, 2])]);
    expect(e.shape).toEqual([2, 3, 2]);
    expect(vals(e)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  });
});

describe('shapes, constants, casts, reductions, logic', () => {
  test('Shape start/end', () => {
    const x = F([2, 3, 4, 5], new Array(120).fill(0));
    expect(Array.from(run1('Shape', [x], { start: 1, end: -1 }).data as BigInt64Array)).toEqual([3n, 4n]);
    expect(Array.from(run1('Shape', [x], { start: -10 }).data as BigInt64Array)).toEqual([2n, 3n, 4n, 5n]);
  });

  test('ConstantOfShape, Constant, Range', () => {
    const c = run1('ConstantOfShape', [I64([2, 2])], { value: makeTensor('int32', [1], [7]) });
    expect(c.dtype).toBe('int32');
    expect(vals(c)).toEqual([7, 7, 7, 7]);
    expect(vals(run1('ConstantOfShape', [I64([3])]))).toEqual([0, 0, 0]);
    expect(vals(run('Constant', [], { value_floats: [1.5, 2] })[0])).toEqual([1.5, 2]);
    expect(Array.from(run('Constant', [], { value_int: 4 })[0].data as BigInt64Array)).toEqual([4n]);
    expect(vals(run1('Range', [F([], [1]), F([], [2]), F([], [0.3])]))).toEqual([1, f(1 + f(0.3)), f(f(1 + f(0.3)) + f(0.3)), f(f(f(1 + f(0.3)) + f(0.3)) + f(0.3))]);
    expect(Array.from(run1('Range', [I64([10]), I64([1]), I64([-3])]).data as BigInt64Array)).toEqual([10n, 7n, 4n]);
    expect(run1('Range', [T('int32', [], [5]), T('int32', [], [5]), T('int32', [], [1])]).shape).toEqual([0]);
  });

  test('Cast: truncation, wrap, int64, float16, bool', () => {
    const to = (code: number, x: Tensor) => run1('Cast', [x], { to: code });
    expect(vals(to(3, F([5], [1.9, -1.9, 200, -0.5, NaN])))).toEqual([1, -1, -56, 0, 0]);
    expect(Array.from(to(7, F([2], [-2.5, 3e9])).data as BigInt64Array)).toEqual([-2n, 3000000000n]);
    expect(vals(to(1, I64([2n ** 40n + 1n])))).toEqual([f(2 ** 40)]);
    expect(vals(to(9, F([3], [0, -0.1, 2])))).toEqual([0, 1, 1]);
    expect(vals(to(10, F([3], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000])))).toEqual([1, 1 + 2 ** -9, Infinity]);
    // subnormal half: ties to even multiples of 2^-24
    expect(roundToHalf(2 ** -25 * 3)).toBe(2 ** -23);
    expect(roundToHalf(2 ** -25 * 5)).toBe(2 ** -23);
    expect(roundToHalf(2 ** -25)).toBe(0);
    expect(roundToHalf(-(2 ** -25 * 7))).toBe(-(2 ** -22));
  });

  test('ReduceMean / ReduceMax with axes attribute and input, keepdims', () => {
    const x = F([2, 3], [1, 2, 3, 4, 5, 9]);
    expect(vals(run1('ReduceMean', [x], { axes: [1] }, 13))).toEqual([2, 6]);
    const k = run1('ReduceMean', [x, I64([0])], { keepdims: 0 }, 18);
    expect(k.shape).toEqual([3]);
    expect(vals(k)).toEqual([2.5, 3.5, 6]);
    expect(run1('ReduceMax', [x], {}, 13).shape).toEqual([1, 1]);
    expect(vals(run1('ReduceMax', [x], { keepdims: 0 }, 13))).toEqual([9]);
    expect(vals(run1('ReduceMax', [T('int8', [2, 2], [-5, -7, 3, -128]), I64([-1])], {}, 18))).toEqual([-5, 3]);
    expect(vals(run1('ReduceMean', [x, I64([])], { noop_with_empty_axes: 1 }, 18))).toEqual(vals(x));
    expect(vals(run1('ReduceMean', [F([3], [0.1, 0.2, 0.3])], {}, 13))).toEqual([f(f(f(f(0.1) + f(0.2)) + f(0.3)) / 3)]);
  });

  test('Equal, Greater, Not, Where', () => {
    const a = F([3], [1, 2, 3]), b = F([3], [3, 2, 1]);
    expect(vals(run1('Equal', [a, b]))).toEqual([0, 1, 0]);
    const g = run1('Greater', [a, b]);
    expect(g.dtype).toBe('bool');
    expect(vals(g)).toEqual([0, 0, 1]);
    expect(vals(run1('Not', [g]))).toEqual([1, 1, 0]);
    expect(vals(run1('Where', [g, a, F([], [-1])]))).toEqual([-1, -1, 3]);
    expect(Array.from(run1('Equal', [I64([5, INT64_MAX]), I64([5, INT64_MAX - 1n])]).data as Uint8Array)).toEqual([1, 0]);
  });
});
