// report.json, one schema for every target (report/report.schema.json, "hsq-report/2"): one entry
// per layer (ONNX node or fused group) with device, precision, measured weight bytes, reason,
// MACs, shapes, and the cost model's estimates where the target has one; the segments; totals
// (flash measured from the emitted weights, the estimate beside it); the memory pools; the
// precision stage's report; the options weighed on a target with an NPU.
// Deterministic: no timestamps, no absolute paths, numbers rounded.
import type { Alternative, LayerOption, Optimisation, PlacedLayer } from '../placement/placement';
import type { Device, LayerEstimate } from '../placement/cost-model';
import type { Placed } from '../placement/stage';
import { layerMacs, layerWeightCount } from '../placement/layer-desc';
import type { PrecisionReport } from '../precision/stage';
import type { CpuKernelReport, ReportFields, ReportPool, Target } from '../targets/target';
import { storageBits } from '../core/ir/dtype';
import { Graph } from '../core/ir/graph';
import { numel } from '../core/ir/tensor';

export const REPORT_SCHEMA = 'hsq-report/2';

export interface ReportLayer {
  /** The ONNX node name the user knows (a fused QConv/QGemm: the Conv/Gemm it came from). */
  readonly name: string;
  /** ONNX-level op (Conv, not QConv). */
  readonly op: string;
  readonly device: Device;
  /** w8a8, w4a8 ... (layers with weights), a8 (weightless integer), f32 (float). */
  readonly precision: string;
  /** Bytes of the layer's weights and per-channel parameters as emitted (measured). */
  readonly weightBytes: number;
  readonly reason: string;
  /** force | policy | fallback | follow | optimiser */
  readonly source: string;
  /** Sub-8-bit integers stored as int8 for the NPU. */
  readonly widened: boolean;
  /** The optimiser lowered this layer to this precision (weights must be requantized). */
  readonly lowerTo?: string;
  /** IR nodes and the ONNX nodes they stand for. */
  readonly nodes: readonly string[];
  readonly origin: readonly string[];
  readonly macs: number;
  /** Weight values (not bytes). */
  readonly weightCount: number;
  readonly shapes: { readonly inputs: readonly (readonly number[])[]; readonly outputs: readonly (readonly number[])[] };
  /** The cost model's time and flash on the chosen device; null without a cost model. */
  readonly estTimeUs: number | null;
  readonly estimatedFlashBytes: number | null;
  /** Which roofline term set the time (compute, weights, activations, elements, overhead, free). */
  readonly bound: string | null;
  readonly segment: number;
  /** Where the layer's (first) output lives, when it crosses segments. */
  readonly arenaOffset?: { readonly pool: string; readonly offset: number };
  /** Failed NPU constraints (as-is; for sub-8-bit layers after widening), for CPU layers. */
  readonly npuConstraints?: readonly string[];
  readonly options?: readonly LayerOption[];
  readonly sensitivity?: number;
  /** What the target says of this layer beyond its placement (e.g. "not yet checked with stedgeai"). */
  readonly notes?: readonly string[];
  /** What computes the layer's nodes, where the target generates kernels. */
  readonly cpuKernels?: readonly Omit<CpuKernelReport, 'node'>[];
}

export interface ReportSegment {
  readonly id: number;
  readonly device: Device;
  readonly layers: readonly string[];
  readonly nodes: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly estTimeUs: number | null;
  /** Cost of handing this segment's inputs over from the other device (0 for the first or same device). */
  readonly transitionUs: number | null;
}

export interface ReportTotals {
  readonly flash: {
    /** Weight bytes as emitted: every weights blob and constant array, and the NPU's weights. */
    readonly total: number;
    readonly byDevice: Readonly<Record<Device, number>>;
    /** Bytes per memory (the target's weights memory, e.g. octoFlash). */
    readonly byMemory: Readonly<Record<string, number>>;
    /** Bytes of total no layer owns (alignment padding at the end of each blob). */
    readonly unattributed: number;
    /** The cost model's estimate (null without one). */
    readonly estimated: { readonly total: number; readonly npu: number; readonly cpu: number } | null;
  };
  readonly ram: {
    /** NAME_ARENA_SIZE: the bytes the caller provides as the arena (the CLI's `arena N bytes`). */
    readonly arena: number;
    /** RAM hsq planned for the CPU (the arena, or all its CPU pools: memory.pools' `used`). */
    readonly bytes: number;
    /** Most bytes live at any step: no plan can use less. */
    readonly lowerBound: number;
  };
  readonly latencyUs: number | null;
  readonly latencyMs: number | null;
  readonly fps: number | null;
  readonly transitions: number;
  readonly transitionUs: number | null;
  readonly layers: Readonly<Record<Device, number>>;
  readonly macs: Readonly<Record<Device, number>>;
  readonly timeUs: Readonly<Record<Device, number>> | null;
}

