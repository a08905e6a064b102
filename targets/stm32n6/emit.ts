// `hsq compile --target stm32n6`: every file of the deployment, from a placed and partitioned
// graph (the driver runs placement and partitioning; the report layer writes the report).
//
//   OUT/NAME.h, NAME.c            the schedule (targets/stm32n6/glue.ts)
//   OUT/NAME_segK.{h,c}, ..._weights.c, NAME_segK_m55*.c
//                                 one hsq C model per segment: CPU segments always, NPU segments
//                                 under HSQ_NPU_EMULATION only (their files are #ifdef'd out)
//   OUT/hsq_*.h/.c, hsq_n6.h      runtime (runtime-c, runtime-c/stm32n6)
//   OUT/npu/NAME_segK.onnx        each NPU segment as INT8 QDQ ONNX (targets/stm32n6/segments.ts)
//   OUT/npu/mpools/NAME_segK.mpool, OUT/npu/neural_art.json   stedgeai memory pools and profiles
//   OUT/npu/generate.sh, OUT/npu/stedgeai.cmake                how to run stedgeai per segment
//   OUT/stm32n6_sections.ld       where the CPU weights (.hsq_weights) go in xSPI2
//
// Memory: CPU segments' arenas and the CPU<->NPU exchange buffers are planned over hsq's CPU
// pools (cpuRAM2, cpuRAM1, hyperRAM's upper half) at segment granularity; NPU-internal activations
// belong to stedgeai in the NPU pools (npuRAM3–6, hyperRAM's lower half), which hsq only uses to
// emulate the NPU. See mpool.ts.
import { fail } from '../../core/diagnostics';
import { Graph } from '../../core/ir/graph';
import { PlanItem, planMemory } from '../../core/memory-planner';
import { Placement } from '../../placement/placement';
import { Segment } from '../../placement/partition';
import { EmittedC, emitModel } from '../c/emit-model';
import { runtimeSources } from '../c/runtime-files';
import { cIdent, channelsLast } from '../c/ctypes';
import { WeightsFormat } from '../c/weights';
import { emitM55Model } from '../cortex-m55/emit';
import { m55KernelHeader } from '../cortex-m55/runtime-files';
import type { CpuKernelReport, PlacedGraph, ReportFields, ReportPool } from '../target';
import { M55Emitted } from '../cortex-m55/emit';
import { m55Kernels } from '../cortex-m55/kernel-report';
import { loadStm32n6Target } from './target';
import { StedgeaiVersion, stedgeaiRules } from './stedgeai-version';
import { DEFAULT_MEMORY, Stm32n6MemoryConfig } from './memory-config';
import { GluePool, GlueSchedule, GlueSegment, PoolRef, arenaLayout, cBytes, glueHeader, glueSource, n6RuntimeSources, pad32 } from './glue';
import { BLOB_ALIGN, NPU_WEIGHTS_BASE, align, blobReserve, cpuPools, neuralArtProfile, npuPools, segmentMpool } from './mpool';
import { encodeSegmentOnnx, integerBoundaries, segmentGraph, segmentWeightBytes, segmentWeightBytesByNode } from './segments';

/** The LL_ATON API the glue calls: the per-network functions of `<name>.c`, which every release
 *  generates for Neural-ART (3.0+ wraps them in its default stai_* API; hsq calls them directly). */
export const GLUE_API = 'LL_ATON runtime API (ll_aton_runtime.h / ll_aton_rt_user_api.h)';

export interface Stm32n6EmitOptions {
  readonly name: string;
  /** Kernels of CPU segments (and of the NPU emulation): generated Cortex-M55 ones (default) or portable C. */
  readonly cpuKernels?: 'm55' | 'portable';
  readonly weightsFormat?: WeightsFormat;
  /** The ST Edge AI rule set the NPU segments are written for (default 4.0). */
  readonly stedgeaiVersion?: StedgeaiVersion;
  /** Config `memory`: which RAM regions the CPU plan and the NPU get (memory-config.ts). */
  readonly memory?: Stm32n6MemoryConfig;
  /** Layout of 4-D tensors at NAME_run/NAME_run_float: the model's own (NCHW, default) or NHWC. */
  readonly layout?: 'nchw' | 'nhwc';
}

