// A seeded YOLOv8n (Ultralytics yolov8.yaml at width 0.25, depth 0.33, max channels 1024) as
// FP32 ONNX, laid out like Ultralytics' own export (opset 17): BatchNormalization folded into
// conv weights and biases, SiLU as x * Sigmoid(x), C2f with Split, nearest Resize, and the
// Detect head with DFL and box decoding inside the graph. The weights are random, not trained.
//
//   node dist/examples/yolov8n/build.js --size 192 --seed 1 [--classes 80] -o FILE
import { writeFileAtomic } from '../../core/output-dir';
import * as path from 'path';
import { ModelBuilder, NodeSpec, DT, attr, floatTensor, int64Tensor } from '../lib/onnx-builder';
import { BN_EPSILON, Moments, addMoments, concatMoments, foldedConvSiLU, headConv, imageMoments, sppfPoolMoments, sliceMoments } from './weights';

export { BN_EPSILON };

export interface YoloV8nOptions {
  /** Input height = width; a positive multiple of 32 (default 192). */
  readonly size?: number;
  /** Weight seed (default 1). */
  readonly seed?: number;
  /** Classes of the Detect head (default 80, COCO). */
  readonly numClasses?: number;
}

export const INPUT_NAME = 'images';
export const OUTPUT_NAME = 'output0';
/** Ultralytics' DFL bins per box side. */
export const REG_MAX = 16;
/** Detection strides of P3, P4, P5. */
export const STRIDES: readonly number[] = [8, 16, 32];
/** Parameters of Ultralytics' fused yolov8n for 80 classes ("3151904 parameters"). */
export const ULTRALYTICS_YOLOV8N_PARAMS = 3_151_904;

const WIDTH = 0.25;
const DEPTH = 0.33;
const MAX_CHANNELS = 1024;
/** yolov8.yaml channels scaled by width (min(c, max) * w): 64→16 … 1024→256. */
const ch = (c: number) => Math.min(c, MAX_CHANNELS) * WIDTH;
/** yolov8.yaml repeats scaled by depth: max(round(n * d), 1). */
const reps = (n: number) => Math.max(Math.round(n * DEPTH), 1);

