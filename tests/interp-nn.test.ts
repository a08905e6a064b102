// Reference interpreter core and the NN / quantization operators: small hand-checked cases and
// comparisons against naive loops written here (same numerics, written the obvious way).
import { HsqError } from '../core/diagnostics';
import { DType } from '../core/ir/dtype';
import { AttrValue, Graph, Node, QuantParams, TensorInfo } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { requantMultiplier, requantize } from '../core/numerics';
import { runGraph, runNode } from '../ops/engine/interpreter';
import { findUnsupported, lookupOp, supportedOps } from '../ops/engine/registry';
import { Conv2DParams, convFloat2DScalar, convInt2DScalar, convSimd } from '../ops/lib/conv-kernel';
import { simdDot } from '../ops/lib/simd-dot';

const f = Math.fround;

// ---------------------------------------------------------------- helpers

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randF(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}
function randI(n: number, seed: number, lo: number, hi: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

function node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = '', outputs = ['y']): Node {
  return { name: `${op.toLowerCase()}_node`, op, domain, inputs, outputs, attrs };
}

/** Run one op on values; infos (for quantization) by input/output position. */
function run1(op: string, values: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {},
  opts: { domain?: string; inInfos?: (TensorInfo | undefined)[]; outInfo?: TensorInfo; outputs?: string[] } = {}): Tensor {
  const names = values.map((v, i) => (v ? `in${i}` : ''));
  const n = node(op, names, attrs, opts.domain ?? '', opts.outputs ?? ['y']);
  const tensors: Record<string, TensorInfo> = {};
  opts.inInfos?.forEach((info, i) => { if (info) tensors[`in${i}`] = info; });
  if (opts.outInfo) tensors.y = opts.outInfo;
  const g = graphOf([], [], tensors, [n]);
  return runNode(g, n, values)[0];
}

function graphOf(inputs: string[], outputs: string[], tensors: Record<string, TensorInfo>, nodes: Node[], initializers: Record<string, Tensor> = {}): Graph {
  return { name: 'g', inputs, outputs, tensors, initializers, nodes, opsets: { '': 21 }, annotations: {}, metadata: {}, irVersion: 10 };
}

function qinfo(name: string, dtype: DType, shape: number[], q: Partial<QuantParams> & { scale: number[]; zeroPoint: number[] }): TensorInfo {
  return { name, dtype, shape, quant: { bits: 8, signed: dtype === 'int8', narrow: false, ...q } };
}

const arr = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

// Naive direct convolution in the hsq order: acc = bias; kh, kw, ci; padding taps skipped.
interface ConvCfg { N: number; C: number; H: number; W: number; M: number; KH: number; KW: number; group: number; strides: number[]; dil: number[]; pads: number[] }
function convOut(c: ConvCfg) {
  const OH = Math.floor((c.H + c.pads[0] + c.pads[2] - ((c.KH - 1) * c.dil[0] + 1)) / c.strides[0]) + 1;
  const OW = Math.floor((c.W + c.pads[1] + c.pads[3] - ((c.KW - 1) * c.dil[1] + 1)) / c.strides[1]) + 1;
  return { OH, OW };
}
function naiveConv(c: ConvCfg, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | undefined,
  mac: (acc: number, xv: number, wv: number, m: number) => number): number[] {
  const { OH, OW } = convOut(c);
  const Cg = c.C / c.group, Mg = c.M / c.group;
  const y: number[] = [];
  for (let n = 0; n < c.N; n++) for (let m = 0; m < c.M; m++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    const g = Math.floor(m / Mg);
    let acc = b ? b[m] : 0;
    for (let kh = 0; kh < c.KH; kh++) for (let kw = 0; kw < c.KW; kw++) for (let ci = 0; ci < Cg; ci++) {
      const ih = oh * c.strides[0] - c.pads[0] + kh * c.dil[0];
      const iw = ow * c.strides[1] - c.pads[1] + kw * c.dil[1];
      if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
      const xv = x[((n * c.C + g * Cg + ci) * c.H + ih) * c.W + iw];
      const wv = w[((m * Cg + ci) * c.KH + kh) * c.KW + kw];
      acc = mac(acc, xv, wv, m);
    }
    y.push(acc);
  }
  return y;
}
const floatMac = (acc: number, xv: number, wv: number) => f(acc + f(xv * wv));

function convAttrs(c: ConvCfg): Record<string, AttrValue> {
  return { group: c.group, strides: c.strides, dilations: c.dil, pads: c.pads, kernel_shape: [c.KH, c.KW] };
}

// ---------------------------------------------------------------- registry

describe('registry', () => {
  test('ONNX domain aliases and QONNX domain aliases resolve to one implementation', () => {
    expect(lookupOp('Conv', '')).toBeDefined();
    expect(lookupOp('Conv', 'ai.onnx')).toBe(lookupOp('Conv', ''));
    const q = lookupOp('Quant', 'qonnx.custom_op.general');
    expect(q).toBeDefined();
    for (const d of ['onnx.brevitas', 'finn.custom_op.general', 'qonnx']) expect(lookupOp('Quant', d)).toBe(q);
    expect(lookupOp('Quant', '')).toBeUndefined();
    expect(lookupOp('QConv', 'hsq')).toBeDefined();
    expect(lookupOp('QConv', '')).toBeUndefined();
    expect(lookupOp('Conv', 'com.microsoft')).toBeUndefined();
  });

  test('supportedOps names domains; findUnsupported lists every unsupported node', () => {
    const ops = supportedOps();
    for (const o of ['Conv', 'ConvTranspose', 'MaxPool', 'QLinearConv', 'qonnx:Quant', 'qonnx:BipolarQuant', 'qonnx:Trunc', 'hsq:QConv', 'hsq:QGemm']) expect(ops).toContain(o);
    expect([...ops].sort()).toEqual(ops);
    const nodes = [node('Conv', ['a', 'b']), { ...node('Foo', ['a']), name: 'f1' }, { ...node('Quant', ['a'], {}, 'onnx.brevitas'), name: 'q' },
      { ...node('Bar', ['a'], {}, 'com.acme'), name: 'b1' }];
    expect(findUnsupported(nodes)).toEqual([{ name: 'f1', op: 'Foo', domain: '' }, { name: 'b1', op: 'Bar', domain: 'com.acme' }]);
  });
});