export interface Stm32n6Segment extends GlueSegment {
  /** Graph nodes of the segment. */
  readonly nodes: readonly string[];
  /** NPU segments: weights address in xSPI2 and the bytes reserved there. */
  readonly weightsAt?: number;
  readonly weightsReserved?: number;
  readonly weightBytes?: number;
}

export interface Stm32n6Emitted {
  readonly files: Record<string, string | Uint8Array>;
  readonly name: string;
  /** Arena of the host/QEMU (emulation) build: all pools back to back. */
  readonly arenaSize: number;
  readonly arenaLowerBound: number;
  /** CPU-layer weights in .hsq_weights (bytes, real build). */
  readonly weightsSize: number;
  readonly graph: Graph;
  readonly placement: Placement;
  readonly segments: readonly Segment[];
  readonly schedule: readonly Stm32n6Segment[];
  readonly buffers: ReadonlyMap<string, PoolRef>;
  readonly pools: readonly GluePool[];
  /** What the report shows of this emission (the report layer writes report.json/html). */
  readonly report: ReportFields;
}

function concatFile(prefix: string, body: string | Uint8Array, suffix: string): string | Uint8Array {
  if (typeof body === 'string') return prefix + body + suffix;
  return new Uint8Array(Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(body), Buffer.from(suffix, 'latin1')]));
}

function layersOf(p: Placement, nodes: readonly string[]): string[] {
  return [...new Set(nodes.map((n) => p.layerOfNode[n] ?? n))];
}

