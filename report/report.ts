// report.json: one entry per layer (ONNX node or fused group) with device, precision, reason,
// MACs, weight bytes, shapes, estimated time and arena offset; totals; the options weighed.
// Deterministic: no timestamps, no absolute paths unless the caller passes them, numbers rounded.
import type { Alternative, LayerOption, Optimisation, Placement } from '../placement/placement';
import type { Segment } from '../placement/partition';
import type { CostModel, Device } from '../placement/cost-model';
import { layerWeightCount } from '../placement/layer-desc';
import { storageBits } from '../core/ir/dtype';
import { Graph } from '../core/ir/graph';
import { numel } from '../core/ir/tensor';

export const REPORT_SCHEMA = 'hsq-report/1';

export interface ReportLayer {
  readonly name: string;
  readonly op: string;
  readonly device: Device;
  /** w8a8, w4a8 ... (layers with weights), a8 (weightless integer), f32 (float). */
  readonly precision: string;
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
  /** Weight values, and the bytes they take in flash as stored for the chosen device. */
  readonly weightCount: number;
  readonly weightBytes: number;
  readonly shapes: { readonly inputs: readonly (readonly number[])[]; readonly outputs: readonly (readonly number[])[] };
  readonly estTimeUs: number;
  /** Which roofline term set the time (compute, weights, activations, elements, overhead, free). */
  readonly bound: string;
  readonly segment: number;
  /** Where the layer's (first) output lives, when a memory plan is given. */
  readonly arenaOffset?: { readonly pool: string; readonly offset: number };
  /** Failed NPU constraints (as-is; for sub-8-bit layers after widening), for CPU layers. */
  readonly npuConstraints?: readonly string[];
  readonly options?: readonly LayerOption[];
  readonly sensitivity?: number;
}

export interface ReportSegment {
  readonly id: number;
  readonly device: Device;
  readonly layers: readonly string[];
  readonly nodes: number;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly estTimeUs: number;
  /** Cost of handing this segment's inputs over from the other device (0 for the first or same device). */
  readonly transitionUs: number;
}

export interface ReportTotals {
  readonly flash: {
    /** Bytes per memory (the weights memory of the target, e.g. octoFlash). */
    readonly byMemory: Readonly<Record<string, number>>;
    readonly npuWeights: number;
    readonly cpuWeights: number;
    readonly total: number;
  };
  readonly ram: {
    /** Pool high-water marks from the memory plan, when given. */
    readonly byPool?: Readonly<Record<string, number>>;
    /** Sum of the pools, or without a plan the largest single-layer working set (a lower bound). */
    readonly bytes: number;
    readonly planned: boolean;
  };
  readonly latencyUs: number;
  readonly latencyMs: number;
  readonly fps: number;
  readonly transitions: number;
  readonly transitionUs: number;
  readonly layers: Readonly<Record<Device, number>>;
  readonly macs: Readonly<Record<Device, number>>;
  readonly timeUs: Readonly<Record<Device, number>>;
}

