// What the stm32n6 target's devices can do, as data: Neural-ART under one ST Edge AI release
// (npu-constraints.ts, stedgeai-versions.json) and the Cortex-M55 beside it; and the part
// placement takes (capabilities and cost model as values).
import type { PlacementTarget } from '../../placement/capabilities';
import type { TargetCapabilities } from '../target';
import { STM32N6_COST_MODEL } from './cost-model';
import { neuralArt } from './npu-constraints';
import { DEFAULT_STEDGEAI_VERSION, StedgeaiVersion } from './stedgeai-version';
import { loadStm32n6Target } from './target';

const t = loadStm32n6Target();

/** The stm32n6 capabilities under one ST Edge AI release. */
export function stm32n6Capabilities(v: StedgeaiVersion = DEFAULT_STEDGEAI_VERSION): TargetCapabilities {
  return Object.freeze({
    npu: neuralArt(v),
    cpu: `${t.cpu.core} at ${t.cpu.clockHz / 1e6} MHz${t.cpu.mve ? ' (Helium)' : ''}`,
    needsQuantizedModel: true,
  });
}

/** The stm32n6 target as placement sees it under one ST Edge AI release. */
export function stm32n6Placement(v: StedgeaiVersion = DEFAULT_STEDGEAI_VERSION): PlacementTarget {
  return Object.freeze({ name: 'stm32n6', capabilities: stm32n6Capabilities(v), costModel: STM32N6_COST_MODEL });
}

export const STM32N6_CAPABILITIES: TargetCapabilities = stm32n6Capabilities();
/** The stm32n6 target as placement sees it (default release). */
export const STM32N6_PLACEMENT: PlacementTarget = stm32n6Placement();
