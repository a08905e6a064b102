// stm32n6 cost model: layer-count generators checked against ST's weight figures, calibration on
// published points and the held-out check, hyperRAM and int4 terms, roofline behaviour, CPU precision ordering, overrides and transitions.
import * as fs from 'fs';
import * as path from 'path';
import {
  COST_PARAM_DOCS, applyCostOverrides, cpuMacKind, cyclesPerMac, defaultCostParams, estimateCpuLayer, estimateNpuLayer, transitionCost,
} from '../targets/stm32n6/cost-model';
import {
  FITTED_KEYS, ST_POINTS, ST_RESULTS, StPoint, estimateNetworkMs, fitNpuParam, fitOnStPoints, stPoint, stTinyYoloV2Layers,
} from '../targets/stm32n6/calibration';
import { CalibrationNet, mobilenetV2Layers, stYoloXNanoLayers, yolov8nLayers } from '../targets/stm32n6/calibration-nets';
import { NpuLayerDesc, layerBiasCount, layerMacs, layerWeightCount } from '../placement/layer-desc';
import { HsqError } from '../core/diagnostics';
import { tinyYoloV2Layers } from '../examples/tiny-yolov2/build';

const conv = (cin: number, cout: number, hw: number, k = 3, extra: Partial<NpuLayerDesc> = {}): NpuLayerDesc => ({
  op: 'Conv', kernel: [k, k], stride: [1, 1], pads: [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2], group: 1,
  inputShapes: [[1, cin, hw, hw]], outputShapes: [[1, cout, hw, hw]],
  weightBits: 8, weightSigned: true, weightSymmetric: true, perChannel: true, actBits: 8, actSigned: true, ...extra,
});

describe("ST tiny_yolo_v2 layout (one class)", () => {
  test('MACs and weights counted from the layer list', () => {
    const l224 = stTinyYoloV2Layers(224);
    expect(l224.filter((l) => l.op === 'Conv').map((l) => l.outputShapes[0][1])).toEqual([16, 32, 64, 128, 256, 512, 1024, 512, 30]);
    expect(l224.filter((l) => l.op === 'MaxPool')).toHaveLength(6);
    expect(l224.find((l) => l.name === 'conv7')!.inputShapes[0]).toEqual([1, 512, 7, 7]);
    const macs = l224.reduce((a, l) => a + layerMacs(l), 0);
    const weights = l224.reduce((a, l) => a + layerWeightCount(l), 0);
    const biases = l224.reduce((a, l) => a + layerBiasCount(l), 0);
    expect(weights).toBe(11_024_304);
    expect(biases).toBe(2574);
    expect(macs).toBe(773_864_448);
    // int8 weights + int32 biases: 10,776 KiB, within 0.5 % of ST's 10,805 KiB.
    const kib = (weights + 4 * biases) / 1024;
    expect(Math.abs(kib - ST_RESULTS.tinyYoloV2_224.weightsKiB) / ST_RESULTS.tinyYoloV2_224.weightsKiB).toBeLessThan(0.005);
    // The same network as the example builder's 'st' layout, counted independently.
    const ex = tinyYoloV2Layers('st');
    expect(ex.reduce((a, c) => a + c.inChannels * c.outChannels * c.kernel * c.kernel, 0)).toBe(weights);
    // 416: same weights, MACs scale with the 13×13 grid.
    expect(stTinyYoloV2Layers(416).reduce((a, l) => a + layerMacs(l), 0)).toBe(2_669_042_688);
  });
});

/** int8 weights + int32 biases + constants outside layers, in KiB. */
const countedKiB = (n: CalibrationNet): number =>
  n.layers.reduce((a, l) => a + layerWeightCount(l) + 4 * layerBiasCount(l), 0) / 1024 + n.extraConstBytes / 1024;
const sum = (n: CalibrationNet, f: (l: NpuLayerDesc) => number): number => n.layers.reduce((a, l) => a + f(l), 0);