export function emitStm32n6(placed: PlacedGraph, opts: Stm32n6EmitOptions): Stm32n6Emitted {
  const P = cIdent(opts.name);
  const { graph: g, placement } = placed;
  const rules = stedgeaiRules(opts.stedgeaiVersion);
  const STEDGEAI_VERSION = `${rules.label}; glue: ${GLUE_API}`;
  const int4 = !!rules.int4Weights;
  const mem = opts.memory ?? DEFAULT_MEMORY;
  const onnxRules = { maxOpset: rules.onnx.maxOpset, maxIrVersion: rules.onnx.maxIrVersion, int4Weights: int4 };
  const segments = integerBoundaries(g, placed.segments);
  if (segments.length === 0) fail('bad-input', 'the model has no nodes to compile', g.name);
  const graphIn = g.inputs.filter((t) => !(t in g.initializers));
  for (const t of g.outputs) if (graphIn.includes(t)) fail('unsupported', `output '${t}' is a graph input; stm32n6 needs every output computed`, t);

  // Each segment as an hsq C model.
  const files: Record<string, string | Uint8Array> = {};
  const models: EmittedC[] = [];
  let cpuWeights = 0;
  // Measured weight bytes by IR node, and what computes each CPU node (for the report).
  const byNode: Record<string, number> = {};
  const kernels: CpuKernelReport[] = [];
  for (const s of segments) {
    const name = `${P}_seg${s.id}`;
    const sub = segmentGraph(g, s, name);
    const em = opts.cpuKernels === 'portable'
      ? emitModel(sub, { name, layout: 'nhwc', omitRuntime: true, weightsFormat: opts.weightsFormat })
      : emitM55Model(sub, { name, layout: 'nhwc', omitRuntime: true, weightsFormat: opts.weightsFormat });
    models.push(em);
    for (const [f, body] of Object.entries(em.files)) {
      if (s.device === 'npu' && f.endsWith('.c')) {
        files[f] = concatFile(`/* NPU segment ${name}, compiled only to emulate the NPU (HSQ_NPU_EMULATION). */\n#ifdef HSQ_NPU_EMULATION\n`, body, `\n#else\ntypedef int ${cIdent(f.replace(/\.c$/, ''))}_unused_unit; /* ISO C wants a declaration */\n#endif\n`);
      } else if (s.device === 'npu' && f.endsWith('.bin')) {
        files[f] = body;
      } else files[f] = body;
    }
    if (s.device === 'cpu') {
      cpuWeights += em.weightsSize + ((em as { kernelWeightsSize?: number }).kernelWeightsSize ?? 0);
      const m55 = 'kernelBytesByNode' in em ? (em as M55Emitted) : undefined;
      for (const by of [em.weightBytesByNode, m55?.kernelBytesByNode ?? {}]) for (const [n, b] of Object.entries(by)) byNode[n] = (byNode[n] ?? 0) + b;
      if (m55) kernels.push(...m55Kernels(m55));
    } else {
      for (const [n, b] of Object.entries(segmentWeightBytesByNode(g, s, int4))) byNode[n] = (byNode[n] ?? 0) + b;
    }
  }

  // Exchange buffers: NPU segments' I/O, tensors crossing segments, graph I/O that needs a copy.
  const producer = new Map<string, Segment>();
  for (const s of segments) for (const o of s.outputs) producer.set(o, s);
  const lastUse = new Map<string, number>();
  for (const s of segments) for (const i of s.inputs) lastUse.set(i, Math.max(lastUse.get(i) ?? -1, s.id));
  const nSeg = segments.length;
  const layout = opts.layout ?? 'nchw';
  /** Graph I/O the API converts: 4-D under an NCHW API (transposed to the segments' NHWC), or not
   *  float32 (NAME_run_float quantizes/dequantizes it). The rest is used at the user's pointer. */
  const apiConverts = (t: string): boolean => {
    if (!graphIn.includes(t) && !g.outputs.includes(t)) return false;
    const info = g.tensors[t];
    return (layout === 'nchw' && channelsLast(info.shape)) || info.dtype !== 'float32';
  };
  // A buffer when the API converts the tensor, or when it changes hands (below): a user pointer may
  // be in memory the NPU cannot reach (DTCM) or off the 32-byte cache-line grid the D-cache
  // maintenance needs, so NPU I/O always goes through hsq's pools.
  const needsBuffer = (t: string): boolean => apiConverts(t) || handsOver(t);
  /** A buffer between segments (or for an NPU segment), as opposed to one that only stages graph I/O for the API. */
  const handsOver = (t: string): boolean => {
    const p = producer.get(t);
    const readers = segments.filter((s) => s.inputs.includes(t));
    if (!p) return readers.some((s) => s.device === 'npu'); // graph input
    if (p.device === 'npu') return true;
    return readers.length > 0; // CPU-produced: a graph output read by nobody goes straight to the user
  };
  const exchange = [...new Set(segments.flatMap((s) => [...s.inputs, ...s.outputs]))].filter(needsBuffer);
  const cpuItems: PlanItem[] = [];
  for (const t of exchange) {
    const p = producer.get(t);
    const first = p ? p.id : 0;
    const last = g.outputs.includes(t) ? nSeg : Math.max(lastUse.get(t) ?? first, first);
    cpuItems.push({ id: `T:${t}`, size: pad32(cBytes(g.tensors[t])), first, last, align: 32 });
  }
  segments.forEach((s, k) => { if (s.device === 'cpu') cpuItems.push({ id: `A:${s.id}`, size: pad32(models[k].arenaSize), first: s.id, last: s.id, align: 32 }); });
  const cpuPlan = planMemory(cpuItems, cpuPools(mem));
  const npuItems: PlanItem[] = [];
  segments.forEach((s, k) => { if (s.device === 'npu') npuItems.push({ id: `A:${s.id}`, size: pad32(models[k].arenaSize), first: s.id, last: s.id, align: 32 }); });
  // Emulation only: the last NPU pool is unbounded (a host/QEMU arena, not the board's hyperRAM).
  const emuPools = npuPools(mem).map((p, i, a) => (i === a.length - 1 ? { name: p.name, base: p.base } : p));
  const npuPlan = planMemory(npuItems, emuPools);
  const buffers = new Map<string, PoolRef>();
  for (const t of exchange) {
    const at = cpuPlan.offsets.get(`T:${t}`)!;
    buffers.set(t, { pool: at.pool, offset: at.offset, bytes: pad32(cBytes(g.tensors[t])) });
  }
  const poolList: GluePool[] = [
    ...cpuPools(mem).map((p) => ({ name: p.name, base: p.base!, size: cpuPlan.poolSizes[p.name] ?? 0, npu: false })),
    ...npuPools(mem).map((p) => ({ name: p.name, base: p.base!, size: npuPlan.poolSizes[p.name] ?? 0, npu: true })),
  ];

  // NPU weights: one xSPI2 address per segment.
  let flashAt = NPU_WEIGHTS_BASE;
  const schedule: Stm32n6Segment[] = segments.map((s, k) => {
    const name = `${P}_seg${s.id}`;
    const plan = s.device === 'cpu' ? cpuPlan : npuPlan;
    const a = plan.offsets.get(`A:${s.id}`)!;
    const base: Stm32n6Segment = {
      id: s.id, device: s.device, name, layers: layersOf(placement, s.nodes), inputs: s.inputs, outputs: s.outputs, nodes: s.nodes,
      arena: { pool: a.pool, offset: a.offset, bytes: pad32(models[k].arenaSize) },
    };
    if (s.device === 'cpu') return base;
    const wb = segmentWeightBytes(g, s, int4);
    const reserve = blobReserve(wb);
    const at = flashAt;
    flashAt = align(flashAt + reserve, BLOB_ALIGN);
    return { ...base, weightsAt: at, weightsReserved: reserve, weightBytes: wb };
  });
  const cpuWeightsAt = flashAt;

  const sched: GlueSchedule = {
    name: P, modelName: g.name, inputs: graphIn, outputs: [...g.outputs], infos: g.tensors,
    segments: schedule, buffers, pools: poolList, stedgeaiVersion: STEDGEAI_VERSION, layout,
  };
  files[`${P}.h`] = glueHeader(sched);
  files[`${P}.c`] = glueSource(sched);
  Object.assign(files, runtimeSources(), n6RuntimeSources());
  if (opts.cpuKernels !== 'portable') Object.assign(files, m55KernelHeader());

  // stedgeai inputs: segment ONNX files, memory pools, profiles, scripts.
  const npuSegs = schedule.filter((s) => s.device === 'npu');
  for (const s of npuSegs) {
    const seg = segments[s.id];
    files[`npu/${s.name}.onnx`] = encodeSegmentOnnx(g, seg, s.name, onnxRules);
    files[`npu/mpools/${s.name}.mpool`] = JSON.stringify(segmentMpool(s.weightsAt!, s.weightsReserved!, mem), null, 2) + '\n';
  }
  if (npuSegs.length) {
    files['npu/neural_art.json'] = JSON.stringify(neuralArtProfile(npuSegs), null, 2) + '\n';
    files['npu/generate.sh'] = generateScript(npuSegs, STEDGEAI_VERSION);
    files['npu/stedgeai.cmake'] = cmakeFragment(P, npuSegs, STEDGEAI_VERSION);
  }
  // Every RAM region hsq uses, reserved (NOLOAD) so the linker refuses an application that overlaps it.
  const reserved: { name: string; base: number; bytes: number; why: string }[] = [
    ...cpuPools(mem).filter((p) => (cpuPlan.poolSizes[p.name] ?? 0) > 0).map((p) => ({ name: p.name, base: p.base!, bytes: align(cpuPlan.poolSizes[p.name], 32), why: 'hsq CPU layers and CPU<->NPU hand-over buffers' })),
    ...(npuSegs.length ? npuPools(mem).map((p) => ({ name: p.name, base: p.base!, bytes: p.size!, why: 'NPU-internal activations (stedgeai, see npu/mpools)' })) : []),
  ];
  files['stm32n6_sections.ld'] = sectionsLd(P, npuSegs, cpuWeightsAt, reserved);
  files['stm32n6_images.sh'] = imagesScript(P, npuSegs, cpuWeightsAt);

  // Tensors too large for on-chip RAM live in hyperRAM: say which, why, and that it is slower.
  const onchip = new Set(cpuPools(mem).filter((p) => p.name !== 'hyperRAM_cpu' && p.name !== 'hyperRAM').map((p) => p.name));
  const spills: string[] = [];
  for (const [t, b] of buffers) if (!onchip.has(b.pool)) spills.push(`hand-over buffer '${t}' (${b.bytes} bytes) is in ${b.pool}: it does not fit the on-chip CPU pools (${[...onchip].join(', ') || 'none'}) beside the other live buffers; hyperRAM is slower (the cost model charges hyperRAM bandwidth)`);
  schedule.forEach((s) => { if (s.device === 'cpu' && s.arena.bytes > 0 && !onchip.has(s.arena.pool)) spills.push(`segment ${s.id} (CPU) arena (${s.arena.bytes} bytes) is in ${s.arena.pool}: too large for the on-chip CPU pools; slower`); });

  const npuOnchip = placement.params?.['npu.onchipBytes'];
  if (npuOnchip !== undefined) for (const l of placement.layers) {
    if (l.device !== 'npu') continue;
    const big = Math.max(0, ...[...l.desc.inputShapes, ...l.desc.outputShapes].map((sh) => sh.reduce((a, d) => a * Math.max(d, 1), 1)));
    if (big > npuOnchip) spills.push(`NPU layer ${l.name}: an activation of ${big} bytes exceeds the ${npuOnchip} bytes stedgeai is assumed to tile on chip (npu.onchipBytes): it lives in the NPU's hyperRAM pool; the estimate charges hyperRAM bandwidth (npu.hyperRamBytesPerSec)`);
  }

  // NPU layers with native 4-bit weights: ST documents no ONNX form for them yet (stedgeai-versions.json).
  const int4Layers = int4 ? placement.layers.filter((l) => l.device === 'npu' && !l.widened && l.weightBits === 4).map((l) => l.name) : [];
  const layerNotes: Record<string, string[]> = {};
  if (rules.int4Weights && !rules.int4Weights.documented) for (const l of int4Layers) layerNotes[l] = [`NPU int4 (${rules.label}): not yet checked with stedgeai; weights written as ${rules.int4Weights.text}`];

  // What the report shows: the exchange buffers' places, who owns which memory, the weights.
  const offsets = new Map<string, { pool: string; offset: number }>();
  // Hand-over buffers only: API staging buffers are in the pools' totals, not a layer's place.
  for (const [t, b] of buffers) if (handsOver(t)) offsets.set(t, { pool: b.pool, offset: b.offset });
  const npuFlash = npuSegs.reduce((a, s) => a + (s.weightBytes ?? 0), 0);
  const notes = [
    `NPU segments are compiled by stedgeai (ST Edge AI ${STEDGEAI_VERSION}) from npu/*.onnx; their weights start at 0x${NPU_WEIGHTS_BASE.toString(16)} in xSPI2 (${npuFlash} bytes of int8 weights), CPU weights (.hsq_weights, ${cpuWeights} bytes) at 0x${cpuWeightsAt.toString(16)}.`,
    'NPU layers\' weightBytes are the int8 weights and int32 biases handed to stedgeai; stedgeai adds its own per-channel data within the bytes reserved for each segment.',
    'RAM by pool is hsq\'s CPU plan (CPU layers and CPU<->NPU exchange buffers); NPU-internal activations are stedgeai\'s, in npuRAM3–6 and hyperRAM\'s lower half.',
    'Only the NPU emulation (HSQ_NPU_EMULATION) is bit-exact with hsq\'s interpreter; the real NPU requantizes its own way.',
    ...spills,
    `Segment models: ONNX opset ≤ ${rules.onnx.maxOpset}, IR ≤ ${rules.onnx.maxIrVersion} (${rules.label}; ${rules.onnx.source}).`,
    ...(int4Layers.length ? [`NPU int4 layers (${int4Layers.join(', ')}): 4-bit weights handed to stedgeai as ${rules.int4Weights!.text}; ${rules.int4Weights!.documented ? '' : 'not yet checked with stedgeai: '}${rules.int4Weights!.note}`] : []),
  ];
  const flash = loadStm32n6Target().memories.find((m) => m.use === 'weights')!;
  const pools: ReportPool[] = [
    ...cpuPools(mem).map((p): ReportPool => ({ name: p.name, base: p.base!, size: p.size!, used: cpuPlan.poolSizes[p.name] ?? 0, kind: 'ram', device: 'both' })),
    ...npuPools(mem).map((p): ReportPool => ({ name: p.name, base: p.base!, size: p.size!, used: null, kind: 'ram', device: 'npu' })),
    { name: `${flash.name}:npu`, base: NPU_WEIGHTS_BASE, size: cpuWeightsAt - NPU_WEIGHTS_BASE, used: null, kind: 'flash', device: 'npu' },
    { name: `${flash.name}:.hsq_weights`, base: cpuWeightsAt, size: cpuWeights, used: cpuWeights, kind: 'flash', device: 'cpu' },
  ];

  // What hsq's CPU plan occupies over the N6's RAM pools (CPU layers and CPU<->NPU buffers), set
  // beside its lower bound; NPU-internal activations are stedgeai's and not counted here.
  const cpuRam = Object.values(cpuPlan.poolSizes).reduce((a, b) => a + b, 0);
  const report: ReportFields = {
    segments, arena: { bytes: cpuRam, lowerBound: cpuPlan.lowerBound, provided: arenaLayout(poolList).size },
    flash: { total: npuFlash + cpuWeights, byDevice: { npu: npuFlash, cpu: cpuWeights }, byMemory: { [flash.name]: npuFlash + cpuWeights }, byNode },
    pools, offsets, kernels, notes, stedgeaiVersion: rules.version, layerNotes,
  };
  return {
    files, name: P, arenaSize: cpuRam, arenaLowerBound: cpuPlan.lowerBound, weightsSize: cpuWeights,
    graph: g, placement, segments, schedule, buffers, pools: poolList, report,
  };
}