// ---------------------------------------------------------------- Conv

describe('Conv (float32)', () => {
  const cases: [string, ConvCfg][] = [
    ['3x3 pad 1', { N: 1, C: 3, H: 7, W: 6, M: 5, KH: 3, KW: 3, group: 1, strides: [1, 1], dil: [1, 1], pads: [1, 1, 1, 1] }],
    ['stride 2, asymmetric pads, batch 2', { N: 2, C: 4, H: 9, W: 8, M: 8, KH: 3, KW: 2, group: 1, strides: [2, 2], dil: [1, 1], pads: [0, 1, 2, 0] }],
    ['dilation 2 x 3', { N: 1, C: 2, H: 10, W: 11, M: 6, KH: 3, KW: 3, group: 1, strides: [1, 2], dil: [2, 3], pads: [2, 3, 1, 1] }],
    ['group 2', { N: 1, C: 6, H: 6, W: 6, M: 10, KH: 3, KW: 3, group: 2, strides: [1, 1], dil: [1, 1], pads: [1, 1, 1, 1] }],
    ['depthwise', { N: 1, C: 5, H: 6, W: 7, M: 5, KH: 3, KW: 3, group: 5, strides: [2, 1], dil: [1, 1], pads: [1, 1, 1, 1] }],
    ['1x1, M not a multiple of 4', { N: 1, C: 7, H: 3, W: 4, M: 7, KH: 1, KW: 1, group: 1, strides: [1, 1], dil: [1, 1], pads: [0, 0, 0, 0] }],
  ];
  test.each(cases)('%s equals the naive loop bit for bit', (_, c) => {
    const x = randF(c.N * c.C * c.H * c.W, 1), w = randF(c.M * (c.C / c.group) * c.KH * c.KW, 2), b = randF(c.M, 3);
    const y = run1('Conv', [makeTensor('float32', [c.N, c.C, c.H, c.W], x), makeTensor('float32', [c.M, c.C / c.group, c.KH, c.KW], w),
      makeTensor('float32', [c.M], b)], convAttrs(c));
    const { OH, OW } = convOut(c);
    expect(y.shape).toEqual([c.N, c.M, OH, OW]);
    expect(arr(y)).toEqual(naiveConv(c, x, w, b, floatMac));
  });

  test('1-D conv with stride and pads', () => {
    const c: ConvCfg = { N: 1, C: 3, H: 1, W: 12, M: 4, KH: 1, KW: 3, group: 1, strides: [1, 2], dil: [1, 1], pads: [0, 1, 0, 2] };
    const x = randF(36, 4), w = randF(36, 5);
    const y = run1('Conv', [makeTensor('float32', [1, 3, 12], x), makeTensor('float32', [4, 3, 3], w)], { strides: [2], pads: [1, 2] });
    expect(y.shape).toEqual([1, 4, 7]);
    expect(arr(y)).toEqual(naiveConv(c, x, w, undefined, floatMac));
  });

  test('auto_pad SAME_UPPER / SAME_LOWER / VALID', () => {
    const x = randF(1 * 2 * 6 * 6, 6), w = randF(3 * 2 * 4 * 4, 7);
    const xt = makeTensor('float32', [1, 2, 6, 6], x), wt = makeTensor('float32', [3, 2, 4, 4], w);
    const base = { N: 1, C: 2, H: 6, W: 6, M: 3, KH: 4, KW: 4, group: 1, strides: [2, 2], dil: [1, 1] };
    // out = ceil(6/2) = 3; total pad = (3-1)*2 + 4 - 6 = 2 → 1/1 either way; use stride 1 for an odd total.
    const upper = run1('Conv', [xt, wt], { auto_pad: 'SAME_UPPER', strides: [2, 2] });
    expect(arr(upper)).toEqual(naiveConv({ ...base, pads: [1, 1, 1, 1] }, x, w, undefined, floatMac));
    const s1 = { ...base, strides: [1, 1] };
    // stride 1: total pad 3 → SAME_UPPER 1 before, 2 after; SAME_LOWER 2 before, 1 after.
    expect(arr(run1('Conv', [xt, wt], { auto_pad: 'SAME_UPPER' }))).toEqual(naiveConv({ ...s1, pads: [1, 1, 2, 2] }, x, w, undefined, floatMac));
    expect(arr(run1('Conv', [xt, wt], { auto_pad: 'SAME_LOWER' }))).toEqual(naiveConv({ ...s1, pads: [2, 2, 1, 1] }, x, w, undefined, floatMac));
    const valid = run1('Conv', [xt, wt], { auto_pad: 'VALID' });
    expect(valid.shape).toEqual([1, 3, 3, 3]);
    expect(arr(valid)).toEqual(naiveConv({ ...s1, pads: [0, 0, 0, 0] }, x, w, undefined, floatMac));
  });

  test('bias is added first: 1e8 + 3 + 3 stays 1e8 in float32 (bias last would give 1e8 + 8)', () => {
    const y = run1('Conv', [makeTensor('float32', [1, 2, 1, 1], [3, 3]), makeTensor('float32', [1, 2, 1, 1], [1, 1]), makeTensor('float32', [1], [1e8])]);
    expect(arr(y)).toEqual([1e8]);
    expect(f(1e8 + 6)).toBe(1e8 + 8); // the other order really differs
  });

  test('padding taps are skipped, not added as zeros: bias -0 stays -0 in a window fully in padding', () => {
    // 1x1 input, 3x3 kernel, pads 3: the corner output sees only padding.
    const y = run1('Conv', [makeTensor('float32', [1, 1, 1, 1], [5]), makeTensor('float32', [1, 1, 3, 3], new Array(9).fill(1)),
      makeTensor('float32', [1], [-0])], { pads: [3, 3, 3, 3] });
    expect(y.shape).toEqual([1, 1, 5, 5]);
    expect(Object.is(y.data[0], -0)).toBe(true);
    expect(y.data[12]).toBe(5);
  });

  test('wrong channel count is a bad-shape error naming the node', () => {
    expect(() => run1('Conv', [makeTensor('float32', [1, 3, 4, 4]), makeTensor('float32', [2, 2, 3, 3])]))
      .toThrow(expect.objectContaining({ kind: 'bad-shape', subject: 'conv_node' }));
  });
});