describe('layer-count generators of the published networks (weights against ST\'s figures)', () => {
  test('yolov8n (Ultralytics n scale, one class): 3.0 M weights, within 0.5 % of ST\'s NPU weights at 192 and 416', () => {
    const n192 = yolov8nLayers(192);
    const convs = n192.layers.filter((l) => l.op === 'Conv');
    // 57 Conv modules (conv + SiLU), 6 plain 1×1 head outputs, the fixed DFL conv.
    expect(convs).toHaveLength(57 + 6 + 1);
    // SiLU is a Sigmoid and a Mul after each Conv module; one more Sigmoid on the class scores.
    expect(n192.layers.filter((l) => l.op === 'Sigmoid')).toHaveLength(57 + 1);
    expect(sum(n192, layerWeightCount)).toBe(3_000_448);
    expect(sum(n192, layerBiasCount)).toBe(5395);
    // 3.0 M weights + 5,395 biases = 3,005,843 parameters: Ultralytics' 3,157,200 for 80 classes
    // less the 80-class head (c3 = 80 instead of 64) and the folded BatchNorm scales.
    for (const [size, id] of [[192, 'yolov8n 192'], [416, 'yolov8n 416']] as const) {
      const st = stPoint(id).weightsKiB;
      expect(Math.abs(countedKiB(yolov8nLayers(size)) / st - 1)).toBeLessThan(0.005);
    }
    expect(sum(n192, layerMacs)).toBe(363_723_264);
  });

  test('st_yolo_x_nano: equals ST\'s MCU weights to 0.1 %, 13 % under its NPU weights (Neural-ART blob overhead on depthwise layers)', () => {
    const n = stYoloXNanoLayers(192);
    const p = stPoint('st_yolo_x_nano 192');
    expect(n.layers.filter((l) => l.op === 'DepthwiseConv')).toHaveLength(30);
    expect(Math.abs(countedKiB(n) / p.mcuWeightsKiB! - 1)).toBeLessThan(0.001);
    const npuDev = countedKiB(n) / p.weightsKiB - 1;
    expect(npuDev).toBeGreaterThan(-0.15);
    expect(npuDev).toBeLessThan(-0.1);
    expect(sum(n, layerMacs)).toBe(110_476_800);
  });

  test('mobilenet_v2 (Keras, 1000 classes): equals ST\'s MCU weights at α 0.35 and 1.0; 10 % under the NPU figure at 0.35', () => {
    for (const [alpha, id] of [[0.35, 'mobilenet_v2 0.35 128'], [1.0, 'mobilenet_v2 1.0 224']] as const) {
      const p = stPoint(id);
      const n = mobilenetV2Layers(alpha, 224);
      expect(Math.abs(countedKiB(n) / p.mcuWeightsKiB! - 1)).toBeLessThan(0.001);
    }
    const n = mobilenetV2Layers(0.35, 128);
    // Keras' 1,662,976 parameters less the folded BatchNorm scales: 1,662,048 weights + 8,040 biases.
    expect(sum(n, layerWeightCount) + sum(n, layerBiasCount)).toBe(1_670_088);
    expect(n.layers.filter((l) => l.op === 'DepthwiseConv')).toHaveLength(17);
    expect(countedKiB(n) / stPoint('mobilenet_v2 0.35 128').weightsKiB - 1).toBeCloseTo(-0.101, 3);
  });
});

describe('calibration (fit on published points, check the held-out ones)', () => {
  const fit = fitOnStPoints();
  const fitSet = ST_POINTS.filter((p) => p.role === 'fit');
  const heldOut = ST_POINTS.filter((p) => p.role === 'held-out');
  const err = (p: StPoint, prm = defaultCostParams): number => estimateNetworkMs(p.net().layers, prm) / p.ms - 1;

  test('the fit reproduces the committed parameters', () => {
    expect([...FITTED_KEYS].sort()).toEqual(Object.keys(fit.values).sort());
    for (const k of FITTED_KEYS) {
      expect(COST_PARAM_DOCS[k].kind).toBe('fitted');
      expect(Math.abs(defaultCostParams[k] / fit.values[k] - 1)).toBeLessThan(1e-3);
    }
    // Physically plausible: below the four accelerators' ~300 MAC/cycle; npuRAM rate below its bus figure.
    expect(fit.values['npu.macsPerCycle']).toBeLessThan(300);
    expect(fit.values['npu.ramBytesPerSec']).toBeLessThan(12.8e9);
  });

  test('fit set: every point within 5 %', () => {
    expect(fitSet.map((p) => p.id)).toEqual(['tiny_yolo_v2 224', 'yolov8n 192', 'mobilenet_v2 0.35 128', 'mobilenet_v2 0.35 224']);
    for (const p of fitSet) expect([p.id, Math.abs(err(p)) < 0.05]).toEqual([p.id, true]);
  });

  test('held out: every other published point within 30 %', () => {
    expect(heldOut.map((p) => p.id)).toEqual(expect.arrayContaining(['tiny_yolo_v2 416', 'yolov8n 416', 'st_yolo_x_nano 192']));
    expect(heldOut).toHaveLength(9);
    for (const p of heldOut) expect([p.id, Math.abs(err(p)) < 0.3]).toEqual([p.id, true]);
    // More work must cost more time.
    expect(estimateNetworkMs(stTinyYoloV2Layers(416))).toBeGreaterThan(estimateNetworkMs(stTinyYoloV2Layers(224)));
  });

  test('one-parameter fit refuses a target below the weight-streaming floor', () => {
    expect(() => fitNpuParam(stTinyYoloV2Layers(224), 5)).toThrow(/cannot fit npu.macsPerCycle/);
  });

  test('CALIBRATION.md quotes the fitted values and every point\'s estimate', () => {
    const md = fs.readFileSync(path.join(__dirname, '../targets/stm32n6/CALIBRATION.md'), 'utf8');
    expect(md).toContain(fit.values['npu.macsPerCycle'].toFixed(2));
    expect(md).toContain(fit.values['npu.epochOverheadUs'].toFixed(2));
    expect(md).toContain((fit.values['npu.ramBytesPerSec'] / 1e9).toFixed(3));
    for (const p of ST_POINTS) expect([p.id, md.includes(`| ${p.id} | ${p.ms} | ${estimateNetworkMs(p.net().layers).toFixed(2)} |`)]).toEqual([p.id, true]);
  });
});

