// What placement needs to know of a cost model: the shape of its estimates and of the functions
// that make them. A target that has one (targets/stm32n6/cost-model.ts) hands it to placement as
// a value; placement imports no target.
import type { Precision } from '../core/precision';
import type { NpuLayerDesc } from './layer-desc';

export type Device = 'npu' | 'cpu';

/** Cost-model parameters by flat key (`npu.macsPerCycle`, `cpu.clockHz`, ...). */
export type CostParams = Readonly<Record<string, number>>;

export type Bound = 'compute' | 'weights' | 'activations' | 'elements' | 'overhead' | 'free';

export interface LayerEstimate {
  /** Estimated latency in microseconds. */
  readonly us: number;
  /** Bytes of constant data (weights, biases, requantization data) in flash. */
  readonly flashBytes: number;
  /** Bytes of RAM live during the layer: inputs, outputs and scratch. */
  readonly ramBytes: number;
  readonly macs: number;
  /** Which term of the roofline set the time. */
  readonly bound: Bound;
  /** The roofline terms in microseconds, before the fixed overhead. */
  readonly terms: Readonly<Record<string, number>>;
}

/** A CPU layer's precision: a Precision, its text (`w4a8`), or 'f32'. */
export type CpuPrecision = Precision | 'f32' | string;

export interface Transition {
  readonly from: Device;
  readonly to: Device;
  /** Bytes of the tensors that cross the switch (need cache maintenance). */
  readonly bytes: number;
}

/** NPU time, flash and RAM of one int8 layer (the caller has checked the NPU can run it). */
export type EstimateNpuLayer = (layer: NpuLayerDesc, params: CostParams) => LayerEstimate;
/** CPU time, flash and RAM of one layer at a precision. */
export type EstimateCpuLayer = (layer: NpuLayerDesc, precision: CpuPrecision, params: CostParams) => LayerEstimate;
/** Microseconds of handing tensors from one device to the other (0 on the same device). */
export type TransitionCost = (t: Transition, params: CostParams) => number;

/** A target's cost model as placement and the report use it. */
export interface CostModel {
  /** Where the parameters come from and how they were fitted (a file of the repo), for the report. */
  readonly about: string;
  /** The parameters' defaults (with their docs in the target's own data). */
  readonly defaults: CostParams;
  /** The defaults with the config file's `costModel` overrides applied; bad keys are errors. */
  readonly withOverrides: (overrides: Readonly<Record<string, unknown>> | undefined) => CostParams;
  readonly estimateNpu: EstimateNpuLayer;
  readonly estimateCpu: EstimateCpuLayer;
  readonly transition: TransitionCost;
}