describe('conv kernels: scalar and 16-lane WebAssembly SIMD paths', () => {
  const cfgs: [string, ConvCfg][] = [
    ['20 channels (one full, one partial block), 3x3 pad 1', { N: 2, C: 5, H: 6, W: 7, M: 20, KH: 3, KW: 3, group: 1, strides: [1, 1], dil: [1, 1], pads: [1, 1, 1, 1] }],
    ['groups 2 x 16, strides, dilation', { N: 1, C: 6, H: 9, W: 8, M: 32, KH: 3, KW: 2, group: 2, strides: [2, 1], dil: [1, 2], pads: [1, 2, 0, 1] }],
  ];
  const params = (c: ConvCfg): Conv2DParams => {
    const { OH, OW } = convOut(c);
    return { N: c.N, C: c.C, H: c.H, W: c.W, M: c.M, KH: c.KH, KW: c.KW, OH, OW, group: c.group, sh: c.strides[0], sw: c.strides[1],
      dh: c.dil[0], dw: c.dil[1], padT: c.pads[0], padL: c.pads[1] };
  };

  test('WebAssembly SIMD is available on this host (Node 20)', () => {
    expect(simdDot()).not.toBeNull();
  });

  test.each(cfgs)('float, %s: both paths equal the naive loop bit for bit', (_, c) => {
    const p = params(c);
    const x = randF(c.N * c.C * c.H * c.W, 61, 3), w = randF(c.M * (c.C / c.group) * c.KH * c.KW, 62), b = randF(c.M, 63);
    x[5] = -0; x[7] = 1e30; w[3] = 1e-30; // big and tiny magnitudes: no flush to zero, float32 overflow kept
    const want = naiveConv(c, x, w, b, floatMac);
    const y1 = new Float32Array(want.length), y2 = new Float32Array(want.length);
    convFloat2DScalar(p, x, w, b, y1);
    expect(convSimd(p, true, x, 0, w, undefined, b, y2)).toBe(true);
    expect(Array.from(y1)).toEqual(want);
    expect(Array.from(y2)).toEqual(want);
  });

  test.each(cfgs)('int, %s: both paths equal the naive loop', (_, c) => {
    const p = params(c);
    const x = randI(c.N * c.C * c.H * c.W, 64, 0, 255), w = randI(c.M * (c.C / c.group) * c.KH * c.KW, 65, -128, 127), b = randI(c.M, 66, -1000, 1000);
    const zw = new Float64Array(randI(c.M, 67, -3, 3));
    const want = naiveConv(c, x, w, b, (a, xv, wv, m) => a + (xv - 128) * (wv - zw[m]));
    const a1 = new Int32Array(want.length), a2 = new Int32Array(want.length);
    convInt2DScalar(p, x, 128, w, zw, b, a1);
    expect(convSimd(p, false, x, 128, w, zw, b, a2)).toBe(true);
    expect(Array.from(a1)).toEqual(want);
    expect(Array.from(a2)).toEqual(want);
  });
});

describe('ConvTranspose (float32)', () => {
  // Naive gather in the defined order: bias, kh, kw, ci.
  function naive(x: Float32Array, w: Float32Array, b: Float32Array | undefined, N: number, C: number, H: number, W: number,
    Mg: number, group: number, KH: number, KW: number, s: number[], d: number[], padT: number, padL: number, OH: number, OW: number) {
    const Cg = C / group, out: number[] = [];
    for (let n = 0; n < N; n++) for (let m = 0; m < Mg * group; m++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
      const g = Math.floor(m / Mg), mm = m % Mg;
      let acc = b ? b[m] : 0;
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) for (let ci = 0; ci < Cg; ci++) {
        const th = oh + padT - kh * d[0], tw = ow + padL - kw * d[1];
        if (th % s[0] || tw % s[1]) continue;
        const ih = th / s[0], iw = tw / s[1];
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        const c = g * Cg + ci;
        acc = f(acc + f(x[((n * C + c) * H + ih) * W + iw] * w[((c * Mg + mm) * KH + kh) * KW + kw]));
      }
      out.push(acc);
    }
    return out;
  }

  test('hand-checked 1-D: x=[1,2,3], w=[1,1,1], stride 1 → [1,3,6,5,3]', () => {
    const y = run1('ConvTranspose', [makeTensor('float32', [1, 1, 3], [1, 2, 3]), makeTensor('float32', [1, 1, 3], [1, 1, 1])]);
    expect(y.shape).toEqual([1, 1, 5]);
    expect(arr(y)).toEqual([1, 3, 6, 5, 3]);
  });

  test('strides, pads, output_padding, dilations, groups equal the naive gather', () => {
    const N = 1, C = 4, H = 3, W = 4, Mg = 3, group = 2, KH = 3, KW = 2;
    const x = randF(N * C * H * W, 11), w = randF(C * Mg * KH * KW, 12), b = randF(Mg * group, 13);
    const attrs = { group, strides: [2, 3], pads: [1, 0, 0, 1], output_padding: [1, 2], dilations: [1, 2] };
    const y = run1('ConvTranspose', [makeTensor('float32', [N, C, H, W], x), makeTensor('float32', [C, Mg, KH, KW], w), makeTensor('float32', [Mg * group], b)], attrs);
    const OH = 2 * (H - 1) + 1 + (KH - 1) * 1 + 1 - 1 - 0, OW = 3 * (W - 1) + 2 + (KW - 1) * 2 + 1 - 0 - 1;
    expect(y.shape).toEqual([N, Mg * group, OH, OW]);
    expect(arr(y)).toEqual(naive(x, w, b, N, C, H, W, Mg, group, KH, KW, [2, 3], [1, 2], 1, 0, OH, OW));
  });

  test('output_shape sets the pads (total split as the ONNX spec: extra at the beginning unless SAME_UPPER)', () => {
    const x = randF(1 * 1 * 3 * 3, 14), w = randF(1 * 2 * 3 * 3, 15);
    const xt = makeTensor('float32', [1, 1, 3, 3], x), wt = makeTensor('float32', [1, 2, 3, 3], w);
    // natural size 2*(3-1)+3 = 7; output 6 → total pad 1.
    const y = run1('ConvTranspose', [xt, wt], { strides: [2, 2], output_shape: [6, 6] });
    expect(y.shape).toEqual([1, 2, 6, 6]);
    expect(arr(y)).toEqual(naive(x, w, undefined, 1, 1, 3, 3, 2, 1, 3, 3, [2, 2], [1, 1], 1, 1, 6, 6));
    const u = run1('ConvTranspose', [xt, wt], { strides: [2, 2], auto_pad: 'SAME_UPPER' });
    expect(arr(u)).toEqual(naive(x, w, undefined, 1, 1, 3, 3, 2, 1, 3, 3, [2, 2], [1, 1], 0, 0, 6, 6));
  });
});