describe('hyperRAM spills and NPU int4 weights', () => {
  test('activations placed in hyperRAM (or above npu.onchipBytes) make the layer slower', () => {
    const l = conv(64, 64, 56, 1); // activation-heavy 1×1 conv
    const on = estimateNpuLayer(l);
    const spill = estimateNpuLayer({ ...l, activationMemory: 'hyperRam' });
    const p = defaultCostParams;
    expect(spill.terms.activations).toBeCloseTo((on.ramBytes / p['npu.hyperRamBytesPerSec']) * 1e6, 6);
    expect(spill.terms.activations).toBeGreaterThan(on.terms.activations);
    expect(spill.us).toBeGreaterThan(on.us);
    // The same term without the flag once the largest activation is above npu.onchipBytes.
    const small = applyCostOverrides(p, { 'npu.onchipBytes': 1000 });
    expect(estimateNpuLayer(l, small).terms.activations).toBe(spill.terms.activations);
  });

  test('weights streamed from hyperRAM use its bandwidth', () => {
    const l = conv(512, 1024, 7);
    const p = applyCostOverrides(defaultCostParams, { 'npu.hyperRamBytesPerSec': 100e6 });
    const flash = estimateNpuLayer(l, p);
    const hyper = estimateNpuLayer({ ...l, weightMemory: 'hyperRam' }, p);
    expect(hyper.terms.weights).toBeCloseTo((flash.flashBytes / 100e6) * 1e6, 6);
    expect(hyper.us).toBeGreaterThan(flash.us);
  });

  test('int4 weights halve the weight-streaming term (bias and per-channel data unchanged), MAC rate as int8', () => {
    const l = conv(512, 1024, 7);
    const w8 = estimateNpuLayer(l);
    const w4 = estimateNpuLayer({ ...l, weightBits: 4 });
    const p = defaultCostParams;
    const perChannel = 1024 * (4 + p['npu.flashBytesPerChannel']);
    expect(w4.flashBytes - perChannel).toBe((w8.flashBytes - perChannel) / 2);
    expect(w4.terms.weights - (perChannel / p['npu.extFlashBytesPerSec']) * 1e6).toBeCloseTo((w8.terms.weights - (perChannel / p['npu.extFlashBytesPerSec']) * 1e6) / 2, 9);
    expect(w4.terms.compute).toBe(w8.terms.compute);
    expect(w4.us).toBeLessThan(w8.us); // weight-bound layer
  });
});

