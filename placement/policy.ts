// The placement policy, before any follower or budget: the first rule that applies gives a
// layer's device and reason.
// 1. force: CLI (--force-npu/--force-cpu) > config `placement` > annotation `hsq.placement`
//    (rules.ts). An impossible force to the NPU is an error naming the layer and the way out.
// 2. a layer the NPU cannot run (its check fails even with int8 weights) → CPU; the failing
//    constraints' text is the reason.
// 3. precision: layers with weights the NPU runs as they are → NPU (int8; on a target whose NPU
//    takes 4-bit weights, e.g. ST Edge AI 3.0+, also w4a8 Conv/Dense). Other sub-8-bit layers
//    (lower weights, activations below 8 bits) → CPU with packed weights, unless widening is allowed (--widen, config `widen`,
//    annotation `hsq.widen`): then NPU with the same integers stored as int8. A weightless
//    sub-8-bit layer stays on the CPU unless widening is allowed (or a budget is given: then the
//    optimiser's placement of its neighbours decides).
// Everything else (weightless layers the NPU can run) is left to the followers (followers.ts).
import { fail } from '../core/diagnostics';
import type { Device } from './cost-model';
import type { LayerInfo } from './describe';
import { forceImpossibleMessage, forceNeedsWidenMessage, reason } from './reasons';
import { LayerRules, mayWiden } from './rules';
import type { PlacementSource } from './types';

/** A layer's device, and who decided it and why. */
export interface Decision {
  readonly device: Device;
  readonly reason: string;
  readonly source: PlacementSource;
  /** Sub-8-bit integers stored as int8 for the NPU. */
  readonly widened: boolean;
  /** The optimiser lowered this int8 layer to this precision. */
  readonly lowerTo?: string;
}

export const decide = (device: Device, why: string, source: PlacementSource, widened = false): Decision => ({ device, reason: why, source, widened });

/** The policy's decision, or undefined for a layer that follows its neighbours. */
export function policyDecision(d: LayerInfo, r: LayerRules, budgeted: boolean): Decision | undefined {
  const npuNative = d.check.ok;
  const npuWidenable = !npuNative && !!d.widenedCheck?.ok;
  const cantReasons = (d.widenedCheck ?? d.check).reasons;
  if (r.force) {
    if (r.force.value === 'cpu') return decide('cpu', reason.forcedCpu(d, r.force), 'force');
    if (npuNative) return decide('npu', reason.forcedNpu(r.force), 'force');
    if (npuWidenable && mayWiden(r)) return decide('npu', reason.forcedNpuWidened(d, r.force, r.widen!), 'force', true);
    if (npuWidenable) fail('bad-input', forceNeedsWidenMessage(d, r.force, d.check.reasons), d.name);
    fail('bad-input', forceImpossibleMessage(d, r.force, cantReasons), d.name);
  }
  if (!npuNative && !npuWidenable) return decide('cpu', reason.npuCannot(cantReasons), 'fallback');
  if (d.kind === 'mac') {
    if (npuNative) return decide('npu', d.subByte ? reason.nativeOnNpu(d) : reason.int8OnNpu(d), 'policy');
    if (mayWiden(r)) return decide('npu', reason.widenedOnNpu(d, r.widen!), 'policy', true);
    return decide('cpu', reason.packedOnCpu(d, d.check.reasons), 'policy');
  }
  if (!d.check.ok && !mayWiden(r) && !budgeted) return decide('cpu', reason.weightlessSubByte(d, d.check.reasons), 'policy');
  return undefined;
}