// ---------------------------------------------------------------- pools, BN

describe('pools', () => {
  const x16 = makeTensor('float32', [1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1));

  test('MaxPool 3x3 stride 2: floor vs ceil_mode', () => {
    expect(arr(run1('MaxPool', [x16], { kernel_shape: [3, 3], strides: [2, 2] }))).toEqual([11]);
    const c = run1('MaxPool', [x16], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 });
    expect(c.shape).toEqual([1, 1, 2, 2]);
    expect(arr(c)).toEqual([11, 12, 15, 16]);
  });

  test('MaxPool dilations, pads, int8; Indices output is unsupported', () => {
    const y = run1('MaxPool', [x16], { kernel_shape: [2, 2], dilations: [2, 2] });
    expect(arr(y)).toEqual([11, 12, 15, 16]);
    const xi = makeTensor('int8', [1, 1, 2, 2], [-5, -7, -9, -6]);
    expect(arr(run1('MaxPool', [xi], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], strides: [2, 2] }))).toEqual([-5, -7, -9, -6]);
    expect(() => run1('MaxPool', [x16], { kernel_shape: [2, 2] }, { outputs: ['y', 'idx'] }))
      .toThrow(expect.objectContaining({ kind: 'unsupported' }));
  });

  test('AveragePool count_include_pad 0 / 1 and ceil_mode overhang', () => {
    const x = makeTensor('float32', [1, 1, 2, 2], [1, 2, 3, 4]);
    // pads 1 all round, 2x2 window stride 1 → 3x3; corner sees one value.
    expect(arr(run1('AveragePool', [x], { kernel_shape: [2, 2], pads: [1, 1, 1, 1] }))).toEqual([1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
    expect(arr(run1('AveragePool', [x], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })))
      .toEqual([0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1].map(f));
    // 1-D, ceil_mode: [1..5], k 2, s 2 → windows [1,2],[3,4],[5]; the last counts 1 element.
    const y = run1('AveragePool', [makeTensor('float32', [1, 1, 5], [1, 2, 3, 4, 5])], { kernel_shape: [2], strides: [2], ceil_mode: 1, count_include_pad: 1 });
    expect(arr(y)).toEqual([1.5, 3.5, 5]);
  });

  test('AveragePool sums in window order with float32 rounding, then divides once', () => {
    const v = [1e8, 3, 3, 1];
    const y = run1('AveragePool', [makeTensor('float32', [1, 1, 1, 4], v)], { kernel_shape: [1, 4] });
    let s = 0;
    for (const a of v) s = f(s + a);
    expect(arr(y)).toEqual([f(s / 4)]);
    expect(f(s / 4)).not.toBe(f((1e8 + 7) / 4));
  });

  test('GlobalAveragePool / GlobalMaxPool', () => {
    const x = makeTensor('float32', [1, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -8]);
    const a = run1('GlobalAveragePool', [x]);
    expect(a.shape).toEqual([1, 2, 1, 1]);
    expect(arr(a)).toEqual([2.5, -3.5]);
    expect(arr(run1('GlobalMaxPool', [x]))).toEqual([4, -1]);
  });
});

test('BatchNormalization uses the folded factor scale / sqrt(var + eps)', () => {
  const x = makeTensor('float32', [1, 2, 1, 2], [1, 2, 3, 4]);
  const p = (v: number[]) => makeTensor('float32', [2], v);
  const y = run1('BatchNormalization', [x, p([2, 0.5]), p([1, -1]), p([1, 2]), p([4, 0.25])], { epsilon: 0 });
  // channel 0: (x-1)*2/2 + 1; channel 1: (x-2)*0.5/0.5 - 1
  expect(arr(y)).toEqual([1, 2, 0, 1]);
  const eps = f(1e-3);
  const y2 = run1('BatchNormalization', [makeTensor('float32', [1, 1], [0.7]), makeTensor('float32', [1], [1.3]), makeTensor('float32', [1], [0.1]),
    makeTensor('float32', [1], [0.2]), makeTensor('float32', [1], [0.3])], { epsilon: 1e-3 });
  const k = f(f(1.3) / f(Math.sqrt(f(f(0.3) + eps))));
  expect(arr(y2)).toEqual([f(f(f(f(0.7) - f(0.2)) * k) + f(0.1))]);
});

