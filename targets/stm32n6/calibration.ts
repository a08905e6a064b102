// Calibration of the NPU cost model on ST's published STM32N6570-DK figures (CALIBRATION.md).
// Fit set: tiny_yolo_v2 224, yolov8n 192, mobilenet_v2 0.35 at 128 and 224; every other published
// point is held out and only checked.
import { NpuLayerDesc } from '../../placement/layer-desc';
import { CostParams, defaultCostParams, estimateNpuLayer } from './cost-model';
import { CalibrationNet, mobilenetV2Layers, stYoloXNanoLayers, yolov8nLayers } from './calibration-nets';

const MZ = 'STMicroelectronics/stm32ai-modelzoo';

/** One published STM32N6570-DK measurement (int8, STM32Cube.AI 10.0.0 / STEdgeAI 2.0, NPU/MCU). */
export interface StPoint {
  readonly id: string;
  readonly ms: number;
  /** ST's NPU "Weights Flash" (KiB). */
  readonly weightsKiB: number;
  /** ST's MCU (STM32H7) "Weights Flash" of the same model (KiB), where published. */
  readonly mcuWeightsKiB?: number;
  readonly role: 'fit' | 'held-out';
  readonly source: string;
  readonly net: () => CalibrationNet;
}

const tiny = (size: number) => (): CalibrationNet => ({ layers: stTinyYoloV2Layers(size), extraConstBytes: 0 });

/**
 * ST's published results (the six of ../shared/reference/stm32n6.md, plus the other resolutions
 * the same READMEs list). The fit set is chosen for identifiability: one weight-bound network
 * with few layers, one with many small SiLU layers, and one depthwise network with a weight-bound
 * classifier at two resolutions (which separates the per-pixel terms from the per-layer one).
 */
export const ST_POINTS: readonly StPoint[] = Object.freeze([
  { id: 'tiny_yolo_v2 224', ms: 30.67, weightsKiB: 10805, role: 'fit', source: `${MZ} object_detection/tiny_yolo_v2/README.md`, net: tiny(224) },
  { id: 'yolov8n 192', ms: 18.91, weightsKiB: 2965.61, role: 'fit', source: `${MZ} object_detection/yolov8n/README.md`, net: () => yolov8nLayers(192) },
  { id: 'mobilenet_v2 0.35 128', ms: 6.35, weightsKiB: 1840.94, mcuWeightsKiB: 1654.5, role: 'fit', source: `${MZ} image_classification/mobilenetv2/README.md (ImageNet)`, net: () => mobilenetV2Layers(0.35, 128) },
  { id: 'mobilenet_v2 0.35 224', ms: 9.14, weightsKiB: 1855.97, mcuWeightsKiB: 1654.5, role: 'fit', source: `${MZ} image_classification/mobilenetv2/README.md (ImageNet)`, net: () => mobilenetV2Layers(0.35, 224) },
  { id: 'tiny_yolo_v2 416', ms: 50.91, weightsKiB: 10829, role: 'held-out', source: `${MZ} object_detection/tiny_yolo_v2/README.md`, net: tiny(416) },
  { id: 'yolov8n 416', ms: 63.03, weightsKiB: 2987.52, role: 'held-out', source: `${MZ} object_detection/yolov8n/README.md`, net: () => yolov8nLayers(416) },
  { id: 'st_yolo_x_nano 192', ms: 5.99, weightsKiB: 1028.08, mcuWeightsKiB: 891.18, role: 'held-out', source: `${MZ} object_detection/st_yolo_x/README.md`, net: () => stYoloXNanoLayers(192) },
  { id: 'yolov8n 256', ms: 28.6, weightsKiB: 2970.13, role: 'held-out', source: `${MZ} object_detection/yolov8n/README.md`, net: () => yolov8nLayers(256) },
  { id: 'yolov8n 320', ms: 38.32, weightsKiB: 2975.99, role: 'held-out', source: `${MZ} object_detection/yolov8n/README.md`, net: () => yolov8nLayers(320) },
  { id: 'st_yolo_x_nano 256', ms: 8.5, weightsKiB: 1028.08, role: 'held-out', source: `${MZ} object_detection/st_yolo_x/README.md`, net: () => stYoloXNanoLayers(256) },
  { id: 'st_yolo_x_nano 320', ms: 11.59, weightsKiB: 1028.08, role: 'held-out', source: `${MZ} object_detection/st_yolo_x/README.md`, net: () => stYoloXNanoLayers(320) },
  { id: 'st_yolo_x_nano 416', ms: 17.99, weightsKiB: 1027.89, role: 'held-out', source: `${MZ} object_detection/st_yolo_x/README.md`, net: () => stYoloXNanoLayers(416) },
  { id: 'mobilenet_v2 1.0 224', ms: 21.08, weightsKiB: 4235.31, mcuWeightsKiB: 3458.97, role: 'held-out', source: `${MZ} image_classification/mobilenetv2/README.md (ImageNet)`, net: () => mobilenetV2Layers(1.0, 224) },
]);

