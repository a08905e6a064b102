// Shape-level layer lists of the networks ST publishes STM32N6570-DK timings for (CALIBRATION.md):
// per layer the op, shapes, kernel, stride and group, which is all the cost model reads (MACs,
// weight bytes, activation bytes, elements). Counted from the public architecture descriptions
// cited at each generator; no weights, no numerics. BatchNorm is folded into the preceding
// convolution (a bias per output channel), as TFLite's converter does.
import { NpuLayerDesc, NpuOp } from '../../placement/layer-desc';

/** An activation tensor, channels × height × width (batch 1). */
export interface Fm { readonly c: number; readonly h: number; readonly w: number }

type Act = 'none' | 'relu' | 'relu6' | 'silu';

const int8 = { actBits: 8, actSigned: true, weightBits: 8, weightSigned: true, weightSymmetric: true, perChannel: true } as const;
const shape = (t: Fm): number[] => [1, t.c, t.h, t.w];

/** Accumulates the layer list of one network; every method returns its output tensor. */
class NetBuilder {
  readonly layers: NpuLayerDesc[] = [];

  constructor(private readonly prefix: string) {}

  private push(l: Omit<NpuLayerDesc, keyof typeof int8> & Partial<NpuLayerDesc>): void {
    this.layers.push({ ...int8, ...l, name: `${this.prefix}${l.name ?? l.op}${this.layers.length}` } as NpuLayerDesc);
  }

  /**
   * k×k convolution, 'same' padding (output ceil(h/s)); `dw` makes it depthwise (cout = cin).
   * ReLU and ReLU6 fuse into the convolution (a clamp of the requantized output); SiLU stays the
   * two layers TFLite writes for x·sigmoid(x): a Sigmoid and a Mul.
   */
  conv(x: Fm, cout: number, k: number, s = 1, o: { dw?: boolean; bias?: boolean; act?: Act } = {}): Fm {
    const y: Fm = { c: o.dw ? x.c : cout, h: Math.ceil(x.h / s), w: Math.ceil(x.w / s) };
    const p = (k - 1) / 2;
    this.push({
      op: o.dw ? 'DepthwiseConv' : 'Conv', kernel: [k, k], stride: [s, s], pads: [Math.floor(p), Math.floor(p), Math.ceil(p), Math.ceil(p)],
      group: o.dw ? x.c : 1, hasBias: o.bias ?? true, inputShapes: [shape(x)], outputShapes: [shape(y)],
    });
    if (o.act === 'silu') {
      this.eltwise('Sigmoid', [y], y);
      this.eltwise('Mul', [y, y], y);
    }
    return y;
  }

  eltwise(op: NpuOp, ins: readonly Fm[], out: Fm): Fm {
    this.push({ op, inputShapes: ins.map(shape), outputShapes: [shape(out)] });
    return out;
  }

  add(a: Fm, b: Fm): Fm { return this.eltwise('Add', [a, b], a); }

  concat(xs: readonly Fm[]): Fm {
    return this.eltwise('Concat', xs, { c: xs.reduce((a, t) => a + t.c, 0), h: xs[0].h, w: xs[0].w });
  }

  /** Channel split into `parts` equal tensors (Ultralytics' chunk(2)). */
  split(x: Fm, parts: number): Fm[] {
    const y: Fm = { c: x.c / parts, h: x.h, w: x.w };
    this.push({ op: 'Split', inputShapes: [shape(x)], outputShapes: Array.from({ length: parts }, () => shape(y)) });
    return Array.from({ length: parts }, () => y);
  }

  maxPool(x: Fm, k: number, s: number): Fm {
    const y: Fm = { c: x.c, h: Math.ceil(x.h / s), w: Math.ceil(x.w / s) };
    const p = s === 1 ? (k - 1) / 2 : 0;
    this.push({ op: 'MaxPool', kernel: [k, k], stride: [s, s], pads: [p, p, p, p], inputShapes: [shape(x)], outputShapes: [shape(y)] });
    return y;
  }

  upsample2(x: Fm): Fm {
    const y: Fm = { c: x.c, h: 2 * x.h, w: 2 * x.w };
    this.push({ op: 'Resize', resizeMode: 'nearest', resizeScales: [1, 1, 2, 2], inputShapes: [shape(x)], outputShapes: [shape(y)] });
    return y;
  }

