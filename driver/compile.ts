// `hsq compile`: the stages in order, the same for every target —
//   import → float passes → precision → quantized passes → placement → partition → emit → report
// — then OUT, written all at once or not at all. A target is looked up by name in the registry
// (targets/registry.ts) and used only through its Target interface (targets/target.ts).
import * as path from 'path';
import { Graph } from '../core/ir/graph';
import { loadModel } from '../frontend/onnx/import';
import { writeOutputDir } from '../core/output-dir';
import { fail } from '../core/diagnostics';
import { loadConfig, HsqConfig } from '../core/config';
import { corePipeline } from '../passes/pipeline';
import { floatPasses, quantizedPasses } from '../precision';
import { runPipeline } from '../passes/pass-manager';
import { precisionStage, PrecisionReport } from '../precision/stage';
import { QuantizeArgs, quantizeArgs } from './commands/quantize-options';
import { cameraInput, InputFormat } from '../passes/camera-input';
import { inferShapes } from '../passes/shape-inference';
import type { PlacementOptions } from '../placement/placement';
import { placeAndPartition } from '../placement/stage';
import { TARGET_NAMES, lookupTarget } from '../targets/registry';
import type { Target } from '../targets/target';
import type { WeightsFormat } from '../targets/c/weights';
import { Report, compileReport, formatPlacementTable } from '../report';

export type TargetName = 'host' | 'cortex-m55' | 'stm32n6';
export const TARGETS: readonly TargetName[] = TARGET_NAMES as readonly TargetName[];

export interface CompileOptions {
  model: string;
  out: string;
  target?: TargetName;
  name?: string;
  config?: string;
  inputShapes?: Record<string, number[]>;
  weightsFormat?: WeightsFormat;
  layout?: 'nchw' | 'nhwc';
  dumpAfter?: string[];
  dumpDir?: string;
  /** Camera frame input (uint8 channels-last) with --mean/--std folded in. */
  inputFormat?: InputFormat;
  /** Quantization and precision options (see driver/commands/quantize-options.ts). */
  quantize?: Partial<QuantizeArgs>;
  log?: (line: string) => void;
  /** Targets with an NPU: --force-npu/--force-cpu/--widen/budgets and the config's placement keys. */
  placement?: PlacementOptions;
  /** stm32n6: --stedgeai-version (over config stedgeaiVersion). */
  stedgeaiVersion?: string;
}

export interface CompileResult {
  name: string;
  target: TargetName;
  files: string[];
  arenaSize: number;
  arenaLowerBound: number;
  weightsSize: number;
  graph: Graph;
  precision: PrecisionReport;
  /** Targets with an NPU: the placement table `hsq compile` prints (formatPlacementTable, no colour). */
  placementTable?: string;
  /** What report.json holds (the CLI re-renders the table in colour on a TTY). */
  report: Report;
}

/** A C identifier from a model file name: `tiny-yolov2.onnx` → `tiny_yolov2`. */
export function modelNameFromFile(file: string): string {
  let n = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(n)) n = `m_${n}`;
  return n;
}

/** Import, lower and quantize: the graph every target emits from. */
export function frontendForTarget(opts: CompileOptions, config: HsqConfig, target: Target): { graph: Graph; precision: PrecisionReport } {
  const raw = loadModel(opts.model, { inputShapes: { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) } });
  const known = new Set(corePipeline.map((p) => p.name));
  for (const d of opts.dumpAfter ?? []) if (d !== 'all' && !known.has(d))
    fail('bad-input', `--dump-after ${d}: no such pass (passes: ${[...known].join(', ')})`, '--dump-after');
  const dumps = (passes: { name: string }[]) => (opts.dumpAfter ?? []).filter((d) => d === 'all' || passes.some((p) => p.name === d));
  const fp = floatPasses();
  const fg = runPipeline(raw, fp, { dumpAfter: dumps(fp), dumpDir: opts.dumpDir ?? 'hsq-dump' });
  // Defaults of every quantization option, overridden by what the caller gave (API or CLI).
  const qa: QuantizeArgs = { ...quantizeArgs({}), ...(opts.quantize ?? {}) };
  const stage = precisionStage(fg, { qa, config, needsQuantized: target.capabilities.needsQuantizedModel, target: target.name, log: opts.log ?? (() => undefined) });
  // The camera frame replaces the float input after calibration, which ran on float images.
  const staged = opts.inputFormat ? inferShapes(cameraInput(stage.graph, { format: opts.inputFormat, mean: qa.mean, std: qa.std })) : stage.graph;
  const qp = quantizedPasses();
  const graph = runPipeline(staged, qp, { dumpAfter: dumps(qp), dumpDir: path.join(opts.dumpDir ?? 'hsq-dump', 'quantized') });
  return { graph, precision: stage.report };
}

