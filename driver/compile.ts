// `hsq compile`: the stages in order, the same for every target —
//   import → float passes → precision → quantized passes → placement → partition → emit → report
// — then OUT, written all at once or not at all. A target is looked up by name in the registry
// (targets/registry.ts) and used only through its Target interface (targets/target.ts).
import * as path from 'path';
import { Graph } from '../core/ir/graph';
import { loadModel } from '../frontend/onnx/import';
import { bindInputs } from '../frontend/bind';
import { foldConstantIfs } from '../frontend/onnx/fold-if';
import { writeFileAtomic, writeOutputDir } from '../core/output-dir';
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
  /** --bind: graph input → VALUE or FILE.npy (relative to the working directory). */
  bind?: Record<string, string>;
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
export function frontendForTarget(opts: CompileOptions, config: HsqConfig, target: Target): { graph: Graph; precision: PrecisionReport; exports: Record<string, Uint8Array> } {
  const loaded = loadModel(opts.model, { inputShapes: { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) } });
  // Bound inputs become constants (CLI over config; config paths relative to the config file),
  // then every If with a constant condition folds.
  const fromConfig = Object.fromEntries(Object.entries(config.bind ?? {}).filter(([k]) => !(k in (opts.bind ?? {}))));
  const bound = bindInputs(bindInputs(loaded, fromConfig, { baseDir: opts.config ? path.dirname(opts.config) : undefined, key: 'config bind' }), opts.bind, { key: '--bind' });
  const raw = foldConstantIfs(bound);
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
  return { graph, precision: stage.report, exports: stage.exports };
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

export async function compile(opts: CompileOptions): Promise<CompileResult> {
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const target = opts.target !== undefined ? lookupTarget(opts.target, '--target') : lookupTarget(config.target ?? 'host', 'config target');
  const name = opts.name ?? config.name ?? modelNameFromFile(opts.model);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('bad-input', `--name '${name}' is not a C identifier`, '--name');
  // The config's costModel overrides the target's parameters (checked first: a bad key is an error naming it).
  const costParams = config.costModel && target.costModel ? target.costModel.withOverrides(config.costModel) : undefined;
  const { graph, precision, exports } = frontendForTarget(opts, config, target);
  const c = await compileGraph(graph, target, {
    name, model: path.basename(opts.model), weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? 'c', layout: opts.layout,
    placement: { config, ...(costParams ? { costParams } : {}), ...(opts.placement ?? {}) },
    precision,
  });
  writeOutputDir(opts.out, c.files);
  // Side files (--emit-onnx) only once OUT is in place: a failed compile writes nothing.
  for (const [file, data] of Object.entries(exports)) writeFileAtomic(file, data);
  const t = c.report.totals;
  return {
    name, target: target.name as TargetName, files: Object.keys(c.files).sort(), arenaSize: t.ram.bytes, arenaLowerBound: t.ram.lowerBound,
    weightsSize: t.flash.total, graph, precision, report: c.report,
    ...(target.capabilities.npu ? { placementTable: formatPlacementTable(c.report, false) } : {}),
  };
}