  gap(x: Fm): Fm {
    const y: Fm = { c: x.c, h: 1, w: 1 };
    this.push({ op: 'GlobalAveragePool', inputShapes: [shape(x)], outputShapes: [shape(y)] });
    return y;
  }

  gemm(k: number, n: number): void {
    this.push({ op: 'Gemm', inputShapes: [[1, k]], outputShapes: [[1, n]], hasBias: true });
  }

  /** Ultralytics' DFL expectation: a fixed 1×1 conv 16 → 1 (no bias) over the 4 × 16 bins of every anchor. */
  dfl(anchors: number): void {
    this.push({
      op: 'Conv', kernel: [1, 1], stride: [1, 1], pads: [0, 0, 0, 0], group: 1, hasBias: false,
      inputShapes: [[1, 16, 4, anchors]], outputShapes: [[1, 1, 4, anchors]],
    });
  }

  /** An element-wise layer on a flat [1, c, n] tensor (detection post-processing). */
  flat(op: NpuOp, ins: readonly (readonly [number, number])[], out: readonly [number, number]): void {
    this.push({ op, inputShapes: ins.map(([c, n]) => [1, c, n]), outputShapes: [[1, out[0], out[1]]] });
  }
}

function checkSize(size: number, multiple: number): void {
  if (!Number.isInteger(size) || size <= 0 || size % multiple !== 0) throw new Error(`size must be a positive multiple of ${multiple}, got ${size}`);
}

/** A network layer list plus the weight-like constants that are not layer weights. */
export interface CalibrationNet {
  readonly layers: NpuLayerDesc[];
  /** Constant bytes stored with the weights outside any layer (e.g. a detection head's anchor grid). */
  readonly extraConstBytes: number;
}

/**
 * Ultralytics YOLOv8n detection, one class (ST's COCO-person model, stm32ai-modelzoo
 * `object_detection/yolov8n/README.md`, exported from Ultralytics to int8 TFLite).
 * Architecture: ultralytics `ultralytics/cfg/models/v8/yolov8.yaml`, scale n = [depth 0.33,
 * width 0.25, max_channels 1024]; modules from `ultralytics/nn/modules/block.py` (C2f: cv1 1×1 to
 * 2c, split, n Bottlenecks of two 3×3 convs, concat, cv2 1×1; SPPF: 1×1 to c/2, three chained 5×5
 * max pools, concat, 1×1) and `head.py` (Detect: per level two 3×3 convs of c2 = max(16, ch0/4,
 * 4·16) = 64 then a 1×1 to 64 box logits, two 3×3 convs of c3 = max(ch0, nc) = 64 then a 1×1 to
 * nc; DFL: softmax over 16 bins and a fixed 1×1 conv 16→1; dist2bbox; sigmoid on the classes).
 * Every Conv module is conv + BN + SiLU. The export keeps the anchor grid as a constant of
 * 2 float32 per anchor (`make_anchors`), counted in `extraConstBytes`.
 */
