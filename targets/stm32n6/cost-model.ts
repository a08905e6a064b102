// Latency / flash / RAM estimates per layer for the Neural-ART NPU and the Cortex-M55 CPU.
// Parameters are data (cost-params.json: value, unit, doc, source); the config's `costModel`
// overrides them by flat key. The model is a per-layer roofline:
//   NPU: max(MACs / (macsPerCycle·clock), flash bytes / xSPI2 (or hyperRAM) bandwidth,
//            activation bytes / npuRAM (or hyperRAM) bandwidth, elements / (elementsPerCycle·clock)) + epoch overhead
//        (macsPerCycle, ramBytesPerSec, epochOverheadUs fitted on ST's published figures: calibration.ts)
//   CPU: MACs·cycles/MAC(precision, kind) / clock + elements·instr/element / (IPC·clock) + layer overhead
//        (cycles/MAC measured by the kernel bench, bench/results/kernels.json: no llvm-mca at compile time)
//   NPU↔CPU switch: fixed cost + bytes crossing / cache-maintenance bandwidth.
import paramsJson from './cost-params.json';
import { fail } from '../../core/diagnostics';
import { Precision, containerBits, parsePrecision } from '../../core/precision';
import {
  NpuLayerDesc, activationElements, inChannelsOf, layerBiasCount, layerMacs, layerWeightCount,
} from '../../placement/layer-desc';
import type {
  Bound, CostModel, CostParams, CpuPrecision, LayerEstimate, Transition,
} from '../../placement/cost-model';

export type { Bound, CostParams, CpuPrecision, Device, LayerEstimate, Transition } from '../../placement/cost-model';

export interface CostParamDoc {
  readonly value: number;
  readonly unit: string;
  readonly kind: 'fitted' | 'prior';
  readonly doc: string;
  readonly source: string;
}

/** Every parameter with its unit, meaning and where the default comes from. */
export const COST_PARAM_DOCS: Readonly<Record<string, CostParamDoc>> = Object.freeze(
  paramsJson.params as Record<string, CostParamDoc>,
);

export const defaultCostParams: CostParams = Object.freeze(
  Object.fromEntries(Object.entries(COST_PARAM_DOCS).map(([k, d]) => [k, d.value])),
);

/**
 * `params` with `overrides` applied (the config's `costModel`). An unknown key, or a value that
 * is not a finite number (negative, or zero for a rate or clock), is a bad-input error naming
 * `costModel.<key>`.
 */
export function applyCostOverrides(params: CostParams, overrides: Readonly<Record<string, unknown>> | undefined): CostParams {
  const out: Record<string, number> = { ...params };
  for (const [key, v] of Object.entries(overrides ?? {})) {
    const where = `costModel.${key}`;
    const doc = COST_PARAM_DOCS[key];
    if (!doc) {
      fail('bad-input', `${where}: unknown cost-model parameter (known: ${Object.keys(COST_PARAM_DOCS).join(', ')})`, where);
    }
    const zeroOk = doc.unit === 'us';
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zeroOk && v === 0)) {
      fail('bad-input', `${where}: must be a ${zeroOk ? 'non-negative' : 'positive'} number in ${doc.unit}, got ${JSON.stringify(v)}`, where);
    }
    out[key] = v;
  }
  return Object.freeze(out);
}

/** Ops that are only a view of memory: no epoch, no time. */
const FREE_OPS = new Set(['Reshape', 'Flatten']);
const MAC_OPS = new Set(['Conv', 'DepthwiseConv', 'ConvTranspose', 'Gemm']);

function argmax(terms: Record<string, number>): string {
  let best = '';
  for (const [k, v] of Object.entries(terms)) if (best === '' || v > terms[best]) best = k;
  return best;
}

