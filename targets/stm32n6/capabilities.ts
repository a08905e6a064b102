// What the stm32n6 target's devices can do, as data: Neural-ART (npu-constraints.ts) and the
// Cortex-M55 beside it; and the part placement takes (capabilities and cost model as values).
import type { PlacementTarget } from '../../placement/capabilities';
import type { TargetCapabilities } from '../target';
import { STM32N6_COST_MODEL } from './cost-model';
import { NEURAL_ART } from './npu-constraints';
import { loadStm32n6Target } from './target';

const t = loadStm32n6Target();

export const STM32N6_CAPABILITIES: TargetCapabilities = Object.freeze({
  npu: NEURAL_ART,
  cpu: `${t.cpu.core} at ${t.cpu.clockHz / 1e6} MHz${t.cpu.mve ? ' (Helium)' : ''}`,
  needsQuantizedModel: true,
});

/** The stm32n6 target as placement sees it. */
export const STM32N6_PLACEMENT: PlacementTarget = Object.freeze({ name: 'stm32n6', capabilities: STM32N6_CAPABILITIES, costModel: STM32N6_COST_MODEL });
