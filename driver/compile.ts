// `hsq compile`: import → float passes → precision stage → quantized passes → target emitter →
// OUT (written all at once, or not at all).
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

export type TargetName = 'host' | 'cortex-m55' | 'stm32n6';
export const TARGETS: readonly TargetName[] = ['host', 'cortex-m55', 'stm32n6'];

export interface CompileOptions {
  model: string;
  out: string;
  target?: TargetName;
  name?: string;
  config?: string;
  inputShapes?: Record<string, number[]>;
  weightsFormat?: 'c' | 'incbin';
  layout?: 'nchw' | 'nhwc';
  dumpAfter?: string[];
  dumpDir?: string;
  /** Camera frame input (uint8 channels-last) with --mean/--std folded in. */
  inputFormat?: InputFormat;
  /** Quantization and precision options (see compiler/commands/quantize-options.ts). */
  quantize?: Partial<QuantizeArgs>;
  log?: (line: string) => void;
  /** --target stm32n6: --force-npu/--force-cpu/--widen/budgets and the config's placement keys. */
  placement?: import('../placement/placement').PlacementOptions;
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
  /** --target stm32n6: the placement table `hsq compile` prints (formatPlacementTable, no colour). */
  placementTable?: string;
  /** --target stm32n6: the report behind report.json (the CLI re-renders the table in colour on a TTY). */
  report?: import('../report').Report;
}

/** A C identifier from a model file name: `tiny-yolov2.onnx` → `tiny_yolov2`. */
export function modelNameFromFile(file: string): string {
  let n = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(n)) n = `m_${n}`;
  return n;
}

/** Import, lower and quantize: the graph every target emits from. */
export function frontendForTarget(opts: CompileOptions, config: HsqConfig, target: TargetName): { graph: Graph; precision: PrecisionReport } {
  const raw = loadModel(opts.model, { inputShapes: { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) } });
  const known = new Set(corePipeline.map((p) => p.name));
  for (const d of opts.dumpAfter ?? []) if (d !== 'all' && !known.has(d))
    fail('bad-input', `--dump-after ${d}: no such pass (passes: ${[...known].join(', ')})`, '--dump-after');
  const dumps = (passes: { name: string }[]) => (opts.dumpAfter ?? []).filter((d) => d === 'all' || passes.some((p) => p.name === d));
  const fp = floatPasses();
  const fg = runPipeline(raw, fp, { dumpAfter: dumps(fp), dumpDir: opts.dumpDir ?? 'hsq-dump' });
  // Defaults of every quantization option, overridden by what the caller gave (API or CLI).
  const qa: QuantizeArgs = { ...quantizeArgs({}), ...(opts.quantize ?? {}) };
  const stage = precisionStage(fg, { qa, config, needsQuantized: target !== 'host', target, log: opts.log ?? (() => undefined) });
  // The camera frame replaces the float input after calibration, which ran on float images.
  const staged = opts.inputFormat ? inferShapes(cameraInput(stage.graph, { format: opts.inputFormat, mean: qa.mean, std: qa.std })) : stage.graph;
  const qp = quantizedPasses();
  const graph = runPipeline(staged, qp, { dumpAfter: dumps(qp), dumpDir: path.join(opts.dumpDir ?? 'hsq-dump', 'quantized') });
  return { graph, precision: stage.report };
}

export async function compile(opts: CompileOptions): Promise<CompileResult> {
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const target = opts.target ?? config.target ?? 'host';
  if (!TARGETS.includes(target)) fail('bad-input', `--target ${target}: expected one of ${TARGETS.join(', ')}`, '--target');
  const name = opts.name ?? config.name ?? modelNameFromFile(opts.model);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('bad-input', `--name '${name}' is not a C identifier`, '--name');
  const { graph: g, precision } = frontendForTarget(opts, config, target);
  let emitted: { files: Record<string, string | Uint8Array>; arenaSize: number; arenaLowerBound: number; weightsSize: number };
  let placementTable: string | undefined;
  let report: import('../report').Report | undefined;
  if (target === 'host') {
    const { emitC } = await import('../targets/host/run');
    emitted = emitC(g, { name, weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? 'c', layout: opts.layout });
    emitted.files['report.json'] = JSON.stringify({
      model: path.basename(opts.model), target, name,
      arena: { bytes: emitted.arenaSize, lowerBound: emitted.arenaLowerBound }, weightBytes: emitted.weightsSize,
      precision,
    }, null, 2) + '\n';
  } else if (target === 'stm32n6') {
    // Placement, partitioning, NPU segments as ONNX for stedgeai, LL_ATON glue, report (targets/stm32n6/emit.ts).
    const { emitStm32n6 } = await import('../targets/stm32n6/emit');
    const e = emitStm32n6(g, { name, placement: { config, ...(opts.placement ?? {}) }, weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? 'c' });
    emitted = e;
    placementTable = e.table;
    report = e.report;
  } else if (target === 'cortex-m55') {
    // Whole model on the CPU: generated per-layer kernels where they apply, portable C elsewhere;
    // report.json lists which, stack-usage.json the frames (targets/cortex-m55/emit.ts).
    const { compileM55 } = await import('../targets/cortex-m55/run');
    emitted = await compileM55(g, { name, weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? 'c', layout: opts.layout, model: path.basename(opts.model), precision });
  } else {
    fail('unsupported', `--target ${target} is not implemented yet`, '--target');
  }
  writeOutputDir(opts.out, emitted.files);
  return { name, target, files: Object.keys(emitted.files).sort(), arenaSize: emitted.arenaSize, arenaLowerBound: emitted.arenaLowerBound, weightsSize: emitted.weightsSize, graph: g, precision, ...(placementTable ? { placementTable } : {}), ...(report ? { report } : {}) };
}
