// The placement table and its options: which device runs each layer, why, and what it costs.
// The result lives in a side table, not in node attributes: attributes are exported to ONNX and
// read by op inference, and a device is not part of a layer's meaning.
import type { HsqConfig } from '../core/config';
import type { CostParams, Device, LayerEstimate } from './cost-model';
import type { NpuCheck } from './capabilities';
import type { NpuLayerDesc } from './layer-desc';

export type { Device } from './cost-model';

/** Who decided a layer's device. */
export type PlacementSource = 'force' | 'policy' | 'fallback' | 'follow' | 'optimiser';

export interface PlacementOptions {
  /** CLI --force-npu / --force-cpu: node names or globs (repeatable). */
  readonly forceNpu?: readonly string[];
  readonly forceCpu?: readonly string[];
  /** CLI --widen: node names or globs whose sub-8-bit layers may be widened to int8 for the NPU. */
  readonly widen?: readonly string[];
  /** The config file's `placement` and `widen` keys. */
  readonly config?: Pick<HsqConfig, 'placement' | 'widen'>;
  /** Bytes of flash all layer weights may take (CLI --flash-budget, config flashBudget, parsed). */
  readonly flashBudget?: number;
  /** Milliseconds one inference may take (CLI --latency-budget, config latencyBudget, parsed). */
  readonly latencyBudget?: number;
  /**
   * The quantizer's sensitivity: layer name → accuracy cost of storing that layer's int8 weights
   * in 4 bits (any unit where smaller is better, e.g. SQNR loss in dB). Listed int8 layers become
   * candidates for w4 on the CPU under a flash budget; the optimiser minimises its sum first.
   */
  readonly sensitivity?: Readonly<Record<string, number>>;
  /** Cost-model parameters (default: the target cost model's defaults with none of the config's overrides). */
  readonly costParams?: CostParams;
  /** Called with the placement each time the pass runs. */
  readonly onPlacement?: (p: Placement) => void;
}

/** One way a layer could be deployed, with what it costs. */
export interface LayerOption {
  readonly key: string;            // 'npu-int8' | 'npu-int4' | 'npu-widened' | 'cpu-packed' | 'cpu-int8' | 'cpu-w4'
  readonly device: Device;
  /** Precision the layer computes at with this option. */
  readonly precision: string;
  /** How the weights are stored: 'int8', 'int8 (widened from 4-bit)', 'packed 4-bit' ... */
  readonly storage: string;
  readonly flashBytes: number;
  readonly estUs: number;
  readonly chosen: boolean;
}

export interface PlacedLayer {
  readonly name: string;
  /** ONNX-level op (QConv → Conv, QGemm → Gemm), as the user knows it. */
  readonly op: string;
  /** IR nodes of the layer in graph order. */
  readonly nodes: readonly string[];
  /** ONNX node names the layer stands for. */
  readonly origin: readonly string[];
  /** 'mac': has weights; 'compute': weightless op; 'boundary': a lone Quantize/DequantizeLinear. */
  readonly kind: 'mac' | 'compute' | 'boundary';
  /** w8a8, w4a8 ... for layers with weights; a8 for weightless integer layers; f32 for float. */
  readonly precision: string;
  readonly weightBits?: number;
  readonly actBits: number;
  readonly device: Device;
  readonly reason: string;
  readonly source: PlacementSource;
  /** Sub-8-bit integers stored as int8 so the NPU can run them (same numbers, more flash). */
  readonly widened: boolean;
  /** The optimiser lowered this int8 layer to w4 (from the sensitivity list): requantize its weights. */
  readonly lowerTo?: string;
  /** Activation tensors the layer reads and writes (through its DQ/Q nodes). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly desc: NpuLayerDesc;
  /** The NPU check of the layer as it is, and (sub-8-bit layers) with its integers widened to
   *  int8; absent on a target without an NPU. */
  readonly npuCheck?: NpuCheck;
  readonly npuWidenedCheck?: NpuCheck;
  /** Estimate on the chosen device, and on each device where it can run; absent without a cost model. */
  readonly est?: LayerEstimate;
  readonly estNpu?: LayerEstimate;
  readonly estCpu?: LayerEstimate;
  /** For layers the precision/placement trade-off applies to: every option and its cost. */
  readonly options?: readonly LayerOption[];
}

export interface Alternative {
  readonly label: string;
  readonly flashBytes: number;
  readonly latencyUs: number;
  readonly transitions: number;
}

export interface Optimisation {
  readonly flashBudget?: number;
  readonly latencyBudgetMs?: number;
  /** What was minimised, in words. */
  readonly objective: string;
  readonly method: 'policy' | 'exhaustive' | 'greedy';
  readonly candidates: readonly string[];
  readonly evaluated: number;
  /** Whole-model totals of the chosen placement and of the extremes, for the report. */
  readonly alternatives: readonly Alternative[];
  /** Of all weights and MACs, the share held by the candidates. */
  readonly candidateWeightShare: number;
  readonly candidateMacShare: number;
}

export interface Placement {
  readonly layers: readonly PlacedLayer[];
  /** IR node name → device / layer name. */
  readonly deviceOfNode: Readonly<Record<string, Device>>;
  readonly layerOfNode: Readonly<Record<string, string>>;
  /** How the devices were chosen (absent on a target without an NPU: there was no choice). */
  readonly optimisation?: Optimisation;
  /** The cost model's parameters the estimates used (absent without a cost model). */
  readonly params?: CostParams;
}
