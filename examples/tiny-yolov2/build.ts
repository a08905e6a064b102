// Seeded Tiny YOLOv2 models (darknet yolov2-tiny-voc layout, and ST's 1-class variant), FP32
// or QDQ (int8 activations, int8/int4 per-channel weights), built straight into ONNX bytes.
//
//   node dist/examples/tiny-yolov2/build.js --variant fp32|qdq --size 416 --layout voc|st \
//        -o FILE [--seed N] [--int4 conv7,conv8]
import { writeFileAtomic } from '../../core/output-dir';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { ModelBuilder, DT, attr, floatTensor, int8Tensor, int4Tensor, int32Tensor } from '../lib/onnx-builder';
import { Rng, heNormal, subSeed } from '../lib/prng';
import { randomInput } from '../lib/random-input';
import { runOrt } from '../../verify/ort';

export type Variant = 'fp32' | 'qdq';
export type Layout = 'voc' | 'st';

export interface TinyYoloOptions {
  readonly variant?: Variant;
  /** Input height = width; a multiple of 32 (default 416 for voc, 224 for st). */
  readonly size?: number;
  readonly layout?: Layout;
  /** Weight seed (default 1). */
  readonly seed?: number;
  /** QDQ: conv layers whose weights are int4 (default conv7, conv8). */
  readonly int4Layers?: readonly string[];
  /** QDQ: seed of the calibration input (default seed + 1). */
  readonly calibrationSeed?: number;
}

export interface ConvLayer {
  readonly name: string;      // conv1 … conv9
  readonly index: number;     // 1-based
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  /** Followed by BatchNormalization + LeakyRelu(0.1); false for the final conv (bias instead). */
  readonly bnLeaky: boolean;
  /** MaxPool 2×2 after the activation: stride and pads, or undefined. */
  readonly pool?: { readonly stride: number; readonly pads: readonly number[] };
}

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'output';
export const LEAKY_ALPHA = 0.1;
export const BN_EPSILON = 1e-5;
export const DEFAULT_INT4_LAYERS: readonly string[] = ['conv7', 'conv8'];

/** The layer table of a layout. */
export function tinyYoloV2Layers(layout: Layout = 'voc'): ConvLayer[] {
  const filters = layout === 'st' ? [16, 32, 64, 128, 256, 512, 1024, 512] : [16, 32, 64, 128, 256, 512, 1024, 1024];
  const outputs = layout === 'st' ? 30 : 125; // 5 anchors × (5 + classes): 1 class / 20 VOC classes
  const layers: ConvLayer[] = [];
  let c = 3;
  filters.forEach((f, i) => {
    const pool = i < 5 ? { stride: 2, pads: [0, 0, 0, 0] } : i === 5 ? { stride: 1, pads: [0, 0, 1, 1] } : undefined;
    layers.push({ name: `conv${i + 1}`, index: i + 1, inChannels: c, outChannels: f, kernel: 3, bnLeaky: true, pool });
    c = f;
  });
  layers.push({ name: 'conv9', index: 9, inChannels: c, outChannels: outputs, kernel: 1, bnLeaky: false });
  return layers;
}

function resolve(opts: TinyYoloOptions) {
  const layout = opts.layout ?? 'voc';
  const size = opts.size ?? (layout === 'st' ? 224 : 416);
  if (!Number.isInteger(size) || size <= 0 || size % 32 !== 0) {
    throw new Error(`--size must be a positive multiple of 32, got ${size}`);
  }
  const seed = opts.seed ?? 1;
  return {
    variant: opts.variant ?? 'fp32',
    layout,
    size,
    seed,
    int4Layers: opts.int4Layers ?? DEFAULT_INT4_LAYERS,
    calibrationSeed: opts.calibrationSeed ?? seed + 1,
  };
}

export function inputShape(opts: TinyYoloOptions = {}): number[] {
  const { size } = resolve(opts);
  return [1, 3, size, size];
}

export function outputShape(opts: TinyYoloOptions = {}): number[] {
  const { size, layout } = resolve(opts);
  const layers = tinyYoloV2Layers(layout);
  return [1, layers[layers.length - 1].outChannels, size / 32, size / 32];
}

interface LayerParams {
  readonly w: Float32Array;
  readonly bias?: Float32Array;
  readonly bn?: { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array };
}