/** Look a published point up by id. */
export function stPoint(id: string): StPoint {
  const p = ST_POINTS.find((x) => x.id === id);
  if (!p) throw new Error(`no published point '${id}'`);
  return p;
}

/** The published tiny_yolo_v2 figures (kept for the tests and docs that quote them). */
export const ST_RESULTS = Object.freeze({
  tinyYoloV2_224: { ms: 30.67, weightsKiB: 10805 },
  tinyYoloV2_416: { ms: 50.91 },
});

/** The parameters the fit sets (all others stay at their priors). */
export const FITTED_KEYS = Object.freeze(['npu.macsPerCycle', 'npu.ramBytesPerSec', 'npu.epochOverheadUs'] as const);

/**
 * Where the fit starts (its log grid spans ÷16..×16 around these): a quarter of the ~300 MAC/cycle
 * headline peak (600 GOPS at 1 GHz), the npuRAM bus figure (two 64-bit masters, ST mpool), 10 µs an epoch.
 */
export const FIT_START: Readonly<Record<(typeof FITTED_KEYS)[number], number>> = Object.freeze({
  'npu.macsPerCycle': 75, 'npu.ramBytesPerSec': 12.8e9, 'npu.epochOverheadUs': 10,
});

const int8 = { actBits: 8, actSigned: true, weightBits: 8, weightSigned: true, weightSymmetric: true, perChannel: true } as const;

/**
 * ST's tiny_yolo_v2 (one class, 30 outputs; not the VOC layout): 3×3 convs of 16, 32, 64, 128,
 * 256, 512, 1024, 512 filters (BN folded, LeakyRelu 0.1 fused), a 2×2 max pool after the first
 * six (the sixth stride 1, padded bottom/right to keep the size), then a 1×1 conv to 30.
 */
export function stTinyYoloV2Layers(size: number): NpuLayerDesc[] {
  if (!Number.isInteger(size) || size <= 0 || size % 32 !== 0) throw new Error(`size must be a positive multiple of 32, got ${size}`);
  const filters = [16, 32, 64, 128, 256, 512, 1024, 512];
  const layers: NpuLayerDesc[] = [];
  let c = 3;
  let h = size;
  const conv = (name: string, cin: number, cout: number, k: number): NpuLayerDesc => {
    const p = (k - 1) / 2;
    return {
      ...int8, name, op: 'Conv', kernel: [k, k], stride: [1, 1], pads: [p, p, p, p], group: 1, hasBias: true,
      inputShapes: [[1, cin, h, h]], outputShapes: [[1, cout, h, h]],
    };
  };
  filters.forEach((f, i) => {
    layers.push(conv(`conv${i + 1}`, c, f, 3));
    c = f;
    if (i < 6) {
      const stride = i < 5 ? 2 : 1;
      const out = stride === 2 ? h / 2 : h;
      layers.push({
        ...int8, name: `pool${i + 1}`, op: 'MaxPool', kernel: [2, 2], stride: [stride, stride],
        pads: stride === 2 ? [0, 0, 0, 0] : [0, 0, 1, 1],
        inputShapes: [[1, c, h, h]], outputShapes: [[1, c, out, out]],
      });
      h = out;
    }
  });
  layers.push(conv('conv9', c, 30, 1));
  return layers;
}

/** Total NPU estimate of a layer list, in milliseconds. */
export function estimateNetworkMs(layers: readonly NpuLayerDesc[], params: CostParams = defaultCostParams): number {
  return layers.reduce((a, l) => a + estimateNpuLayer(l, params).us, 0) / 1000;
}

export interface FitResult {
  readonly params: CostParams;
  readonly key: string;
  readonly value: number;
  readonly estimateMs: number;
}

/**
 * Fit one parameter (default npu.macsPerCycle) so the network estimate equals `measuredMs`,
 * all other parameters held. The estimate falls monotonically as the MAC rate rises, so
 * bisection on a log scale finds it. Fails when no value in [lo, hi] can reach the target
 * (e.g. the weight streaming alone already exceeds the measured time).
 */