// ---------------------------------------------------------------- Gemm, MatMul

describe('Gemm / MatMul', () => {
  function naiveMatMul(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number): number[] {
    const y: number[] = [];
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc = f(acc + f(a[i * K + k] * b[k * N + j]));
      y.push(acc);
    }
    return y;
  }

  test('Gemm with transA, transB, alpha, beta and a row-vector C', () => {
    const M = 3, K = 5, N = 4;
    const a = randF(K * M, 21), b = randF(N * K, 22), c = randF(N, 23);
    const y = run1('Gemm', [makeTensor('float32', [K, M], a), makeTensor('float32', [N, K], b), makeTensor('float32', [N], c)],
      { transA: 1, transB: 1, alpha: 0.75, beta: 2.5 });
    const at: number[] = [], bt: number[] = [];
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at.push(a[k * M + i]);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt.push(b[j * K + k]);
    const acc = naiveMatMul(at, bt, M, K, N);
    expect(arr(y)).toEqual(acc.map((v, i) => f(f(0.75 * v) + f(2.5 * c[i % N]))));
  });

  test('Gemm: C column [M,1] broadcasts; no C means alpha * acc', () => {
    const a = makeTensor('float32', [2, 2], [1, 2, 3, 4]), b = makeTensor('float32', [2, 2], [1, 0, 0, 1]);
    expect(arr(run1('Gemm', [a, b, makeTensor('float32', [2, 1], [10, 20])]))).toEqual([11, 12, 23, 24]);
    expect(arr(run1('Gemm', [a, b], { alpha: 2 }))).toEqual([2, 4, 6, 8]);
  });

  test('MatMul broadcasts batch dims and handles 1-D operands', () => {
    const a = randF(2 * 1 * 3 * 4, 24), b = randF(3 * 4 * 2, 25);
    const y = run1('MatMul', [makeTensor('float32', [2, 1, 3, 4], a), makeTensor('float32', [3, 4, 2], b)]);
    expect(y.shape).toEqual([2, 3, 3, 2]);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(...naiveMatMul(a.subarray(i * 12, i * 12 + 12), b.subarray(j * 8, j * 8 + 8), 3, 4, 2));
    expect(arr(y)).toEqual(want);
    const v = run1('MatMul', [makeTensor('float32', [3], [1, 2, 3]), makeTensor('float32', [3, 2], [1, 0, 0, 1, 1, 1])]);
    expect(v.shape).toEqual([2]);
    expect(arr(v)).toEqual([4, 5]);
  });
});

// ---------------------------------------------------------------- QuantizeLinear / DequantizeLinear