/** Seeded float parameters of every layer; each layer has its own stream, so layers don't shift. */
export function tinyYoloV2Params(layout: Layout, seed: number): LayerParams[] {
  return tinyYoloV2Layers(layout).map((l) => {
    const fanIn = l.inChannels * l.kernel * l.kernel;
    const w = heNormal(l.outChannels * fanIn, fanIn, subSeed(seed, `${l.name}.w`));
    const M = l.outChannels;
    if (!l.bnLeaky) {
      const bias = new Rng(subSeed(seed, `${l.name}.b`)).fillNormal(new Float32Array(M), 0, 0.1);
      return { w, bias };
    }
    const r = new Rng(subSeed(seed, `${l.name}.bn`));
    return {
      w,
      bn: {
        gamma: r.fillUniform(new Float32Array(M), 0.8, 1.2),
        beta: r.fillNormal(new Float32Array(M), 0, 0.1),
        mean: r.fillNormal(new Float32Array(M), 0, 0.1),
        variance: r.fillUniform(new Float32Array(M), 0.5, 1.5),
      },
    };
  });
}

/** FP32 model: Conv (no bias) → BatchNormalization → LeakyRelu → MaxPool, opset 13. */
export function buildTinyYoloV2Fp32(opts: TinyYoloOptions = {}): Uint8Array {
  const o = resolve(opts);
  const layers = tinyYoloV2Layers(o.layout);
  const params = tinyYoloV2Params(o.layout, o.seed);
  const b = new ModelBuilder(`tiny_yolov2_${o.layout}_${o.size}`, 7, 13);
  b.input(INPUT_NAME, DT.FLOAT, inputShape(o));
  let x = INPUT_NAME;
  layers.forEach((l, i) => {
    const p = params[i];
    const k = l.kernel;
    const W = b.initializer(floatTensor(`${l.name}.weight`, [l.outChannels, l.inChannels, k, k], p.w));
    const convIns = [x, W];
    if (p.bias) convIns.push(b.initializer(floatTensor(`${l.name}.bias`, [l.outChannels], p.bias)));
    const convOut = l.bnLeaky ? `${l.name}_out` : OUTPUT_NAME;
    b.node({ op: 'Conv', name: l.name, inputs: convIns, outputs: [convOut], attrs: convAttrs(l) });
    x = convOut;
    if (!l.bnLeaky || !p.bn) return;
    const n = l.index;
    const M = [l.outChannels];
    const bnIns = [x,
      b.initializer(floatTensor(`bn${n}.scale`, M, p.bn.gamma)),
      b.initializer(floatTensor(`bn${n}.bias`, M, p.bn.beta)),
      b.initializer(floatTensor(`bn${n}.mean`, M, p.bn.mean)),
      b.initializer(floatTensor(`bn${n}.var`, M, p.bn.variance))];
    b.node({ op: 'BatchNormalization', name: `bn${n}`, inputs: bnIns, outputs: [`bn${n}_out`], attrs: { epsilon: attr.float(BN_EPSILON) } });
    b.node({ op: 'LeakyRelu', name: `leaky${n}`, inputs: [`bn${n}_out`], outputs: [`leaky${n}_out`], attrs: { alpha: attr.float(LEAKY_ALPHA) } });
    x = `leaky${n}_out`;
    if (l.pool) {
      b.node({ op: 'MaxPool', name: `pool${n}`, inputs: [x], outputs: [`pool${n}_out`], attrs: poolAttrs(l.pool) });
      x = `pool${n}_out`;
    }
  });
  b.output(OUTPUT_NAME, DT.FLOAT, outputShape(o));
  return b.encode();
}

function convAttrs(l: ConvLayer) {
  const p = (l.kernel - 1) / 2;
  return {
    kernel_shape: attr.ints([l.kernel, l.kernel]),
    strides: attr.ints([1, 1]),
    pads: attr.ints([p, p, p, p]),
    dilations: attr.ints([1, 1]),
    group: attr.int(1),
  };
}

function poolAttrs(pool: NonNullable<ConvLayer['pool']>) {
  return { kernel_shape: attr.ints([2, 2]), strides: attr.ints([pool.stride, pool.stride]), pads: attr.ints(pool.pads) };
}

