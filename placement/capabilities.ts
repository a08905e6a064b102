// What placement needs to know of a target's devices: whether it has an NPU and which layers
// that NPU can run, with a one-line reason for each constraint a layer fails. The target
// (targets/<name>/index.ts) hands these over as values; placement imports no target.
import type { CostModel } from './cost-model';
import type { NpuLayerDesc } from './layer-desc';

export interface NpuCheck {
  readonly ok: boolean;
  /** One-line reasons, in constraint order (empty when ok). */
  readonly reasons: string[];
  /** Ids of the failed constraints (parallel to reasons; 'op-unsupported' when the op has no mapping). */
  readonly failed: string[];
  /** The offending value of each failed constraint ("kernel 17×17"; '' where the reason names it). */
  readonly details?: string[];
}

export interface NpuCapability {
  /** The accelerator's name, for messages (e.g. "Neural-ART 14"). */
  readonly name: string;
  /** Can the NPU run this layer as described? Every failing constraint is reported. */
  readonly check: (layer: NpuLayerDesc) => NpuCheck;
}

export interface PlacementCapabilities {
  /** Absent on a CPU-only target: every layer runs on the CPU. */
  readonly npu?: NpuCapability;
}

/** What placement needs of a target: its name (for reasons), capabilities and cost model. */
export interface PlacementTarget {
  readonly name: string;
  readonly capabilities: PlacementCapabilities;
  /** Required when the target has an NPU (the choice is a cost trade-off). */
  readonly costModel?: CostModel;
}