/**
 * ST's board flow for the images (x-cube-n6 READMEs): the application ELF becomes a binary,
 * is signed and flashed at 0x70100000; each network's weights are a raw image flashed at its own
 * address. hsq's CPU weights (.hsq_weights, at 0x7xxxxxxx after the NPU blobs) would stretch the
 * app binary over the gap (objcopy -O binary fills it): they leave the app image and get their own.
 */
function imagesScript(P: string, segs: readonly Stm32n6Segment[], cpuWeightsAt: number): string {
  const at = `0x${cpuWeightsAt.toString(16)}`;
  return [
    '#!/bin/sh',
    `# Flash images of an application that links ${P} (ST's flow: binary, sign, flash). Generated by hsq.`,
    '# Usage: stm32n6_images.sh app.elf   (needs arm-none-eabi-objcopy; STM32_SigningTool_CLI and',
    "# STM32_Programmer_CLI as in ST's x-cube-n6 READMEs for the last steps)",
    'set -eu',
    'ELF="$1"',
    `# 1. the application without hsq's weights: small, signed, flashed at 0x70100000`,
    'arm-none-eabi-objcopy -O binary -R .hsq_weights "$ELF" app.bin',
    '# STM32_SigningTool_CLI -bin app.bin -nk -of 0x80000000 -t fsbl -o app-trusted.bin -hv 2.3 -dump app-trusted.bin',
    '# STM32_Programmer_CLI -c port=SWD mode=HOTPLUG -el <ExternalLoader.stldr> -hardRst -w app-trusted.bin 0x70100000',
    `# 2. hsq's CPU-layer weights: their own image at ${at}`,
    `arm-none-eabi-objcopy -O binary -j .hsq_weights "$ELF" ${P}_weights.bin`,
    `# STM32_Programmer_CLI -c port=SWD mode=HOTPLUG -el <ExternalLoader.stldr> -hardRst -w ${P}_weights.bin ${at}`,
    "# 3. each NPU segment's weights (stedgeai's raw file, see npu/generate.sh)",
    ...segs.map((s) => `# STM32_Programmer_CLI -c port=SWD mode=HOTPLUG -el <ExternalLoader.stldr> -hardRst -w npu/st_ai_output/${s.name}/${s.name}_atonbuf.xSPI2.raw 0x${s.weightsAt!.toString(16)}`),
    '',
  ].join('\n');
}