describe('NPU roofline', () => {
  test('weight-heavy layer is weight-bound, wide layer is compute-bound', () => {
    const big = estimateNpuLayer(conv(512, 1024, 7)); // 4.7 M weights, 49 pixels
    expect(big.bound).toBe('weights');
    expect(big.us).toBeCloseTo((big.flashBytes / defaultCostParams['npu.extFlashBytesPerSec']) * 1e6 + defaultCostParams['npu.epochOverheadUs'], 6);
    const wide = estimateNpuLayer(conv(32, 64, 112));
    expect(wide.bound).toBe('compute');
    // Doubling the bandwidth halves the weight-bound time (minus overhead), leaves compute-bound alone.
    const p = applyCostOverrides(defaultCostParams, { 'npu.extFlashBytesPerSec': 2 * defaultCostParams['npu.extFlashBytesPerSec'] });
    expect(estimateNpuLayer(conv(512, 1024, 7), p).us).toBeLessThan(big.us * 0.51 + defaultCostParams['npu.epochOverheadUs']);
    expect(estimateNpuLayer(conv(32, 64, 112), p).us).toBe(wide.us);
  });

  test('flash and RAM: int8 weights + bias + per-channel data; inputs + outputs', () => {
    const e = estimateNpuLayer(conv(16, 32, 10));
    expect(e.flashBytes).toBe(16 * 32 * 9 + 32 * (4 + defaultCostParams['npu.flashBytesPerChannel']));
    expect(e.ramBytes).toBe(16 * 100 + 32 * 100);
    expect(e.macs).toBe(100 * 32 * 16 * 9);
  });

  test('depthwise runs at the depthwise efficiency; reshape is free', () => {
    const dw: NpuLayerDesc = { ...conv(256, 256, 56), op: 'DepthwiseConv', group: 256 };
    const e = estimateNpuLayer(dw);
    expect(e.macs).toBe(56 * 56 * 256 * 9);
    expect(e.terms.compute).toBeCloseTo(e.macs / (defaultCostParams['npu.macsPerCycle'] * defaultCostParams['npu.depthwiseEfficiency'] * 1e9) * 1e6, 6);
    const r = estimateNpuLayer({ op: 'Reshape', inputShapes: [[1, 8, 4, 4]], outputShapes: [[1, 128]], actBits: 8, actSigned: true });
    expect(r.us).toBe(0);
  });
});

describe('CPU estimates', () => {
  const l = conv(64, 64, 28);
  test('MACs × measured cycles/MAC / clock + overhead (no IPC factor on MAC work)', () => {
    const p = defaultCostParams;
    const e = estimateCpuLayer(l, 'w8a8');
    const expected = (l.outputShapes[0].reduce((a, b) => a * b, 1) * 64 * 9 * p['cpu.cyclesPerMac.w8a8.conv']) / p['cpu.clockHz'] * 1e6;
    expect(e.terms.compute).toBeCloseTo(expected, 6);
    expect(e.us).toBeGreaterThan(expected);
    // Each kind takes its own coefficient: 1×1 convolutions pointwise, Gemm fc.
    const pw = conv(64, 64, 28, 1);
    expect(cpuMacKind(pw)).toBe('pointwise');
    expect(estimateCpuLayer(pw, 'w4a8').terms.compute).toBeCloseTo((layerMacs(pw) * p['cpu.cyclesPerMac.w4a8.pointwise']) / p['cpu.clockHz'] * 1e6, 6);
    const fc: NpuLayerDesc = { ...conv(1024, 1000, 1, 1), op: 'Gemm', kernel: undefined, inputShapes: [[1, 1024]], outputShapes: [[1, 1000]] };
    expect(cpuMacKind(fc)).toBe('fc');
    expect(estimateCpuLayer(fc, { weightBits: 1, actBits: 1 }).terms.compute).toBeCloseTo((layerMacs(fc) * p['cpu.cyclesPerMac.w1a1.fc']) / p['cpu.clockHz'] * 1e6, 6);
    expect(cyclesPerMac({ weightBits: 1, actBits: 1 }, 'conv')).toBe(p['cpu.cyclesPerMac.w1a1.conv']);
    expect(cyclesPerMac({ weightBits: 3, actBits: 8 }, 'conv')).toBe(p['cpu.cyclesPerMac.w4a8.conv']);
  });

  test('cycles/MAC are bench/results/kernels.json coefficients.mve, copied with their source', () => {
    const k = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'bench', 'results', 'kernels.json'), 'utf8')).coefficients.mve;
    const precs = ['w8a8', 'w4a8', 'w2a8', 'w1a8', 'w1a1'];
    const kinds = ['conv', 'pointwise', 'fc'];
    for (const prec of precs) for (const kind of kinds) {
      const key = `cpu.cyclesPerMac.${prec}.${kind}`;
      expect([key, COST_PARAM_DOCS[key]?.value]).toEqual([key, k[prec][kind].cyclesPerMac]);
      expect(COST_PARAM_DOCS[key].source).toContain(`coefficients.mve.${prec}.${kind}.cyclesPerMac`);
      expect(COST_PARAM_DOCS[key].unit).toBe('cycles/MAC');
    }
    // Every measured coefficient is in the parameters, and no instruction count stands in for cycles.
    expect(Object.keys(k).sort()).toEqual([...precs].sort());
    for (const prec of precs) expect(Object.keys(k[prec]).sort()).toEqual([...kinds].sort());
    expect(Object.keys(COST_PARAM_DOCS).filter((x) => x.startsWith('cpu.instrPerMac'))).toEqual([]);
  });

  test('lower weight bits: less flash, more time per MAC; float costs most', () => {
    const w8 = estimateCpuLayer(l, 'w8a8');
    const w4 = estimateCpuLayer(l, { weightBits: 4, actBits: 8 });
    const w3 = estimateCpuLayer(l, 'w3a8');
    const w2 = estimateCpuLayer(l, 'w2a8');
    const w4a4 = estimateCpuLayer(l, 'w4a4');
    const f = estimateCpuLayer(l, 'f32');
    expect(w4.flashBytes).toBe(64 * 64 * 9 / 2 + 64 * 8);
    expect(w3.flashBytes).toBe(w4.flashBytes); // 3-bit stored in 4-bit containers
    expect(w2.flashBytes).toBeLessThan(w4.flashBytes);
    expect(w4.flashBytes).toBeLessThan(w8.flashBytes);
    expect(w4.us).toBeGreaterThan(w8.us);
    expect(w2.us).toBeGreaterThan(w4.us);
    expect(w4a4.us).toBeGreaterThan(w4.us);
    expect(f.us).toBeGreaterThan(w8.us);
    expect(f.ramBytes).toBe(4 * w8.ramBytes); // float activations and im2col scratch: 4 bytes an element
  });

  test('the NPU beats the CPU on an int8 conv by a wide margin', () => {
    expect(estimateNpuLayer(l).us * 5).toBeLessThan(estimateCpuLayer(l, 'w8a8').us);
  });

  test('a bad precision string is a bad-input error', () => {
    expect(() => estimateCpuLayer(l, 'w5a8')).toThrow(HsqError);
  });
});

