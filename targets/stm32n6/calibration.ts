// Calibration of the NPU cost model on ST's published STM32N6570-DK figures (CALIBRATION.md).
// Fit on tiny_yolo_v2 at 224 (30.67 ms); hold out tiny_yolo_v2 at 416 (50.91 ms).
import { NpuLayerDesc } from '../../placement/layer-desc';
import { CostParams, defaultCostParams, estimateNpuLayer } from './cost-model';

/** ST's published results used here (stm32ai-modelzoo object_detection READMEs, STEdgeAI 2.0). */
export const ST_RESULTS = Object.freeze({
  tinyYoloV2_224: { ms: 30.67, weightsKiB: 10805 },
  tinyYoloV2_416: { ms: 50.91 },
  yolov8n_192: { ms: 18.91, weightsKiB: 2966 },
  stYoloXNano_192: { ms: 5.99, weightsKiB: 1028 },
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

/** Fit npu.macsPerCycle on ST's tiny_yolo_v2 at 224 with every other default held. */
export function fitOnTinyYoloV2(base: CostParams = defaultCostParams): FitResult {
  return fitNpuParam(stTinyYoloV2Layers(224), ST_RESULTS.tinyYoloV2_224.ms, base);
}

/**
 * Whole-network estimate from aggregate figures only (MACs, weight bytes, layer count), for
 * networks whose layer list hsq does not have. Returns the two ends of the per-layer roofline:
 * `low` when compute and weight streaming always overlap, `high` when they never do.
 */
export function aggregateEstimateMs(
  net: { macs: number; depthwiseMacs?: number; weightBytes: number; layers: number },
  params: CostParams = defaultCostParams,
): { low: number; high: number; computeMs: number; weightsMs: number } {
  const p = params;
  const rate = p['npu.macsPerCycle'] * p['npu.clockHz'];
  const dw = net.depthwiseMacs ?? 0;
  const computeMs = (((net.macs - dw) / rate) + dw / (rate * p['npu.depthwiseEfficiency'])) * 1e3;
  const weightsMs = (net.weightBytes / p['npu.extFlashBytesPerSec']) * 1e3;
  const over = (net.layers * p['npu.epochOverheadUs']) / 1e3;
  return { low: Math.max(computeMs, weightsMs) + over, high: computeMs + weightsMs + over, computeMs, weightsMs };
}