/** The stedgeai command of one NPU segment (run from OUT/npu). */
export function stedgeaiArgs(name: string): string[] {
  return [
    'generate', '-m', `${name}.onnx`, '--target', 'stm32n6', '--st-neural-art', `${name}@neural_art.json`, '--name', name,
    '--input-data-type', 'int8', '--output-data-type', 'int8', '--inputs-ch-position', 'chlast', '--outputs-ch-position', 'chlast',
    '--no-inputs-allocation', '--no-outputs-allocation', '--output', `st_ai_output/${name}`,
  ];
}

function generateScript(segs: readonly Stm32n6Segment[], STEDGEAI_VERSION: string): string {
  const l = [
    '#!/bin/sh',
    `# Compiles each NPU segment with ST's stedgeai (ST Edge AI ${STEDGEAI_VERSION}). Generated by hsq.`,
    '# Run from this folder; needs stedgeai on PATH (or STEDGEAI=/path/to/stedgeai) and, for the',
    '# .hex files, arm-none-eabi-objcopy. Outputs per segment in st_ai_output/<name>/: <name>.c,',
    '# <name>_ecblobs.h, <name>_atonbuf.xSPI2.raw (weights, flashed at the address below).',
    'set -eu',
    'cd "$(dirname "$0")"',
    'STEDGEAI="${STEDGEAI:-stedgeai}"',
  ];
  for (const s of segs) {
    l.push('');
    l.push(`# ${s.name}: ${s.layers.length} layers, ${s.weightBytes} bytes of int8 weights at 0x${s.weightsAt!.toString(16)} (${s.weightsReserved} reserved)`);
    l.push(`"$STEDGEAI" ${stedgeaiArgs(s.name).join(' ')}`);
    l.push(`arm-none-eabi-objcopy -I binary st_ai_output/${s.name}/${s.name}_atonbuf.xSPI2.raw --change-addresses 0x${s.weightsAt!.toString(16)} -O ihex st_ai_output/${s.name}/${s.name}_data.hex`);
  }
  l.push('');
  return l.join('\n');
}