function resolve(opts: YoloV8nOptions) {
  const size = opts.size ?? 192;
  if (!Number.isInteger(size) || size <= 0 || size % 32 !== 0) {
    throw new Error(`--size must be a positive multiple of 32, got ${size}`);
  }
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${seed}`);
  const numClasses = opts.numClasses ?? 80;
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`--classes must be a positive integer, got ${numClasses}`);
  return { size, seed, numClasses };
}

/** Anchor points over the three scales: (S/8)² + (S/16)² + (S/32)². */
export function numAnchors(size: number): number {
  return STRIDES.reduce((a, s) => a + (size / s) ** 2, 0);
}

export function inputShape(opts: YoloV8nOptions = {}): number[] {
  const { size } = resolve(opts);
  return [1, 3, size, size];
}

/** [1, 4 + classes, anchors]: xywh in input pixels, then class probabilities. */
export function outputShape(opts: YoloV8nOptions = {}): number[] {
  const { size, numClasses } = resolve(opts);
  return [1, 4 + numClasses, numAnchors(size)];
}

/**
 * Anchor centres in grid units (cell + 0.5), x then y, row-major per scale, and the stride of
 * each anchor: Ultralytics' make_anchors(grid_cell_offset=0.5), transposed to [2, N] and [1, N].
 */
export function makeAnchors(size: number): { points: Float32Array; strides: Float32Array } {
  const n = numAnchors(size);
  const points = new Float32Array(2 * n);
  const strides = new Float32Array(n);
  let i = 0;
  for (const s of STRIDES) {
    const g = size / s;
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++, i++) {
        points[i] = x + 0.5;
        points[n + i] = y + 0.5;
        strides[i] = s;
      }
    }
  }
  return { points, strides };
}

/**
 * Detect's last 1×1 convs (plain Conv2d, no BN or SiLU), scaled for outputs of about
 * N(bias, std²): box logits bias 1.0 as Ultralytics' bias_init; class logits −3 where
 * Ultralytics' prior (−11.5 for 80 classes at stride 8) would make untrained scores ~1e-5.
 */
interface Logits { readonly bias: number; readonly std: number }
const BOX_LOGITS: Logits = { bias: 1, std: 2 };
const CLS_LOGITS: Logits = { bias: -3, std: 1.5 };

type Attrs = NodeSpec['attrs'];

/** Graph writer with Ultralytics' export names (`/model.2/m.0/cv1/conv/Conv`, `model.2.m.0.cv1.conv.weight`). */
class YoloGraph {
  readonly b: ModelBuilder;
  private readonly consts = new Map<string, string>();
  /** Uses of each `scope/op`: the second becomes `scope/op_1`, as torch.onnx names them. */
  private readonly uses = new Map<string, number>();
  /** Estimated per-channel moments of each activation tensor (see weights.ts). */
  private readonly stats = new Map<string, Moments>();

  constructor(readonly seed: number, name: string) {
    this.b = new ModelBuilder(name, 8, 17);
  }

  setStats(x: string, m: Moments): void {
    this.stats.set(x, m);
  }

  private statsOf(x: string): Moments {
    const s = this.stats.get(x);
    if (!s) throw new Error(`internal: no moments for tensor '${x}'`);
    return s;
  }

  private name(scope: string, op: string): string {
    const key = `${scope}/${op}`;
    const k = this.uses.get(key) ?? 0;
    this.uses.set(key, k + 1);
    return k === 0 ? key : `${key}_${k}`;
  }

  private node(op: string, scope: string, inputs: string[], attrs?: Attrs): string {
    const name = this.name(scope, op);
    const out = `${name}_output_0`;
    this.b.node({ op, name, inputs, outputs: [out], attrs });
    return out;
  }

  /** One int64 constant per distinct value (Split sizes, Reshape shapes). */
  private int64(values: readonly number[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const_int64_${values.map((v) => (v < 0 ? `m${-v}` : `${v}`)).join('_')}`;
      this.b.initializer(int64Tensor(name, [values.length], values));
      this.consts.set(key, name);
    }
    return name;
  }

  private float(name: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    return this.b.initializer(floatTensor(name, dims, data));
  }

  /**
   * Ultralytics' Conv module (Conv2d + BN folded into its bias, then SiLU as Sigmoid and Mul),
   * or, given `logits`, a plain 1×1 Conv2d (Detect's last layers).
   */
  conv(mod: string[], x: string, c1: number, c2: number, k: number, s: number, logits?: Logits): string {
    const act = !logits;
    // Parameter names follow the state dict: export scope /model.22/cv2.0/cv2.0.2 is model.22.cv2.0.2.
    const path = mod.filter((seg, i) => !mod[i + 1]?.startsWith(`${seg}.`));
    const pname = (act ? [...path, 'conv'] : path).join('.');
    const scope = '/' + (act ? [...mod, 'conv'] : mod).join('/');
    const xin = this.statsOf(x);
    const { w, b, out } = logits
      ? headConv(pname, c2, c1, this.seed, xin, logits.bias, logits.std)
      : foldedConvSiLU(pname, c2, c1, k, this.seed, xin);
    const W = this.float(`${pname}.weight`, [c2, c1, k, k], w);
    const B = this.float(`${pname}.bias`, [c2], b);
    const p = k >> 1;
    const y = this.node('Conv', scope, [x, W, B], {
      dilations: attr.ints([1, 1]), group: attr.int(1), kernel_shape: attr.ints([k, k]),
      pads: attr.ints([p, p, p, p]), strides: attr.ints([s, s]),
    });
    if (!act) {
      this.setStats(y, out);
      return y;
    }
    const actScope = '/' + [...mod, 'act'].join('/');
    const sig = this.node('Sigmoid', actScope, [y]);
    const z = this.node('Mul', actScope, [y, sig]);
    this.setStats(z, out);
    return z;
  }

  split(scope: string, x: string, sizes: readonly number[], axis: number): string[] {
    const name = this.name(scope, 'Split');
    const outs = sizes.map((_, i) => `${name}_output_${i}`);
    this.b.node({ op: 'Split', name, inputs: [x, this.int64(sizes)], outputs: outs, attrs: { axis: attr.int(axis) } });
    const m = this.stats.get(x);
    let from = 0;
    if (m && axis === 1) outs.forEach((o, i) => { this.setStats(o, sliceMoments(m, from, sizes[i])); from += sizes[i]; });
    return outs;
  }

  concat(scope: string, xs: string[], axis: number): string {
    const y = this.node('Concat', scope, xs, { axis: attr.int(axis) });
    if (axis === 1 && xs.every((x) => this.stats.has(x))) this.setStats(y, concatMoments(xs.map((x) => this.statsOf(x))));
    return y;
  }

  reshape(scope: string, x: string, shape: readonly number[]): string {
    return this.node('Reshape', scope, [x, this.int64(shape)]);
  }

  op(op: string, scope: string, inputs: string[], attrs?: Attrs): string {
    return this.node(op, scope, inputs, attrs);
  }

  /** A node whose output is a graph output with a given name. */
  final(op: string, scope: string, inputs: string[], output: string, attrs?: Attrs): void {
    this.b.node({ op, name: this.name(scope, op), inputs, outputs: [output], attrs });
  }

  constFloat(name: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    return this.float(name, dims, data);
  }

  /** C2f: cv1 to 2c, Split in halves, n Bottlenecks on the last part, Concat all, cv2. */
  c2f(i: number, x: string, c1: number, c2: number, n: number, shortcut: boolean): string {
    const m = `model.${i}`;
    const c = c2 / 2;
    const y0 = this.conv([m, 'cv1'], x, c1, 2 * c, 1, 1);
    const parts = this.split(`/${m}`, y0, [c, c], 1);
    for (let j = 0; j < n; j++) {
      const bx = parts[parts.length - 1];
      const h = this.conv([m, `m.${j}`, 'cv1'], bx, c, c, 3, 1);
      let y = this.conv([m, `m.${j}`, 'cv2'], h, c, c, 3, 1);
      if (shortcut) {
        const sum = this.op('Add', `/${m}/m.${j}`, [bx, y]);
        this.setStats(sum, addMoments(this.statsOf(bx), this.statsOf(y)));
        y = sum;
      }
      parts.push(y);
    }
    const cat = this.concat(`/${m}`, parts, 1);
    return this.conv([m, 'cv2'], cat, (2 + n) * c, c2, 1, 1);
  }

  /** SPPF: cv1 to c/2, three chained MaxPool k5 s1 p2, Concat of the four, cv2. */
  sppf(i: number, x: string, c1: number, c2: number, k: number): string {
    const m = `model.${i}`;
    const c = c1 / 2;
    const parts = [this.conv([m, 'cv1'], x, c1, c, 1, 1)];
    const p = k >> 1;
    for (let j = 0; j < 3; j++) {
      parts.push(this.op('MaxPool', `/${m}/m`, [parts[j]], {
        ceil_mode: attr.int(0), dilations: attr.ints([1, 1]), kernel_shape: attr.ints([k, k]),
        pads: attr.ints([p, p, p, p]), strides: attr.ints([1, 1]),
      }));
    }
    sppfPoolMoments(this.statsOf(parts[0])).forEach((pm, j) => this.setStats(parts[j + 1], pm));
    const cat = this.concat(`/${m}`, parts, 1);
    return this.conv([m, 'cv2'], cat, 4 * c, c2, 1, 1);
  }

  /** nn.Upsample(scale 2, nearest) as the export writes it: Resize with a scales input. */
  upsample(i: number, x: string): string {
    const scales = this.consts.get('upsample.scales') ?? this.float('upsample_scales', [4], [1, 1, 2, 2]);
    this.consts.set('upsample.scales', scales);
    const y = this.op('Resize', `/model.${i}`, [x, '', scales], {
      coordinate_transformation_mode: attr.string('asymmetric'), cubic_coeff_a: attr.float(-0.75),
      mode: attr.string('nearest'), nearest_mode: attr.string('floor'),
    });
    this.setStats(y, this.statsOf(x));
    return y;
  }
}

