// `hsq compile`: the stages in order, the same for every target —
//   import → float passes → precision → quantized passes → placement → partition → emit → report
// — then OUT, written all at once or not at all. A target is looked up by name in the registry
// (targets/registry.ts) and used only through its Target interface (targets/target.ts).
import * as path from 'path';
import { shiftUint8ToInt8 } from '../passes/uint8-to-int8';
import { Graph } from '../core/ir/graph';
import { loadModel } from '../frontend/onnx/import';
import { checkOutputDir, writeFileAtomic, writeOutputDir } from '../core/output-dir';
import { bindInputs } from '../frontend/bind';
import { foldConstantIfs } from '../frontend/onnx/fold-if';
import { fail } from '../core/diagnostics';
import { loadConfig, HsqConfig } from '../core/config';
import { corePipeline } from '../passes/pipeline';
import { floatPasses, quantizedPasses } from '../precision';
import { runPipeline } from '../passes/pass-manager';
import { isQuantized, precisionStage, PrecisionReport } from '../precision/stage';
import { encodeQdqOnnx } from '../precision';
import { QuantizeArgs, quantizeArgs } from './commands/quantize-options';
import { cameraInput, InputFormat } from '../passes/camera-input';
import { inferShapes } from '../passes/shape-inference';
import type { PlacementOptions } from '../placement/placement';
import { placeAndPartition } from '../placement/stage';
import { TARGET_NAMES, lookupTarget } from '../targets/registry';
import type { Target } from '../targets/target';
import { INCBIN_ABOVE_BYTES, WeightsFormat } from '../targets/c/weights';
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
  /** stm32n6: --stedgeai-version (over config stedgeaiVersion). */
  stedgeaiVersion?: string;
}

export interface CompileResult {
  name: string;
  target: TargetName;
  files: string[];
  /** NAME_ARENA_SIZE: the bytes the caller provides (report.json totals.ram.arena). */
  arenaSize: number;
  arenaLowerBound: number;
  /** hsq's own RAM pools and the bytes its plan uses in each, where a target has several (stm32n6). */
  pools: { name: string; used: number }[];
  /** report.json totals.flash.total. */
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

/** Import, lower and quantize: the graph every target emits from (`staged`: the graph as the
 *  precision stage left it, standard QDQ when encoded; `exports`: the side files (--emit-onnx), written
 *  by compile only once OUT is). `raw`: the imported model when the caller has it already (run and
 *  verify bind constant inputs first). */
export function frontendForTarget(opts: Omit<CompileOptions, 'out'>, config: HsqConfig, target: Target, raw0?: Graph): { graph: Graph; precision: PrecisionReport; staged: Graph; hsqQuantized: boolean; exports: Record<string, Uint8Array> } {
  const loaded = raw0 ?? loadModel(opts.model, { inputShapes: { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) } });
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
  // The stage writes --emit-onnx when it quantizes; a model that arrives quantized (QDQ, or QONNX
  // lowered to QDQ by the float passes) and needs nothing from it is written as it stands, and a
  // float model left float has no quantized form to write.
  const exports: Record<string, Uint8Array> = { ...stage.exports };
  if (qa.emitOnnx && stage.graph === fg) {
    if (!isQuantized(fg)) fail('bad-input', `--emit-onnx writes the quantized model, but this model is float and nothing quantizes it: give --calib DIR (or --calib random)`, '--emit-onnx');
    exports[qa.emitOnnx] = encodeQdqOnnx(fg);
  }
  // The camera frame replaces the float input after calibration, which ran on float images.
  const staged = opts.inputFormat ? inferShapes(cameraInput(stage.graph, { format: opts.inputFormat, mean: qa.mean, std: qa.std })) : stage.graph;
  const qp = quantizedPasses();
  const graph = runPipeline(staged, qp, { dumpAfter: dumps(qp), dumpDir: path.join(opts.dumpDir ?? 'hsq-dump', 'quantized') });
  return { graph, precision: stage.report, staged: stage.graph, hsqQuantized: !isQuantized(fg) && isQuantized(stage.graph), exports };
}