/** BatchNormalization folded into conv weights and bias, computed in float64, stored float32. */
export function foldBatchNorm(layer: ConvLayer, p: LayerParams): { w: Float32Array; bias: Float32Array } {
  const M = layer.outChannels;
  if (!p.bn) return { w: p.w, bias: p.bias ?? new Float32Array(M) };
  const per = p.w.length / M;
  const w = new Float32Array(p.w.length);
  const bias = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    const s = p.bn.gamma[m] / Math.sqrt(p.bn.variance[m] + BN_EPSILON);
    for (let j = 0; j < per; j++) w[m * per + j] = p.w[m * per + j] * s;
    bias[m] = p.bn.beta[m] - p.bn.mean[m] * s;
  }
  return { w, bias };
}

/** Float tensors whose ranges the QDQ model needs, per layer (MaxPool reuses its input's). */
export function calibrationTensors(layout: Layout): string[] {
  const names = [INPUT_NAME];
  for (const l of tinyYoloV2Layers(layout)) {
    names.push(l.bnLeaky ? `bn${l.index}_out` : OUTPUT_NAME);
    if (l.bnLeaky) names.push(`leaky${l.index}_out`);
  }
  return names;
}

/** Per-tensor [min, max] of the float model's activations on one input. */
export type ActivationRanges = Record<string, readonly [number, number]>;

/**
 * Calibration: runs the FP32 model in ONNX Runtime on a seeded uniform [0, 1) input and takes
 * min/max of every tensor the QDQ model quantizes. Conv+BN outputs (`bnN_out`) are the
 * pre-activation values the folded conv produces.
 */
export async function calibrateTinyYoloV2(opts: TinyYoloOptions = {}): Promise<ActivationRanges> {
  const o = resolve(opts);
  const model = withExtraOutputs(buildTinyYoloV2Fp32(o), calibrationTensors(o.layout));
  const input = randomInput(inputShape(o), o.calibrationSeed);
  const out = await runOrt(model, { [INPUT_NAME]: input });
  const ranges: ActivationRanges = {};
  for (const name of calibrationTensors(o.layout)) {
    const d = name === INPUT_NAME ? input.data as Float32Array : out[name].data as Float32Array;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < d.length; i++) { if (d[i] < lo) lo = d[i]; if (d[i] > hi) hi = d[i]; }
    ranges[name] = [lo, hi];
  }
  return ranges;
}

/** Adds graph outputs (float, shape left to inference) for inner tensors, for calibration. */
function withExtraOutputs(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph;
  if (!g) throw new Error('model has no graph');
  const outs = (g.output ??= []);
  const have = new Set(outs.map((o) => o.name));
  for (const n of names) {
    if (have.has(n) || n === INPUT_NAME) continue;
    outs.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: DT.FLOAT } } }));
  }
  return onnx.ModelProto.encode(m).finish();
}

/** Asymmetric int8 parameters of a float range (0 always representable). */
export function int8Asymmetric(lo: number, hi: number): { scale: number; zeroPoint: number } {
  const rmin = Math.min(0, lo), rmax = Math.max(0, hi);
  const scale = Math.fround(rmax > rmin ? (rmax - rmin) / 255 : 1);
  const zp = Math.round(-128 - rmin / scale);
  return { scale, zeroPoint: Math.max(-128, Math.min(127, zp)) };
}

// Globals read once: inside jest's vm sandbox every global lookup in a hot loop is slow.
const { floor, abs, fround } = Math;

function roundHalfEven(v: number): number {
  const f = floor(v), d = v - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** Symmetric per-output-channel weight quantization to [-qmax, qmax] (axis 0). */
export function quantizeWeightsPerChannel(w: Float32Array, M: number, qmax: number): { q: Int8Array; scales: Float32Array } {
  const per = w.length / M;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    let amax = 0;
    for (let j = 0; j < per; j++) { const a = abs(w[m * per + j]); if (a > amax) amax = a; }
    const s = fround(amax > 0 ? amax / qmax : 1);
    scales[m] = s;
    for (let j = 0; j < per; j++) {
      const v = roundHalfEven(w[m * per + j] / s);
      q[m * per + j] = v < -qmax ? -qmax : v > qmax ? qmax : v;
    }
  }
  return { q, scales };
}