function cmakeFragment(P: string, segs: readonly Stm32n6Segment[], STEDGEAI_VERSION: string): string {
  const l = [
    `# CMake rules that run ST's stedgeai on each NPU segment of ${P} (ST Edge AI ${STEDGEAI_VERSION}). Generated by hsq.`,
    '#   include(${CMAKE_CURRENT_SOURCE_DIR}/npu/stedgeai.cmake)',
    `#   target_sources(app PRIVATE \${${P.toUpperCase()}_NPU_SOURCES})`,
    '#   target_include_directories(app PRIVATE ${' + P.toUpperCase() + '_NPU_INCLUDE_DIRS})',
    'find_program(STEDGEAI_EXECUTABLE stedgeai REQUIRED)',
    'set(_hsq_npu_dir ${CMAKE_CURRENT_LIST_DIR})',
    `set(${P.toUpperCase()}_NPU_SOURCES "")`,
    `set(${P.toUpperCase()}_NPU_INCLUDE_DIRS "")`,
  ];
  for (const s of segs) {
    const out = `\${CMAKE_CURRENT_BINARY_DIR}/st_ai_output/${s.name}`;
    l.push('');
    l.push(`# ${s.name}: weights at 0x${s.weightsAt!.toString(16)} in xSPI2`);
    l.push('add_custom_command(');
    l.push(`  OUTPUT ${out}/${s.name}.c ${out}/${s.name}_ecblobs.h ${out}/${s.name}_atonbuf.xSPI2.raw`);
    l.push(`  COMMAND \${STEDGEAI_EXECUTABLE} ${stedgeaiArgs(s.name).map((a) => (a.endsWith('.onnx') ? `\${_hsq_npu_dir}/${a}` : a.endsWith('@neural_art.json') ? `${s.name}@\${_hsq_npu_dir}/neural_art.json` : a.startsWith('st_ai_output/') ? out : a)).join(' ')}`);
    l.push(`  DEPENDS \${_hsq_npu_dir}/${s.name}.onnx \${_hsq_npu_dir}/neural_art.json \${_hsq_npu_dir}/mpools/${s.name}.mpool`);
    l.push('  WORKING_DIRECTORY ${_hsq_npu_dir}');
    l.push(`  COMMENT "stedgeai: NPU segment ${s.name}"`);
    l.push('  VERBATIM)');
    l.push(`list(APPEND ${P.toUpperCase()}_NPU_SOURCES ${out}/${s.name}.c)`);
    l.push(`list(APPEND ${P.toUpperCase()}_NPU_INCLUDE_DIRS ${out})`);
  }
  l.push('');
  return l.join('\n');
}

