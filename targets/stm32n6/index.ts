// The stm32n6 target: STM32N6570-DK, a Cortex-M55 with ST's Neural-ART NPU. Capabilities and
// memories are data (target.json, npu-constraints.ts), the cost model is cost-model.ts with
// cost-params.json; the emitter writes the NPU segments for stedgeai, the LL_ATON glue and the
// CPU segments' C (emit.ts); the runner builds the program with the NPU emulated (run.ts).
import type { Target, TargetSettings } from '../target';
import { stm32n6Capabilities } from './capabilities';
import { DEFAULT_MEMORY, Stm32n6MemoryConfig, memoryConfig } from './memory-config';
import { DEFAULT_STEDGEAI_VERSION, StedgeaiVersion, resolveStedgeaiVersion } from './stedgeai-version';
import { STM32N6_COST_MODEL } from './cost-model';
import { emitStm32n6 } from './emit';
import { runStm32n6 } from './run';
import { loadStm32n6Target } from './target';

const t = loadStm32n6Target();

/** The stm32n6 target for one ST Edge AI release (its NPU's ops and precisions, its ONNX). */
export function stm32n6TargetFor(v: StedgeaiVersion = DEFAULT_STEDGEAI_VERSION, memory: Stm32n6MemoryConfig = DEFAULT_MEMORY): Target {
  return Object.freeze<Target>({
    name: 'stm32n6',
    description: `${t.board} (${t.device}): ${t.cpu.core} with ${t.npu.name} (ST Edge AI ${v} rules)`,
    capabilities: stm32n6Capabilities(v),
    memories: t.memories.map((m) => ({ name: m.name, base: m.base, size: m.size, kind: m.kind === 'flash' ? 'flash' as const : 'ram' as const, use: m.note ?? m.use })),
    costModel: STM32N6_COST_MODEL,
    configure: (s: TargetSettings) => stm32n6TargetFor(
      s.stedgeaiVersion === undefined ? v : resolveStedgeaiVersion(s.stedgeaiVersion),
      s.memory === undefined ? memory : memoryConfig(s.memory)),
    emit: (placed, o) => {
      const e = emitStm32n6(placed, { name: o.name, weightsFormat: o.weightsFormat, stedgeaiVersion: v, memory, layout: o.layout });
      return { files: e.files, report: e.report };
    },
    run: (g, inputs, o) => runStm32n6(g, inputs, { host: o.host, cacheDir: o.cacheDir, stedgeaiVersion: v, trace: o.trace }),
  });
}

export const stm32n6Target: Target = stm32n6TargetFor();
