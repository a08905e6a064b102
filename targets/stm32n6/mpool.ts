// The memory the NPU segments get: one stedgeai memory-pool file (.mpool) per segment and the
// Neural-ART profile file that names them (the format of ST's x-cube-n6 examples, e.g.
// x-cube-n6-ai-power-measurement Model/my_mpools/stm32n6-app2.mpool and user_neuralart.json).
//
// Who owns what (the invariant the tests check):
// - npuRAM3–6 (AXISRAM3–6) and the first half of hyperRAM: the NPU's. Every NPU segment gets all
//   of them for its internal activations: segments run one after the other, never together.
// - cpuRAM1/cpuRAM2 (AXISRAM1/2) and the second half of hyperRAM: hsq's CPU planner (CPU layers'
//   activations and the CPU↔NPU exchange buffers). stedgeai sees them as pools of size 0.
// - octoFlash (xSPI2): each segment's weights at its own address, from NPU_WEIGHTS_BASE up, then
//   the CPU layers' weights (section .hsq_weights.xspi2) after the last NPU blob.
import { PoolSpec } from '../../core/memory-planner';
import { Stm32n6Memory, loadStm32n6Target, poolsFor } from './target';

/** ST's examples keep the first 3.5 MiB of the octo-flash for the boot loader and firmware. */
export const NPU_WEIGHTS_BASE = 0x70380000;
/** Blob placement granularity (xSPI2 erase-friendly, like ST's 0x70380000 / 0x70580000). */
export const BLOB_ALIGN = 0x10000;
/** Room for what stedgeai adds to a segment's weights (epoch blobs, padding): 1/8 + 64 KiB. */
export function blobReserve(weightBytes: number): number {
  return align(weightBytes + Math.ceil(weightBytes / 8) + 0x10000, BLOB_ALIGN);
}

/** hyperRAM split: the NPU's half first, hsq's CPU overflow half after it. */
function hyperSplit(target = loadStm32n6Target()): { npu: PoolSpec; cpu: PoolSpec } {
  const h = target.memories.find((m) => m.name === 'hyperRAM')!;
  const half = h.size / 2;
  return { npu: { name: 'hyperRAM', base: h.base, size: half }, cpu: { name: 'hyperRAM_cpu', base: h.base + half, size: half } };
}

/** Pools of hsq's CPU planner, in preference order: cpuRAM2, cpuRAM1, then hyperRAM's CPU half. */
export function cpuPools(): PoolSpec[] {
  return [...poolsFor('cpu'), hyperSplit().cpu];
}

/** Pools the NPU owns (npuRAM3–6, hyperRAM's NPU half): stedgeai's; hsq uses them only to emulate the NPU. */
export function npuPools(): PoolSpec[] {
  const t = loadStm32n6Target();
  return [...t.memories.filter((m) => m.use === 'npu' && m.name !== 'hyperRAM').map((m) => ({ name: m.name, base: m.base, size: m.size })), hyperSplit(t).npu];
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

function props(m: Stm32n6Memory): Record<string, unknown> {
  if (m.name.startsWith('npuRAM')) return { rights: 'ACC_WRITE', throughput: 'HIGH', latency: 'LOW', byteWidth: 8, freqRatio: 1.25 };
  if (m.name === 'hyperRAM') return { rights: 'ACC_WRITE', throughput: 'MID', latency: 'HIGH', byteWidth: 2, freqRatio: 5.0, cacheable: 'CACHEABLE_ON' };
  if (m.name === 'octoFlash') return { rights: 'ACC_READ', throughput: 'MID', latency: 'HIGH', byteWidth: 1, freqRatio: 6.0, cacheable: 'CACHEABLE_ON', constants_preferred: 'true' };
  return { rights: 'ACC_WRITE', throughput: 'MID', latency: 'MID', byteWidth: 8, freqRatio: 2.5 };
}

/** The .mpool of one NPU segment: NPU RAM given, CPU RAM withheld (size 0), weights at `weightsAt`. */
export function segmentMpool(weightsAt: number, weightsBytes: number): object {
  const t = loadStm32n6Target();
  const mempools: MpoolEntry[] = [];
  const entry = (m: Stm32n6Memory, base: number, bytes: number): MpoolEntry => ({
    fname: m.fname, name: m.name, fformat: 'FORMAT_RAW', prop: props(m),
    offset: { value: hex(base), magnitude: 'BYTES' },
    size: bytes % 1024 === 0 ? { value: String(bytes / 1024), magnitude: 'KBYTES' } : { value: String(bytes), magnitude: 'BYTES' },
  });
  const hyper = hyperSplit(t).npu;
  for (const m of t.memories) {
    if (m.use === 'cpu') mempools.push(entry(m, m.base, 0));
    else if (m.name === 'hyperRAM') mempools.push(entry(m, hyper.base!, hyper.size!));
    else if (m.use === 'npu') mempools.push(entry(m, m.base, m.size));
    else if (m.name === 'octoFlash') mempools.push(entry(m, weightsAt, weightsBytes));
  }
  return {
    params: { param: [{ paramname: 'max_onchip_sram_size', value: String(t.memories.filter((m) => m.name.startsWith('npuRAM')).reduce((a, m) => a + m.size, 0) / 1024), magnitude: 'KBYTES' }] },
    memory: {
      cacheinfo: [{ nlines: 512, linesize: 64, associativity: 8, bypass_enable: 1, prop: { rights: 'ACC_WRITE', throughput: 'MID', latency: 'MID', byteWidth: 8, freqRatio: 2.5 } }],
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