export function fitNpuParam(
  layers: readonly NpuLayerDesc[], measuredMs: number, base: CostParams = defaultCostParams,
  key = 'npu.macsPerCycle', lo = 0.5, hi = 4096,
): FitResult {
  const at = (v: number): number => estimateNetworkMs(layers, { ...base, [key]: v });
  if (!(at(lo) >= measuredMs && at(hi) <= measuredMs)) {
    throw new Error(`cannot fit ${key}: estimate ranges ${at(hi).toFixed(2)}..${at(lo).toFixed(2)} ms, measured ${measuredMs} ms`);
  }
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200 && b / a > 1 + 1e-12; i++) {
    const m = Math.sqrt(a * b);
    if (at(m) > measuredMs) a = m; else b = m;
  }
  const value = Math.sqrt(a * b);
  const params = Object.freeze({ ...base, [key]: value });
  return { params, key, value, estimateMs: estimateNetworkMs(layers, params) };
}

/** Residual of one point: ln(estimate / measured). */
export function logResidual(point: StPoint, params: CostParams): number {
  return Math.log(estimateNetworkMs(point.net().layers, params) / point.ms);
}

/**
 * Minimise f over R^n by Nelder–Mead (reflection 1, expansion 2, contraction ½, shrink ½) from
 * x0 with initial steps `step`; deterministic: fixed start, fixed iteration budget, ties broken
 * by index.
 */
export function nelderMead(f: (x: readonly number[]) => number, x0: readonly number[], step: number, iterations = 2000): number[] {
  const n = x0.length;
  let pts = [x0.slice(), ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))];
  let vals = pts.map(f);
  const order = (): void => {
    const idx = pts.map((_, i) => i).sort((a, b) => vals[a] - vals[b] || a - b);
    pts = idx.map((i) => pts[i]);
    vals = idx.map((i) => vals[i]);
  };
  const towards = (a: readonly number[], b: readonly number[], t: number): number[] => a.map((v, i) => v + t * (b[i] - v));
  for (let it = 0; it < iterations; it++) {
    order();
    if (vals[n] - vals[0] < 1e-15 && Math.max(...pts.map((q) => Math.max(...q.map((v, i) => Math.abs(v - pts[0][i]))))) < 1e-9) break;
    const centroid = x0.map((_, i) => pts.slice(0, n).reduce((a, q) => a + q[i], 0) / n);
    const worst = pts[n];
    const r = towards(centroid, worst, -1);
    const fr = f(r);
    if (fr < vals[0]) {
      const e = towards(centroid, worst, -2);
      const fe = f(e);
      [pts[n], vals[n]] = fe < fr ? [e, fe] : [r, fr];
    } else if (fr < vals[n - 1]) {
      [pts[n], vals[n]] = [r, fr];
    } else {
      const c = fr < vals[n] ? towards(centroid, r, 0.5) : towards(centroid, worst, 0.5);
      const fc = f(c);
      if (fc < Math.min(fr, vals[n])) {
        [pts[n], vals[n]] = [c, fc];
      } else {
        for (let i = 1; i <= n; i++) { pts[i] = towards(pts[0], pts[i], 0.5); vals[i] = f(pts[i]); }
      }
    }
  }
  order();
  return pts[0];
}

export interface MultiFitResult {
  readonly params: CostParams;
  readonly values: Readonly<Record<string, number>>;
  /** Sum of squared log residuals over the fit set. */
  readonly loss: number;
}

/**
 * Least squares on log time over the fit set: the `keys` are varied (on a log scale, so they
 * stay positive) from their values in `base`; every other parameter is held at `base`.
 */
export function fitOnStPoints(
  base: CostParams = { ...defaultCostParams, ...FIT_START }, keys: readonly string[] = FITTED_KEYS,
  points: readonly StPoint[] = ST_POINTS.filter((p) => p.role === 'fit'),
): MultiFitResult {
  const nets = points.map((p) => ({ p, layers: p.net().layers }));
  const with_ = (x: readonly number[]): CostParams => ({ ...base, ...Object.fromEntries(keys.map((k, i) => [k, Math.exp(x[i])])) });
  const loss = (x: readonly number[]): number => {
    const prm = with_(x);
    return nets.reduce((a, { p, layers }) => a + Math.log(estimateNetworkMs(layers, prm) / p.ms) ** 2, 0);
  };
  // The roofline's max() makes the loss piecewise smooth with local minima: start Nelder–Mead
  // from the best point of a log grid (each key from its base value / 16 to × 16, factors of 2).
  const x0 = keys.map((k) => Math.log(base[k]));
  const steps = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((e) => e * Math.LN2);
  let best = x0;
  let bestLoss = loss(x0);
  const walk = (i: number, x: number[]): void => {
    if (i === keys.length) {
      const l = loss(x);
      if (l < bestLoss) { best = x.slice(); bestLoss = l; }
      return;
    }
    for (const d of steps) { x[i] = x0[i] + d; walk(i + 1, x); }
  };
  walk(0, x0.slice());
  const x = nelderMead(loss, best, Math.LN2 / 2);
  const params = Object.freeze(with_(x));
  return { params, values: Object.fromEntries(keys.map((k) => [k, params[k]])), loss: loss(x) };
}