function sectionsLd(P: string, segs: readonly Stm32n6Segment[], cpuWeightsAt: number, reserved: readonly { name: string; base: number; bytes: number; why: string }[]): string {
  const l = [
    `/* RAM ${P} uses, reserved: NOLOAD sections at fixed addresses, so an application whose own`,
    ' * sections overlap one fails to link (AXISRAM1 is not among them unless config memory gives it). */',
    ...reserved.map((r) => `.hsq_reserve_${r.name} 0x${r.base.toString(16)} (NOLOAD) : { . = . + 0x${r.bytes.toString(16)}; } /* ${r.bytes} bytes: ${r.why} */`),
    '',
    `/* Where ${P}'s constant data goes in the STM32N6570-DK's octo-flash (xSPI2, memory-mapped at 0x70000000).`,
    ' * Generated by hsq. NPU blobs (flashed from the stedgeai .raw files, see npu/generate.sh):',
    ...segs.map((s) => ` *   ${s.name}: 0x${s.weightsAt!.toString(16)} (${s.weightsReserved} bytes reserved)`),
    ' * CPU-layer weights: section .hsq_weights, placed after the last blob, flashed as an image of',
    ' * its own (stm32n6_images.sh: objcopy -j .hsq_weights / -R .hsq_weights), so the signed app',
    ' * image at 0x70100000 stays small. INCLUDE this from the application linker script inside',
    ' * SECTIONS, with a MEMORY region XSPI2 covering the flash. */',
    `.hsq_weights 0x${cpuWeightsAt.toString(16)} (READONLY) : ALIGN(32) { KEEP(*(.hsq_weights .hsq_weights.*)) } > XSPI2`,
    '',
  ];
  return l.join('\n');
}