/** The FP32 model as ONNX bytes (opset 17, IR 8). */
export function buildYoloV8n(opts: YoloV8nOptions = {}): Uint8Array {
  const { size, seed, numClasses: nc } = resolve(opts);
  const g = new YoloGraph(seed, `yolov8n_${size}`);
  g.b.input(INPUT_NAME, DT.FLOAT, [1, 3, size, size]);
  g.setStats(INPUT_NAME, imageMoments());

  // Backbone.
  const x0 = g.conv(['model.0'], INPUT_NAME, 3, ch(64), 3, 2);
  const x1 = g.conv(['model.1'], x0, ch(64), ch(128), 3, 2);
  const x2 = g.c2f(2, x1, ch(128), ch(128), reps(3), true);
  const x3 = g.conv(['model.3'], x2, ch(128), ch(256), 3, 2);
  const p3 = g.c2f(4, x3, ch(256), ch(256), reps(6), true);
  const x5 = g.conv(['model.5'], p3, ch(256), ch(512), 3, 2);
  const p4 = g.c2f(6, x5, ch(512), ch(512), reps(6), true);
  const x7 = g.conv(['model.7'], p4, ch(512), ch(1024), 3, 2);
  const x8 = g.c2f(8, x7, ch(1024), ch(1024), reps(3), true);
  const p5 = g.sppf(9, x8, ch(1024), ch(1024), 5);

  // Head (PAN).
  const u10 = g.upsample(10, p5);
  const c11 = g.concat('/model.11', [u10, p4], 1);
  const h12 = g.c2f(12, c11, ch(1024) + ch(512), ch(512), reps(3), false);
  const u13 = g.upsample(13, h12);
  const c14 = g.concat('/model.14', [u13, p3], 1);
  const o15 = g.c2f(15, c14, ch(512) + ch(256), ch(256), reps(3), false);
  const d16 = g.conv(['model.16'], o15, ch(256), ch(256), 3, 2);
  const c17 = g.concat('/model.17', [d16, h12], 1);
  const o18 = g.c2f(18, c17, ch(256) + ch(512), ch(512), reps(3), false);
  const d19 = g.conv(['model.19'], o18, ch(512), ch(512), 3, 2);
  const c20 = g.concat('/model.20', [d19, p5], 1);
  const o21 = g.c2f(21, c20, ch(512) + ch(1024), ch(1024), reps(3), false);

  // Detect: per scale a box branch (to 4·reg_max) and a class branch (to nc).
  const feats = [o15, o18, o21];
  const chans = [ch(256), ch(512), ch(1024)];
  const c2 = Math.max(16, chans[0] / 4, REG_MAX * 4);
  const c3 = Math.max(chans[0], Math.min(nc, 100));
  const no = 4 * REG_MAX + nc;
  const D = '/model.22';
  const flat = feats.map((f, i) => {
    const box = (j: number) => ['model.22', `cv2.${i}`, `cv2.${i}.${j}`];
    const cls = (j: number) => ['model.22', `cv3.${i}`, `cv3.${i}.${j}`];
    let bx = g.conv(box(0), f, chans[i], c2, 3, 1);
    bx = g.conv(box(1), bx, c2, c2, 3, 1);
    bx = g.conv(box(2), bx, c2, 4 * REG_MAX, 1, 1, BOX_LOGITS);
    let cx = g.conv(cls(0), f, chans[i], c3, 3, 1);
    cx = g.conv(cls(1), cx, c3, c3, 3, 1);
    cx = g.conv(cls(2), cx, c3, nc, 1, 1, CLS_LOGITS);
    const cat = g.concat(D, [bx, cx], 1);
    return g.reshape(D, cat, [1, no, -1]);
  });
  const n = numAnchors(size);
  const xcat = g.concat(D, flat, 2);
  const [boxDist, clsLogits] = g.split(D, xcat, [4 * REG_MAX, nc], 1);

  // DFL: softmax over the 16 bins of each side, expectation by a fixed 1×1 conv with weights 0..15.
  const r1 = g.reshape(`${D}/dfl`, boxDist, [1, 4, REG_MAX, n]);
  const tr = g.op('Transpose', `${D}/dfl`, [r1], { perm: attr.ints([0, 2, 1, 3]) });
  const sm = g.op('Softmax', `${D}/dfl`, [tr], { axis: attr.int(1) });
  const dflW = g.constFloat('model.22.dfl.conv.weight', [1, REG_MAX, 1, 1], Array.from({ length: REG_MAX }, (_, i) => i));
  const dist = g.op('Conv', `${D}/dfl/conv`, [sm, dflW], {
    dilations: attr.ints([1, 1]), group: attr.int(1), kernel_shape: attr.ints([1, 1]),
    pads: attr.ints([0, 0, 0, 0]), strides: attr.ints([1, 1]),
  });
  const ltrb = g.reshape(`${D}/dfl`, dist, [1, 4, n]);

  // dist2bbox (xywh): centre = anchor + (rb - lt) / 2, size = lt + rb, then × stride.
  const { points, strides } = makeAnchors(size);
  const anchors = g.constFloat('anchors', [1, 2, n], points);
  const strideT = g.constFloat('strides', [1, n], strides);
  const two = g.constFloat('const_two', [], [2]);
  const [lt, rb] = g.split(D, ltrb, [2, 2], 1);
  const x1y1 = g.op('Sub', D, [anchors, lt]);
  const x2y2 = g.op('Add', D, [anchors, rb]);
  const sum = g.op('Add', D, [x1y1, x2y2]);
  const cxy = g.op('Div', D, [sum, two]);
  const wh = g.op('Sub', D, [x2y2, x1y1]);
  const xywh = g.concat(D, [cxy, wh], 1);
  const dbox = g.op('Mul', D, [xywh, strideT]);
  const prob = g.op('Sigmoid', D, [clsLogits]);
  g.final('Concat', D, [dbox, prob], OUTPUT_NAME, { axis: attr.int(1) });
  g.b.output(OUTPUT_NAME, DT.FLOAT, [1, 4 + nc, n]);
  return g.b.encode();
}

// ---- CLI ----

function usage(msg: string): never {
  process.stderr.write(`error: ${msg}\nusage: build.js [--size N] [--seed N] [--classes N] -o FILE\n`);
  process.exit(2);
}

export function main(argv: string[]): void {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const key = a === '-o' ? 'out' : a.startsWith('--') ? a.slice(2) : undefined;
    if (!key) usage(`unexpected argument '${a}'`);
    if (!['size', 'seed', 'classes', 'out'].includes(key)) usage(`unknown option '${a}'`);
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
  let bytes: Uint8Array;
  try {
    bytes = buildYoloV8n({ size: num('size'), seed: num('seed'), numClasses: num('classes') });
  } catch (e) {
    usage((e as Error).message);
  }
  // Written beside, then renamed: a failed run leaves an existing file untouched.
  const out = path.resolve(args.out);
  writeFileAtomic(out, bytes);
  process.stdout.write(`wrote ${out} (${bytes.length} bytes)\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