/** Neural-ART time, flash and RAM for one int8 (or native int4-weight) layer (call checkNpu first: this does not). */
export function estimateNpuLayer(layer: NpuLayerDesc, params: CostParams = defaultCostParams): LayerEstimate {
  const p = params;
  const macs = layerMacs(layer);
  const { in: ein, out: eout } = activationElements(layer);
  const bias = layerBiasCount(layer);
  // int8 weights (sub-8-bit weights are widened for the NPU) or, where the release runs them
  // natively (ST Edge AI 3.0+: Conv/Dense), int4 weights packed two a byte (assumed: ST publishes
  // no int4 figures; the weight stream halves, the MAC rate is taken as int8's); int32 bias and
  // per-channel requantization data.
  const wBytes = layer.weightBits === 4 ? Math.ceil(layerWeightCount(layer) / 2) : layerWeightCount(layer);
  const flashBytes = wBytes + bias * (4 + p['npu.flashBytesPerChannel']);
  const ramBytes = ein + eout;
  if (FREE_OPS.has(layer.op)) return { us: 0, flashBytes: 0, ramBytes, macs: 0, bound: 'free', terms: {} };
  const eff = layer.op === 'DepthwiseConv' ? p['npu.depthwiseEfficiency'] : 1;
  // hyperRAM (xSPI1) instead of npuRAM / octo-flash: for a layer placed there, or whose largest
  // activation exceeds what stedgeai is assumed to tile on chip (npu.onchipBytes).
  const actHyper = layer.activationMemory === 'hyperRam' || Math.max(ein, eout) > p['npu.onchipBytes'];
  const wHyper = layer.weightMemory === 'hyperRam';
  const terms: Record<string, number> = {
    compute: (macs / (p['npu.macsPerCycle'] * eff * p['npu.clockHz'])) * 1e6,
    weights: (flashBytes / (wHyper ? p['npu.hyperRamBytesPerSec'] : p['npu.extFlashBytesPerSec'])) * 1e6,
    activations: (ramBytes / (actHyper ? p['npu.hyperRamBytesPerSec'] : p['npu.ramBytesPerSec'])) * 1e6,
    // Pooling, activation and arithmetic units; for MAC ops these are fused in the stream.
    elements: MAC_OPS.has(layer.op) ? 0 : (Math.max(ein, eout) / (p['npu.elementsPerCycle'] * p['npu.clockHz'])) * 1e6,
  };
  const top = argmax(terms);
  const over = p['npu.epochOverheadUs'];
  return {
    us: terms[top] + over, flashBytes, ramBytes, macs,
    bound: terms[top] >= over ? (top as Bound) : 'overhead', terms,
  };
}

/** The kernel kinds the bench measures (bench/results/kernels.json coefficients.mve.<prec>.<kind>). */
export type CpuMacKind = 'conv' | 'pointwise' | 'fc';

/** Which measured kernel kind a MAC layer is: Gemm is fc, a 1×1 stride-1 convolution pointwise, others conv. */
export function cpuMacKind(layer: NpuLayerDesc): CpuMacKind {
  if (layer.op === 'Gemm') return 'fc';
  const [kh, kw] = layer.kernel ?? [1, 1];
  return kh * kw === 1 ? 'pointwise' : 'conv';
}

/** Cortex-M55 cycles per MAC for a precision and kernel kind, from the parameters (measured, data). */
export function cyclesPerMac(precision: Precision | 'f32', kind: CpuMacKind, params: CostParams = defaultCostParams): number {
  if (precision === 'f32') return params['cpu.cyclesPerMac.f32'];
  const w = containerBits(precision.weightBits);
  // Binary layers (1-bit weights and activations) have their own kernel; other sub-8-bit
  // activations are unpacked to int8 and pay an extra term.
  if (w === 1 && precision.actBits === 1) return params[`cpu.cyclesPerMac.w1a1.${kind}`];
  return params[`cpu.cyclesPerMac.w${w}a8.${kind}`] + (precision.actBits < 8 ? params['cpu.subByteActExtraCycles'] : 0);
}

