// The stm32n6 target as data (target.json): NPU capabilities, STM32N6570-DK memories, clocks.
// This file only types and loads it; what runs where is decided by the placement pass.
import targetJson from './target.json';
import type { PoolSpec } from '../../core/memory-planner';

/** Who a memory belongs to by default: hsq's CPU planner, the NPU (stedgeai), the weights, or the application (hsq stays out). */
export type MemoryUse = 'cpu' | 'npu' | 'weights' | 'app';

export interface Stm32n6Memory {
  readonly name: string;       // stedgeai pool name (cpuRAM2, npuRAM3, octoFlash, ...)
  readonly fname: string;      // hardware name (AXISRAM2, xSPI2, ...)
  readonly base: number;
  readonly size: number;       // bytes
  readonly kind: 'sram' | 'psram' | 'flash';
  readonly access: 'rw' | 'ro';
  /** Who plans it: hsq's CPU planner, stedgeai for the NPU, or weights (read-only, both). */
  readonly use: MemoryUse;
  readonly cacheable?: boolean;
  readonly note?: string;
  /** read_power / write_power of ST's .mpool (stedgeai's energy hints). */
  readonly power?: { readonly read: number; readonly write: number };
}

export interface NpuLimit { readonly value: number; readonly note: string }

export interface Stm32n6Target {
  readonly name: 'stm32n6';
  readonly board: string;
  readonly device: string;
  readonly sources: Readonly<Record<string, string>>;
  readonly cpu: { readonly core: string; readonly clockHz: number; readonly mve: boolean; readonly fpu: string };
  readonly npu: {
    readonly name: string;
    readonly clockHz: number;
    readonly convAccelerators: number;
    readonly weights: { readonly bits: number; readonly signed: boolean; readonly symmetric: boolean; readonly perChannel: boolean };
    readonly activations: { readonly bits: number; readonly signed: boolean; readonly symmetric: boolean };
    readonly inputFormats: readonly string[];
    readonly limits: Readonly<Record<'maxKernel' | 'maxStride' | 'maxDilation' | 'maxPoolKernel' | 'maxChannels' | 'maxTensorBytes', NpuLimit>>;
  };
  readonly memories: readonly Stm32n6Memory[];
  readonly mpoolParams: { readonly maxOnchipSramKiB: number; readonly cachePower: { readonly read: number; readonly write: number }; readonly hyperRamNpuBytes: number };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

let cached: Stm32n6Target | undefined;

/** The stm32n6 target description (addresses parsed from hex strings), frozen and cached. */
export function loadStm32n6Target(): Stm32n6Target {
  if (cached) return cached;
  const memories = targetJson.memories.map((m) => ({ ...m, base: parseInt(m.base, 16) }));
  cached = deepFreeze({ ...(targetJson as unknown as Stm32n6Target), memories } as Stm32n6Target);
  return cached;
}

/** Memory-planner pools for one user of the memories (e.g. 'cpu' for hsq's CPU planner), in table order. */
export function poolsFor(use: MemoryUse, target: Stm32n6Target = loadStm32n6Target()): PoolSpec[] {
  return target.memories.filter((m) => m.use === use).map((m) => ({ name: m.name, size: m.size, base: m.base }));
}