describe('overrides and transitions', () => {
  test('known keys override, defaults untouched', () => {
    const p = applyCostOverrides(defaultCostParams, { 'npu.macsPerCycle': 100, 'transition.us': 0 });
    expect(p['npu.macsPerCycle']).toBe(100);
    expect(p['transition.us']).toBe(0);
    expect(defaultCostParams['npu.macsPerCycle']).not.toBe(100);
    expect(applyCostOverrides(defaultCostParams, undefined)).toEqual(defaultCostParams);
  });

  test('unknown key → bad-input naming costModel.<key>', () => {
    let err: unknown;
    try { applyCostOverrides(defaultCostParams, { 'npu.macPerCycle': 3 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HsqError);
    expect((err as HsqError).kind).toBe('bad-input');
    expect((err as HsqError).subject).toBe('costModel.npu.macPerCycle');
    expect((err as HsqError).message).toMatch(/^costModel\.npu\.macPerCycle: unknown/);
  });

  test('zero clock or negative values are rejected', () => {
    expect(() => applyCostOverrides(defaultCostParams, { 'cpu.clockHz': 0 })).toThrow(/costModel.cpu.clockHz: must be a positive/);
    expect(() => applyCostOverrides(defaultCostParams, { 'npu.epochOverheadUs': -1 })).toThrow(/costModel.npu.epochOverheadUs/);
    expect(() => applyCostOverrides(defaultCostParams, { 'cpu.ipc': Number.NaN })).toThrow(HsqError);
  });

  test('every parameter is documented with unit and source', () => {
    for (const [k, d] of Object.entries(COST_PARAM_DOCS)) {
      expect(k).toMatch(/^(npu|cpu|transition)\./);
      expect(d.unit.length).toBeGreaterThan(0);
      expect(d.source.length).toBeGreaterThan(0);
      expect(Number.isFinite(d.value)).toBe(true);
    }
  });

  test('transition: zero on the same device, fixed + per byte across', () => {
    expect(transitionCost({ from: 'npu', to: 'npu', bytes: 1e6 })).toBe(0);
    const p = defaultCostParams;
    expect(transitionCost({ from: 'npu', to: 'cpu', bytes: 1.6e6 })).toBeCloseTo(p['transition.us'] + 1.6e6 / p['transition.bytesPerSec'] * 1e6, 9);
    expect(transitionCost({ from: 'cpu', to: 'npu', bytes: 0 })).toBe(p['transition.us']);
  });
});