export interface Report {
  readonly schema: string;
  readonly model: string;
  readonly target: string;
  readonly layers: readonly ReportLayer[];
  readonly segments: readonly ReportSegment[];
  readonly totals: ReportTotals;
  readonly optimisation: Optimisation & { readonly alternatives: readonly Alternative[] };
  readonly costParams: Readonly<Record<string, number>>;
  readonly sensitivity?: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

/** What the memory planner gives (compiler/memory-planner MemoryPlan fits): item id = tensor name. */
export interface ReportMemoryPlan {
  readonly offsets: ReadonlyMap<string, { readonly pool: string; readonly offset: number }>;
  readonly poolSizes: Readonly<Record<string, number>>;
}

export interface ReportExtras {
  /** Model name shown in the report (default: the graph's name). */
  readonly model?: string;
  readonly target?: string;
  /** Memory that holds the weights (default octoFlash, the STM32N6570-DK's xSPI2 flash). */
  readonly weightsMemory?: string;
  /** Flash per memory when the emitter knows better (e.g. NPU blobs and CPU weights apart). */
  readonly flashByMemory?: Readonly<Record<string, number>>;
  readonly sensitivity?: Readonly<Record<string, number>>;
  readonly notes?: readonly string[];
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

function tensorBytes(g: Graph, t: string): number {
  const info = g.tensors[t];
  if (!info) return 0;
  return Math.ceil((numel(info.shape) * Math.max(storageBits(info.dtype), 8)) / 8);
}

/** The report object (write it with JSON.stringify(report, null, 2)). */
export function buildReport(
  graph: Graph, placement: Placement, segments: readonly Segment[], cost: CostModel,
  memoryPlan?: ReportMemoryPlan, extras: ReportExtras = {},
): Report {
  const costs = placement.params ?? cost.defaults;
  const optimisation = placement.optimisation;
  if (!optimisation) throw new Error('internal: buildReport needs a placement over an NPU and a CPU');
  const est = (l: Placement['layers'][number]) => l.est ?? (() => { throw new Error(`internal: layer ${l.name} has no estimate`); })();
  const segOfNode = new Map<string, number>();
  for (const s of segments) for (const n of s.nodes) segOfNode.set(n, s.id);
  const shape = (t: string): readonly number[] => graph.tensors[t]?.shape ?? [];
  const layers: ReportLayer[] = placement.layers.map((l) => {
    const failed = l.device === 'cpu' ? (l.npuWidenedCheck ?? l.npuCheck)?.reasons ?? [] : [];
    const out = l.outputs.find((o) => memoryPlan?.offsets.has(o));
    const at = out !== undefined ? memoryPlan!.offsets.get(out) : undefined;
    return {
      name: l.name, op: l.op, device: l.device, precision: l.lowerTo ?? l.precision, reason: l.reason, source: l.source,
      widened: l.widened, ...(l.lowerTo ? { lowerTo: l.lowerTo } : {}),
      nodes: l.nodes, origin: l.origin,
      macs: est(l).macs, weightCount: layerWeightCount(l.desc), weightBytes: est(l).flashBytes,
      shapes: { inputs: l.inputs.map(shape), outputs: l.outputs.map(shape) },
      estTimeUs: r3(est(l).us), bound: est(l).bound,
      segment: segOfNode.get(l.nodes[0]) ?? -1,
      ...(at ? { arenaOffset: { pool: at.pool, offset: at.offset } } : {}),
      ...(failed.length ? { npuConstraints: failed } : {}),
      ...(l.options ? { options: l.options.map((o) => ({ ...o, estUs: r3(o.estUs) })) } : {}),
      ...(extras.sensitivity?.[l.name] !== undefined ? { sensitivity: extras.sensitivity[l.name] } : {}),
    };
  });
  const layerOfNode = placement.layerOfNode;
  const byName = new Map(layers.map((l) => [l.name, l]));
  const prodSeg = new Map<string, Segment>();
  for (const s of segments) for (const o of s.outputs) prodSeg.set(o, s);
  const rsegs: ReportSegment[] = segments.map((s) => {
    const names = [...new Set(s.nodes.map((n) => layerOfNode[n]))];
    const crossing = s.inputs.filter((t) => { const p = prodSeg.get(t); return p && p.device !== s.device; });
    const bytes = crossing.reduce((a, t) => a + tensorBytes(graph, t), 0);
    const tUs = crossing.length ? cost.transition({ from: s.device === 'npu' ? 'cpu' : 'npu', to: s.device, bytes }, costs) : 0;
    return {
      id: s.id, device: s.device, layers: names, nodes: s.nodes.length, inputs: s.inputs, outputs: s.outputs,
      estTimeUs: r3(names.reduce((a, n) => a + (byName.get(n)?.estTimeUs ?? 0), 0)), transitionUs: r3(tUs),
    };
  });
  const sum = (f: (l: ReportLayer) => number, dev?: Device): number => layers.filter((l) => !dev || l.device === dev).reduce((a, l) => a + f(l), 0);
  const npuW = sum((l) => l.weightBytes, 'npu');
  const cpuW = sum((l) => l.weightBytes, 'cpu');
  const weightsMem = extras.weightsMemory ?? 'octoFlash';
  const byMemory = extras.flashByMemory ?? { [weightsMem]: npuW + cpuW };
  const transitionUs = rsegs.reduce((a, s) => a + s.transitionUs, 0);
  const latencyUs = sum((l) => l.estTimeUs) + transitionUs;
  const transitions = rsegs.filter((s, k) => k > 0 && s.device !== rsegs[k - 1].device).length;
  const ram = memoryPlan
    ? { byPool: { ...memoryPlan.poolSizes }, bytes: Object.values(memoryPlan.poolSizes).reduce((a, b) => a + b, 0), planned: true }
    : { bytes: Math.max(0, ...placement.layers.map((l) => est(l).ramBytes)), planned: false };
  const notes = [
    'Times are cost-model estimates (targets/stm32n6/CALIBRATION.md), not measurements.',
    ...(ram.planned ? [] : ['RAM without a memory plan: the largest single-layer working set (a lower bound).']),
    ...(extras.notes ?? []),
  ];
  return {
    schema: REPORT_SCHEMA,
    model: extras.model ?? graph.name,
    target: extras.target ?? 'stm32n6',
    layers,
    segments: rsegs,
    totals: {
      flash: { byMemory, npuWeights: npuW, cpuWeights: cpuW, total: npuW + cpuW },
      ram,
      latencyUs: r3(latencyUs),
      latencyMs: r3(latencyUs / 1000),
      fps: latencyUs > 0 ? r3(1e6 / latencyUs) : 0,
      transitions,
      transitionUs: r3(transitionUs),
      layers: { npu: layers.filter((l) => l.device === 'npu').length, cpu: layers.filter((l) => l.device === 'cpu').length },
      macs: { npu: sum((l) => l.macs, 'npu'), cpu: sum((l) => l.macs, 'cpu') },
      timeUs: { npu: r3(sum((l) => l.estTimeUs, 'npu')), cpu: r3(sum((l) => l.estTimeUs, 'cpu')) },
    },
    optimisation: {
      ...optimisation,
      alternatives: optimisation.alternatives.map((a) => ({ ...a, latencyUs: r3(a.latencyUs) })),
      candidateWeightShare: r3(optimisation.candidateWeightShare),
      candidateMacShare: r3(optimisation.candidateMacShare),
    },
    costParams: Object.fromEntries(Object.keys(costs).sort().map((k) => [k, costs[k]])),
    ...(extras.sensitivity ? { sensitivity: extras.sensitivity } : {}),
    notes,
  };
}