export interface CompiledGraph {
  readonly files: Record<string, string | Uint8Array>;
  /** The graph as emitted (placement may split shared DequantizeLinear nodes). */
  readonly graph: Graph;
  readonly report: Report;
}

/** Placement → partition → emit → report of an imported, quantized graph: every file of OUT. */
export async function compileGraph(g: Graph, target: Target, o: {
  name: string; model: string; weightsFormat: WeightsFormat; layout?: 'nchw' | 'nhwc';
  placement?: PlacementOptions; precision?: PrecisionReport;
}): Promise<CompiledGraph> {
  const placed = placeAndPartition(g, target, o.placement ?? {});
  const emitted = await target.emit(placed, { name: o.name, weightsFormat: o.weightsFormat, layout: o.layout });
  const rep = compileReport({
    target, model: o.model, name: o.name, placed, fields: emitted.report, precision: o.precision ?? { layers: [] },
    ...(o.placement?.sensitivity ? { sensitivity: o.placement.sensitivity } : {}),
  });
  return { files: { ...emitted.files, ...rep.files }, graph: placed.graph, report: rep.report };
}

/** The target with its settings (--stedgeai-version, config stedgeaiVersion/memory) applied; a
 *  setting given to a target that takes none is an error naming it. */
export function configureTarget(target: Target, opts: Pick<CompileOptions, 'stedgeaiVersion'>, config: HsqConfig): Target {
  const given: [string, unknown][] = [
    ['--stedgeai-version', opts.stedgeaiVersion], ['config stedgeaiVersion', opts.stedgeaiVersion === undefined ? config.stedgeaiVersion : undefined], ['config memory', config.memory],
  ];
  const set = given.filter(([, v]) => v !== undefined);
  if (!set.length) return target;
  if (!target.configure) fail('bad-input', `${set[0][0]} applies to --target stm32n6, not ${target.name}`, set[0][0].replace(/^config /, ''));
  return target.configure({ stedgeaiVersion: opts.stedgeaiVersion ?? config.stedgeaiVersion, memory: config.memory });
}

export async function compile(opts: CompileOptions): Promise<CompileResult> {
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const named = opts.target !== undefined ? lookupTarget(opts.target, '--target') : lookupTarget(config.target ?? 'host', 'config target');
  const target = configureTarget(named, opts, config);
  const name = opts.name ?? config.name ?? modelNameFromFile(opts.model);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('bad-input', `--name '${name}' is not a C identifier`, '--name');
  // The config's costModel overrides the target's parameters (checked first: a bad key is an error naming it).
  const costParams = config.costModel && target.costModel ? target.costModel.withOverrides(config.costModel) : undefined;
  const { graph, precision } = frontendForTarget(opts, config, target);
  const c = await compileGraph(graph, target, {
    name, model: path.basename(opts.model), weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? 'c', layout: opts.layout,
    placement: { config, ...(costParams ? { costParams } : {}), ...(opts.placement ?? {}) },
    precision,
  });
  writeOutputDir(opts.out, c.files);
  const t = c.report.totals;
  return {
    name, target: target.name as TargetName, files: Object.keys(c.files).sort(), arenaSize: t.ram.bytes, arenaLowerBound: t.ram.lowerBound,
    weightsSize: t.flash.total, graph, precision, report: c.report,
    ...(target.capabilities.npu ? { placementTable: formatPlacementTable(c.report, false) } : {}),
  };
}