export function yolov8nLayers(size: number, nc = 1): CalibrationNet {
  checkSize(size, 32);
  const n = new NetBuilder('');
  const conv = (x: Fm, c: number, k: number, s = 1): Fm => n.conv(x, c, k, s, { act: 'silu' });
  const c2f = (x: Fm, cout: number, reps: number, shortcut: boolean): Fm => {
    const c = cout / 2;
    const [a, b0] = n.split(conv(x, 2 * c, 1), 2);
    const ys = [a, b0];
    let b = b0;
    for (let i = 0; i < reps; i++) {
      const t = conv(conv(b, c, 3), c, 3);
      b = shortcut ? n.add(b, t) : t;
      ys.push(b);
    }
    return conv(n.concat(ys), cout, 1);
  };
  const sppf = (x: Fm, cout: number): Fm => {
    const a = conv(x, x.c / 2, 1);
    const y1 = n.maxPool(a, 5, 1);
    const y2 = n.maxPool(y1, 5, 1);
    const y3 = n.maxPool(y2, 5, 1);
    return conv(n.concat([a, y1, y2, y3]), cout, 1);
  };
  let x: Fm = { c: 3, h: size, w: size };
  x = conv(x, 16, 3, 2);
  x = conv(x, 32, 3, 2);
  x = c2f(x, 32, 1, true);
  x = conv(x, 64, 3, 2);
  const p3 = c2f(x, 64, 2, true);
  x = conv(p3, 128, 3, 2);
  const p4 = c2f(x, 128, 2, true);
  x = conv(p4, 256, 3, 2);
  x = c2f(x, 256, 1, true);
  const p5 = sppf(x, 256);
  const h12 = c2f(n.concat([n.upsample2(p5), p4]), 128, 1, false);
  const h15 = c2f(n.concat([n.upsample2(h12), p3]), 64, 1, false);
  const h18 = c2f(n.concat([conv(h15, 64, 3, 2), h12]), 128, 1, false);
  const h21 = c2f(n.concat([conv(h18, 128, 3, 2), p5]), 256, 1, false);
  const levels = [h15, h18, h21];
  const c2 = Math.max(16, levels[0].c / 4, 64);
  const c3 = Math.max(levels[0].c, Math.min(nc, 100));
  const heads = levels.map((f) => {
    const box = n.conv(conv(conv(f, c2, 3), c2, 3), 64, 1);
    const cls = n.conv(conv(conv(f, c3, 3), c3, 3), nc, 1);
    return n.concat([box, cls]);
  });
  const anchors = levels.reduce((a, f) => a + f.h * f.w, 0);
  const no = 64 + nc;
  // Flatten each level and concatenate along the anchors; then the DFL and box decoding.
  n.flat('Concat', heads.map((h) => [no, h.h * h.w] as const), [no, anchors]);
  n.flat('Split', [[no, anchors]], [64, anchors]);
  n.flat('Softmax', [[64, anchors]], [64, anchors]);
  n.dfl(anchors);
  n.flat('Sub', [[2, anchors], [2, anchors]], [2, anchors]);
  n.flat('Add', [[2, anchors], [2, anchors]], [2, anchors]);
  n.flat('Add', [[2, anchors], [2, anchors]], [2, anchors]);
  n.flat('Sub', [[2, anchors], [2, anchors]], [2, anchors]);
  n.flat('Concat', [[2, anchors], [2, anchors]], [4, anchors]);
  n.flat('Mul', [[4, anchors]], [4, anchors]);
  n.flat('Sigmoid', [[nc, anchors]], [nc, anchors]);
  n.flat('Concat', [[4, anchors], [nc, anchors]], [4 + nc, anchors]);
  return { layers: n.layers, extraConstBytes: 2 * 4 * anchors };
}

/**
 * ST's st_yolo_x (stm32ai-modelzoo-services `object_detection/src/models/st_yolo_x.py`,
 * `st_yolo_x()`): YOLOX with CSPDarknet backbone, PAFPN and decoupled head, built with
 * `use_depthwise_conv=True` and `activation="relu6"`; the nano model is depth_mul 0.33,
 * width_mul 0.25 (`st_yolo_x_nano_192_0.33_0.25_config.yaml`), one class (COCO person), one
 * anchor. Blocks: conv_dw_pw_block (with depthwise: k×k depthwise + BN + act, then 1×1 + BN + act;
 * else one k×k conv); stem: 3×3/2 conv to 12, 3×3 conv to 16; stacks of 32, 64, 128, 256 channels
 * with 1, 3, 3, 1 CSP blocks (shortcut in the first three), an SPP (1×1 to c/2, max pools 5, 9,
 * 13, concat, 1×1) in the last; head: 64 channels, per level a 1×1 stem, two dw-pw pairs per branch,
 * 1×1 outputs without bias (4 box + 1 object, 1 class), concatenated.
 */