export interface Report {
  readonly schema: string;
  /** The model file (no folder), or the graph's name. */
  readonly model: string;
  /** The C name of the model (symbol prefix, file stem). */
  readonly name: string;
  readonly target: string;
  readonly layers: readonly ReportLayer[];
  readonly segments: readonly ReportSegment[];
  readonly totals: ReportTotals;
  readonly memory: { readonly pools: readonly ReportPool[] };
  readonly precision: PrecisionReport;
  /** Targets with an NPU: what was weighed and how the devices were chosen. */
  readonly optimisation?: Optimisation & { readonly alternatives: readonly Alternative[] };
  /** Targets with a cost model: the parameters the estimates used. */
  readonly costParams?: Readonly<Record<string, number>>;
  readonly sensitivity?: Readonly<Record<string, number>>;
  readonly stackUsage?: string;
  /** stm32n6: the ST Edge AI Core rule set the output is for (2.2, 3.0, 4.0). */
  readonly stedgeaiVersion?: string;
  readonly notes: readonly string[];
}

export interface ReportInput {
  readonly target: Pick<Target, 'name' | 'costModel'>;
  /** The model file's name (no folder); the graph's name when absent. */
  readonly model?: string;
  /** The C name of the model. */
  readonly name: string;
  readonly placed: Placed;
  readonly fields: ReportFields;
  readonly precision: PrecisionReport;
  readonly sensitivity?: Readonly<Record<string, number>>;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r3n = (v: number | undefined): number | null => (v === undefined ? null : r3(v));

function tensorBytes(g: Graph, t: string): number {
  const info = g.tensors[t];
  if (!info) return 0;
  return Math.ceil((numel(info.shape) * Math.max(storageBits(info.dtype), 8)) / 8);
}

/** The layer an emitted IR node belongs to: by name, else by the ONNX nodes it stands for. */
function layerIndex(layers: readonly PlacedLayer[], layerOfNode: Readonly<Record<string, string>>): (node: string) => string | undefined {
  const byOrigin = new Map<string, string>();
  for (const l of layers) for (const o of l.origin) if (!byOrigin.has(o)) byOrigin.set(o, l.name);
  return (node) => layerOfNode[node] ?? byOrigin.get(node);
}

/** The report object (write it with JSON.stringify(report, null, 2)). */
export function buildReport(i: ReportInput): Report {
  const { graph, placement } = i.placed;
  const f = i.fields;
  const cost = i.target.costModel;
  const params = cost ? placement.params ?? cost.defaults : undefined;
  const segments = f.segments;
  const segOfNode = new Map<string, number>();
  for (const s of segments) for (const n of s.nodes) segOfNode.set(n, s.id);
  const shape = (t: string): readonly number[] => graph.tensors[t]?.shape ?? [];
  const layerOf = layerIndex(placement.layers, placement.layerOfNode);
  const flashOf = new Map<string, number>();
  for (const [n, b] of Object.entries(f.flash.byNode)) {
    const l = layerOf(n);
    if (l !== undefined) flashOf.set(l, (flashOf.get(l) ?? 0) + b);
  }
  const kernelsOf = new Map<string, Omit<CpuKernelReport, 'node'>[]>();
  for (const { node, ...k } of f.kernels ?? []) {
    const l = layerOf(node);
    if (l !== undefined) kernelsOf.set(l, [...(kernelsOf.get(l) ?? []), k]);
  }
  const layers: ReportLayer[] = placement.layers.map((l) => {
    const failed = l.device === 'cpu' ? (l.npuWidenedCheck ?? l.npuCheck)?.reasons ?? [] : [];
    const out = l.outputs.find((o) => f.offsets?.has(o));
    const at = out !== undefined ? f.offsets!.get(out) : undefined;
    const est: LayerEstimate | undefined = l.est;
    const ks = kernelsOf.get(l.name);
    return {
      name: l.name, op: l.op, device: l.device, precision: l.lowerTo ?? l.precision, weightBytes: flashOf.get(l.name) ?? 0, reason: l.reason,
      source: l.source, widened: l.widened, ...(l.lowerTo ? { lowerTo: l.lowerTo } : {}),
      nodes: l.nodes, origin: l.origin,
      macs: layerMacs(l.desc), weightCount: layerWeightCount(l.desc),
      shapes: { inputs: l.inputs.map(shape), outputs: l.outputs.map(shape) },
      estTimeUs: r3n(est?.us), estimatedFlashBytes: est?.flashBytes ?? null, bound: est?.bound ?? null,
      segment: segOfNode.get(l.nodes[0]) ?? -1,
      ...(at ? { arenaOffset: { pool: at.pool, offset: at.offset } } : {}),
      ...(failed.length ? { npuConstraints: failed } : {}),
      ...(l.options ? { options: l.options.map((o) => ({ ...o, estUs: r3(o.estUs) })) } : {}),
      ...(i.sensitivity?.[l.name] !== undefined ? { sensitivity: i.sensitivity[l.name] } : {}),
      ...(ks ? { cpuKernels: ks } : {}),
      ...(f.layerNotes?.[l.name]?.length ? { notes: f.layerNotes[l.name] } : {}),
    };
  });
  const byName = new Map(layers.map((l) => [l.name, l]));
  const prodSeg = new Map<string, number>();
  for (const s of segments) for (const o of s.outputs) prodSeg.set(o, s.id);
  const rsegs: ReportSegment[] = segments.map((s) => {
    const names = [...new Set(s.nodes.map((n) => placement.layerOfNode[n]))];
    const crossing = s.inputs.filter((t) => { const p = prodSeg.get(t); return p !== undefined && segments[p].device !== s.device; });
    const bytes = crossing.reduce((a, t) => a + tensorBytes(graph, t), 0);
    const tUs = !cost ? undefined : crossing.length ? cost.transition({ from: s.device === 'npu' ? 'cpu' : 'npu', to: s.device, bytes }, params!) : 0;
    return {
      id: s.id, device: s.device, layers: names, nodes: s.nodes.length, inputs: s.inputs, outputs: s.outputs,
      estTimeUs: cost ? r3(names.reduce((a, n) => a + (byName.get(n)?.estTimeUs ?? 0), 0)) : null, transitionUs: r3n(tUs),
    };
  });
  const sum = (v: (l: ReportLayer) => number, dev?: Device): number => layers.filter((l) => !dev || l.device === dev).reduce((a, l) => a + v(l), 0);
  const est = (l: ReportLayer): number => l.estimatedFlashBytes ?? 0;
  const transitionUs = cost ? rsegs.reduce((a, s) => a + (s.transitionUs ?? 0), 0) : undefined;
  const latencyUs = cost ? sum((l) => l.estTimeUs ?? 0) + transitionUs! : undefined;
  const opt = placement.optimisation;
  const notes = [
    cost ? `Times are cost-model estimates (${cost.about}), not measurements.` : `No cost model for ${i.target.name}: no time estimates (hsq run --profile measures the layers).`,
    'weightBytes and totals.flash are measured from the emitted weights (every blob and constant array as the linker places them); totals.flash.unattributed is the padding at the end of the blobs.',
    ...(f.notes ?? []),
  ];
  return {
    schema: REPORT_SCHEMA,
    model: i.model ?? graph.name,
    name: i.name,
    target: i.target.name,
    layers,
    segments: rsegs,
    totals: {
      flash: {
        total: f.flash.total, byDevice: { npu: f.flash.byDevice.npu, cpu: f.flash.byDevice.cpu }, byMemory: { ...f.flash.byMemory },
        unattributed: f.flash.total - sum((l) => l.weightBytes),
        estimated: cost ? { total: sum(est), npu: sum(est, 'npu'), cpu: sum(est, 'cpu') } : null,
      },
      ram: { arena: f.arena.provided ?? f.arena.bytes, bytes: f.arena.bytes, lowerBound: f.arena.lowerBound },
      latencyUs: r3n(latencyUs),
      latencyMs: latencyUs === undefined ? null : r3(latencyUs / 1000),
      fps: latencyUs === undefined ? null : latencyUs > 0 ? r3(1e6 / latencyUs) : 0,
      transitions: rsegs.filter((s, k) => k > 0 && s.device !== rsegs[k - 1].device).length,
      transitionUs: r3n(transitionUs),
      layers: { npu: layers.filter((l) => l.device === 'npu').length, cpu: layers.filter((l) => l.device === 'cpu').length },
      macs: { npu: sum((l) => l.macs, 'npu'), cpu: sum((l) => l.macs, 'cpu') },
      timeUs: cost ? { npu: r3(sum((l) => l.estTimeUs ?? 0, 'npu')), cpu: r3(sum((l) => l.estTimeUs ?? 0, 'cpu')) } : null,
    },
    memory: { pools: f.pools },
    precision: i.precision,
    ...(opt ? {
      optimisation: {
        ...opt,
        alternatives: opt.alternatives.map((a) => ({ ...a, latencyUs: r3(a.latencyUs) })),
        candidateWeightShare: r3(opt.candidateWeightShare),
        candidateMacShare: r3(opt.candidateMacShare),
      },
    } : {}),
    ...(params ? { costParams: Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]])) } : {}),
    ...(i.sensitivity ? { sensitivity: i.sensitivity } : {}),
    ...(f.stackUsage !== undefined ? { stackUsage: f.stackUsage } : {}),
    ...(f.stedgeaiVersion !== undefined ? { stedgeaiVersion: f.stedgeaiVersion } : {}),
    notes,
  };
}