/** What `hsq compile` builds, up to emission: the config, the target, the C name and the lowered,
 *  quantized graph (run, verify and eval run it; compile emits it). */
export interface PreparedModel {
  readonly config: HsqConfig;
  readonly target: Target;
  readonly name: string;
  readonly graph: Graph;
  /** The precision stage's output (see frontendForTarget). */
  readonly staged: Graph;
  readonly precision: PrecisionReport;
  readonly placement: PlacementOptions;
  /** A float model that the precision stage quantized (calibration). */
  readonly hsqQuantized: boolean;
  /** Side files (--emit-onnx) compile writes once OUT is written. */
  readonly exports: Record<string, Uint8Array>;
}

export function prepareModel(opts: Omit<CompileOptions, 'out'>, raw?: Graph, out?: string): PreparedModel {
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const named = opts.target !== undefined ? lookupTarget(opts.target, '--target') : lookupTarget(config.target ?? 'host', 'config target');
  const target = configureTarget(named, opts, config);
  const name = opts.name ?? config.name ?? modelNameFromFile(opts.model);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('bad-input', `--name '${name}' is not a C identifier`, '--name');
  if (out !== undefined) checkOutputDir(out);
  // The config's costModel overrides the target's parameters (checked first: a bad key is an error naming it).
  const costParams = config.costModel && target.costModel ? target.costModel.withOverrides(config.costModel) : undefined;
  const { graph, precision, staged, hsqQuantized, exports } = frontendForTarget(opts, config, target, raw);
  return { config, target, name, graph, staged, precision, hsqQuantized, exports, placement: { config, ...(costParams ? { costParams } : {}), ...(opts.placement ?? {}) } };
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
  // An int8-only NPU takes uint8 activations by the lossless zero-point shift (passes/uint8-to-int8.ts).
  const npuAct = target.capabilities.npu?.activations;
  const placed = placeAndPartition(npuAct && npuAct.signed ? shiftUint8ToInt8(g) : g, target, o.placement ?? {});
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

/** C data, or an .incbin blob when the weights exceed INCBIN_ABOVE_BYTES (the C would be ~3x their size). */
export function defaultWeightsFormat(g: Graph, log?: (line: string) => void): WeightsFormat {
  const bytes = Object.values(g.initializers).reduce((a, t) => a + t.data.byteLength, 0);
  if (bytes <= INCBIN_ABOVE_BYTES) return 'c';
  log?.(`hsq: ${bytes} bytes of weights (more than ${INCBIN_ABOVE_BYTES}): written as a binary blob with .incbin (NAME_weights.bin; the build needs -Wa,-I<OUT>); --weights-format c for C data`);
  return 'incbin';
}

/** The RAM pools hsq plans itself (used known), listed only where a target has several. */
function plannedPools(r: Report): { name: string; used: number }[] {
  const mine = r.memory.pools.filter((p) => p.kind === 'ram' && p.used !== null).map((p) => ({ name: p.name, used: p.used! }));
  return mine.length > 1 ? mine : [];
}

export async function compile(opts: CompileOptions): Promise<CompileResult> {
  // OUT is checked inside prepareModel right after the options: a folder hsq may not replace is
  // refused before any import or emission.
  const { config, target, name, graph, precision, placement, exports } = prepareModel(opts, undefined, opts.out);
  const c = await compileGraph(graph, target, {
    name, model: path.basename(opts.model), weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? defaultWeightsFormat(graph, opts.log), layout: opts.layout,
    placement, precision,
  });
  writeOutputDir(opts.out, c.files);
  // Side files (--emit-onnx) only once OUT is in place: a failed compile writes nothing.
  for (const [file, data] of Object.entries(exports)) writeFileAtomic(file, data);
  const t = c.report.totals;
  return {
    name, target: target.name as TargetName, files: Object.keys(c.files).sort(), arenaSize: t.ram.arena, arenaLowerBound: t.ram.lowerBound,
    pools: plannedPools(c.report),
    weightsSize: t.flash.total, graph, precision, report: c.report,
    ...(target.capabilities.npu ? { placementTable: formatPlacementTable(c.report, false) } : {}),
  };
}