export function stYoloXNanoLayers(size: number, nc = 1, na = 1): CalibrationNet {
  checkSize(size, 32);
  const n = new NetBuilder('');
  const block = (x: Fm, c: number, k = 1, s = 1, dw = false): Fm => {
    const y = dw ? n.conv(x, x.c, k, s, { dw: true, act: 'relu6' }) : x;
    return n.conv(y, c, dw ? 1 : k, dw ? 1 : s, { act: 'relu6' });
  };
  const cspBlock = (x: Fm, shortcut: boolean): Fm => {
    const y = block(block(x, x.c, 1), x.c, 3, 1, true);
    return shortcut ? n.add(x, y) : y;
  };
  const cspStack = (x: Fm, depth: number, cout: number, shortcut: boolean): Fm => {
    const hidden = cout / 2;
    const short = block(x, hidden, 1);
    let deep = block(x, hidden, 1);
    for (let i = 0; i < depth; i++) deep = cspBlock(deep, shortcut);
    return block(n.concat([deep, short]), cout, 1);
  };
  const spp = (x: Fm): Fm => {
    const a = block(x, x.c / 2, 1);
    const pools = [5, 9, 13].map((k) => n.maxPool(a, k, 1));
    return block(n.concat([a, ...pools]), x.c, 1);
  };
  const base = Math.trunc(0.25 * 64);
  const depth = Math.max(Math.round(0.33 * 3), 1);
  let x: Fm = { c: 3, h: size, w: size };
  x = block(x, 12, 3, 2);
  x = block(x, base, 3, 1);
  const feats: Fm[] = [];
  [[2, depth, true], [4, 3 * depth, true], [8, 3 * depth, true], [16, depth, false]].forEach(([m, d, shortcut], i) => {
    x = block(x, base * (m as number), 3, 2, true);
    if (i === 3) x = spp(x);
    x = cspStack(x, d as number, x.c, shortcut as boolean);
    feats.push(x);
  });
  const [, p3, p4, p5] = feats;
  const up = (hi: Fm, lo: Fm): [Fm, Fm] => {
    const fpn = block(hi, lo.c, 1);
    return [fpn, cspStack(n.concat([n.upsample2(fpn), lo]), depth, lo.c, false)];
  };
  const down = (lo: Fm, hi: Fm): Fm => {
    const d = block(lo, hi.c, 3, 2, true);
    const cat = n.concat([d, hi]);
    return cspStack(cat, depth, cat.c, false);
  };
  const [fpn0, f0] = up(p5, p4);
  const [fpn1, pan2] = up(f0, p3);
  const pan1 = down(pan2, fpn1);
  const pan0 = down(pan1, fpn0);
  const oc = Math.trunc(256 * 0.25);
  for (const f of [pan2, pan1, pan0]) {
    const stem = block(f, oc, 1);
    const cls = block(block(stem, oc, 3, 1, true), oc, 3, 1, true);
    const clsOut = n.conv(cls, nc * na, 1, 1, { bias: false });
    const reg = block(block(stem, oc, 3, 1, true), oc, 3, 1, true);
    const regOut = n.conv(reg, 4 * na, 1, 1, { bias: false });
    const objOut = n.conv(reg, na, 1, 1, { bias: false });
    n.concat([regOut, objOut, clsOut]);
  }
  return { layers: n.layers, extraConstBytes: 0 };
}

/** Keras `_make_divisible` (keras/applications/mobilenet_v2.py). */
function makeDivisible(v: number, d = 8): number {
  const nv = Math.max(d, Math.trunc((v + d / 2) / d) * d);
  return nv < 0.9 * v ? nv + d : nv;
}

/**
 * MobileNetV2 (Sandler et al., arXiv 1801.04381) as Keras builds it
 * (`keras/applications/mobilenet_v2.py`, the provenance ST's `image_classification/mobilenetv2`
 * README gives): first 3×3/2 conv of make_divisible(32·α), 17 inverted residual blocks
 * (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1)
 * with make_divisible(int(c·α)) output channels and expansion t × input channels, last 1×1 conv of
 * 1280 (α ≤ 1), global average pool, dense to `classes`. ReLU6 fused; projections linear.
 */
export function mobilenetV2Layers(alpha: number, size: number, classes = 1000): CalibrationNet {
  checkSize(size, 32);
  const n = new NetBuilder('');
  let x: Fm = { c: 3, h: size, w: size };
  x = n.conv(x, makeDivisible(32 * alpha), 3, 2, { act: 'relu6' });
  const cfg: readonly [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  for (const [t, c, reps, s] of cfg) {
    const out = makeDivisible(Math.trunc(c * alpha));
    for (let i = 0; i < reps; i++) {
      const stride = i === 0 ? s : 1;
      let y = t === 1 ? x : n.conv(x, t * x.c, 1, 1, { act: 'relu6' });
      y = n.conv(y, 0, 3, stride, { dw: true, act: 'relu6' });
      y = n.conv(y, out, 1, 1);
      x = stride === 1 && x.c === out ? n.add(x, y) : y;
    }
  }
  x = n.conv(x, alpha > 1 ? makeDivisible(1280 * alpha) : 1280, 1, 1, { act: 'relu6' });
  x = n.gap(x);
  n.gemm(x.c, classes);
  n.flat('Softmax', [[classes, 1]], [classes, 1]);
  return { layers: n.layers, extraConstBytes: 0 };
}
