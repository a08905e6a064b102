// `hsq compile`: import → core pipeline → target emitter → OUT (written all at once, or not at all).
import * as path from 'path';
import { Graph } from './ir/graph';
import { loadModel } from './onnx/import';
import { lower } from './driver';
import { writeOutputDir } from './output-dir';
import { fail } from './diagnostics';
import { loadConfig, HsqConfig } from './config';

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
}

export interface CompileResult {
  name: string;
  target: TargetName;
  files: string[];
  arenaSize: number;
  arenaLowerBound: number;
  weightsSize: number;
  graph: Graph;
}

/** A C identifier from a model file name: `tiny-yolov2.onnx` → `tiny_yolov2`. */
export function modelNameFromFile(file: string): string {
  let n = path.basename(file, path.extname(file)).replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(n)) n = `m_${n}`;
  return n;
}

export async function compile(opts: CompileOptions): Promise<CompileResult> {
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const target = opts.target ?? config.target ?? 'host';
  if (!TARGETS.includes(target)) fail('bad-input', `--target ${target}: expected one of ${TARGETS.join(', ')}`, '--target');
  const name = opts.name ?? config.name ?? modelNameFromFile(opts.model);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('bad-input', `--name '${name}' is not a C identifier`, '--name');
  const raw = loadModel(opts.model, { inputShapes: { ...(config.inputShapes ?? {}), ...(opts.inputShapes ?? {}) } });
  const g = lower(raw, { dumpAfter: opts.dumpAfter, dumpDir: opts.dumpDir });
  let emitted: { files: Record<string, string | Uint8Array>; arenaSize: number; arenaLowerBound: number; weightsSize: number };
  if (target === 'host') {
    const { emitC } = await import('./engines/c');
    emitted = emitC(g, { name, weightsFormat: opts.weightsFormat ?? config.weightsFormat ?? 'c', layout: opts.layout });
  } else {
    fail('unsupported', `--target ${target} is not implemented yet`, '--target');
  }
  writeOutputDir(opts.out, emitted.files);
  return { name, target, files: Object.keys(emitted.files).sort(), arenaSize: emitted.arenaSize, arenaLowerBound: emitted.arenaLowerBound, weightsSize: emitted.weightsSize, graph: g };
}