/** Cortex-M55 (Helium) time, flash and RAM for one layer at a precision (`w4a8`, a Precision, or 'f32'). */
export function estimateCpuLayer(layer: NpuLayerDesc, precision: CpuPrecision, params: CostParams = defaultCostParams): LayerEstimate {
  const p = params;
  const prec: Precision | 'f32' = typeof precision === 'string'
    ? (precision === 'f32' ? 'f32' : parsePrecision(precision, layer.name ?? layer.op))
    : precision;
  const macs = layerMacs(layer);
  const { in: ein, out: eout } = activationElements(layer);
  const actBytes = prec === 'f32' ? 4 : 1; // sub-8-bit activations are unpacked in RAM
  const wBits = prec === 'f32' ? 32 : containerBits(prec.weightBits);
  // Packed weights, int32 bias and a float32 requantization scale per output channel.
  const flashBytes = Math.ceil((layerWeightCount(layer) * wBits) / 8) + layerBiasCount(layer) * 8;
  // im2col scratch: four columns of the patch, as the MVE kernels process four output pixels.
  const [kh, kw] = layer.kernel ?? [1, 1];
  const [sh, sw] = layer.stride ?? [1, 1];
  const g = layer.op === 'DepthwiseConv' ? inChannelsOf(layer) : (layer.group ?? 1);
  const needsIm2col = (layer.op === 'Conv' || layer.op === 'DepthwiseConv') && (kh * kw > 1 || sh * sw > 1);
  const scratch = needsIm2col ? 4 * (inChannelsOf(layer) / g) * kh * kw * actBytes : 0;
  const ramBytes = (ein + eout) * actBytes + scratch;
  if (FREE_OPS.has(layer.op)) return { us: 0, flashBytes: 0, ramBytes: (ein + eout) * actBytes, macs: 0, bound: 'free', terms: {} };
  const dw = layer.op === 'DepthwiseConv' ? p['cpu.depthwiseFactor'] : 1;
  const macCycles = macs ? macs * cyclesPerMac(prec, cpuMacKind(layer), p) * dw : 0;
  // MAC ops touch each output once more for requantization; other ops touch every element.
  const elemInstr = (MAC_OPS.has(layer.op) ? eout : ein + eout) * p['cpu.instrPerElement'];
  const toUs = (instr: number): number => (instr / (p['cpu.ipc'] * p['cpu.clockHz'])) * 1e6;
  const cyclesToUs = (cycles: number): number => (cycles / p['cpu.clockHz']) * 1e6;
  // A working set beyond the CPU plan's on-chip RAM lives in hyperRAM: its traffic is a term of its own.
  // (Integer layers only: a float layer is a model boundary working on the caller's buffers.)
  const hyper = prec !== 'f32' && ramBytes > p['cpu.onchipBytes'] ? (ramBytes / p['cpu.hyperRamBytesPerSec']) * 1e6 : 0;
  const terms: Record<string, number> = { compute: cyclesToUs(macCycles), elements: toUs(elemInstr), ...(hyper ? { hyperRam: hyper } : {}) };
  const work = Math.max(terms.compute + terms.elements, hyper);
  const over = p['cpu.layerOverheadUs'];
  return {
    us: work + over, flashBytes, ramBytes, macs,
    bound: work < over ? 'overhead' : hyper > terms.compute + terms.elements ? 'activations' : terms.compute >= terms.elements ? 'compute' : 'elements', terms,
  };
}

/** Cost in microseconds of handing tensors from one device to the other (0 on the same device). */
export function transitionCost(t: Transition, params: CostParams = defaultCostParams): number {
  if (t.from === t.to) return 0;
  return params['transition.us'] + (t.bytes / params['transition.bytesPerSec']) * 1e6;
}

/** The stm32n6 cost model as placement and the report take it (placement/cost-model.ts). */
export const STM32N6_COST_MODEL: CostModel = Object.freeze({
  about: 'targets/stm32n6/CALIBRATION.md',
  defaults: defaultCostParams,
  withOverrides: (overrides: Readonly<Record<string, unknown>> | undefined) => applyCostOverrides(defaultCostParams, overrides),
  estimateNpu: estimateNpuLayer,
  estimateCpu: estimateCpuLayer,
  transition: transitionCost,
});
