// The Target interface: what the driver needs of a target, and nothing it has to branch on.
// A target is one object (targets/<name>/index.ts): its name, what its devices can do (data),
// its memories, its cost model, an emitter from a placed graph to files and report fields, and
// optionally a runner. The driver runs the stages (driver/compile.ts); placement receives the
// capabilities and cost model as values; the report layer turns the report fields into
// report.json and report.html.
import type { Graph } from '../core/ir/graph';
import type { Tensor } from '../core/ir/tensor';
import type { NpuCapability, PlacementCapabilities } from '../placement/capabilities';
import type { CostModel, Device } from '../placement/cost-model';
import type { Segment } from '../placement/partition';
import type { Placed } from '../placement/stage';
import type { WeightsFormat } from './c/weights';

/**
 * An NPU as data: which ops it runs in hardware and under which constraints, which ones it runs
 * in software (with the reason shown), and the numeric formats it takes. `check` applies them.
 * (When op descriptors carry a neutral NPU kind, `ops` can be derived from "which kinds this NPU
 * runs": a target-version table of kinds → constraints, with per-op exceptions.)
 */
export interface NpuCapabilities extends NpuCapability {
  /** Op → ids of the constraints checked for it after `genericConstraints`. */
  readonly ops: Readonly<Record<string, readonly string[]>>;
  /** Constraint ids every op is checked against. */
  readonly genericConstraints: readonly string[];
  /** Ops with a known software-only mapping → the reason a layer of that op stays on the CPU. */
  readonly softwareOps: Readonly<Record<string, string>>;
  /** Constraint id → its one-line text (the rule a failing layer is shown). */
  readonly constraints: Readonly<Record<string, string>>;
  readonly weights: { readonly bits: number; readonly signed: boolean; readonly symmetric: boolean; readonly perChannel: boolean };
  readonly activations: { readonly bits: number; readonly signed: boolean; readonly symmetric: boolean };
}

export interface TargetCapabilities extends PlacementCapabilities {
  readonly npu?: NpuCapabilities;
  /** The CPU, in words (reports, messages). */
  readonly cpu: string;
  /** Deployed as integer code: the precision stage quantizes a float model (calibration needed). */
  readonly needsQuantizedModel: boolean;
}

/** One memory of the target: where it is, how big, and who decides what goes in it. */
export interface TargetMemory {
  readonly name: string;
  /** Address of the first byte; null where the user's build decides (an arena the caller passes). */
  readonly base: number | null;
  /** Bytes; null where there is no fixed size (a host arena). */
  readonly size: number | null;
  readonly kind: 'ram' | 'flash';
  /** What hsq puts there, in words. */
  readonly use: string;
}

export interface TargetEmitOptions {
  /** C symbol prefix and file stem. */
  readonly name: string;
  readonly weightsFormat: WeightsFormat;
  /** Layout of 4-D tensors at the C API. */
  readonly layout?: 'nchw' | 'nhwc';
}

/** The graph as placement left it and the partition into same-device segments. */
export type PlacedGraph = Placed;

/** A memory pool as the emitted code uses it. */
export interface ReportPool {
  readonly name: string;
  /** Integer address, or null for memory the user's build places (the arena the caller passes). */
  readonly base: number | null;
  /** Capacity in bytes. */
  readonly size: number;
  /** Bytes hsq's plan uses; null where another tool (stedgeai) owns the pool. */
  readonly used: number | null;
  readonly kind: 'ram' | 'flash';
  /** Who reads and writes it: the NPU, the CPU, or both. */
  readonly device: Device | 'both';
}