/**
 * QDQ model from given activation ranges (see calibrateTinyYoloV2), opset 21, IR 10.
 * Per layer: DQ(x) → Conv(DQ(w), DQ(b)) → Q → DQ → LeakyRelu → Q → DQ → MaxPool → Q.
 * MaxPool's output keeps its input's scale and zero point, as ORT's quantizer does.
 */
export function buildTinyYoloV2Qdq(opts: TinyYoloOptions, ranges: ActivationRanges): Uint8Array {
  const o = resolve(opts);
  const layers = tinyYoloV2Layers(o.layout);
  for (const name of o.int4Layers) {
    if (!layers.some((l) => l.name === name)) throw new Error(`int4 layer '${name}' is not a conv of Tiny YOLOv2 (conv1 … conv9)`);
  }
  const params = tinyYoloV2Params(o.layout, o.seed);
  const b = new ModelBuilder(`tiny_yolov2_${o.layout}_${o.size}_qdq`, 10, 21);
  b.input(INPUT_NAME, DT.FLOAT, inputShape(o));

  const range = (name: string) => {
    const r = ranges[name];
    if (!r) throw new Error(`calibration has no range for tensor '${name}'`);
    return int8Asymmetric(r[0], r[1]);
  };
  const qparams = (tensor: string, q: { scale: number; zeroPoint: number }) => {
    const s = `${tensor}_scale`, z = `${tensor}_zero_point`;
    b.initializer(floatTensor(s, [], [q.scale]));
    b.initializer(int8Tensor(z, [], [q.zeroPoint]));
    return [s, z];
  };
  /** float tensor → Q → int8 tensor `${t}_q`, with the given params (names of scale, zp). */
  const quantize = (t: string, sz: string[]) => {
    b.node({ op: 'QuantizeLinear', name: `${t}_QuantizeLinear`, inputs: [t, ...sz], outputs: [`${t}_q`] });
    return `${t}_q`;
  };
  const dequantize = (tq: string, sz: string[], out: string) => {
    b.node({ op: 'DequantizeLinear', name: `${tq}_DequantizeLinear`, inputs: [tq, ...sz], outputs: [out] });
    return out;
  };

  const inQ = range(INPUT_NAME);
  let xSz = qparams(INPUT_NAME, inQ);
  let xScale = inQ.scale;
  let xq = quantize(INPUT_NAME, xSz);

  layers.forEach((l, i) => {
    const n = l.index;
    const M = l.outChannels;
    const k = l.kernel;
    const { w, bias } = foldBatchNorm(l, params[i]);
    const int4 = o.int4Layers.includes(l.name);
    const { q, scales } = quantizeWeightsPerChannel(w, M, int4 ? 7 : 127);
    const wShape = [M, l.inChannels, k, k];
    const wq = b.initializer(int4 ? int4Tensor(`${l.name}.weight_q`, wShape, q) : int8Tensor(`${l.name}.weight_q`, wShape, q));
    const ws = b.initializer(floatTensor(`${l.name}.weight_scale`, [M], scales));
    const wz = b.initializer(int4 ? int4Tensor(`${l.name}.weight_zero_point`, [M], new Int8Array(M)) : int8Tensor(`${l.name}.weight_zero_point`, [M], new Int8Array(M)));
    b.node({ op: 'DequantizeLinear', name: `${l.name}.weight_DequantizeLinear`, inputs: [wq, ws, wz], outputs: [`${l.name}.weight`], attrs: { axis: attr.int(0) } });

    const bScale = new Float32Array(M);
    const bq = new Int32Array(M);
    for (let m = 0; m < M; m++) {
      bScale[m] = Math.fround(Math.fround(xScale) * scales[m]);
      bq[m] = Math.max(-2147483648, Math.min(2147483647, roundHalfEven(bias[m] / bScale[m])));
    }
    const bqn = b.initializer(int32Tensor(`${l.name}.bias_q`, [M], bq));
    const bsn = b.initializer(floatTensor(`${l.name}.bias_scale`, [M], bScale));
    const bzn = b.initializer(int32Tensor(`${l.name}.bias_zero_point`, [M], new Int32Array(M)));
    b.node({ op: 'DequantizeLinear', name: `${l.name}.bias_DequantizeLinear`, inputs: [bqn, bsn, bzn], outputs: [`${l.name}.bias`], attrs: { axis: attr.int(0) } });

    const xf = dequantize(xq, xSz, `${l.name}_in`);
    // Conv output keeps the FP32 model's name of the post-BN tensor, for calibration lookups.
    const convOut = l.bnLeaky ? `bn${n}_out` : `${OUTPUT_NAME}_f`;
    b.node({ op: 'Conv', name: l.name, inputs: [xf, `${l.name}.weight`, `${l.name}.bias`], outputs: [convOut], attrs: convAttrs(l) });
    const cQ = range(l.bnLeaky ? convOut : OUTPUT_NAME);
    const cSz = qparams(convOut, cQ);
    const cq = quantize(convOut, cSz);
    if (!l.bnLeaky) {
      dequantize(cq, cSz, OUTPUT_NAME);
      return;
    }
    const lin = dequantize(cq, cSz, `leaky${n}_in`);
    b.node({ op: 'LeakyRelu', name: `leaky${n}`, inputs: [lin], outputs: [`leaky${n}_out`], attrs: { alpha: attr.float(LEAKY_ALPHA) } });
    const lQ = range(`leaky${n}_out`);
    const lSz = qparams(`leaky${n}_out`, lQ);
    xq = quantize(`leaky${n}_out`, lSz);
    xSz = lSz;
    xScale = lQ.scale;
    if (l.pool) {
      const pin = dequantize(xq, lSz, `pool${n}_in`);
      b.node({ op: 'MaxPool', name: `pool${n}`, inputs: [pin], outputs: [`pool${n}_out`], attrs: poolAttrs(l.pool) });
      xq = quantize(`pool${n}_out`, lSz);
    }
  });
  b.output(OUTPUT_NAME, DT.FLOAT, outputShape(o));
  return b.encode();
}

