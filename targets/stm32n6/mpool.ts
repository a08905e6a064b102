// The memory the NPU segments get: one stedgeai memory-pool file (.mpool) per segment and the
// Neural-ART profile file that names them (the format of ST's x-cube-n6 examples, e.g.
// x-cube-n6-ai-power-measurement Model/my_mpools/stm32n6-app2.mpool and user_neuralart.json).
//
// Who owns what (the invariant the tests check; config `memory` changes the split, memory-config.ts):
// - npuRAM3–6 (AXISRAM3–6) and hyperRAM's lower 16 MiB: the NPU's. Every NPU segment gets all
//   of them for its internal activations: segments run one after the other, never together.
// - cpuRAM2 (AXISRAM2) and hyperRAM's upper 16 MiB: hsq's CPU planner (CPU layers' activations
//   and the CPU↔NPU exchange buffers). stedgeai sees them as pools of size 0.
// - cpuRAM1 (AXISRAM1) and flexMEM: the application's; size 0 for stedgeai, unused by hsq.
// - octoFlash (xSPI2): each segment's weights at its own address, from NPU_WEIGHTS_BASE up, then
//   the CPU layers' weights (section .hsq_weights.xspi2) after the last NPU blob.
import { PoolSpec } from '../../core/memory-planner';
import { Stm32n6Memory, loadStm32n6Target } from './target';
import { DEFAULT_MEMORY, Stm32n6MemoryConfig, ramPools } from './memory-config';

/** ST's examples keep the first 3.5 MiB of the octo-flash for the boot loader and firmware. */
export const NPU_WEIGHTS_BASE = 0x70380000;
/** Blob placement granularity (xSPI2 erase-friendly, like ST's 0x70380000 / 0x70580000). */
export const BLOB_ALIGN = 0x10000;
/** Room for what stedgeai adds to a segment's weights (epoch blobs, padding): 1/8 + 64 KiB. */
export function blobReserve(weightBytes: number): number {
  return align(weightBytes + Math.ceil(weightBytes / 8) + 0x10000, BLOB_ALIGN);
}

/** Pools of hsq's CPU planner, in preference order (default cpuRAM2, then hyperRAM's upper 16 MiB). */
export function cpuPools(mem: Stm32n6MemoryConfig = DEFAULT_MEMORY): PoolSpec[] {
  const all = ramPools();
  return mem.cpu.map((n) => { const p = all.get(n)!; return { name: p.name, base: p.base, size: p.size }; });
}

/** Pools the NPU owns (default npuRAM3–6, hyperRAM's lower 16 MiB): stedgeai's; hsq uses them only to emulate the NPU. */
export function npuPools(mem: Stm32n6MemoryConfig = DEFAULT_MEMORY): PoolSpec[] {
  const all = ramPools();
  return mem.npu.map((n) => { const p = all.get(n)!; return { name: p.name, base: p.base, size: p.size }; });
}

export function align(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

const hex = (v: number) => `0x${v.toString(16)}`;

interface MpoolEntry {
  readonly fname: string;
  readonly name: string;
  readonly fformat: 'FORMAT_RAW';
  readonly prop: Record<string, unknown>;
  readonly offset: { readonly value: string; readonly magnitude: 'BYTES' };
  readonly size: { readonly value: string; readonly magnitude: 'KBYTES' | 'BYTES' };
}

/** The prop fields of ST's stm32n6-app2.mpool for one memory (bus hints and power). */
function props(m: Stm32n6Memory): Record<string, unknown> {
  const pw = m.power ? { read_power: m.power.read, write_power: m.power.write } : {};
  if (m.name.startsWith('npuRAM')) return { rights: 'ACC_WRITE', throughput: 'HIGH', latency: 'LOW', byteWidth: 8, freqRatio: 1.25, ...pw };
  if (m.name === 'hyperRAM') return { rights: 'ACC_WRITE', throughput: 'MID', latency: 'HIGH', byteWidth: 2, freqRatio: 5.0, cacheable: 'CACHEABLE_ON', ...pw, constants_preferred: 'true' };
  if (m.name === 'octoFlash') return { rights: 'ACC_READ', throughput: 'MID', latency: 'HIGH', byteWidth: 1, freqRatio: 6.0, cacheable: 'CACHEABLE_ON', ...pw, constants_preferred: 'true' };
  return { rights: 'ACC_WRITE', throughput: 'MID', latency: 'MID', byteWidth: 8, freqRatio: 2.5, ...pw };
}

/**
 * The .mpool of one NPU segment, ST's stm32n6-app2.mpool field by field (same memories in the
 * same order, same props and power figures, max_onchip_sram_size, hyperRAM preferred for
 * constants) except: a region hsq's CPU plan owns or the application owns is given size 0
 * (ST gives cpuRAM2 to the NPU; hsq keeps it for CPU layers and hand-over buffers by default);
 * the NPU regions are those of config memory.npu; octoFlash is this segment's own weights
 * window (`weightsAt`, `weightsBytes`) instead of ST's 61 MiB from 0x70380000.
 */
export function segmentMpool(weightsAt: number, weightsBytes: number, mem: Stm32n6MemoryConfig = DEFAULT_MEMORY): object {
  const t = loadStm32n6Target();
  const pools = ramPools();
  const mempools: MpoolEntry[] = [];
  const entry = (m: Stm32n6Memory, base: number, bytes: number): MpoolEntry => ({
    fname: m.fname, name: m.name, fformat: 'FORMAT_RAW', prop: props(m),
    offset: { value: hex(base), magnitude: 'BYTES' },
    size: bytes % 1024 === 0 ? { value: String(bytes / 1024), magnitude: 'KBYTES' } : { value: String(bytes), magnitude: 'BYTES' },
  });
  for (const m of t.memories) {
    if (m.name === 'octoFlash') mempools.push(entry(m, weightsAt, weightsBytes));
    else if (m.kind === 'flash') continue;
    else if (m.name === 'hyperRAM') { const h = pools.get('hyperRAM')!; mempools.push(entry(m, h.base!, mem.npu.includes('hyperRAM') ? h.size! : 0)); }
    else mempools.push(entry(m, m.base, mem.npu.includes(m.name) ? m.size : 0));
  }
  return {
    params: { param: [{ paramname: 'max_onchip_sram_size', value: String(t.mpoolParams.maxOnchipSramKiB), magnitude: 'KBYTES' }] },
    memory: {
      cacheinfo: [{ nlines: 512, linesize: 64, associativity: 8, bypass_enable: 1, prop: { rights: 'ACC_WRITE', throughput: 'MID', latency: 'MID', byteWidth: 8, freqRatio: 2.5, read_power: t.mpoolParams.cachePower.read, write_power: t.mpoolParams.cachePower.write } }],
      mem_file_prefix: 'atonbuf',
      mempools,
    },
  };
}

/** stedgeai's Neural-ART profile options hsq uses (those of ST's examples, with cache maintenance). */
export const NEURAL_ART_OPTIONS = '--enable-epoch-controller -O3 --all-buffers-info --mvei --cache-maintenance --Oauto-sched --native-float --enable-virtual-mem-pools --Omax-ca-pipe 4 --Ocache-opt --Os';

/** The profile file (`OUT/npu/neural_art.json`): one profile per segment, named after it. */
export function neuralArtProfile(segments: readonly { name: string }[]): object {
  const Profiles: Record<string, unknown> = {};
  for (const s of segments) Profiles[s.name] = { memory_pool: `./mpools/${s.name}.mpool`, options: NEURAL_ART_OPTIONS };
  return { Globals: {}, Profiles };
}
