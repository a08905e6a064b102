// Which RAM regions hsq's CPU plan and the NPU get on the STM32N6570-DK (config `memory`):
//   { "cpu": ["cpuRAM2", "hyperRAM_cpu"], "npu": ["npuRAM3", "npuRAM4", "npuRAM5", "npuRAM6", "hyperRAM"] }
// `cpu` lists the pools of hsq's CPU planner in preference order (CPU layers' activations and the
// CPU<->NPU hand-over buffers); `npu` what stedgeai may use for NPU-internal activations. Default:
// cpuRAM2 (AXISRAM2) then hyperRAM's upper 16 MiB for the CPU; npuRAM3–6 then hyperRAM's lower
// 16 MiB for the NPU. AXISRAM1 (cpuRAM1, 0x34000000–0x340FFFFF) is the application's in ST's
// projects: hsq puts nothing there unless `cpu` or `npu` names it. A region is given to one side.
import { fail } from '../../core/diagnostics';
import type { PoolSpec } from '../../core/memory-planner';
import { Stm32n6Memory, loadStm32n6Target } from './target';

export interface Stm32n6MemoryConfig {
  readonly cpu: readonly string[];
  readonly npu: readonly string[];
}

/** The hyperRAM halves as pools of their own: the NPU's (ST's 16 MiB at 0x90000000) and hsq's CPU overflow. */
export function hyperPools(): { npu: PoolSpec; cpu: PoolSpec } {
  const t = loadStm32n6Target();
  const h = t.memories.find((m) => m.name === 'hyperRAM')!;
  const n = t.mpoolParams.hyperRamNpuBytes;
  return { npu: { name: 'hyperRAM', base: h.base, size: n }, cpu: { name: 'hyperRAM_cpu', base: h.base + n, size: h.size - n } };
}

/** Every RAM pool a config may name: the on-chip SRAMs and the two hyperRAM halves. */
export function ramPools(): Map<string, PoolSpec & { memory: Stm32n6Memory }> {
  const t = loadStm32n6Target();
  const out = new Map<string, PoolSpec & { memory: Stm32n6Memory }>();
  for (const m of t.memories) {
    if (m.kind === 'flash' || m.size === 0) continue;
    if (m.name === 'hyperRAM') {
      const h = hyperPools();
      out.set('hyperRAM', { ...h.npu, memory: m });
      out.set('hyperRAM_cpu', { ...h.cpu, memory: m });
    } else out.set(m.name, { name: m.name, base: m.base, size: m.size, memory: m });
  }
  return out;
}

export const DEFAULT_MEMORY: Stm32n6MemoryConfig = Object.freeze({
  cpu: Object.freeze(['cpuRAM2', 'hyperRAM_cpu']),
  npu: Object.freeze(['npuRAM3', 'npuRAM4', 'npuRAM5', 'npuRAM6', 'hyperRAM']),
});

/** Config `memory` → the split; bad keys, unknown regions or a region given twice are errors naming the key. */
export function memoryConfig(v: unknown): Stm32n6MemoryConfig {
  if (v === undefined) return DEFAULT_MEMORY;
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('bad-input', 'config memory: must be an object with "cpu" and/or "npu" lists of memory names', 'memory');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'cpu' && k !== 'npu') fail('bad-input', `config memory.${k}: unknown key (memory takes "cpu" and "npu")`, `memory.${k}`);
  const pools = ramPools();
  const list = (k: 'cpu' | 'npu'): string[] => {
    const x = o[k] ?? DEFAULT_MEMORY[k];
    if (!Array.isArray(x) || x.length === 0 || x.some((e) => typeof e !== 'string')) fail('bad-input', `config memory.${k}: must be a non-empty list of memory names`, `memory.${k}`);
    (x as string[]).forEach((n, i) => {
      if (!pools.has(n)) fail('bad-input', `config memory.${k}[${i}]: '${n}' is not a RAM region of the STM32N6570-DK (${[...pools.keys()].join(', ')})`, `memory.${k}[${i}]`);
    });
    return [...new Set(x as string[])];
  };
  const cpu = list('cpu'), npu = list('npu');
  const both = cpu.find((n) => npu.includes(n));
  if (both) fail('bad-input', `config memory: '${both}' is given to both cpu and npu; a region belongs to one side`, 'memory');
  return { cpu, npu };
}