/** Builds either variant; the QDQ one calibrates with ONNX Runtime first. */
export async function buildTinyYoloV2(opts: TinyYoloOptions = {}): Promise<Uint8Array> {
  const o = resolve(opts);
  if (o.variant === 'fp32') return buildTinyYoloV2Fp32(o);
  if (o.variant === 'qdq') return buildTinyYoloV2Qdq(o, await calibrateTinyYoloV2(o));
  throw new Error(`--variant must be fp32 or qdq, got '${o.variant as string}'`);
}

// ---- CLI ----

function usage(msg: string): never {
  process.stderr.write(`error: ${msg}\nusage: build.js --variant fp32|qdq [--size N] [--layout voc|st] [--seed N] [--int4 conv7,conv8] -o FILE\n`);
  process.exit(2);
}

export async function main(argv: string[]): Promise<void> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = a === '-o' ? 'out' : a.startsWith('--') ? a.slice(2) : undefined;
    if (!key) usage(`unexpected argument '${a}'`);
    if (!['variant', 'size', 'layout', 'seed', 'int4', 'out', 'calibration-seed'].includes(key)) usage(`unknown option '${a}'`);
    if (i + 1 >= argv.length) usage(`option '${a}' needs a value`);
    args[key] = argv[++i];
  }
  if (!args.out) usage('-o FILE is required');
  const num = (k: string) => {
    if (args[k] === undefined) return undefined;
    const v = Number(args[k]);
    if (!Number.isInteger(v)) usage(`--${k} must be an integer, got '${args[k]}'`);
    return v;
  };
  const variant = (args.variant ?? 'fp32') as Variant;
  if (variant !== 'fp32' && variant !== 'qdq') usage(`--variant must be fp32 or qdq, got '${variant}'`);
  const layout = (args.layout ?? 'voc') as Layout;
  if (layout !== 'voc' && layout !== 'st') usage(`--layout must be voc or st, got '${layout}'`);
  let bytes: Uint8Array;
  try {
    bytes = await buildTinyYoloV2({
      variant, layout, size: num('size'), seed: num('seed'), calibrationSeed: num('calibration-seed'),
      int4Layers: args.int4 === undefined ? undefined : args.int4.split(',').filter((s) => s),
    });
  } catch (e) {
    usage((e as Error).message);
  }
  // Written beside, then renamed: a failed run leaves an existing file untouched.
  const out = path.resolve(args.out);
  writeFileAtomic(out, bytes);
  process.stdout.write(`wrote ${out} (${bytes.length} bytes)\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