/** What computes one node of the CPU code, where a target has a choice (cortex-m55's kernels). */
export interface CpuKernelReport {
  /** The IR node. */
  readonly node: string;
  readonly op: string;
  /** `generated`: a per-layer kernel (MVE and scalar paths); `portable`: the hsq_* runtime. */
  readonly kernel: 'generated' | 'portable';
  readonly fn?: string;
  /** conv, depthwise, fc, lut, add, maxpool, ... */
  readonly kind?: string;
  /** 'scalar': the generated kernel has its portable path only. */
  readonly path?: 'mve' | 'scalar';
  readonly precision?: string;
  readonly macs?: number;
  /** Why the portable kernel (or only the scalar path) was used. */
  readonly reason?: string;
}

/** What an emitter knows that the report shows: measured, not estimated. */
export interface ReportFields {
  /** The segments as emitted (an emitter may move a boundary node between segments). */
  readonly segments: readonly Segment[];
  /** The RAM hsq planned for the CPU (the arena, or all CPU pools) and its lower bound. */
  readonly arena: {
    readonly bytes: number; readonly lowerBound: number;
    /** NAME_ARENA_SIZE, the bytes the caller passes as the arena, where it differs from bytes (a target whose arena holds several pools). */
    readonly provided?: number;
  };
  /** stm32n6: the ST Edge AI rule set the output follows (report.json `stedgeaiVersion`). */
  readonly stedgeaiVersion?: string;
  /** Layer name → what the target says of it beyond its placement. */
  readonly layerNotes?: Readonly<Record<string, readonly string[]>>;
  /** Weight bytes as emitted, measured from the weights blobs and constant arrays. */
  readonly flash: {
    /** Every weight byte: the CPU's blobs and arrays as the linker places them, the NPU's weights. */
    readonly total: number;
    readonly byDevice: Readonly<Record<Device, number>>;
    readonly byMemory: Readonly<Record<string, number>>;
    /** IR node → the bytes it brought (the blobs' end padding is nobody's). */
    readonly byNode: Readonly<Record<string, number>>;
  };
  readonly pools: readonly ReportPool[];
  /** Where hsq's plan put the tensors that cross segments (tensor → pool and offset). */
  readonly offsets?: ReadonlyMap<string, { readonly pool: string; readonly offset: number }>;
  readonly kernels?: readonly CpuKernelReport[];
  /** The file with the stack use of every function, or why it was not measured. */
  readonly stackUsage?: string;
  readonly notes?: readonly string[];
}

export interface Emitted {
  readonly files: Record<string, string | Uint8Array>;
  readonly report: ReportFields;
}

export interface TargetRunOptions {
  /** Build with -fsanitize=address,undefined (host C). */
  readonly sanitize?: boolean;
  /** cortex-m55: the portable kernels only (no MVE). */
  readonly scalar?: boolean;
  readonly opt?: '-O2' | '-Os';
  /** stm32n6: build the emulated program for the host instead of QEMU. */
  readonly host?: boolean;
  readonly cacheDir?: string;
  /** Build with -DHSQ_TRACE: the traced tensors come back beside the outputs (verify --per-layer). */
  readonly trace?: boolean;
}

/** Settings a target may take from the CLI or config (each target says which it understands). */
export interface TargetSettings {
  /** stm32n6: `--stedgeai-version 2.2|3.0|4.0|auto` / config `stedgeaiVersion`. */
  readonly stedgeaiVersion?: string;
  /** stm32n6: config `memory` (which RAM regions hsq's CPU plan and the NPU get). */
  readonly memory?: unknown;
}

export interface Target {
  readonly name: string;
  /** The target with settings applied (a new value); absent where a target takes none. */
  readonly configure?: (s: TargetSettings) => Target;
  readonly description: string;
  readonly capabilities: TargetCapabilities;
  readonly memories: readonly TargetMemory[];
  /** Absent where hsq has no model of the target's speed (the build machine). */
  readonly costModel?: CostModel;
  emit(placed: PlacedGraph, opts: TargetEmitOptions): Emitted | Promise<Emitted>;
  /** Runs the graph's generated code on the target (or its emulation) and returns the outputs. */
  run?(g: Graph, inputs: Record<string, Tensor>, opts: TargetRunOptions): Promise<Record<string, Tensor>>;
}