describe('QuantizeLinear / DequantizeLinear', () => {
  const s1 = makeTensor('float32', [], [1]);

  test('round half to even on ties, uint8 default without zero point', () => {
    const x = makeTensor('float32', [8], [0.5, 1.5, 2.5, -0.5, -1.5, 300, -3, 254.5]);
    const y = run1('QuantizeLinear', [x, s1]);
    expect(y.dtype).toBe('uint8');
    expect(arr(y)).toEqual([0, 2, 2, 0, 0, 255, 0, 254]);
    const yi = run1('QuantizeLinear', [x, s1, makeTensor('int8', [], [0])]);
    expect(arr(yi)).toEqual([0, 2, 2, 0, -2, 127, -3, 127]);
  });

  test('int4 / uint4 saturate to their ranges; output_dtype picks the type', () => {
    const x = makeTensor('float32', [5], [-100, -8.4, 7.4, 7.6, 100]);
    expect(arr(run1('QuantizeLinear', [x, s1, makeTensor('int4', [], [0])]))).toEqual([-8, -8, 7, 7, 7]);
    const u = run1('QuantizeLinear', [x, s1, makeTensor('uint4', [], [8])]);
    expect(u.dtype).toBe('uint4');
    expect(arr(u)).toEqual([0, 0, 15, 15, 15]);
    const o = run1('QuantizeLinear', [x, s1], { output_dtype: 22 });
    expect(o.dtype).toBe('int4');
    expect(arr(o)).toEqual([-8, -8, 7, 7, 7]);
  });

  test('quant on the output info clamps to quantRange (lowered QONNX Quant): 4-bit narrow in int8', () => {
    const x = makeTensor('float32', [4], [-100, -7.5, 6.5, 100]);
    const out = qinfo('y', 'int8', [4], { scale: [1], zeroPoint: [0], bits: 4, signed: true, narrow: true });
    expect(arr(run1('QuantizeLinear', [x, s1, makeTensor('int8', [], [0])], {}, { outInfo: out }))).toEqual([-7, -7, 6, 7]);
    const u3 = qinfo('y', 'uint8', [4], { scale: [1], zeroPoint: [0], bits: 3, signed: false, narrow: false });
    expect(arr(run1('QuantizeLinear', [x, s1, makeTensor('uint8', [], [0])], {}, { outInfo: u3 }))).toEqual([0, 0, 6, 7]);
  });

  test('per-axis and blocked scales', () => {
    const x = makeTensor('float32', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const ax = run1('QuantizeLinear', [x, makeTensor('float32', [4], [1, 2, 4, 8]), makeTensor('int8', [4], [0, 1, 2, 3])], { axis: 1 });
    expect(arr(ax)).toEqual([1, 2, 3, 3, 5, 4, 4, 4]); // 4/8 = 0.5 rounds to 0, + 3
    const bl = run1('QuantizeLinear', [x, makeTensor('float32', [2, 2], [1, 2, 0.5, 4]), makeTensor('int8', [2, 2], [0, 0, 0, 0])], { axis: 1, block_size: 2 });
    expect(arr(bl)).toEqual([1, 2, 2, 2, 10, 12, 2, 2]);
    const dq = run1('DequantizeLinear', [makeTensor('int8', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), makeTensor('float32', [2, 2], [1, 2, 0.5, 4]),
      makeTensor('int8', [2, 2], [0, 1, 0, 1])], { axis: 1, block_size: 2 });
    expect(arr(dq)).toEqual([1, 2, 4, 6, 2.5, 3, 24, 28]);
  });

  test('DequantizeLinear int4, uint4 and int32 per axis', () => {
    expect(arr(run1('DequantizeLinear', [makeTensor('int4', [3], [-8, 0, 7]), makeTensor('float32', [], [0.5])]))).toEqual([-4, 0, 3.5]);
    expect(arr(run1('DequantizeLinear', [makeTensor('uint4', [2], [0, 15]), makeTensor('float32', [], [2]), makeTensor('uint4', [], [8])]))).toEqual([-16, 14]);
    const y = run1('DequantizeLinear', [makeTensor('int32', [2, 2], [100, -100, 7, 8]), makeTensor('float32', [2], [0.25, 0.1])], { axis: 0 });
    expect(arr(y)).toEqual([25, -25, f(7 * f(0.1)), f(8 * f(0.1))]);
  });
});

// ---------------------------------------------------------------- integer and requantizing ops

describe('quantized accumulating ops', () => {
  test('requantization ties round half to even: 2.5 → 2, 3.5 → 4, -2.5 → -2', () => {
    // 1x1 QLinearConv with multiplier (1 * 0.5) / 1 = 0.5 and accumulators 5, 7, -5.
    const x = makeTensor('int8', [1, 1, 1, 3], [5, 7, -5]);
    const y = run1('QLinearConv', [x, makeTensor('float32', [], [1]), makeTensor('int8', [], [0]), makeTensor('int8', [1, 1, 1, 1], [1]),
      makeTensor('float32', [], [0.5]), makeTensor('int8', [], [0]), makeTensor('float32', [], [1]), makeTensor('int8', [], [0])]);
    expect(arr(y)).toEqual([2, 4, -2]);
  });

  test('QLinearConv (uint8, per-channel weights, bias) equals a naive int loop + requantize', () => {
    const c: ConvCfg = { N: 1, C: 3, H: 6, W: 5, M: 5, KH: 3, KW: 3, group: 1, strides: [1, 2], dil: [1, 1], pads: [1, 0, 1, 1] };
    const x = randI(c.C * c.H * c.W, 31, 0, 255), w = randI(c.M * c.C * 9, 32, -127, 127), bias = randI(c.M, 33, -2000, 2000);
    const sw = [0.01, 0.02, 0.005, 0.03, 0.011], sx = 0.05, sy = 0.2, zx = 120, zy = 7;
    const y = run1('QLinearConv', [makeTensor('uint8', [1, 3, 6, 5], x), makeTensor('float32', [], [sx]), makeTensor('uint8', [], [zx]),
      makeTensor('int8', [5, 3, 3, 3], w), makeTensor('float32', [5], sw), makeTensor('int8', [5], [0, 0, 0, 0, 0]),
      makeTensor('float32', [], [sy]), makeTensor('uint8', [], [zy]), makeTensor('int32', [5], bias)], convAttrs(c));
    const acc = naiveConv(c, x, w, bias, (a, xv, wv) => a + (xv - zx) * wv);
    const { OH, OW } = convOut(c);
    const want = acc.map((a, i) => requantize(a | 0, requantMultiplier(f(sx), f(sw[Math.floor(i / (OH * OW))]), f(sy)), zy, 0, 255));
    expect(y.dtype).toBe('uint8');
    expect(arr(y)).toEqual(want);
    expect(new Set(want).size).toBeGreaterThan(5);
  });

  test('hsq QConv with depthwise groups and qmin/qmax clamp equals the naive loop', () => {
    const c: ConvCfg = { N: 1, C: 4, H: 5, W: 5, M: 4, KH: 3, KW: 3, group: 4, strides: [1, 1], dil: [1, 1], pads: [1, 1, 1, 1] };
    const x = randI(100, 41, -128, 127), w = randI(36, 42, -7, 7), bias = randI(4, 43, -50, 50);
    const sw = [0.1, 0.2, 0.05, 0.3];
    const inInfos = [qinfo('in0', 'int8', [1, 4, 5, 5], { scale: [0.02], zeroPoint: [-3] }),
      qinfo('in1', 'int8', [4, 1, 3, 3], { scale: sw, zeroPoint: [0, 1, 0, -1], axis: 0, bits: 4, signed: true, narrow: true }),
      { name: 'in2', dtype: 'int32' as DType, shape: [4] }];
    const outInfo = qinfo('y', 'int8', [1, 4, 5, 5], { scale: [0.05], zeroPoint: [-10] });
    const y = run1('QConv', [makeTensor('int8', [1, 4, 5, 5], x), makeTensor('int8', [4, 1, 3, 3], w), makeTensor('int32', [4], bias)],
      { ...convAttrs(c), qmin: -10, qmax: 127 }, { domain: 'hsq', inInfos, outInfo });
    const zw = [0, 1, 0, -1];
    const acc = naiveConv(c, x, w, bias, (a, xv, wv, m) => a + (xv + 3) * (wv - zw[m]));
    const want = acc.map((a, i) => requantize(a | 0, requantMultiplier(0.02, sw[Math.floor(i / 25)], 0.05), -10, -10, 127));
    expect(arr(y)).toEqual(want);
    expect(want).toContain(-10); // the Relu-narrowed clamp is exercised
  });

  test('hsq QGemm (per-column weights, leading dims) and QLinearMatMul', () => {
    const K = 6, N = 3;
    const x = randI(2 * 2 * K, 51, 0, 255), w = randI(K * N, 52, -128, 127), bias = [100, -200, 300];
    const sw = [0.01, 0.02, 0.03];
    const y = run1('QGemm', [makeTensor('uint8', [2, 2, K], x), makeTensor('int8', [K, N], w), makeTensor('int32', [N], bias)], {},
      { domain: 'hsq', inInfos: [qinfo('in0', 'uint8', [2, 2, K], { scale: [0.1], zeroPoint: [128] }), qinfo('in1', 'int8', [K, N], { scale: sw, zeroPoint: [0, 0, 0], axis: 1 })],
        outInfo: qinfo('y', 'uint8', [2, 2, N], { scale: [0.3], zeroPoint: [100] }) });
    expect(y.shape).toEqual([2, 2, N]);
    const want: number[] = [];
    for (let r = 0; r < 4; r++) for (let j = 0; j < N; j++) {
      let acc = bias[j];
      for (let k = 0; k < K; k++) acc += (x[r * K + k] - 128) * w[k * N + j];
      want.push(requantize(acc, requantMultiplier(0.1, sw[j], 0.3), 100, 0, 255));
    }
    expect(arr(y)).toEqual(want);

    const q = run1('QLinearMatMul', [makeTensor('uint8', [2, 2], [10, 20, 30, 40]), makeTensor('float32', [], [0.5]), makeTensor('uint8', [], [10]),
      makeTensor('int8', [2, 2], [1, 2, 3, 4]), makeTensor('float32', [2], [1, 2]), makeTensor('int8', [2], [0, 1]),
      makeTensor('float32', [], [1]), makeTensor('int8', [], [0])]);
    // (a - 10) = [[0,10],[20,30]]; b - zb = [[1,1],[3,3]] → acc [[30,30],[110,110]] → *0.5, *1.0
    expect(arr(q)).toEqual([15, 30, 55, 110]);
  });

  test('ConvInteger and MatMulInteger wrap to int32', () => {
    const C = 40000;
    const ones = makeTensor('uint8', [1, C, 1, 1], new Array(C).fill(255));
    const y = run1('ConvInteger', [ones, makeTensor('uint8', [1, C, 1, 1], new Array(C).fill(255))]);
    expect(y.dtype).toBe('int32');
    expect(arr(y)).toEqual([(C * 65025) | 0]);
    expect((C * 65025) | 0).toBeLessThan(0);
    const m = run1('MatMulInteger', [makeTensor('uint8', [1, C], new Array(C).fill(255)), makeTensor('uint8', [C, 1], new Array(C).fill(255))]);
    expect(arr(m)).toEqual([(C * 65025) | 0]);
    const small = run1('MatMulInteger', [makeTensor('uint8', [1, 2], [3, 4]), makeTensor('int8', [2, 2], [1, -1, 2, -2]),
      makeTensor('uint8', [], [1]), makeTensor('int8', [2], [0, 1])]);
    expect(arr(small)).toEqual([2 * 1 + 3 * 2, 2 * -2 + 3 * -3]);
  });
});

// ---------------------------------------------------------------- QONNX

describe('QONNX Quant / BipolarQuant / Trunc', () => {
  const q = 'qonnx.custom_op.general';
  const sc = (v: number) => makeTensor('float32', [], [v]);
  const quant = (xs: number[], s: number, z: number, bits: number, attrs: Record<string, AttrValue>) =>
    arr(run1('Quant', [makeTensor('float32', [xs.length], xs), sc(s), sc(z), sc(bits)], attrs, { domain: q }));

  test('signed / unsigned / narrow ranges at 4 bits', () => {
    const xs = [-20, -7.6, -0.5, 0.5, 1.5, 14.6, 20];
    expect(quant(xs, 1, 0, 4, { signed: 1, narrow: 0 })).toEqual([-8, -8, 0, 0, 2, 7, 7]);
    expect(quant(xs, 1, 0, 4, { signed: 1, narrow: 1 })).toEqual([-7, -7, 0, 0, 2, 7, 7]);
    expect(quant(xs, 1, 0, 4, { signed: 0, narrow: 0 })).toEqual([0, 0, 0, 0, 2, 15, 15]);
    expect(quant(xs, 1, 0, 4, { signed: 0, narrow: 1 })).toEqual([0, 0, 0, 0, 2, 14, 14]);
    // defaults: signed 1, narrow 0
    expect(quant(xs, 1, 0, 4, {})).toEqual([-8, -8, 0, 0, 2, 7, 7]);
  });

  test('scale and zero point: y = (q - z) * s', () => {
    expect(quant([0.26, -1], 0.5, 2, 3, { signed: 0 })).toEqual([f(f(3 - 2) * 0.5), -1]);
  });

  test('rounding modes', () => {
    const xs = [-2.5, -1.5, -0.4, 0.5, 1.5, 2.6];
    const m = (mode: string) => quant(xs, 1, 0, 8, { rounding_mode: mode }).map((v) => v + 0);
    expect(m('ROUND')).toEqual([-2, -2, 0, 0, 2, 3]);
    expect(m('FLOOR')).toEqual([-3, -2, -1, 0, 1, 2]);
    expect(m('CEIL')).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(m('UP')).toEqual([-3, -2, -1, 1, 2, 3]);
    expect(m('DOWN')).toEqual([-2, -1, 0, 0, 1, 2]);
    expect(m('HALF_UP')).toEqual([-3, -2, 0, 1, 2, 3]);
    expect(m('HALF_DOWN')).toEqual([-2, -1, 0, 0, 1, 3]);
    expect(m('round')).toEqual(m('ROUND'));
    expect(() => m('STOCHASTIC')).toThrow(expect.objectContaining({ kind: 'unsupported' }));
  });

  test('1-bit signed Quant is bipolar; per-channel scale broadcasts', () => {
    expect(quant([-0.1, 0, 3], 0.5, 0, 1, { signed: 1 })).toEqual([-0.5, 0.5, 0.5]);
    const x = makeTensor('float32', [1, 2, 1, 2], [1, 2, 1, 2]);
    const y = run1('Quant', [x, makeTensor('float32', [1, 2, 1, 1], [1, 0.5]), sc(0), sc(8)], {}, { domain: 'onnx.brevitas' });
    expect(arr(y)).toEqual([1, 2, 1, 2]);
    const y2 = run1('Quant', [x, makeTensor('float32', [1, 2, 1, 1], [1, 0.75]), sc(0), sc(8)], {}, { domain: 'onnx.brevitas' });
    expect(arr(y2)).toEqual([1, 2, 0.75, 2.25]);
  });

  test('BipolarQuant', () => {
    const y = run1('BipolarQuant', [makeTensor('float32', [4], [-3, -0, 0, 2]), sc(0.25)], {}, { domain: q });
    expect(arr(y)).toEqual([-0.25, 0.25, 0.25, 0.25]);
  });

  test('Trunc v1: 8-bit integers truncated to 4 bits (floor), ROUND variant', () => {
    const x = makeTensor('float32', [4], [100, 17, -17, 127]);
    const t = (mode: string) => arr(run1('Trunc', [x, sc(1), sc(0), sc(8), sc(4)], { rounding_mode: mode }, { domain: q }));
    expect(t('FLOOR')).toEqual([6, 1, -2, 7]); // 100/16 = 6.25, 17/16, -17/16, 127/16
    expect(t('ROUND')).toEqual([6, 1, -1, 8]);
  });

  test('Trunc v2: output scale 16x the input scale, clamped to the output range', () => {
    const x = makeTensor('float32', [3], [100, 300, -17]);
    const y = run1('Trunc', [x, sc(1), sc(0), sc(10), sc(16), sc(0), sc(4)], { rounding_mode: 'FLOOR' }, { domain: q });
    // 100/16 = 6.25 → 6 → 96; 300/16 = 18.75 → clamp 7 → 112; -17/16 → -1.0625 → -2 → -32
    expect(arr(y)).toEqual([96, 112, -32]);
  });
});

// ---------------------------------------------------------------- interpreter

describe('runGraph', () => {
  // x → Conv(w) → t → MaxPool → y; plus QuantizeLinear side branch z.
  function smallGraph(): Graph {
    const w = makeTensor('float32', [2, 1, 1, 1], [2, -1]);
    const nodes: Node[] = [
      { name: 'c', op: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['t'], attrs: {} },
      { name: 'p', op: 'MaxPool', domain: '', inputs: ['t'], outputs: ['y'], attrs: { kernel_shape: [2, 2] } },
      { name: 'q', op: 'QuantizeLinear', domain: '', inputs: ['t', 's'], outputs: ['z'], attrs: {} },
    ];
    const tensors: Record<string, TensorInfo> = {
      x: { name: 'x', dtype: 'float32', shape: [1, 1, 2, 2] },
      t: { name: 't', dtype: 'float32', shape: [1, 2, 2, 2] },
      y: { name: 'y', dtype: 'float32', shape: [1, 2, 1, 1] },
      z: { name: 'z', dtype: 'uint8', shape: [1, 2, 2, 2] },
    };
    return graphOf(['x'], ['y', 'z'], tensors, nodes, { w, s: makeTensor('float32', [], [1]) });
  }
  const x = makeTensor('float32', [1, 1, 2, 2], [1, 2, 3, 4]);

  test('runs nodes in order; returns outputs only, or everything with keep all', () => {
    const out = runGraph(smallGraph(), { x });
    expect(Object.keys(out).sort()).toEqual(['y', 'z']);
    expect(arr(out.y)).toEqual([8, -1]);
    expect(arr(out.z)).toEqual([2, 4, 6, 8, 0, 0, 0, 0]);
    const all = runGraph(smallGraph(), { x }, { keep: 'all' });
    expect(Object.keys(all).sort()).toEqual(['t', 'x', 'y', 'z']);
    expect(arr(all.t)).toEqual([2, 4, 6, 8, -1, -2, -3, -4]);
  });

  test('bad inputs: one HsqError bad-input naming the input', () => {
    const g = smallGraph();
    const bad = (inputs: Record<string, Tensor>) => {
      try { runGraph(g, inputs); } catch (e) { return e as HsqError; }
      throw new Error('no error');
    };
    let e = bad({ x: makeTensor('float64', [1, 1, 2, 2]) });
    expect([e.kind, e.subject]).toEqual(['bad-input', 'x']);
    expect(e.message).toMatch(/float64.*float32/);
    e = bad({ x: makeTensor('float32', [1, 1, 3, 2]) });
    expect([e.kind, e.subject]).toEqual(['bad-input', 'x']);
    expect(e.message).toMatch(/\[1,1,3,2\]/);
    e = bad({});
    expect([e.kind, e.subject]).toEqual(['bad-input', 'x']);
    e = bad({ x, extra: x });
    expect([e.kind, e.subject]).toEqual(['bad-input', 'extra']);
  });

  test('unsupported op is an HsqError naming the node', () => {
    const g = { ...smallGraph(), nodes: [{ name: 'odd', op: 'Frobnicate', domain: 'com.acme', inputs: ['x'], outputs: ['y'], attrs: {} }] };
    expect(() => runGraph(g, { x })).toThrow(expect.objectContaining({ kind: 'unsupported', subject: 'odd' }));
  });

  test('runNode gives outputs the dtype and shape of the graph (int4 held in int8 storage)', () => {
    const n: Node = { name: 'q', op: 'QuantizeLinear', domain: '', inputs: ['a', 's', 'z'], outputs: ['o'], attrs: {} };
    const g = graphOf([], [], { o: qinfo('o', 'int4', [2, 2], { scale: [1], zeroPoint: [0], bits: 4, signed: true }) }, [n]);
    const out = runNode(g, n, [makeTensor('float32', [4], [1, -9, 3, 9]), makeTensor('float32', [], [1]), makeTensor('int8', [], [0])]);
    expect(out[0].dtype).toBe('int4');
    expect(out[0].shape).toEqual([2, 2]);
    expect(arr(out[0])).toEqual([1, -8, 3, 7]);
  });
});
